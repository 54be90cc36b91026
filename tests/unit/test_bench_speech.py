"""``switchboard bench speech``: the pause it inserts and how it scores outcomes (pure parts)."""

import numpy as np
import pytest

from agent.dev.bench.speech import Outcome, summary
from agent.dev.bench.voices import with_pause


def test_the_pause_goes_into_the_quiet_gap_between_words():
    rate = 16000
    word = np.full(rate // 2, 8000, dtype=np.int16)
    gap = np.zeros(rate // 20, dtype=np.int16)  # 50 ms between the words, inside the middle third
    pcm = np.concatenate([word, word[: rate // 4], gap, word[: rate // 4], word])
    paused, cut = with_pause(pcm, rate, 700)
    assert paused.size == pcm.size + rate * 7 // 10
    assert word.size + rate // 4 <= cut <= word.size + rate // 4 + gap.size
    assert not paused[cut : cut + rate * 7 // 10].any()
    assert np.array_equal(np.concatenate([paused[:cut], paused[cut + rate * 7 // 10 :]]), pcm)


def test_a_clip_too_short_to_pause_is_refused():
    with pytest.raises(ValueError):
        with_pause(np.ones(100, dtype=np.int16), 16000, 600)


def test_rates_count_cut_offs_among_paused_and_holds_among_finished():
    outcomes = [Outcome("paused", True, 300.0), Outcome("paused", False, 400.0), Outcome("paused", False, 500.0),
                Outcome("finished", False, 300.0), Outcome("finished", False, 1150.0),
                Outcome("finished", False, None)]
    s = summary(outcomes, hold_ms=1100)
    assert s["cutoff"] == pytest.approx(1 / 3)
    assert s["hold"] == pytest.approx(2 / 3)  # at the cap, and never
    assert s["p50"] == 450.0  # delays of turns not cut off: 400, 500, 300, 1150
    assert (s["n_paused"], s["n_finished"]) == (3, 3)
