"""The client codec: agent events read back into the classes the agent encodes, client messages
written so the agent parses them to the same values, one rule for close codes."""

from __future__ import annotations

import pytest

from agent.wire import protocol, client as codec

EVENTS = [
    protocol.SessionReady("s1", True, protocol.AudioFormat("pcm16", 24000), False, 9),
    protocol.Transcript("caller", "my pump leaks", True, kind="speech"),
    protocol.Transcript("agent", "One moment.", True, item_id="i3", replayed=True),
    protocol.Route("field_ops", "work_order.create", 0.87, "pump", [{"target": "it_ops", "confidence": 0.1}], "route"),
    protocol.Tool("create_work_order", "error", {"site": "B"}, error="timeout", latency_ms=5000.0),
    protocol.AudioStart("i1"), protocol.AudioEnd("i1"), protocol.AudioClear("i1"),
    protocol.TranscriptTruncated("i1", "One mo…", 420),
    protocol.Handoff("human", "CASE-1", "asked for a person", "high"),
    protocol.Handoff("pstn:+14255550100", "CASE-2", "leak", "high", [{"target": "pstn:+14255550100", "ring_s": 20}],
                     "Switchboard hand-over."),
    protocol.TurnMetrics(2, stt_ms=120.0, stt_rtf=0.2, decision_ms=3.0, first_say_ms=4.0, first_audio_ms=300.0,
                         total_ms=900.0, barge_in=True),
    protocol.SessionEnded("caller", 100, 64000),
    protocol.Error("bad_dtmf", "'digits' must be DTMF characters"),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.TYPE)
def test_every_agent_event_decodes_to_what_was_encoded(event):
    incoming = codec.decode(protocol.encode(event, 5))
    assert incoming.event == event and incoming.seq == 5


def test_every_event_type_has_a_round_trip_case():
    assert {e.TYPE for e in EVENTS} | {"pong"} == set(protocol.SERVER_EVENTS)


def test_pong_has_no_seq():
    incoming = codec.decode(protocol.encode(protocol.Pong("a10", 10, 4), None))
    assert incoming.event == protocol.Pong("a10", 10, 4) and incoming.seq is None


@pytest.mark.parametrize("message", [
    protocol.SessionStart(protocol.AudioFormat("pcm16", 8000), "phone", last_seq=3, call_id="c1", caller="+1425"),
    protocol.SessionStart(),
    protocol.InputText("reset my password"),
    protocol.InputDtmf("12#"),
    protocol.PlaybackProgress("i1", 640),
    protocol.HandoffResult(False, "busy"),
    protocol.HandoffResult(True),
    protocol.SessionEnd("caller hung up"),
    protocol.Ping("a20"),
], ids=lambda m: m.TYPE)
def test_client_messages_parse_on_the_agent_to_the_same_values(message):
    assert protocol.parse_text(codec.encode(message)) == message


def test_an_unknown_event_type_is_passed_on_not_refused():
    incoming = codec.decode('{"type":"agent.thinking","seq":4,"hint":"x"}')
    assert incoming.event == codec.UnknownEvent("agent.thinking") and incoming.seq == 4
    assert incoming.raw["hint"] == "x"


@pytest.mark.parametrize("frame, problem", [
    ("not json", "not JSON"),
    ("[1, 2]", "'type'"),
    ('{"seq": 1}', "'type'"),
    ('{"type": "transcript", "role": "agent", "final": true}', "'text'"),
    ('{"type": "handoff", "target": "human"}', "'case_id'"),
    ('{"type": "session.ready", "session_id": "s", "resumed": false, "speech": true, "audio": 16000}', "'audio'"),
    ('{"type": "session.ready", "session_id": "s", "resumed": false, "speech": true, "audio": {}}', "sample_rate"),
])
def test_events_that_break_the_contract_are_named(frame, problem):
    with pytest.raises(codec.DecodeError, match=problem):
        codec.decode(frame)


@pytest.mark.parametrize("code, final", [(1000, True), (1008, True), (1009, True), (4000, True),
                                         (1001, False), (1006, False), (1011, False), (None, False)])
def test_which_closes_end_the_session(code, final):
    assert codec.ends_session(code) is final


def test_session_url_sets_the_id_once():
    url = codec.session_url("wss://h/invocations_ws?api-version=1&agent_session_id=old", "acs:1")
    assert url == "wss://h/invocations_ws?api-version=1&agent_session_id=acs%3A1"


def test_a_pooled_session_url_names_the_call_once():
    # The pool's session plus the call's conversation in it; a call_id already in the configured URL is replaced.
    url = codec.session_url("wss://h/invocations_ws?call_id=stale#frag", "pool-3", "c-7")
    assert url == "wss://h/invocations_ws?agent_session_id=pool-3&call_id=c-7"
    assert "call_id" not in codec.session_url("wss://h/invocations_ws", "acs:1")


def test_frame_size():
    assert codec.frame_bytes(16000) == 640 and codec.frame_bytes(8000) == 320 and codec.frame_bytes(24000, 100) == 4800
