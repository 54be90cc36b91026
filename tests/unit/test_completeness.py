"""The transcript-completeness model (agent/speech/completeness.py): held-out requests, not one sentence."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from agent.dev import fit_completeness as fit
from agent.dev.bench.phrases import EOT_FRESH, PHRASES
from agent.embeddings import DIM
from agent.speech.completeness import WEIGHTS_FILE, Completeness, decode_weights, normalise
from agent.speech.endpoint import EndpointConfig

CFG = EndpointConfig()


@pytest.fixture(scope="module")
def model() -> Completeness:
    return Completeness()


@pytest.fixture(scope="module")
def held_out():
    """A seeded sample of the held-out requests (never trained on) and their word prefixes; the files the
    model was measured on when fitted (later dev rounds, also held out, would move the sample)."""
    train = fit.requests(fit.texts(fit.TRAIN_FILES))
    held = fit.requests(fit.texts(("tests/eval/routing_eval.jsonl", "tests/eval/conversations/dev_round[4-7]/*.yaml")),
                        exclude={t for t, _ in train})
    wholes = {t for t, _ in train} | {t for t, _ in held}
    sample = random.Random(7).sample(held, 120)
    texts, labels, _ = fit.samples(sample, wholes)
    return texts, labels


def test_the_committed_weights_are_small_and_say_how_they_were_made():
    meta = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    weights = decode_weights(meta["weights"])
    assert weights.shape == (2 * DIM + len(meta["last_words"]) + 2,) and np.isfinite(weights).all()
    assert WEIGHTS_FILE.stat().st_size < 10_000
    assert meta["fitted_by"] == "python -m agent.dev.fit_completeness"
    for f in meta["train_files"] + meta["held_out_files"]:  # the evaluation's unseen part stays unseen
        assert "conversations/test" not in f and "routing_test" not in f


def test_the_phrases_the_bench_speaks_are_not_trained_on():
    trained = {t for t, _ in fit.requests(fit.texts(fit.TRAIN_FILES))}
    assert not trained & {normalise(p) for p in PHRASES + EOT_FRESH}


def test_held_out_prefixes_sound_unfinished_and_whole_requests_do_not(model, held_out):
    texts, labels = held_out
    p = np.array(model.probabilities(texts))
    prefixes, wholes = p[labels == 0], p[labels == 1]
    # The endpointer's thresholds: below unfinished_below the caller is waited for (up to the cap).
    held_whole = float(np.mean(wholes < CFG.unfinished_below))
    caught = float(np.mean(prefixes < CFG.unfinished_below))
    # Measured on all held-out requests at 0.66: 25 % of whole ones (21 % of routing_eval's) and 76 % of
    # prefixes (docs/speech.md).
    assert held_whole <= 0.35, f"{held_whole:.0%} of whole held-out requests would wait for the cap"
    assert caught >= 0.6, f"only {caught:.0%} of held-out prefixes would be waited for"
    # And as a ranking: a whole request scores above one of its own prefixes most of the time.
    # (Many held-out "prefixes" of long, run-on caller turns are whole sentences themselves: "my laptop
    # won't switch on at all", so the bar is not 1. Measured: AUC 0.90 on routing_eval, 0.77 on the turns.)
    assert float(np.mean(wholes)) - float(np.mean(prefixes)) >= 0.2
    auc = float(np.mean(wholes[:, None] > prefixes[None, :]))
    assert auc >= 0.75, f"AUC {auc:.2f}"


def test_a_trailing_comma_or_ellipsis_or_no_words_is_unfinished(model):
    assert model.probabilities(["", "  ", "the pump at site twelve,", "my laptop is..."]) == [0.0] * 4


def test_full_stops_and_case_do_not_change_the_verdict(model):
    a, b = model.probabilities(["My email account is locked.", "my email account is locked"])
    assert a == pytest.approx(b, abs=1e-6)


@pytest.mark.slow
@pytest.mark.timeout(900)  # the training set and a fixed share of the held-out one: ~20 000 texts to embed
def test_the_committed_weights_are_what_the_fitting_script_makes():
    assert fit.main(["--check"]) == 0


def test_the_check_compares_a_fixed_share_of_held_out_samples_chosen_by_content():
    texts = [f"request number {i}" for i in range(500)]
    y = np.arange(500, dtype=np.float64)
    share, sy = fit.check_share(texts, y, 100)
    assert len(share) == 100 and [texts[int(i)] for i in sy] == share  # labels stay with their texts
    assert fit.check_share(list(reversed(texts)), y[::-1], 100)[0] == sorted(share, key=texts.index, reverse=True)
    grown, _ = fit.check_share(texts + [f"a later round's turn {i}" for i in range(500)], np.arange(1000.0), 100)
    assert len(grown) == 100 and 30 <= len(set(grown) & set(share)) < 100  # a new round adds some of its own
    assert fit.check_share(texts[:50], y[:50], 100)[0] == texts[:50]


def test_the_length_prior_option_balances_prefixes_against_whole_requests_per_length_band():
    texts = ["a b", "a", "c d", "c", "a b c d e f g h i", "a b c d", "a b c d e"]
    y = np.array([1, 0, 1, 0, 1, 0, 0], dtype=np.float64)
    w = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5])
    assert fit.length_balanced(texts, y, w, 0.0) is w  # off: the committed fit's weights
    full = fit.length_balanced(texts, y, w, 1.0)
    bands = np.digitize([len(t.split()) for t in texts], fit.LENGTH_BANDS)
    for band in set(bands) - {np.digitize([9], fit.LENGTH_BANDS)[0]}:
        here = bands == band
        if (y[here] == 1).any() and (y[here] == 0).any():
            assert full[here & (y == 0)].sum() == pytest.approx(full[here & (y == 1)].sum())
    assert (full[y == 1] == w[y == 1]).all()  # whole requests keep their weight
    half = fit.length_balanced(texts, y, w, 0.5)
    assert np.array_equal(half[[5, 6]], w[[5, 6]])  # bands without a whole request are left alone
