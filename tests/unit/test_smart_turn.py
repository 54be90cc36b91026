"""Smart Turn v3 (agent/speech/turn.py) and end of turn through a real channel."""

from __future__ import annotations

import asyncio
import importlib.util
from importlib.metadata import PackageNotFoundError

import numpy as np
import pytest

from agent.config import ConfigError, Settings
from agent.speech import turn
from agent.speech.engine import FinalTranscript, PartialTranscript, SpeechEvent
from agent.speech.local import LocalSpeechEngine
from agent.dev.bench.wer import wer
from tests.fixtures.speech import clip, silence


def _pipecat_features():
    """Pipecat's own feature module, loaded by file (importing ``pipecat`` would need its dependencies)."""
    path = turn.model_path().parent.parent / "_whisper_features.py"
    spec = importlib.util.spec_from_file_location("pipecat_whisper_features", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compute_whisper_log_mel_features


@pytest.mark.parametrize("seconds", [0.5, 3.0, 8.0, 11.0])
def test_features_are_pipecats_for_short_full_and_long_audio(seconds):
    rng = np.random.default_rng(3)
    pcm = (rng.normal(0, 3000, int(16000 * seconds))).clip(-32768, 32767).astype(np.int16)
    pcm[: pcm.size // 3] //= 20  # quiet then loud, like speech after a pause
    # Pipecat's path: float in [-1, 1), last 8 s, zeros in front, then its extractor.
    x = pcm.astype(np.float32)[-128000:] / 32768.0
    expected = _pipecat_features()(np.pad(x, (128000 - x.size, 0)))
    got = turn.features(pcm)
    assert got.shape == expected.shape == (80, 800) and got.dtype == np.float32
    assert np.abs(got - expected).max() < 1e-4


def test_a_missing_wheel_is_a_clear_error(monkeypatch):
    def missing(name):
        raise PackageNotFoundError(name)

    monkeypatch.setattr(turn, "distribution", missing)
    with pytest.raises(RuntimeError, match="pipecat-ai wheel.*requirements/models.txt"):
        turn.model_path()


def test_no_audio_is_refused():
    with pytest.raises(ValueError):
        turn.SmartTurn().probability(np.zeros(0, dtype=np.int16))


def test_the_turn_model_setting_is_checked():
    assert Settings.from_env({}).turn_model == "silence"
    assert Settings.from_env({"SWITCHBOARD_TURN_MODEL": "smart-turn"}).turn_model == "smart-turn"
    with pytest.raises(ConfigError, match="SWITCHBOARD_TURN_MODEL must be one of silence, smart-turn"):
        Settings.from_env({"SWITCHBOARD_TURN_MODEL": "smart"})


# --- through a channel: VAD, Whisper, Smart Turn, endpointer; real-time pace ---------------------------
@pytest.fixture(scope="module")
def engine():
    e = LocalSpeechEngine(Settings(turn_model="smart-turn"))
    asyncio.run(e.start())
    yield e
    asyncio.run(e.close())


async def turns_with_silence_fed(engine: LocalSpeechEngine, audio: np.ndarray, speech_end: int,
                                 partials: list[float] | None = None):
    """Feed at real-time pace; return each turn with the ms of silence after ``speech_end`` fed by then
    (and add to ``partials`` the same figure for each speculative transcript as it arrives)."""
    got: list[tuple[FinalTranscript, float]] = []
    fed = 0

    async def on_event(ev: SpeechEvent) -> None:
        if isinstance(ev, FinalTranscript):
            got.append((ev, max(0, fed - speech_end) / 16))
        elif isinstance(ev, PartialTranscript) and partials is not None:
            partials.append(max(0, fed - speech_end) / 16)

    channel = engine.open(16000, on_event)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for fed in range(320, audio.size + 1, 320):
        await channel.feed(audio[fed - 320 : fed].tobytes())
        await asyncio.sleep(max(0.0, t0 + fed / 16000 - loop.time()))
    await channel.flush()
    await channel.close()
    return got


@pytest.mark.slow
async def test_a_pause_mid_sentence_does_not_end_the_turn(engine):
    first, second = "Can you check the status of work order", "four five six seven?"
    for pause_ms in (600, 900):
        audio = np.concatenate([silence(300), clip(first), silence(pause_ms), clip(second), silence(1500)])
        got = await turns_with_silence_fed(engine, audio, audio.size)
        assert len(got) == 1, [t.text for t, _ in got]
        assert wer([(f"{first} {second}", got[0][0].text)]) <= 0.15, got[0][0].text


@pytest.mark.slow
async def test_a_short_finished_request_ends_before_the_cap(engine):
    hold = engine.endpoint_config().hold_ms
    assert engine.turn is not None and engine.endpoint_config().judge_ms is not None  # the model is in the loop
    for text in ("My email account is locked.", "The backup job failed last night."):
        speech = clip(text)
        audio = np.concatenate([silence(300), speech, silence(2000)])
        got = await turns_with_silence_fed(engine, audio, 4800 + speech.size)
        assert len(got) == 1 and wer([(text, got[0][0].text)]) <= 0.2, [t.text for t, _ in got]
        assert got[0][1] < hold, f"{text!r}: turn ended after {got[0][1]:.0f} ms of silence (cap {hold})"
