"""End of turn with the agent's question in mind: a complete answer ends the turn after the short stop.

The kind of answer is read from the question's grammar (agent/call/expected.py); the endpointer
ends the turn on a complete answer in every words mode (agent/speech/endpoint.py); the channel
asks the check (agent/speech/local.py) and the conversation tells it what the agent said
(agent/call/conversation.py). No audio and no clocks: frames and scripted events.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

import pytest

from agent.call.expected import VALUE, YES_NO, answers, classify, expectation
from agent.speech.endpoint import ANSWERED, BARE_YES_NO, EndpointConfig, Endpointer, Speculate, TurnEnd

# silence 500, cap 1100, short stop 200: the settings' defaults
RULES = EndpointConfig(silence_ms=500, hold_ms=1100, answer_ms=200)  # SWITCHBOARD_TURN_WORDS=rules
MODEL = EndpointConfig(silence_ms=500, hold_ms=1100, short_ms=200, answer_ms=200)  # =model
FUSED = EndpointConfig(silence_ms=500, hold_ms=1100, short_ms=200, answer_ms=200, judge_ms=200, voice_weight=0.125,
                       finished_above=0.71, unfinished_below=0.71)  # =fused (Smart Turn asked at every pause)
MODES = {"rules": (RULES, None), "model": (MODEL, 0.3), "fused": (FUSED, 0.3)}


def silence_to_end(config: EndpointConfig, question: str | None, heard: str, complete: float | None,
                   voice: float | None = None) -> int:
    """ms of silence after one second of speech until the turn ends, when the speculative transcript is
    ``heard`` (with the completeness probability ``complete``) and the agent last said ``question``."""
    ep = Endpointer(config)
    check = expectation(question) if question else None
    for _ in range(50):
        ep.step(True)
    for n in range(1, 200):
        for sig in ep.step(False):
            if isinstance(sig, Speculate):
                ep.set_hint(sig.end_ms, heard, complete, check(heard) if check else None)
            elif isinstance(sig, TurnEnd):
                return n * 20
            elif type(sig).__name__ == "Judge":
                ep.set_verdict(sig.end_ms, (voice or 0.2) > 0.5, voice or 0.2)
    raise AssertionError("the turn never ended")


# --- the question's kind, from its words -------------------------------------------------------

@pytest.mark.parametrize("said", [
    "Shall I close it?", "Is that right?", "Do you want another one?", "Can I put you through?",
    "Would you like us to call you back instead?", "I'll open a work order at site 12, priority high. Is that right?",
    "Are you still there?", "Didn't it restart?"])
def test_a_question_opening_with_an_auxiliary_is_yes_no(said):
    assert classify(said).kind == YES_NO


@pytest.mark.parametrize("said, values", [
    ("Which site is it?", {"number"}), ("What is the asset tag?", {"number"}), ("What's the ticket number?", {"number"}),
    ("What priority should it have?", {"priority"}), ("When would you like the visit?", {"time"}),
    ("Which day suits you?", {"time"}), ("How many units are down?", {"number"}),
    ("Could you tell me the work order number?", {"number"}), ("What is your work e-mail address?", {"email"})])
def test_a_question_asking_for_a_kind_of_value_is_a_value_question(said, values):
    q = classify(said)
    assert q.kind == VALUE and q.values == values


@pytest.mark.parametrize("said", [
    "How can I help?", "What do you need?", "What should I change?", "Could you say that again?",
    "Is it the pump, or the fan?", "Shall I try again, or would you like a person?", "Anything else?",
    "Your work order is open.", "Is there anything else? Your work order is open.", ""])
def test_open_questions_alternatives_and_statements_get_no_opinion(said):
    assert classify(said) is None
    assert expectation(said) is None


def test_only_short_answers_of_the_asked_kind_are_complete():
    yes_no, site = classify("Shall I close it?"), classify("Which site is it?")
    for heard in ("Yes, that is the one.", "No, leave it open.", "Yeah, go ahead.", "No, site four.", "No thanks."):
        assert answers(yes_no, heard) == ANSWERED, heard
    for heard in ("Yes.", "No.", "Yeah", "Okay."):
        assert answers(yes_no, heard) == BARE_YES_NO, heard
    for heard in ("Yes, but", "Yes,", "Yes, but the pump.", "No, because the fan", "The pump at site four.",
                  "Yes, the pump at the north depot is broken again."):
        assert answers(yes_no, heard) is None, heard
    for heard in ("Site four.", "It's site twelve.", "Twelve.", "A one two five.", "I think it's site nine."):
        assert answers(site, heard) == ANSWERED, heard
    for heard in ("The north depot.", "Site", "Site four and", "Site four, the pump is leaking badly.", "Yes."):
        assert answers(site, heard) is None, heard


# --- the endpointer: an answer ends after the short stop, in every words mode -------------------

@pytest.mark.parametrize("mode", MODES)
def test_a_yes_with_its_tail_after_a_yes_no_question_ends_after_the_short_stop(mode):
    config, unsure = MODES[mode]
    asked = "I'll close work order one zero two. Shall I go ahead?"
    for heard in ("Yes, that is the one.", "Yes please.", "No, leave it open."):
        # the words alone: unsure (rules: the silence stop) or unfinished (model: the cap)
        assert silence_to_end(config, None, heard, unsure) > 200
        assert silence_to_end(config, asked, heard, unsure) == 200, heard


@pytest.mark.parametrize("mode", MODES)
def test_a_yes_alone_never_waits_past_the_silence_stop_nor_ends_sooner_than_the_words_say(mode):
    config, unsure = MODES[mode]
    asked = "Shall I go ahead?"
    assert silence_to_end(config, None, "Yes.", unsure) == (500 if mode == "rules" else 1100)
    assert silence_to_end(config, asked, "Yes.", unsure) == 500  # a comma pause ("Yes, | but ...") is shorter
    if mode != "rules":
        assert silence_to_end(config, asked, "Yes.", 0.9) == silence_to_end(config, None, "Yes.", 0.9) <= 220


@pytest.mark.parametrize("mode", MODES)
def test_yes_but_keeps_listening(mode):
    config, _ = MODES[mode]
    for heard in ("Yes, but", "Yes,", "Yes, but the other thing is"):
        assert silence_to_end(config, "Shall I go ahead?", heard, 0.1) == 1100, heard


@pytest.mark.parametrize("mode", MODES)
def test_a_site_number_after_which_site_ends_after_the_short_stop(mode):
    config, unsure = MODES[mode]
    assert silence_to_end(config, "Which site is it?", "Site fourteen.", unsure) == 200
    assert silence_to_end(config, "Which site is it?", "It's at site", unsure) == 1100


def test_a_hesitant_voice_model_does_not_hold_a_complete_answer():
    assert silence_to_end(FUSED, "Shall I go ahead?", "Yes, go ahead.", 0.3, voice=0.05) == 200


@pytest.mark.parametrize("mode", MODES)
def test_with_no_question_known_the_words_decide_as_before(mode):
    config, _ = MODES[mode]
    finished = None if mode == "rules" else 0.9
    # rules: "unsure" waits the silence stop; fused: the voice's answer, asked at 200 ms, comes a frame later
    expected_finished = {"rules": 500, "model": 200, "fused": 220}[mode]
    for question in (None, "How can I help?", "Your work order is open."):
        assert silence_to_end(config, question, "Yes.", MODES[mode][1]) == (500 if mode == "rules" else 1100)
        assert silence_to_end(config, question, "My email account is locked.", finished) == expected_finished
        assert silence_to_end(config, question, "the generator at the north depot", 0.1) == 1100


# --- the channel asks the check; the conversation tells it what the agent said ---------------

class _Engine:
    """What a LocalChannel needs of its engine, without models."""

    words = None

    def __init__(self, config: EndpointConfig) -> None:
        self._config = config

    def new_vad(self) -> Any:
        return None

    def new_voice_check(self) -> Any:
        return None

    def endpoint_config(self) -> EndpointConfig:
        return self._config


async def test_the_local_channel_ends_a_complete_answer_after_the_short_stop():
    from agent.speech.local import LocalChannel
    from agent.speech.stt import Recognition

    async def on_event(ev: Any) -> None:
        pass

    async def silence(channel: LocalChannel, question: str | None) -> int:
        channel.expect(expectation(question) if question else None)
        ep = channel._endpointer
        for _ in range(50):
            ep.step(True)
        for n in range(1, 100):
            for sig in ep.step(False):
                if isinstance(sig, Speculate):
                    channel._hinted(sig.end_ms, Recognition("Yes, go ahead.", 1.0, 0.1), None)
                if isinstance(sig, TurnEnd):
                    return n * 20
        raise AssertionError("no end")

    channel = LocalChannel(_Engine(RULES), 16000, on_event)  # type: ignore[arg-type]
    try:
        assert await silence(channel, "Shall I close it?") == 200
        assert await silence(channel, None) == 500
        assert await silence(channel, "How can I help?") == 500
    finally:
        await channel.close()


class _Channel:
    sample_rate = 16000

    def __init__(self) -> None:
        self.expected: list[Any] = []

    async def feed(self, pcm: bytes) -> None:
        pass

    def set_agent_speaking(self, speaking: bool) -> None:
        pass

    def expect(self, check: Any) -> None:
        self.expected.append(check)

    async def synthesize(self, text: str, language: str = "en") -> AsyncIterator[bytes]:
        await asyncio.sleep(0)
        yield b"\x00\x00" * 160

    async def flush(self) -> None:
        pass

    async def close(self) -> None:
        pass


async def test_the_conversation_tells_the_channel_what_the_agent_asked_and_forgets_it_once_answered():
    from agent.call.conversation import Conversation
    from agent.contracts.actions import CallerInput, Say
    from agent.contracts.brain import PlaceholderResponder
    from agent.contracts.state import CallState
    from agent.speech.engine import FinalTranscript
    from agent.wire import protocol

    class Asks(PlaceholderResponder):
        async def respond(self, turn: CallerInput, state: CallState) -> AsyncIterator[Any]:
            yield Say("I can close work order one zero two.")
            yield Say("Shall I go ahead?")

    done = asyncio.Event()
    events: list[Any] = []

    async def emit(ev: Any) -> None:
        events.append(ev)
        if isinstance(ev, protocol.TurnMetrics):
            done.set()

    async def nothing(*_: Any) -> None:
        pass

    channel = _Channel()
    call = Conversation(state=CallState(session_id="s1"), brain=Asks(), emit=emit, send_audio=nothing,
                        speech=channel, on_turn_done=nothing, sample_rate=16000)
    await call.start(greet=False)
    try:
        await call.text("close my work order")
        await asyncio.wait_for(done.wait(), 10)
        check = channel.expected[-1]
        assert check is not None and check("Yes, do.") == ANSWERED and check("Yes, but") is None
        await call.on_speech(FinalTranscript(text="Yes.", speech_end_ms=0.0, speech_end_at=0.0, stt_ms=1.0, rtf=1.0,
                                             audio_ms=500.0))
        assert channel.expected[-1] is None or channel.expected[-1]("Yes, do.") == ANSWERED  # the next reply asks again
        assert None in channel.expected[channel.expected.index(check):]
    finally:
        await call.close()


def test_a_number_said_with_double_before_a_digit_is_judged_and_does_not_hang():
    # A recogniser writes "double 4"; the number reader once looped for ever on it.
    import threading

    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(
        answers(classify("What number can we reach you on?"), "0, 7, 7, double 4, 9, 1, 2.")), daemon=True)
    worker.start()
    worker.join(5)
    assert results == [ANSWERED]
