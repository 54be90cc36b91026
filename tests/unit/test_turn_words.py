"""End of turn from the words (``SWITCHBOARD_TURN_WORDS=model``) through a real channel: VAD, Whisper,
the completeness model and the endpointer at real-time pace. Sentences of their own: neither the bench's
phrases nor the model's training data."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from agent.config import ConfigError, Settings
from agent.dev.bench.wer import wer
from agent.speech.local import LocalSpeechEngine
from tests.fixtures.speech import clip, silence
from tests.unit.test_smart_turn import turns_with_silence_fed


def test_the_settings_are_checked():
    assert Settings.from_env({}).turn_words == "rules"
    assert Settings.from_env({"SWITCHBOARD_TURN_WORDS": "model"}).turn_words == "model"
    assert Settings.from_env({"SWITCHBOARD_ENDPOINT_SHORT_MS": "250"}).endpoint_short_ms == 250
    with pytest.raises(ConfigError, match="SWITCHBOARD_TURN_WORDS must be one of rules, model"):
        Settings.from_env({"SWITCHBOARD_TURN_WORDS": "llm"})


@pytest.fixture(scope="module")
def engine():
    e = LocalSpeechEngine(Settings(turn_words="model", endpoint_short_ms=200))
    asyncio.run(e.start())
    asyncio.run(e.ready())
    yield e
    asyncio.run(e.close())


@pytest.mark.slow
def test_the_words_model_shortens_the_stop_only_when_it_is_on(engine):
    assert engine.words is not None and engine.endpoint_config().short_ms == 200
    assert LocalSpeechEngine(Settings()).endpoint_config().short_ms is None


@pytest.mark.slow
@pytest.mark.parametrize("first,second", [
    ("The sprinkler valve in the east wing", "is dripping onto the floor."),
    ("Could you send an electrician to", "the loading bay this afternoon?"),
    ("The card printer in reception", "keeps jamming on every badge."),
])
async def test_a_pause_after_unfinished_words_does_not_end_the_turn(engine, first, second):
    audio = np.concatenate([silence(300), clip(first), silence(800), clip(second), silence(1500)])
    got = await turns_with_silence_fed(engine, audio, audio.size)
    assert len(got) == 1, [t.text for t, _ in got]
    assert wer([(f"{first} {second}", got[0][0].text)]) <= 0.2, got[0][0].text


@pytest.mark.slow
async def test_short_finished_requests_end_well_before_the_cap(engine):
    hold = engine.endpoint_config().hold_ms
    waited = []
    for text in ("My headset stopped working.", "The freezer alarm is going off.", "I forgot my PIN."):
        speech = clip(text)
        audio = np.concatenate([silence(300), speech, silence(2000)])
        got = await turns_with_silence_fed(engine, audio, 4800 + speech.size)
        assert len(got) == 1 and wer([(text, got[0][0].text)]) <= 0.25, [t.text for t, _ in got]
        waited.append(got[0][1])
    assert max(waited) < hold, waited
