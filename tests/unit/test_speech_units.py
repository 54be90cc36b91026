"""Pure parts of the speech path: echo gate, reply splitting, WER normalisation."""

import time

import numpy as np
import pytest

from agent.dev.bench.wer import normalise, wer
from agent.speech.echo import EchoGate
from agent.speech.tts import split_for_speech


def voiced(rate: int, amp: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    # A syllable-like envelope so frame levels vary as in speech.
    env = 0.3 + 0.7 * np.abs(np.sin(2 * np.pi * 3 * t))
    return (amp * env * np.sin(2 * np.pi * 180 * t)).astype(np.int16)


def test_echo_at_minus_20_db_is_held_back_while_the_caller_at_full_level_passes():
    gate = EchoGate()
    agent = voiced(24000, 8000)
    gate.note_output(agent, 24000)
    gate.set_speaking(True, time.monotonic())
    echo = voiced(16000, 8000 * 0.1)  # -20 dB
    caller = voiced(16000, 5000)
    frames = lambda x: x[: x.size - x.size % 320].reshape(-1, 320)  # noqa: E731
    now = time.monotonic()
    assert not any(gate.passes(f, now) for f in frames(echo))
    assert np.mean([gate.passes(f, now) for f in frames(caller)]) > 0.8


def test_gate_opens_after_the_agent_stops_and_its_tail_drains():
    gate = EchoGate(tail_s=0.3)
    gate.note_output(voiced(16000, 8000), 16000)
    gate.set_speaking(True, 100.0)
    quiet = voiced(16000, 500, 0.02)[:320]
    assert not gate.passes(quiet, 100.1)
    gate.set_speaking(False, 101.0)
    assert not gate.passes(quiet, 101.2)  # the client may still be playing its buffer
    assert gate.passes(quiet, 101.4)


def test_split_keeps_short_sentences_whole_and_cuts_long_ones_at_clauses():
    assert split_for_speech("Hello, this is switchboard. How can I help?") == [
        "Hello, this is switchboard.", "How can I help?"]
    long = ("I have opened work order 4567 for the pump at the north depot, a technician will call you "
            "within the hour, and you will get a text message when they are on the way.")
    pieces = split_for_speech(long)
    assert pieces[0] == "I have opened work order 4567 for the pump at the north depot,"
    assert len(pieces) == 3
    assert " ".join(pieces) == long
    assert all(len(p.split()) <= 14 for p in pieces)


def test_the_opening_sentence_is_cut_early_so_the_first_audio_comes_fast():
    assert split_for_speech("You said: my laptop will not connect to the VPN.") == [
        "You said:", "my laptop will not connect to the VPN."]
    assert split_for_speech("Right, let me check that.") == ["Right, let me check that."]  # short: whole
    assert split_for_speech("Okay, I can help with that today.") == ["Okay, I can help with that today."]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_split_of_nothing_is_nothing(text):
    assert split_for_speech(text) == []


def test_split_copes_with_hostile_and_huge_input():
    assert split_for_speech("a, " * 300_000)  # 900 KB without a sentence end: clauses, no crash
    text = "'; DROP TABLE calls; -- " * 10
    assert " ".join(split_for_speech(text)) == text.strip()


def test_wer_normalises_numbers_case_punctuation_and_contractions():
    assert normalise("Work order four five six seven, at site Twelve!") == ["work", "order", "4567", "at", "site",
                                                                             "12"]
    assert wer([("I can't log in.", "I cannot log in")]) == 0.0
    assert wer([("Work order four five six seven", "work order 4567")]) == 0.0
    assert wer([("the pump is hot", "the lamp is hot")]) == pytest.approx(0.25)
    assert wer([("a b", ""), ("c d", "c d")]) == pytest.approx(0.5)
