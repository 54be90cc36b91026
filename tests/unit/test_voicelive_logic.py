"""Voice Live's pure parts: failures told apart, function arguments, the confirmation rule."""

from __future__ import annotations

import pytest

from agent.brain.mcp_client import ToolSpec
from agent.wire.protocol import SUPPORTED_SAMPLE_RATES
from agent.realtime import voicelive_errors as errors
from agent.realtime.voicelive import OUTPUT_FORMATS, tone
from agent.brain.dialog_tools import MAX_ARGUMENT_CHARS, confirmed, parse_arguments
from agent.contracts.state import CallState

SPEC = ToolSpec("field_ops", "create_work_order", "Open a work order", {"type": "object", "properties": {}})
ARGS = {"site": 14, "asset_tag": "P-4512", "summary": "leak"}


@pytest.mark.parametrize("status,kind", [(401, "auth"), (403, "auth"), (429, "quota"), (404, "config"),
                                         (400, "config"), (500, "network"), (503, "network"), (None, "network")])
def test_connect_status_is_told_apart(status, kind):
    assert errors.from_status(status, "boom").kind == kind


@pytest.mark.parametrize("error,kind", [
    ({"type": "invalid_request_error", "code": "invalid_api_key", "message": "bad key"}, "auth"),
    ({"type": "authentication_error", "message": "token expired"}, "auth"),
    ({"type": "rate_limit_error", "code": "rate_limit_exceeded", "message": "slow down"}, "quota"),
    ({"type": "invalid_request_error", "code": "insufficient_quota", "message": "quota"}, "quota"),
    ({"type": "invalid_request_error", "code": "invalid_value", "param": "session.voice.name", "message": "x"}, "config"),
    ({"type": "invalid_request_error", "code": "model_not_found", "message": "no such model"}, "config"),
    ({"type": "server_error", "message": "try again"}, "network"),
])
def test_error_events_are_told_apart(error, kind):
    failure = errors.from_error_event(error)
    assert failure is not None and failure.kind == kind


@pytest.mark.parametrize("error", [
    {"type": "invalid_request_error", "code": "response_cancel_not_active", "message": "nothing to cancel"},
    {"type": "invalid_request_error", "code": "conversation_already_has_active_response", "message": "busy"},
    {},
    {"type": None, "code": 42, "message": None},
])
def test_errors_the_call_survives_are_not_failures(error):
    assert errors.from_error_event(error) is None


def test_messages_name_the_kind_and_never_carry_secrets():
    failure = errors.from_error_event({"type": "invalid_request_error", "code": "invalid_api_key",
                                       "message": "x" * 5000})
    assert failure is not None
    line = failure.operator_line("wss://example.cognitiveservices.azure.com")
    assert line.startswith("voicelive auth failure at wss://example") and "AZURE_VOICELIVE_API_KEY" in line
    assert len(failure.detail) < 400  # a hostile megabyte of message is cut
    assert "built-in voice" in failure.caller_message(fallback=True)
    assert "type your request" in failure.caller_message(fallback=False)


@pytest.mark.parametrize("raw,problem", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('"text"', "must be a JSON object"),
    ("x" * (MAX_ARGUMENT_CHARS + 1), "longer than"),
])
def test_bad_function_arguments_get_a_clear_reason(raw, problem):
    result = parse_arguments(raw)
    assert isinstance(result, str) and problem in result


def test_good_and_empty_arguments_parse():
    assert parse_arguments('{"site": 14, "note": "\'; DROP TABLE work_orders; --"}') == {
        "site": 14, "note": "'; DROP TABLE work_orders; --"}
    assert parse_arguments("") == {}


def _asked(state: CallState, args: dict) -> dict:
    return {"tool": SPEC.name, "server": SPEC.server, "args": args, "confirming": True, "asked_turn": state.turn_count}


def _caller(state: CallState, text: str) -> None:
    state.turn_count += 1
    state.add_turn("caller", text)


def test_a_write_runs_only_after_the_caller_said_yes_to_exactly_those_arguments():
    state = CallState("s")
    _caller(state, "the pump at site 14 is leaking")
    task = _asked(state, ARGS)
    assert not confirmed(task, SPEC, ARGS, state)  # nothing said since the read-back
    _caller(state, "yes please")
    assert confirmed(task, SPEC, ARGS, state)
    assert not confirmed(task, SPEC, {**ARGS, "site": 15}, state)  # the model changed a detail
    other = ToolSpec("it_ops", "create_work_order", "", {})
    assert not confirmed(task, other, ARGS, state)
    assert not confirmed({**task, "confirming": False}, SPEC, ARGS, state)


@pytest.mark.parametrize("answer", ["no", "no, site 15", "wait", "what?", ""])
def test_anything_but_yes_is_not_a_confirmation(answer):
    state = CallState("s")
    task = _asked(state, ARGS)
    _caller(state, answer)
    assert not confirmed(task, SPEC, ARGS, state)


def test_session_rates_need_no_resampling_and_the_tone_is_short():
    assert set(OUTPUT_FORMATS) == set(SUPPORTED_SAMPLE_RATES)  # every rate a client may choose
    pcm = tone(16000)
    assert 0.2 <= len(pcm) / 2 / 16000 <= 0.5 and max(pcm) > 0
