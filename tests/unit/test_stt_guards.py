"""Whisper's failure modes: decoder loops trimmed or dropped (pure), noise yields no transcript (real decoding).

The pure tests generate the class of hallucination (many words, run lengths and loop
shapes), not one string.
"""

from __future__ import annotations

import random
import string

import numpy as np
import pytest

from agent.dev.bench.phrases import PHRASES
from agent.dev.bench.speech_wer import add_noise, band_pass, mu_law, pink_noise, site_phrases, telephone
from agent.speech.stt import MAX_COMPRESSION_RATIO, compression_ratio, guard_text, is_non_speech

#: Ordinary transcripts, as Whisper writes them (digits, ids, punctuation), which must pass untouched.
ORDINARY = [*PHRASES, *site_phrases(3), "Work order WO-10001 for pump A123.", "Call me on 555 016 7743.",
            "It's 1000 metres from site 101, asset P-4512.", "Hmm, okay. Yes, yes, that's right.",
            "Pressure is 2000 kPa at valve V-0310."]


def _hallucinations(seed: int, n: int = 300) -> list[tuple[str, str]]:
    """(generated transcript with a decoder loop, the heard prefix a guard may keep)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        heard = rng.choice(ORDINARY).rstrip(".?!")
        words = heard.split()
        prefix = " ".join(words[: rng.randrange(1, len(words) + 1)])
        shape = rng.choice(["letters", "glued", "digits", "phrase"])
        if shape == "letters":  # "a word followed by a hundred repeated letters"
            loop = rng.choice(string.ascii_letters) * rng.randrange(20, 200)
            out.append((f"{prefix} {loop}", prefix))
        elif shape == "glued":  # the run grows out of the last word itself
            ch = rng.choice(string.ascii_lowercase)
            out.append((f"{prefix} pum{ch * rng.randrange(8, 150)}", prefix))
        elif shape == "digits":
            out.append((f"{prefix} {rng.choice(string.digits) * rng.randrange(12, 120)}", prefix))
        else:  # a short phrase said over and over
            phrase = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 4)))
            sep = rng.choice([" ", ", ", ". "])
            out.append((f"{prefix} " + sep.join([phrase] * rng.randrange(5, 40)), prefix))
    return out


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_transcripts_pass_untouched(text: str) -> None:
    assert guard_text(text) == text


@pytest.mark.parametrize("seed", range(4))
def test_decoder_loops_are_trimmed_to_what_was_heard(seed: int) -> None:
    for looped, prefix in _hallucinations(seed):
        kept = guard_text(looped)
        assert compression_ratio(kept) <= MAX_COMPRESSION_RATIO, looped
        assert len(kept) <= len(prefix) + 40, looped  # the loop is gone (a phrase loop keeps one copy)
        assert kept.split()[: len(prefix.split())] == prefix.split() or kept == "", looped


def test_text_that_still_compresses_like_a_loop_is_dropped() -> None:
    # A repetition neither pattern matches (a long period): the compression check catches it.
    rng = random.Random(5)
    for _ in range(50):
        unit = " ".join(rng.choice(["pump", "valve", "site", "north", "the", "at"]) for _ in range(6))
        looped = ". ".join([unit.capitalize()] * rng.randrange(8, 20))
        assert guard_text(looped) == ""


def test_non_speech_needs_both_signals() -> None:
    assert is_non_speech(0.65, -1.5)
    assert not is_non_speech(0.65, -0.3)  # fairly sure of its words: speech
    assert is_non_speech(0.8, -0.3)  # all but certain there was no speech: fluent words are invented
    assert not is_non_speech(0.45, -2.5)  # a hard-to-hear caller is still a caller


def test_noise_is_mixed_at_the_asked_snr() -> None:
    rng = np.random.default_rng(0)
    speech_pcm = (np.sin(np.arange(16000) / 5) * 8000).astype(np.int16)
    rms = float(np.sqrt(np.mean(speech_pcm.astype(np.float64) ** 2)))
    for colour in ("pink", "white"):
        for snr in (10.0, 15.0):
            noisy = add_noise(speech_pcm, rms, snr, colour, rng).astype(np.float64) - speech_pcm
            measured = 20 * np.log10(rms / np.sqrt(np.mean(noisy**2)))
            assert abs(measured - snr) < 0.5


def test_pink_noise_has_more_low_than_high_energy() -> None:
    x = pink_noise(1 << 15, np.random.default_rng(1))
    power = np.abs(np.fft.rfft(x)) ** 2
    assert power[10:100].mean() > 10 * power[-1000:].mean()


def test_telephone_channel_removes_out_of_band_and_keeps_voice_band() -> None:
    t = np.arange(16000) / 16000
    tone = lambda f: (np.sin(2 * np.pi * f * t) * 10000).astype(np.int16)  # noqa: E731
    rms = lambda x: float(np.sqrt(np.mean(x[2000:-2000].astype(np.float64) ** 2)))  # noqa: E731
    assert rms(telephone(tone(1000))) > 0.8 * rms(tone(1000))
    for f in (100, 5000, 7000):
        assert rms(telephone(tone(f))) < 0.1 * rms(tone(1000))
    assert rms(band_pass(tone(150), 8000)) < 0.05 * rms(tone(150))


def test_mu_law_keeps_256_levels_and_small_error() -> None:
    x = np.linspace(-32768, 32767, 20000).astype(np.int16)
    y = mu_law(x)
    assert len(np.unique(y)) <= 256
    assert np.max(np.abs(y.astype(np.float64) - x) / (np.abs(x) + 256)) < 0.06


def test_seed_vocabulary_names_every_seeded_site_and_asset_kind() -> None:
    from agent.mcp_servers.field_ops.seed import ASSETS, SITES
    from agent.mcp_servers.field_ops.seed import vocabulary as seed_vocabulary

    vocabulary = seed_vocabulary()
    assert all(name in vocabulary for _, name, _, _ in SITES)
    assert all(kind in vocabulary for _, _, kind, *_ in ASSETS)


@pytest.mark.parametrize("voice", ["espeak:en-gb", "espeak:en-gb:fast:40", "espeak::150", "festival"])
def test_a_malformed_voice_is_a_clear_error(voice: str) -> None:
    from agent.dev.bench.voices import speech

    with pytest.raises(ValueError, match="voice"):
        speech("hello", 16000, voice)
