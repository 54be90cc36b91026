"""Which worker a connection goes to: read from its first request line, stable across dispatchers."""

from __future__ import annotations

import pytest

from agent.transport.workers import pick_worker, route_key


@pytest.mark.parametrize("head, key", [
    (b"GET /invocations_ws?agent_session_id=abc HTTP/1.1\r\nHost: x\r\n\r\n", "abc"),
    (b"GET /invocations_ws?x=1&agent_session_id=call%2D7 HTTP/1.1\r\n", "call-7"),
    (b"POST /invocations?agent_session_id=t-1 HTTP/1.1\r\n", "t-1"),
    (b"GET /invocations_ws HTTP/1.1\r\n", None),  # the container makes up an id: any worker will do
    (b"GET /invocations_ws?agent_session_id=abc HTTP/1.1", None),  # line not complete yet
    (b"", None),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n", None),  # a TLS hello, not HTTP
    (b"GET /a?agent_session_id=" + b"x" * 20000 + b" HTTP/1.1\r\n", "x" * 20000),  # the worker refuses it
    (b"GET /a?agent_session_id=%00%ff HTTP/1.1\r\n", "\x00\ufffd"),
    # Repeated, also under another spelling of the name: no session (the worker closes it with 1008).
    (b"GET /a?agent_session_id=a&agent_session_id=b HTTP/1.1\r\n", None),
    (b"GET /a?agent%5Fsession%5Fid=a&x=1&agent_session_id=b HTTP/1.1\r\n", None),
])
def test_route_key_reads_the_session_from_the_request_line(head: bytes, key: str | None) -> None:
    assert route_key(head) == key


def test_a_container_bound_to_one_session_routes_everything_there() -> None:
    assert route_key(b"GET /invocations_ws?agent_session_id=other HTTP/1.1\r\n", "platform-1") == "platform-1"


def test_the_same_session_always_gets_the_same_worker_and_sessions_spread() -> None:
    picks = {f"session-{i}": pick_worker(f"session-{i}", 4, turn=i) for i in range(400)}
    assert all(pick_worker(k, 4, turn=99) == w for k, w in picks.items())  # the turn counter does not matter
    counts = [list(picks.values()).count(w) for w in range(4)]
    assert min(counts) > 60, counts


def test_connections_without_a_session_take_turns() -> None:
    assert [pick_worker(None, 3, turn=t) for t in range(6)] == [0, 1, 2, 0, 1, 2]


@pytest.mark.parametrize("target", [
    "/invocations_ws?agent_session_id=a&agent_session_id=b",
    "/invocations_ws?agent_session_id=caf%C3%A9&x=%26agent_session_id%3Dz",
    "/invocations_ws?x=1&agent_session_id=t%2D1;agent_session_id=t2",
    "/invocations_ws?agent%5Fsession%5Fid=one",
    "/invocations_ws?agent_session_id=%ff%fe",
])
def test_the_dispatcher_and_the_container_read_the_same_session(target: str) -> None:
    from starlette.datastructures import QueryParams

    from agent.wire.protocol import session_id_in_query

    query = target.partition("?")[2]  # what the container reads: the raw query string (SessionHub.session_id_for)
    container_view, problem = session_id_in_query(query)
    assert route_key(f"GET {target} HTTP/1.1\r\n".encode("latin-1")) == container_view
    if problem is None:  # where it is served, it is also the value the host's own request state sees
        assert QueryParams(query).get("agent_session_id") == container_view
    else:
        assert container_view is None and "2 times" in problem
