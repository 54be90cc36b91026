"""The wire codec: every client message parsed in one place, bad input named by a stable code."""

from __future__ import annotations

import json

import pytest

from agent import protocol
from agent.protocol import Code, ProtocolError


def parse(obj: object) -> object:
    return protocol.parse_text(json.dumps(obj))


def test_session_start_defaults_and_fields():
    msg = parse({"type": "session.start"})
    assert msg == protocol.SessionStart()
    msg = parse({"type": "session.start", "audio": {"encoding": "pcm16", "sample_rate": 8000}, "channel": "phone",
                 "last_seq": 7, "call_id": "c-1", "caller": "+14255550100"})
    assert isinstance(msg, protocol.SessionStart)
    assert (msg.audio.sample_rate, msg.channel, msg.last_seq, msg.call_id) == (8000, "phone", 7, "c-1")


@pytest.mark.parametrize(
    "obj, code",
    [
        ({"type": "session.start", "audio": {"sample_rate": 11025}}, Code.UNSUPPORTED_SAMPLE_RATE),
        ({"type": "session.start", "audio": {"sample_rate": True}}, Code.UNSUPPORTED_SAMPLE_RATE),
        ({"type": "session.start", "audio": "pcm"}, Code.BAD_MESSAGE),
        ({"type": "session.start", "last_seq": -1}, Code.BAD_MESSAGE),
        ({"type": "session.start", "last_seq": "3"}, Code.BAD_MESSAGE),
        ({"type": "input.text"}, Code.BAD_MESSAGE),
        ({"type": "input.text", "text": "   "}, Code.BAD_MESSAGE),
        ({"type": "input.dtmf", "digits": ""}, Code.BAD_DTMF),
        ({"type": "input.dtmf", "digits": "1" * 65}, Code.TEXT_TOO_LONG),
        ({"type": "handoff.result", "ok": "yes"}, Code.BAD_MESSAGE),
        ({"type": "playback.progress", "item_id": "a1", "played_ms": True}, Code.BAD_MESSAGE),
        ({"type": "ping", "id": {"x": 1}}, Code.BAD_MESSAGE),
        ({"type": 5}, Code.BAD_MESSAGE),
        ({"type": "x" * 10_000}, Code.UNKNOWN_TYPE),
    ],
)
def test_bad_messages_have_stable_codes(obj, code):
    err = parse(obj)
    assert isinstance(err, ProtocolError) and err.code == code, err
    assert len(err.message) < 400  # a hostile type name is not echoed back whole


def test_non_json_and_deep_nesting_are_errors_not_crashes():
    assert protocol.parse_text("{").code == Code.BAD_JSON  # type: ignore[union-attr]
    assert protocol.parse_text("[" * 100_000).code == Code.BAD_JSON  # type: ignore[union-attr]
    assert protocol.parse_text("null").code == Code.BAD_MESSAGE  # type: ignore[union-attr]


def test_audio_frames_must_be_whole_samples():
    assert protocol.check_audio(b"\x00\x00" * 320) is None
    assert protocol.check_audio(b"\x00" * 3).code == Code.ODD_AUDIO_LENGTH  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["", "..", ".", "a/b", "a\\b", "a\x00b", "é", "a" * 129, "a b", "a\nb"])
def test_hostile_session_ids(value):
    assert protocol.check_session_id(value)


@pytest.mark.parametrize("value", ["abc", "3f2a-11e9_x.y:z", "a" * 128, "acs-call:1234"])
def test_good_session_ids(value):
    assert protocol.check_session_id(value) is None


def test_encode_adds_seq_and_drops_none_fields():
    body = protocol.event("route", target="it_ops", intent="password.reset", confidence=0.9, reason=None)
    assert json.loads(protocol.encode(body, 12)) == {
        "type": "route", "target": "it_ops", "intent": "password.reset", "confidence": 0.9, "seq": 12}


@pytest.mark.parametrize("query, expected", [
    ("agent_session_id=pool-1&call_id=c-1", ("c-1", None)),
    ("agent_session_id=pool-1", (None, None)),
    ("call_id=c-1&call_id=c-1", (None, "call_id is given 2 times")),  # even the same value twice
    ("call_id=c-1&x=1&call%5Fid=c-2", (None, "call_id is given 2 times")),
])
def test_call_id_is_read_once_like_the_session_id(query, expected):
    assert protocol.call_id_in_query(query) == expected
