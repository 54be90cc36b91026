"""The wire codec: every client message parsed in one place, bad input named by a stable code."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from agent.wire import protocol
from agent.wire.protocol import Code, ProtocolError


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
    ev = protocol.Route(target="it_ops", intent="password.reset", confidence=0.9, reason=None)
    assert json.loads(protocol.encode(ev, 12)) == {
        "type": "route", "target": "it_ops", "intent": "password.reset", "confidence": 0.9, "seq": 12}


@pytest.mark.parametrize("query, expected", [
    ("agent_session_id=pool-1&call_id=c-1", ("c-1", None)),
    ("agent_session_id=pool-1", (None, None)),
    ("call_id=c-1&call_id=c-1", (None, "call_id is given 2 times")),  # even the same value twice
    ("call_id=c-1&x=1&call%5Fid=c-2", (None, "call_id is given 2 times")),
])
def test_call_id_is_read_once_like_the_session_id(query, expected):
    assert protocol.call_id_in_query(query) == expected


@pytest.mark.parametrize("ev, frame", [
    # The exact bytes clients have always received: type first, fields in documented order, seq last.
    (protocol.SessionReady("s1", False, protocol.AudioFormat("pcm16", 16000), True, 0),
     '{"type":"session.ready","session_id":"s1","resumed":false,"audio":{"encoding":"pcm16","sample_rate":16000},'
     '"speech":true,"last_seq":0,"seq":1}'),
    (protocol.Transcript("agent", "Grüß dich", True, item_id="i1"),
     '{"type":"transcript","role":"agent","text":"Grüß dich","final":true,"item_id":"i1","seq":1}'),
    (protocol.Tool("create_ticket", "ok", {"a": 1}, {"id": "T-1"}, latency_ms=12.5),
     '{"type":"tool","name":"create_ticket","status":"ok","arguments":{"a":1},"result":{"id":"T-1"},'
     '"latency_ms":12.5,"seq":1}'),
    (protocol.AudioClear("i2"), '{"type":"audio.clear","item_id":"i2","seq":1}'),
    (protocol.TranscriptTruncated("i2", "The pump at site…", 850),
     '{"type":"transcript.truncated","item_id":"i2","text":"The pump at site…","heard_ms":850,"seq":1}'),
    (protocol.Handoff("pstn:+1", "C-2", "leak", "high", [{"target": "pstn:+1", "mode": "consult"}], "Brief."),
     '{"type":"handoff","target":"pstn:+1","case_id":"C-2","reason":"leak","priority":"high",'
     '"legs":[{"target":"pstn:+1","mode":"consult"}],"briefing":"Brief.","seq":1}'),
    (protocol.Handoff("human", "C-1", "asked", "high"),
     '{"type":"handoff","target":"human","case_id":"C-1","reason":"asked","priority":"high","seq":1}'),
    (protocol.TurnMetrics(3, decision_ms=4.0, total_ms=9.5, barge_in=False),
     '{"type":"turn.metrics","turn":3,"decision_ms":4.0,"total_ms":9.5,"barge_in":false,"seq":1}'),
    (protocol.SessionEnded("caller", 10, 6400),
     '{"type":"session.ended","reason":"caller","frames_in":10,"bytes_in":6400,"seq":1}'),
    (protocol.error(protocol.ProtocolError(Code.BAD_JSON, "no")),
     '{"type":"error","code":"bad_json","message":"no","seq":1}'),
])
def test_server_events_encode_to_the_documented_frames(ev, frame):
    assert protocol.encode(ev, 1) == frame


def test_pong_is_not_numbered():
    assert protocol.encode(protocol.Pong("a10", 10, 7), None) == '{"type":"pong","id":"a10","frames_in":10,"last_seq":7}'


def test_every_server_event_type_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
    table = doc[doc.index("## Agent -> client"):doc.index("### Error codes")]
    cells = [re.split(r"(?<!\\)\|", line) for line in table.splitlines() if line.startswith("| `")]
    rows = {c[1]: c[2] for c in cells}
    for kind, cls in protocol.SERVER_EVENTS.items():
        row = next((cells for names, cells in rows.items() if f"`{kind}`" in names), None)
        assert row is not None, f"{kind} is not in docs/protocol.md"
        for f in dataclasses.fields(cls):
            assert f"`{f.name}" in row, f"{kind}.{f.name} is not in docs/protocol.md"
