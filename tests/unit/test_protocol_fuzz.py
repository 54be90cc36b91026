"""Property: the client-message parser returns a typed message or a ``ProtocolError``, never raises.

Every client message type is generated with each field drawn from any JSON value (and the
non-standard ``NaN``/``Infinity`` that ``json.loads`` accepts), plus a well-formed variant
whose numbers are pushed to and past their limits. Whatever the parser returns is checked
for the invariants the session relies on: ranges hold on every accepted number.
"""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.wire import protocol
from agent.wire.protocol import ProtocolError

FIELDS = {
    "session.start": ["audio", "channel", "last_seq", "call_id", "caller"],
    "input.text": ["text"],
    "input.dtmf": ["digits"],
    "playback.progress": ["item_id", "played_ms"],
    "handoff.result": ["ok", "reason"],
    "session.end": ["reason"],
    "ping": ["id"],
}
TYPED = (protocol.SessionStart, protocol.InputText, protocol.InputDtmf, protocol.PlaybackProgress,
         protocol.HandoffResult, protocol.SessionEnd, protocol.Ping)

big_ints = st.one_of(st.integers(), st.integers(min_value=2**62, max_value=2**200),
                     st.integers(min_value=-2**200, max_value=-1))
numbers = st.one_of(big_ints, st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e400, -1e400]))
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=80))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=20)


@st.composite
def client_messages(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(sorted(FIELDS)))
    msg: dict = {"type": kind}
    for name in FIELDS[kind]:
        if draw(st.booleans()):
            msg[name] = draw(json_values)
    if kind == "session.start" and draw(st.booleans()):
        msg["audio"] = {"encoding": draw(st.sampled_from(["pcm16", "mulaw"])), "sample_rate": draw(numbers)}
    return msg


def _check(result: object) -> None:
    assert isinstance(result, (ProtocolError, *TYPED)), result
    if isinstance(result, ProtocolError):
        assert isinstance(result.code, str) and isinstance(result.message, str) and len(result.message) < 1000
    elif isinstance(result, protocol.PlaybackProgress):
        assert isinstance(result.played_ms, int) and 0 <= result.played_ms <= protocol.MAX_PLAYED_MS
    elif isinstance(result, protocol.SessionStart) and result.last_seq is not None:
        assert isinstance(result.last_seq, int) and 0 <= result.last_seq <= protocol.MAX_SEQ


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(client_messages())
def test_every_client_message_parses_to_a_type_or_an_error(msg: dict) -> None:
    _check(protocol.parse_text(json.dumps(msg)))  # json.dumps writes NaN/Infinity, as a hostile client may
    _check(protocol.parse_object(msg))


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_any_text_frame_parses_to_a_type_or_an_error(frame: str) -> None:
    _check(protocol.parse_text(frame))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=200_000), st.sampled_from(["[", "{\"a\":", "[{\"b\":"]))
def test_nesting_of_any_depth_is_bad_json_or_a_message(depth: int, opener: str) -> None:
    _check(protocol.parse_text('{"type":"input.text","text":"x","extra":' + opener * depth))


def test_numbers_at_and_past_their_limits() -> None:
    def progress(value: object) -> object:
        return protocol.parse_object({"type": "playback.progress", "item_id": "a", "played_ms": value})

    assert progress(protocol.MAX_PLAYED_MS) == protocol.PlaybackProgress("a", protocol.MAX_PLAYED_MS)
    assert progress(12.9) == protocol.PlaybackProgress("a", 12)
    for bad in (math.nan, math.inf, -math.inf, -1, protocol.MAX_PLAYED_MS + 1, 2**64, "5", None, True):
        assert isinstance(progress(bad), ProtocolError), bad

    def start(value: object) -> object:
        return protocol.parse_object({"type": "session.start", "last_seq": value})

    assert start(protocol.MAX_SEQ).last_seq == protocol.MAX_SEQ  # type: ignore[union-attr]
    for bad in (protocol.MAX_SEQ + 1, 2**64, 10**30, math.inf, math.nan, -1, 1.5):
        assert isinstance(start(bad), ProtocolError), bad
