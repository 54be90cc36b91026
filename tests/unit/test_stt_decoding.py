"""Whisper tiny.en decoding for real: noise gives no transcript, the domain prompt is heard but never echoed."""

from __future__ import annotations

import numpy as np
import pytest

from agent.dev.bench.speech_wer import condition, pink_noise
from agent.dev.bench.wer import normalise
from agent.mcp_servers.field_ops.seed import vocabulary as seed_vocabulary
from agent.speech.stt import WhisperRecognizer
from tests.fixtures.speech import clip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plain() -> WhisperRecognizer:
    return WhisperRecognizer(workers=1)


@pytest.fixture(scope="module")
def prompted() -> WhisperRecognizer:
    return WhisperRecognizer(workers=1, vocabulary=seed_vocabulary())


@pytest.mark.parametrize("kind", ["silence", "white", "pink", "hum"])
def test_a_turn_of_only_noise_yields_no_transcript(plain: WhisperRecognizer, prompted: WhisperRecognizer,
                                                   kind: str) -> None:
    rng = np.random.default_rng(4)
    n = 16000 * 2
    t = np.arange(n) / 16000
    audio = {
        "silence": lambda: np.zeros(n),
        "white": lambda: rng.normal(0, 1500, n),  # noise at the level the bench mixes under speech
        "pink": lambda: pink_noise(n, rng) * 1500,
        "hum": lambda: sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 6)) * 3000,  # a plant room's mains hum
    }[kind]().astype(np.int16)
    for rec in (plain, prompted):
        assert rec.transcribe(audio).text == ""


def test_prompt_words_are_not_echoed_into_the_transcript(prompted: WhisperRecognizer) -> None:
    text = "I need to reset my password."
    got = normalise(prompted.transcribe(condition(clip(text), "clean", np.random.default_rng(0))).text)
    assert got == normalise(text)  # none of the site names leaked in


@pytest.mark.parametrize("voice, channel", [("piper", "clean"), ("espeak", "clean"), ("piper", "phone")])
def test_a_named_site_is_recognised_with_the_prompt(prompted: WhisperRecognizer, voice: str, channel: str) -> None:
    text = "The pump at Riverside Pumping Station has tripped."
    audio = condition(clip(text, voice=voice), channel, np.random.default_rng(2))
    got = " ".join(normalise(prompted.transcribe(audio).text))
    assert "riverside pumping station" in got, got
