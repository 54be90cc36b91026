"""Turn-taking without audio: the endpointer over per-frame speech verdicts."""

import dataclasses

import pytest

from agent.speech.endpoint import (Barge, EndpointConfig, Endpointer, Judge, Onset, Speculate, TurnEnd, words_opinion,
                                   sounds_unfinished)

CFG = EndpointConfig(silence_ms=500, hold_ms=1100, speculate_ms=100, barge_in_ms=200, barge_gap_ms=100,
                     min_speech_ms=200)


def run(ep: Endpointer, pattern: list[tuple[bool, int]], agent: bool = False, hint: str | None = None):
    """Feed (speech, ms) runs; return (signal, frame-end ms) pairs. ``hint`` answers every Speculate."""
    out = []
    for speech, ms in pattern:
        for _ in range(ms // 20):
            for sig in ep.step(speech, agent):
                out.append((sig, ep.frames * 20))
                if isinstance(sig, Speculate) and hint is not None:
                    ep.set_hint(sig.end_ms, hint)
    return out


def kinds(signals):
    return [type(s).__name__ for s, _ in signals]


def test_silence_alone_never_starts_a_turn():
    assert run(Endpointer(CFG), [(False, 10_000)]) == []


def test_a_phrase_then_silence_is_one_turn_ended_after_the_silence():
    out = run(Endpointer(CFG), [(False, 400), (True, 1500), (False, 1000)], hint="My laptop will not start.")
    assert kinds(out) == ["Onset", "Speculate", "TurnEnd"]
    (onset, _), (spec, spec_at), (end, end_at) = out
    assert onset == Onset(400)
    assert spec == Speculate(1900) and spec_at == 2000  # recognition starts 100 ms into the silence
    assert end == TurnEnd(1900) and end_at == 2400  # turn ends after 500 ms of silence


def test_an_unfinished_phrase_waits_for_the_longer_hold():
    out = run(Endpointer(CFG), [(True, 1000), (False, 1500)], hint="my laptop is")
    end, end_at = out[-1]
    assert end == TurnEnd(1000) and end_at == 1000 + 1100


def test_without_a_speculative_transcript_yet_the_turn_waits_up_to_the_hold():
    out = run(Endpointer(CFG), [(True, 1000), (False, 1500)], hint=None)
    assert out[-1] == (TurnEnd(1000), 2100)


def test_speech_resuming_in_the_pause_continues_the_same_turn_and_respeculates():
    ep = Endpointer(CFG)
    out = run(ep, [(True, 800), (False, 300), (True, 600), (False, 700)], hint="and then the screen went black.")
    assert kinds(out) == ["Onset", "Speculate", "Speculate", "TurnEnd"]
    assert out[-1][0] == TurnEnd(1700)


def test_a_stale_hint_for_earlier_audio_is_ignored():
    ep = Endpointer(CFG)
    run(ep, [(True, 600), (False, 120)])
    ep.set_hint(600, "done.")
    run(ep, [(True, 400)])  # more speech: the hint described less than was said
    ep.set_hint(600, "done.")
    out = run(ep, [(False, 600)])
    assert out[-1][0].__class__ is Speculate  # still waiting: no hint for the new end


def test_a_cough_is_dropped_and_never_barges_in():
    out = run(Endpointer(CFG), [(False, 200), (True, 160), (False, 700)], agent=True)
    assert kinds(out) == ["Onset", "Dropped"]


def test_sustained_speech_while_the_agent_talks_barges_in_once_at_the_threshold():
    out = run(Endpointer(CFG), [(True, 1200), (False, 700)], agent=True, hint="stop, wrong site.")
    assert kinds(out) == ["Onset", "Barge", "Speculate", "TurnEnd"]
    barge, at = out[1]
    assert barge == Barge(200) and at == 200


def test_short_pauses_keep_speech_sustained_but_long_ones_restart_the_count():
    out = run(Endpointer(CFG), [(True, 120), (False, 80), (True, 200)], agent=True)
    assert Barge(280) in [s for s, _ in out]  # gap bridged; 200 ms of speech counted, the gap is not
    out = run(Endpointer(CFG), [(True, 160), (False, 200), (True, 160)], agent=True)
    assert not any(isinstance(s, Barge) for s, _ in out)  # 200 ms gap: two short bursts


def test_no_barge_in_when_the_agent_is_silent():
    out = run(Endpointer(CFG), [(True, 2000), (False, 600)], agent=False, hint="hello.")
    assert "Barge" not in kinds(out)


def test_flush_ends_an_utterance_in_progress_and_ignores_noise():
    ep = Endpointer(CFG)
    run(ep, [(True, 800)])
    assert ep.flush() == TurnEnd(800)
    assert ep.flush() is None
    run(ep, [(True, 100)])
    assert ep.flush() is None


@pytest.mark.parametrize("text", ["my laptop is", "My laptop is...", "I'm calling about the", "the pump at site",
                                  "work order", "it stopped and", "The printer on floor two,"])
def test_unfinished(text):
    assert sounds_unfinished(text)


@pytest.mark.parametrize("text", ["My laptop is broken.", "Reset my password please.", "", "   ", "...x",
                                  "The outage is at the main site.", "'; DROP TABLE turns; -- " * 50_000 + "done."])
def test_finished(text):
    assert not sounds_unfinished(text)


# --- with a turn model (Smart Turn): the rules in endpoint.py's docstring --------------------------
MODEL = EndpointConfig(silence_ms=500, hold_ms=1100, speculate_ms=100, barge_in_ms=200, barge_gap_ms=100,
                       min_speech_ms=200, judge_ms=200)


def run_model(pattern, hint: str | None, finished: bool | None, verdict_delay_ms: int = 100):
    """Like ``run``; each Judge is answered ``finished`` ``verdict_delay_ms`` later (None: never)."""
    ep, out, due = Endpointer(MODEL), [], []
    for speech, ms in pattern:
        for _ in range(ms // 20):
            for end_ms, at in [d for d in due if d[1] <= ep.frames * 20]:
                ep.set_verdict(end_ms, finished)
                due.remove((end_ms, at))
            for sig in ep.step(speech):
                out.append((sig, ep.frames * 20))
                if isinstance(sig, Speculate) and hint is not None:
                    ep.set_hint(sig.end_ms, hint)
                if isinstance(sig, Judge) and finished is not None:
                    due.append((sig.end_ms, ep.frames * 20 + verdict_delay_ms))
    return out


def test_the_model_is_asked_once_per_pause_after_the_judge_silence_about_finished_words():
    out = run_model([(True, 1000), (False, 300), (True, 500), (False, 1500)], hint="my monitor keeps flickering",
                    finished=None)
    judges = [(s, at) for s, at in out if isinstance(s, Judge)]
    assert judges == [(Judge(1000), 1200), (Judge(1800), 2000)]


def test_the_model_is_not_asked_about_unfinished_words_or_before_any_words():
    for hint in ("my laptop is", None):
        out = run_model([(True, 1000), (False, 1500)], hint=hint, finished=True)
        assert "Judge" not in kinds(out) and out[-1] == (TurnEnd(1000), 1000 + 1100)


def test_a_finished_voice_ends_the_turn_as_soon_as_the_model_says_so():
    out = run_model([(True, 1000), (False, 1500)], hint="my email account is locked", finished=True)
    assert out[-1] == (TurnEnd(1000), 1000 + 200 + 100 + 20)  # the next frame after the verdict


def test_a_mid_sentence_pause_after_unfinished_words_keeps_listening_whatever_the_model_says():
    for finished in (True, False):
        out = run_model([(True, 1200), (False, 800), (True, 900), (False, 1500)], hint="the printer on the",
                        finished=finished)
        assert kinds(out).count("TurnEnd") == 1 and out[-1][0] == TurnEnd(2900)


def test_unfinished_words_overrule_a_finished_voice_until_the_cap():
    out = run_model([(True, 1000), (False, 1500)], hint="I want to report an outage at", finished=True)
    assert out[-1] == (TurnEnd(1000), 1000 + 1100)


def test_an_unfinished_voice_holds_finished_words_but_only_up_to_the_cap():
    out = run_model([(True, 1000), (False, 1500)], hint="my monitor keeps flickering", finished=False)
    assert out[-1] == (TurnEnd(1000), 1000 + 1100)


def test_finished_words_end_after_the_silence_stop_while_the_model_is_still_working():
    out = run_model([(True, 1000), (False, 1500)], hint="my monitor keeps flickering", finished=True,
                    verdict_delay_ms=700)
    assert out[-1] == (TurnEnd(1000), 1000 + 500)


def test_nothing_waits_beyond_the_cap_when_the_model_never_answers():
    out = run_model([(True, 1000), (False, 1500)], hint=None, finished=None)
    assert out[-1] == (TurnEnd(1000), 1000 + 1100)


def test_a_verdict_for_audio_before_speech_resumed_is_ignored():
    ep = Endpointer(MODEL)
    run(ep, [(True, 600), (False, 200)])
    run(ep, [(True, 400)])
    ep.set_verdict(600, True)  # about the first pause: stale now
    out = run(ep, [(False, 300)])
    assert "TurnEnd" not in kinds(out)


def test_drop_forgets_an_utterance_only_if_nothing_was_said_since():
    ep = Endpointer(CFG)
    run(ep, [(True, 400), (False, 120)])
    assert not ep.drop(200)  # not where its speech ended
    assert ep.drop(400) and not ep.in_utterance
    assert not ep.drop(400)


# --- with the completeness model's probability (agent/speech/completeness.py) ------------------------
WORDS = EndpointConfig(silence_ms=500, hold_ms=1100, speculate_ms=100, barge_in_ms=200, barge_gap_ms=100,
                       min_speech_ms=200, short_ms=200, finished_above=0.6, unfinished_below=0.3)


def _drive(pattern, config, complete: float, answer, hint_delay_ms: int, verdict_delay_ms: int,
           text: str = "some words"):
    """Play ``pattern`` through an endpointer: each Speculate is answered with a hint of probability ``complete``
    ``hint_delay_ms`` later, each Judge by ``answer(endpointer, end_ms)`` ``verdict_delay_ms`` later (None: never)."""
    ep, out, hints, verdicts = Endpointer(config), [], [], []
    for speech, ms in pattern:
        for _ in range(ms // 20):
            now = ep.frames * 20
            for end_ms, at in [h for h in hints if h[1] <= now]:
                ep.set_hint(end_ms, text, complete)
                hints.remove((end_ms, at))
            for end_ms, at in [v for v in verdicts if v[1] <= now]:
                answer(ep, end_ms)
                verdicts.remove((end_ms, at))
            for sig in ep.step(speech):
                out.append((sig, ep.frames * 20))
                if isinstance(sig, Speculate):
                    hints.append((sig.end_ms, ep.frames * 20 + hint_delay_ms))
                if isinstance(sig, Judge) and answer is not None:
                    verdicts.append((sig.end_ms, ep.frames * 20 + verdict_delay_ms))
    return out


def run_words(pattern, complete: float, finished: bool | None = None, config=WORDS, hint_delay_ms: int = 0,
              verdict_delay_ms: int = 100):
    """Each Speculate is answered with a hint of probability ``complete`` ``hint_delay_ms`` later, each
    Judge with ``finished`` ``verdict_delay_ms`` later (None: never)."""
    answer = None if finished is None else (lambda ep, end_ms: ep.set_verdict(end_ms, finished))
    return _drive(pattern, config, complete, answer, hint_delay_ms, verdict_delay_ms)


@pytest.mark.parametrize("complete,expected", [(0.0, "unfinished"), (0.29, "unfinished"), (0.3, "unsure"),
                                               (0.59, "unsure"), (0.6, "finished"), (1.0, "finished")])
def test_the_probability_sorts_words_into_three_opinions(complete, expected):
    assert words_opinion("whatever the rules say", complete, WORDS) == expected


def test_without_a_probability_the_rules_judge_and_never_call_words_finished():
    assert words_opinion("my laptop is", None, WORDS) == "unfinished"
    assert words_opinion("my laptop is broken", None, WORDS) == "unsure"


def test_finished_words_end_the_turn_after_the_short_silence():
    out = run_words([(True, 1000), (False, 1500)], complete=0.9)
    assert out[-1] == (TurnEnd(1000), 1000 + 200)


def test_finished_words_that_arrive_late_end_the_turn_when_they_arrive():
    out = run_words([(True, 1000), (False, 1500)], complete=0.9, hint_delay_ms=160)
    assert out[-1] == (TurnEnd(1000), 1000 + 100 + 160 + 20)


def test_unsure_words_end_after_the_ordinary_silence():
    out = run_words([(True, 1000), (False, 1500)], complete=0.45)
    assert out[-1] == (TurnEnd(1000), 1000 + 500)


def test_unfinished_words_hold_a_mid_sentence_pause_longer_than_the_silence_stop():
    out = run_words([(True, 1200), (False, 900), (True, 900), (False, 1500)], complete=0.1)
    ends = [s for s, _ in out if isinstance(s, TurnEnd)]
    assert ends == [TurnEnd(3000)]  # one turn, ended after the second part
    out = run_words([(True, 1000), (False, 1500)], complete=0.1)
    assert out[-1] == (TurnEnd(1000), 1000 + 1100)  # and the cap bounds the wait


HYBRID = dataclasses.replace(WORDS, finished_above=0.66, unfinished_below=0.2, rules_in_band=True)


@pytest.mark.parametrize("text,complete,expected", [
    ("my laptop is", 0.45, "unfinished"),  # the rules hold what the model is unsure of
    ("the generator at site", 0.5, "unfinished"),
    ("my laptop is broken", 0.45, "unsure"),  # ... and leave the rest to the ordinary stop
    ("my laptop won't turn on", 0.9, "finished"),  # the model, sure, overrules a last word the rules fear
    ("my laptop is broken", 0.1, "unfinished"),  # sure of unfinished words whatever the last word
])
def test_hybrid_the_model_decides_where_it_is_sure_and_the_rules_in_between(text, complete, expected):
    assert words_opinion(text, complete, HYBRID) == expected
    assert words_opinion(text, complete, dataclasses.replace(HYBRID, rules_in_band=False)) == (
        "unsure" if expected == "unfinished" and complete >= 0.2 else expected)


@pytest.mark.parametrize("text,complete,waits", [("my laptop won't turn on", 0.9, 200), ("my laptop is broken", 0.45, 500),
                                                 ("my laptop is", 0.45, 1100), ("it keeps", 0.05, 1100)])
def test_hybrid_a_turn_waits_the_short_stop_the_ordinary_stop_or_the_cap(text, complete, waits):
    out = _drive([(True, 1000), (False, 1500)], HYBRID, complete, None, 0, 0, text=text)
    assert out[-1] == (TurnEnd(1000), 1000 + waits)


def test_without_the_short_silence_finished_words_wait_the_ordinary_silence():
    out = run_words([(True, 1000), (False, 1500)], complete=0.9, config=dataclasses.replace(WORDS, short_ms=None))
    assert out[-1] == (TurnEnd(1000), 1000 + 500)


MODEL_WORDS = dataclasses.replace(WORDS, judge_ms=200)


def test_finished_words_do_not_wait_for_the_voice_model():
    out = run_words([(True, 1000), (False, 1500)], complete=0.9, finished=False, config=MODEL_WORDS)
    assert out[-1] == (TurnEnd(1000), 1000 + 200)


def test_a_hesitant_voice_costs_finished_words_the_silence_stop_not_the_cap():
    # A short silence longer than the model's judging time: its verdict is in before the words end the turn.
    out = run_words([(True, 1000), (False, 1500)], complete=0.9, finished=False,
                    config=dataclasses.replace(MODEL_WORDS, short_ms=400))
    assert out[-1] == (TurnEnd(1000), 1000 + 500)


def test_a_finished_voice_ends_unsure_words_early_and_an_unfinished_one_holds_them():
    out = run_words([(True, 1000), (False, 1500)], complete=0.45, finished=True, config=MODEL_WORDS)
    assert out[-1] == (TurnEnd(1000), 1000 + 200 + 100 + 20)
    out = run_words([(True, 1000), (False, 1500)], complete=0.45, finished=False, config=MODEL_WORDS)
    assert out[-1] == (TurnEnd(1000), 1000 + 1100)


def test_the_voice_model_is_not_asked_about_unfinished_words():
    out = run_words([(True, 1000), (False, 1500)], complete=0.1, finished=True, config=MODEL_WORDS)
    assert "Judge" not in kinds(out) and out[-1] == (TurnEnd(1000), 1000 + 1100)


# --- fused: the words' and the voice's probabilities as one opinion (SWITCHBOARD_TURN_WORDS=fused) ---------------
FUSED = dataclasses.replace(WORDS, judge_ms=200, voice_weight=1.0, finished_above=0.6, unfinished_below=0.6)


def run_fused(pattern, complete: float, voice: float | None, config=FUSED, hint_delay_ms: int = 0,
              verdict_delay_ms: int = 60, fail: bool = False):
    """Each Speculate is answered with words of probability ``complete``, each Judge with Smart Turn's
    ``voice`` (None: never answered; ``fail``: the model failed)."""
    answer = (lambda ep, end_ms: ep.set_verdict(end_ms, None)) if fail else \
        None if voice is None else (lambda ep, end_ms: ep.set_verdict(end_ms, voice > 0.5, voice))
    return _drive(pattern, config, complete, answer, hint_delay_ms, verdict_delay_ms)


def test_the_fused_probability_rises_with_each_signal_and_weight_zero_is_the_words_alone():
    from agent.speech.endpoint import fused

    for words in (0.2, 0.5, 0.8):
        ups = [fused(words, v, 0.5) for v in (0.05, 0.3, 0.5, 0.7, 0.95)]
        assert ups == sorted(ups) and ups[2] == pytest.approx(words)  # an undecided voice (0.5) moves nothing
        assert fused(words, 0.9, 0.0) == words and fused(words, None, 1.0) == words
    for voice in (0.1, 0.5, 0.9):
        assert [fused(w, voice, 0.5) for w in (0.1, 0.4, 0.7)] == sorted(fused(w, voice, 0.5) for w in (0.1, 0.4, 0.7))


def test_fused_the_voice_is_asked_at_every_pause_even_about_unfinished_words():
    out = run_fused([(True, 1000), (False, 1500)], complete=0.05, voice=0.9)
    assert (Judge(1000), 1200) in out


def test_fused_a_finished_voice_lifts_unsure_words_to_the_short_stop():
    # words 0.45 alone would wait the cap (below 0.6); with a voice at 0.9 and weight 1 the joint is 0.88
    out = run_fused([(True, 1000), (False, 1500)], complete=0.45, voice=0.9)
    assert out[-1] == (TurnEnd(1000), 1000 + 200 + 60 + 20)  # when the voice's answer is in


def test_fused_an_unfinished_voice_holds_words_that_alone_would_end_the_turn():
    out = run_fused([(True, 1000), (False, 1500)], complete=0.7, voice=0.1)
    assert out[-1] == (TurnEnd(1000), 1000 + 1100)


def test_fused_a_mid_sentence_pause_does_not_end_the_turn_when_both_say_unfinished():
    out = run_fused([(True, 1200), (False, 900), (True, 900), (False, 1500)], complete=0.1, voice=0.2)
    assert [s for s, _ in out if isinstance(s, TurnEnd)] == [TurnEnd(3000)]


def test_fused_a_short_finished_request_ends_after_the_short_stop_once_both_are_in():
    out = run_fused([(True, 1000), (False, 1500)], complete=0.9, voice=0.9, verdict_delay_ms=0)
    assert out[-1] == (TurnEnd(1000), 1000 + 200 + 20)  # the voice answers as it is asked, at 200 ms


def test_fused_finished_words_wait_for_the_voice_but_never_past_the_cap():
    out = run_fused([(True, 1000), (False, 1500)], complete=0.9, voice=None)  # the voice never answers
    assert out[-1] == (TurnEnd(1000), 1000 + 1100)


def test_fused_when_the_voice_model_fails_the_words_decide_alone():
    out = run_fused([(True, 1000), (False, 1500)], complete=0.9, voice=None, fail=True)
    assert out[-1] == (TurnEnd(1000), 1000 + 200 + 60 + 20)


def test_fused_weight_zero_is_the_words_model():
    for complete, voice in ((0.7, 0.01), (0.5, 0.99)):
        fused_out = run_fused([(True, 1000), (False, 1500)], complete=complete, voice=voice,
                              config=dataclasses.replace(FUSED, voice_weight=0.0))
        words_out = run_words([(True, 1000), (False, 1500)], complete=complete, config=FUSED_WORDS)
        assert fused_out[-1][0] == words_out[-1][0] == TurnEnd(1000)
        assert fused_out[-1][1] == max(words_out[-1][1], 1000 + 200 + 60 + 20)


FUSED_WORDS = dataclasses.replace(WORDS, finished_above=0.6, unfinished_below=0.6)
