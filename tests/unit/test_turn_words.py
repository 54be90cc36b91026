"""End of turn from the words (``SWITCHBOARD_TURN_WORDS=model``) through a real channel: VAD, Whisper,
the completeness model and the endpointer at real-time pace. Sentences of their own: neither the bench's
phrases nor the model's training data."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from agent.config import ConfigError, Settings
from agent.dev.bench.wer import wer
from agent.speech.local import LocalSpeechEngine
from tests.fixtures.speech import clip, silence
from tests.unit.test_smart_turn import turns_with_silence_fed


def test_the_settings_are_checked():
    assert Settings.from_env({}).turn_words == "rules"  # hybrid cut short comma pauses in spoken tests (docs/speech.md)
    assert Settings.from_env({"SWITCHBOARD_TURN_WORDS": "model"}).turn_words == "model"
    assert Settings.from_env({"SWITCHBOARD_ENDPOINT_SHORT_MS": "250"}).endpoint_short_ms == 250
    assert Settings.from_env({"SWITCHBOARD_TURN_WORDS": "fused"}).turn_words == "fused"
    assert Settings.from_env({"SWITCHBOARD_TURN_WORDS": "hybrid"}).turn_words == "hybrid"
    with pytest.raises(ConfigError, match="SWITCHBOARD_TURN_WORDS must be one of rules, model, fused, hybrid"):
        Settings.from_env({"SWITCHBOARD_TURN_WORDS": "llm"})


@pytest.mark.slow
def test_fused_loads_both_models_and_fuses_only_then():
    from agent.speech.local import FUSED_THRESHOLD, VOICE_WEIGHT

    e = LocalSpeechEngine(Settings(turn_words="fused"))
    asyncio.run(e.start())
    try:
        c = e.endpoint_config()
        assert e.turn is not None and e.words is not None and c.judge_ms is not None
        assert (c.voice_weight, c.finished_above, c.unfinished_below) == (VOICE_WEIGHT, FUSED_THRESHOLD, FUSED_THRESHOLD)
    finally:
        asyncio.run(e.close())
    e = LocalSpeechEngine(Settings(turn_words="model", turn_model="smart-turn"))
    asyncio.run(e.start())
    try:
        assert e.turn is not None and e.endpoint_config().voice_weight is None  # Smart Turn as before: not fused
    finally:
        asyncio.run(e.close())


def _started(turn_words: str):
    """A loaded engine judging words by ``turn_words`` with the 200 ms short stop, closed after the module."""
    e = LocalSpeechEngine(Settings(turn_words=turn_words, endpoint_short_ms=200))
    asyncio.run(e.start())
    asyncio.run(e.ready())
    yield e
    asyncio.run(e.close())


@pytest.fixture(scope="module")
def engine():
    yield from _started("model")


@pytest.mark.slow
def test_the_words_model_shortens_the_stop_only_when_it_is_on(engine):
    assert engine.words is not None and engine.endpoint_config().short_ms == 200
    assert LocalSpeechEngine(Settings(turn_words="rules")).endpoint_config().short_ms is None


#: A misheard word at the pause or the end defeats the words ("Could you send an electrician to" was heard
#: as "... electrician tube?", "My headset stopped working." as "My head's at stopped working."), so these
#: are judged as lists, each with a bar, not sentence by sentence (docs/speech.md).
PAUSED = [("The sprinkler valve in the east wing", "is dripping onto the floor."),
          ("Could you send an electrician to", "the loading bay this afternoon?"),
          ("The card printer in reception", "keeps jamming on every badge."),
          ("I would like to book a visit for", "the cooling tower next week.")]
FINISHED = ["My headset stopped working.", "The freezer alarm is going off.", "I forgot my PIN.",
            "Our shared calendar is gone."]


@pytest.mark.slow
async def test_pauses_after_unfinished_words_mostly_do_not_end_the_turn(engine):
    whole = []
    for first, second in PAUSED:
        audio = np.concatenate([silence(300), clip(first), silence(800), clip(second), silence(1500)])
        got = await turns_with_silence_fed(engine, audio, audio.size)
        whole.append(len(got) == 1 and wer([(f"{first} {second}", got[0][0].text)]) <= 0.25)
    assert sum(whole) >= 3, whole


async def _finished_turn(engine: LocalSpeechEngine, text: str) -> tuple[Any, float, float]:
    """``text`` spoken as one finished request through a channel: (the turn heard, when it ended, when the last words
    before that end were known), ms from the end of speech."""
    speech = clip(text)
    audio = np.concatenate([silence(300), speech, silence(2000)])
    partials: list[float] = []
    got = await turns_with_silence_fed(engine, audio, 4800 + speech.size, partials)
    assert len(got) == 1, [t.text for t, _ in got]
    heard, waited = got[0]
    return heard, waited, max([p for p in partials if p <= waited], default=waited)


@pytest.mark.slow
async def test_short_finished_requests_end_on_what_the_words_say_and_never_past_the_cap(engine):
    """Measured: 3 of these 4 waited the cap (their words scored 0.30-0.65, below 0.66; docs/speech.md),
    so this checks the mechanism, not the rate: finished words end the turn as soon as they are known
    (after the short stop at the least), other words wait the cap and no longer. When the words are known
    depends on how busy the core is (CI's recognition took 860 ms once), so the end is timed from them."""
    config = engine.endpoint_config()
    assert engine.words is not None and config.short_ms is not None
    for text in FINISHED:
        heard, waited, known = await _finished_turn(engine, text)
        if engine.words.probability(heard.text) >= config.finished_above:
            # 120: a few frames of the event loop on a busy core; waiting the silence stop would exceed it
            assert waited <= max(config.short_ms, known) + 120, (heard.text, waited, known)
        else:
            assert config.hold_ms - 40 <= waited < config.hold_ms + 300, (heard.text, waited)


@pytest.fixture(scope="module")
def hybrid():
    yield from _started("hybrid")


@pytest.mark.slow
async def test_hybrid_ends_sure_words_early_and_otherwise_waits_as_the_rules_would(hybrid):
    """``hybrid``: words the model is sure are finished end after the short stop, words it is sure are unfinished
    (or that end as the rules fear, when it is unsure) wait the cap, and the rest the ordinary 500 ms stop. So no
    request waits longer than under the rules unless the model is sure it is unfinished."""
    from agent.speech.endpoint import sounds_unfinished
    from agent.speech.local import HYBRID_UNFINISHED_BELOW

    config = hybrid.endpoint_config()
    assert hybrid.words is not None and config.rules_in_band and config.unfinished_below == HYBRID_UNFINISHED_BELOW
    assert LocalSpeechEngine(Settings(turn_words="model")).endpoint_config().rules_in_band is False
    for text in FINISHED:
        heard, waited, known = await _finished_turn(hybrid, text)
        p = hybrid.words.probability(heard.text)
        if p >= config.finished_above:
            assert waited <= max(config.short_ms, known) + 120, (heard.text, p, waited, known)
        elif p < config.unfinished_below or sounds_unfinished(heard.text):
            assert config.hold_ms - 40 <= waited < config.hold_ms + 300, (heard.text, p, waited)
        else:
            assert config.silence_ms - 40 <= waited <= max(config.silence_ms, known) + 120, (heard.text, p, waited)
