"""Barge-in: a backchannel is not an interruption; a voice, not noise, counts (pure)."""

import pytest

from agent.speech.bargein import BACKCHANNEL_MAX_MS, interrupts, is_backchannel, words
from agent.speech.endpoint import Barge, EndpointConfig, Endpointer

CFG = EndpointConfig(silence_ms=500, hold_ms=1100, speculate_ms=100, barge_in_ms=200, barge_gap_ms=100,
                     min_speech_ms=200)


@pytest.mark.parametrize("text", ["Mm-hm.", "Okay.", "ok", "Yeah.", "Yeah, okay.", "Uh huh.", "Uh-huh", "Right.",
                                  "I see.", "Got it, thanks.", "Mhm", "Sure, go on.", "Mmmm, mm", "Emm...", "Hmm, okay."])
def test_backchannels_do_not_interrupt(text):
    assert is_backchannel(text)
    assert not interrupts(text, 600)


@pytest.mark.parametrize("text", ["Stop.", "Wait, no.", "No.", "Hold on, I need to add something.",
                                  "Okay, but that's the wrong site.", "Yeah, the pump at Riverside.", "I",
                                  "Go back.", "I am", "Or the other one."])
def test_words_beyond_a_backchannel_interrupt(text):
    assert not is_backchannel(text)
    assert interrupts(text, 300)


def test_a_voice_without_words_yet_interrupts_and_long_backchannel_speech_does_too():
    # The recogniser rarely has the first word within 300 ms: stop, and resume if no turn forms.
    assert interrupts("", 240)
    assert interrupts("(coughs)", 240)
    assert interrupts("Yeah, okay, sure, right, yeah.", BACKCHANNEL_MAX_MS)


def test_annotations_of_non_speech_are_not_words():
    assert words("[BLANK_AUDIO] (coughing) *sigh*") == []
    assert words("Mm-hm, OK.") == ["mm-hm", "ok"]
    assert not is_backchannel("")


def _run(ep, frames):
    out = []
    for speech, is_voice in frames:
        out += ep.step(speech, True, is_voice)
    return out


def test_a_speech_run_is_a_candidate_only_once_the_voice_model_confirms_it():
    # Steady noise the VAD calls speech but the voice model does not: no candidate however long.
    assert not any(isinstance(s, Barge) for s in _run(Endpointer(CFG), [(True, False)] * 100))
    # A voice: a candidate at 200 ms of sustained speech, once one of its frames is confirmed.
    out = _run(Endpointer(CFG), [(True, False)] * 3 + [(True, True)] + [(True, False)] * 11)
    assert [s for s in out if isinstance(s, Barge)] == [Barge(200)]
    out = _run(Endpointer(CFG), [(True, False)] * 12 + [(True, True)] * 3)
    assert [s for s in out if isinstance(s, Barge)] == [Barge(260)]
    # A confirmed frame before a gap of over 100 ms does not carry over to the next run.
    out = _run(Endpointer(CFG), [(True, True)] * 5 + [(False, False)] * 6 + [(True, False)] * 20)
    assert not any(isinstance(s, Barge) for s in out)
