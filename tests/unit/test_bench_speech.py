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


def test_the_dev_half_is_seeded_and_the_held_out_half_the_rest():
    from agent.dev.bench.phrases import PHRASES
    from agent.dev.bench.speech import dev_phrases

    dev = dev_phrases(19)
    assert dev == dev_phrases(19) and len(dev) == len(PHRASES) // 2 and dev < set(PHRASES)
    assert dev != dev_phrases(20)


def test_tuning_picks_the_threshold_with_fewest_cut_offs_plus_holds_in_the_middle_of_its_gap():
    from agent.dev.bench.speech import tune

    rows = [{"kind": "paused", "p": p} for p in (0.05, 0.1, 0.3, 0.7)] + \
           [{"kind": "finished", "p": p} for p in (0.5, 0.8, 0.9, 0.95)]
    t, cut, held, margin = tune(rows)
    assert t == pytest.approx(0.4) and margin == pytest.approx(0.1)  # between 0.3 and 0.5: one pause cut, no hold
    assert cut == pytest.approx(0.25) and held == 0.0


def test_the_fresh_phrases_are_a_third_part_and_leave_the_halves_and_their_pauses_as_they_were(monkeypatch):
    from agent.dev.bench import speech
    from agent.dev.bench.phrases import EOT_FRESH, PHRASES

    rate = 16000
    word, gap = np.full(rate // 4, 8000, dtype=np.int16), np.zeros(rate // 20, dtype=np.int16)
    monkeypatch.setattr(speech, "speech", lambda text, r, voice: np.concatenate([word, gap] * len(text.split())))
    got = speech.clips("piper", seed=1, split_seed=19)
    assert [c.text for c in got] == list(PHRASES + EOT_FRESH)
    assert {c.text for c in got if c.split == "fresh"} == set(EOT_FRESH)
    assert {c.text for c in got if c.split == "dev"} == speech.dev_phrases(19)
    for c in got:
        assert c.kind == ("finished" if len(c.text.split()) <= speech.SHORT_WORDS else "paused")
    # the halves get the pauses they had before the third part was added (it comes after them)
    monkeypatch.setattr(speech, "EOT_FRESH", ())
    before = speech.clips("piper", seed=1, split_seed=19)
    assert [(c.text, c.resume_at) for c in before] == [(c.text, c.resume_at) for c in got[: len(PHRASES)]]


def test_fused_tuning_keeps_the_words_alone_unless_the_voice_separates_what_they_cannot():
    from agent.dev.bench.speech import tune_fused

    # The words split the clips at 0.5; a voice that says nothing new (the same for all) gains nothing.
    rows = [{"kind": "paused", "p": p, "voice_p": 0.9} for p in (0.1, 0.2, 0.3)] + \
           [{"kind": "finished", "p": p, "voice_p": 0.9} for p in (0.7, 0.8, 0.9)]
    assert tune_fused(rows)[0] == 0.0
    # Words that overlap (a pause at 0.6, a finished request at 0.4) and a voice that tells them apart.
    rows = [{"kind": "paused", "p": 0.6, "voice_p": 0.05}, {"kind": "paused", "p": 0.2, "voice_p": 0.3},
            {"kind": "finished", "p": 0.4, "voice_p": 0.95}, {"kind": "finished", "p": 0.9, "voice_p": 0.7}]
    weight, t, cut, held, _ = tune_fused(rows)
    assert weight > 0 and cut == 0.0 and held == 0.0
    assert tune_fused(rows, (0.0,))[2] + tune_fused(rows, (0.0,))[3] > 0  # the words alone cannot


def test_fused_rates_count_each_parts_cut_offs_and_holds_at_the_given_threshold():
    from agent.dev.bench.speech import _rates

    rows = [{"split": "fresh", "kind": "paused", "p": 0.6, "voice_p": 0.05},
            {"split": "fresh", "kind": "finished", "p": 0.4, "voice_p": 0.95},
            {"split": "dev", "kind": "finished", "p": 0.1, "voice_p": 0.5}]
    assert _rates(rows, "fresh", 0.0, 0.5) == "cut 1/1, held 1/1"
    assert _rates(rows, "fresh", 1.0, 0.5) == "cut 0/1, held 0/1"


def test_answer_clips_carry_their_question_and_the_fresh_part_has_both_kinds(monkeypatch):
    from agent.dev.bench import speech
    from agent.dev.bench.phrases import ANSWERS_DEV, ANSWERS_FRESH, EOT_FRESH, PHRASES

    rate = 16000
    word, gap = np.full(rate // 4, 8000, dtype=np.int16), np.zeros(rate // 20, dtype=np.int16)
    monkeypatch.setattr(speech, "speech", lambda text, r, voice: np.concatenate([word, gap] * len(text.split())))
    got = speech.answer_clips("piper", seed=1)
    assert [(c.question, c.text, c.split) for c in got] == \
        [(q, a, "dev") for q, a in ANSWERS_DEV] + [(q, a, "fresh") for q, a in ANSWERS_FRESH]
    for c in got:
        assert c.kind == ("finished" if len(c.text.split()) <= speech.SHORT_WORDS else "paused")
    assert {c.kind for c in got if c.split == "fresh"} == {"finished", "paused"}
    # the two answers of the fresh first-turn phrases the words model held are here after their questions
    assert {a for _, a in ANSWERS_DEV + ANSWERS_FRESH} & set(PHRASES + EOT_FRESH) == {"Yes, that is the one.",
                                                                                    "No, leave it open."}
