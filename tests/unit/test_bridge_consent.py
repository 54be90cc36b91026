"""Recording consent gate (bridge/consent.py) and what the case says about recording."""

from __future__ import annotations

import pytest

from agent.wire import protocol
from agent.handoff.bundle import build_case
from agent.contracts.state import CallState
from bridge.consent import ConsentGate


def test_silence_is_consent_and_the_opt_out_key_declines_for_good():
    gate = ConsentGate("2")
    assert gate.key("5") is False and gate.state == "asking"  # another key is an ordinary caller key
    assert gate.window_over() == "granted"
    assert gate.key("2") is False  # after the decision the key means nothing special

    gate = ConsentGate("#")
    assert gate.key("#") is True and gate.state == "declined"
    assert gate.window_over() == "declined"


@pytest.mark.parametrize("digit", ["", "22", "x", "A"])
def test_bad_opt_out_keys_are_refused(digit):
    with pytest.raises(ValueError):
        ConsentGate(digit)


@pytest.mark.parametrize("recording, expected", [
    (None, {"state": "off"}),
    ({"state": "declined"}, {"state": "declined"}),
    ({"state": "recording", "id": "rec-1"}, {"state": "recording", "id": "rec-1"}),
])
def test_the_case_always_says_whether_the_call_was_recorded(recording, expected):
    state = CallState(session_id="s", channel="phone", recording=recording)
    case = build_case(state, case_id="CASE-222222", reason="r", trigger="t", priority="normal",
                      target="pstn:+14255550110", now=1_795_000_000.0)
    assert case["recording"] == expected


def test_recording_report_parses_and_state_survives_a_round_trip():
    parsed = protocol.parse_text('{"type": "call.recording", "state": "recording", "recording_id": "rec-9"}')
    assert parsed == protocol.CallRecording("recording", "rec-9")
    state = CallState(session_id="s", recording={"state": "recording", "id": "rec-9"})
    assert CallState.from_dict(state.to_dict()).recording == {"state": "recording", "id": "rec-9"}
