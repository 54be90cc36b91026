"""Client messages that used to crash the handler (close 1011), against a real ``switchboard serve``.

Each class of fault: the connection stays open, an ``error`` event names it, the next turn
is answered. One container serves the module; every test uses its own session.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Iterator

import pytest

from agent.dev.localserver import LocalServer
from tests.support.wsclient import Client

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = LocalServer(tmp_path_factory.mktemp("hostile") / "data").start()
    yield server
    server.stop(9)


async def _still_answers(c: Client, text: str) -> None:
    await c.send("input.text", text=text)
    await c.wait_for("transcript", role="agent", text=f"You said: {text}")
    assert c.conn.close_code is None


@pytest.mark.parametrize("played_ms", ["NaN", "Infinity", "-Infinity", "1e400", "-1", "1e30",
                                        str(2**64), "86400001"])
async def test_playback_progress_with_a_number_out_of_range_is_an_error(container, played_ms):
    c = await Client.connect(container.ws, f"progress-{abs(hash(played_ms))}")
    await c.start()
    await c.conn.send('{"type":"playback.progress","item_id":"a1","played_ms":%s}' % played_ms)
    err = await c.wait_for("error")
    assert err["code"] == "bad_message" and "played_ms" in err["message"]
    await _still_answers(c, "after progress")
    await c.close()


@pytest.mark.parametrize("ok", [True, False])
async def test_handoff_result_with_nothing_pending_is_an_error(container, ok):
    c = await Client.connect(container.ws, f"handoff-{ok}")
    await c.start()
    await c.send("handoff.result", ok=ok, reason="no hand-over was asked for")
    assert (await c.wait_for("error"))["code"] == "no_handoff_pending"
    await _still_answers(c, "after handoff")
    await c.send("handoff.result", ok=ok)  # a second one, after a turn, is refused the same way
    assert (await c.wait_for("error"))["code"] == "no_handoff_pending"
    await _still_answers(c, "and again")
    await c.close()


@pytest.mark.parametrize("last_seq", [str(2**63), str(2**64 + 5), "1" + "0" * 40, "1e300", "Infinity", "NaN"])
async def test_last_seq_beyond_64_bits_is_refused_and_a_good_start_works(container, last_seq):
    session = f"seq-{abs(hash(last_seq))}"
    first = await Client.connect(container.ws, session)
    await first.start()
    await _still_answers(first, "before the drop")
    await first.close()

    c = await Client.connect(container.ws, session)
    await c.conn.send('{"type":"session.start","audio":{"encoding":"pcm16","sample_rate":16000},'
                      '"last_seq":%s}' % last_seq)
    err = await c.wait_for("error")
    assert err["code"] == "bad_message" and "last_seq" in err["message"]
    ready = await c.start(last_seq=2**63 - 1)  # the largest legal value: nothing after it to replay
    assert ready["resumed"] is True
    await _still_answers(c, "after the resume")
    await c.close()


def _post(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("body", [
    b"[" * 100_000,
    b'{"text":"hi","extra":' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b'{"text":"hi","extra":' + b'{"a":' * 20_000 + b"1" + b"}" * 20_000 + b"}",
    b'{"text": NaN}',
    b"\xff\xfe not utf-8",
])
def test_post_invocations_with_hostile_json_is_a_400(container, body):
    status, problem = _post(f"{container.http}/invocations", body)
    assert status == 400, problem
    assert problem["error"]["code"] in {"bad_json", "bad_message"}
    status, answer = _post(f"{container.http}/invocations", json.dumps({"text": "still here"}).encode())
    assert status == 200 and any(e.get("text") == "You said: still here" for e in answer["events"])
