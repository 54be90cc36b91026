"""Event Grid and Call Automation bodies, call-state changes, session ids, transfer targets, apology audio."""

import json

import pytest
from azure.communication.callautomation import (CommunicationUserIdentifier, MicrosoftTeamsUserIdentifier,
                                                PhoneNumberIdentifier)

from bridge import webhooks
from bridge.apology import tones
from bridge.call_control import TargetError, parse_target
from bridge.calls import agent_session_id


def test_validation_and_incoming_call():
    body = json.dumps([
        {"id": "e1", "eventType": webhooks.VALIDATION, "data": {"validationCode": "abc-123"}},
        {"id": "e2", "eventType": webhooks.INCOMING_CALL, "data": {
            "to": {"rawId": "4:+18005550100"}, "from": {"kind": "phoneNumber", "rawId": "4:+14255550123"},
            "incomingCallContext": "ctx", "correlationId": "corr-1"}},
        {"id": "e3", "eventType": "Microsoft.Communication.SomethingElse", "data": {}},
    ]).encode()
    assert webhooks.parse_event_grid(body) == [
        webhooks.Validation("e1", "abc-123"), webhooks.IncomingCall("e2", "ctx", "corr-1", "4:+14255550123")]


@pytest.mark.parametrize("body", [
    b"", b"{", b"[]", b"[1]", b'[{"eventType": "x", "data": {}}]',
    b'[{"id": "e", "eventType": "x", "data": []}]',
    json.dumps([{"id": "e", "eventType": webhooks.INCOMING_CALL, "data": {}}]).encode(),
    json.dumps([{"id": "x" * 300, "eventType": webhooks.VALIDATION, "data": {"validationCode": "c"}}]).encode(),
    b"[" + b" " * (1024 * 1024) + b"]",
])
def test_malformed_event_grid_bodies(body):
    with pytest.raises(webhooks.WebhookError):
        webhooks.parse_event_grid(body)


def callback(kind, **data):
    return {"id": f"id-{kind}", "source": "calling/callConnections/conn-1", "type": f"Microsoft.Communication.{kind}",
            "data": {"callConnectionId": "conn-1", "serverCallId": "s", "correlationId": "corr-1", **data},
            "time": "2026-11-23T10:00:00Z", "specversion": "1.0", "datacontenttype": "application/json"}


@pytest.mark.parametrize("kind, state", [
    ("CallConnected", "connected"), ("MediaStreamingStarted", "streaming"), ("MediaStreamingFailed", "media_failed"),
    ("CallTransferAccepted", "transferred"), ("CallTransferFailed", "transfer_failed"), ("CallDisconnected", "ended"),
])
def test_callback_events_move_the_call(kind, state):
    [event] = webhooks.parse_callbacks(json.dumps([callback(kind, resultInformation={"message": "why"})]).encode())
    assert event.kind == kind and event.call_connection_id == "conn-1"
    assert webhooks.state_change(event)["state"] == state


def test_unrelated_callback_changes_nothing_and_foreign_events_are_refused():
    [event] = webhooks.parse_callbacks(json.dumps([callback("PlayCompleted")]).encode())
    assert webhooks.state_change(event) == {}
    with pytest.raises(webhooks.WebhookError):
        webhooks.parse_callbacks(json.dumps([{"id": "x", "type": "Evil.Thing", "data": {}}]).encode())


@pytest.mark.parametrize("call_id, expected", [
    ("3f2c1a-77", "acs:3f2c1a-77"),
    ("../../etc/passwd", "acs:.._.._etc_passwd"),
    ("a b\x00c'; DROP", "acs:a_b_c___DROP"),
])
def test_agent_session_id_is_sanitised(call_id, expected):
    assert agent_session_id(call_id) == expected


def test_agent_session_id_is_bounded():
    assert len(agent_session_id("x" * 10_000)) == 128


def test_transfer_targets():
    assert isinstance(parse_target("pstn:+14255550100"), PhoneNumberIdentifier)
    assert isinstance(parse_target("+14255550100"), PhoneNumberIdentifier)
    assert isinstance(parse_target("teams:8:orgid:6f1c2d7e"), MicrosoftTeamsUserIdentifier)
    assert isinstance(parse_target("8:acs:abc"), CommunicationUserIdentifier)
    for bad in ("queue:general-service-desk", "sip:desk@example.com", "pstn:12", "pstn:+1425abc", "", "x" * 5000):
        with pytest.raises(TargetError):
            parse_target(bad)


@pytest.mark.parametrize("rate", [16000, 24000])
def test_apology_tones_are_pcm16_at_the_rate(rate):
    pcm = tones(rate)
    assert len(pcm) % 2 == 0 and 0.9 < len(pcm) / 2 / rate < 1.1
    assert max(pcm[1::2]) > 0  # not silence
