"""The local speech engine in-process: caller clips through a channel (VAD, endpointing, Whisper), Piper out."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from agent.dev.bench.phrases import PHRASES
from agent.dev.bench.wer import wer
from agent.config import Settings
from agent.speech.engine import BargeIn, FinalTranscript, NoTurn, SpeechEvent
from agent.speech.local import LocalSpeechEngine
from tests.fixtures.speech import clip, silence

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engines():
    """Engines load once per module (models are process-wide in production too)."""
    made: dict[str, LocalSpeechEngine] = {}

    async def get(vad: str = "webrtc") -> LocalSpeechEngine:
        if vad not in made:
            made[vad] = LocalSpeechEngine(Settings(vad=vad))
            await made[vad].start()
            await made[vad].ready()  # recognition loads in the background; tests share it across loops
        return made[vad]

    yield get
    for engine in made.values():
        asyncio.run(engine.close())


async def transcribe(engine: LocalSpeechEngine, audio: np.ndarray, rate: int = 16000,
                     realtime: bool = False) -> list[FinalTranscript]:
    """Feed ``audio`` in 20 ms frames (as fast as the channel takes them, or at real-time pace, which
    turn-taking needs: the speculative transcript must arrive while the silence lasts); return the turns."""
    got: list[FinalTranscript] = []

    async def on_event(ev: SpeechEvent) -> None:
        if isinstance(ev, FinalTranscript):
            got.append(ev)

    channel = engine.open(rate, on_event)
    step = rate // 50
    for i in range(0, audio.size, step):
        await channel.feed(audio[i : i + step].tobytes())
        await asyncio.sleep(0.02 if realtime else 0)
    await channel.flush()
    await channel.close()
    return got


def padded(pcm: np.ndarray, rate: int = 16000) -> np.ndarray:
    return np.concatenate([silence(400, rate), pcm, silence(1500, rate)])


async def test_operations_phrases_are_recognised_with_low_word_error_rate(engines):
    engine = await engines()
    pairs: dict[str, list[tuple[str, str]]] = {"piper": [], "espeak": []}
    for i, phrase in enumerate(PHRASES):
        for voice in ("piper", "espeak") if i % 2 else ("piper",):
            turns = await transcribe(engine, padded(clip(phrase, 16000, voice)))
            pairs[voice].append((phrase, " ".join(t.text for t in turns)))
            assert len(turns) == 1, (phrase, voice, [t.text for t in turns])
    everything = pairs["piper"] + pairs["espeak"]
    print(f"\nWER piper {wer(pairs['piper']):.1%} ({len(pairs['piper'])} phrases), "
          f"espeak-ng {wer(pairs['espeak']):.1%} ({len(pairs['espeak'])}), all {wer(everything):.1%}")
    assert len(PHRASES) >= 30
    assert wer(everything) <= 0.10


async def test_two_sentences_with_a_pause_are_two_turns_and_a_held_breath_is_one(engines):
    engine = await engines()
    a, b = clip("My laptop will not start."), clip("I need to reset my password.")
    two = await transcribe(engine, np.concatenate([silence(300), a, silence(900), b, silence(1500)]), realtime=True)
    # Two turns, each the right sentence. Under load the turn boundary can shift by a frame
    # or two and clip a word, so the words are held to the suite's WER bar, not to exactness.
    assert len(two) == 2
    assert wer(list(zip(["My laptop will not start.", "I need to reset my password."], [t.text for t in two]))) <= 0.2
    first, second = two
    assert second.speech_end_ms - first.speech_end_ms > 1500
    # "My laptop is ..." then 700 ms of silence: unfinished, so the turn waits for the rest.
    held = await transcribe(engine, np.concatenate([silence(300), clip("My laptop is"), silence(700),
                                                    clip("making a strange noise."), silence(1500)]), realtime=True)
    assert len(held) == 1 and wer([("my laptop is making a strange noise", held[0].text)]) <= 0.15


@pytest.mark.parametrize("rate", [8000, 24000])
async def test_narrow_and_wide_band_input(engines, rate):
    phrase = "Please check the status of work order four five six seven."
    turns = await transcribe(await engines(), padded(clip(phrase, rate), rate), rate)
    assert len(turns) == 1 and wer([(phrase, turns[0].text)]) <= 0.15


async def test_silero_vad_option_hears_speech_and_ignores_silence(engines):
    engine = await engines("silero")
    phrase = "Please send someone to fix the broken window."
    turns = await transcribe(engine, padded(clip(phrase)))
    assert len(turns) == 1 and wer([(phrase, turns[0].text)]) <= 0.15
    assert await transcribe(engine, silence(3000)) == []


async def test_silence_and_a_cough_make_no_turns(engines):
    from agent.dev.bench.voices import cough

    assert await transcribe(await engines(), np.concatenate([silence(2000), cough(16000), silence(2000)])) == []


async def test_synthesis_streams_pieces_at_the_session_rate(engines):
    channel = (await engines()).open(8000, lambda ev: asyncio.sleep(0))
    text = ("I have opened work order 4567 for the pump at the north depot, a technician will call you "
            "within the hour, and you will get a text message when they are on the way.")
    pieces = [p async for p in channel.synthesize(text)]
    assert len(pieces) == 3  # clause by clause: the first plays while the rest is made
    seconds = sum(len(p) for p in pieces) / 2 / 8000
    assert 6 < seconds < 14, seconds
    await channel.close()


async def test_a_turn_that_ends_before_recognition_has_loaded_is_recognised_once_it_has(monkeypatch):
    """``start`` returns when the engine can speak; Whisper loads behind it, held here by the test."""
    import threading

    from agent.speech import local

    gate = threading.Event()

    class HeldWhisper(local.WhisperRecognizer):
        def __init__(self, **kw):
            assert gate.wait(60), "the test never released the recogniser"
            super().__init__(**kw)

    monkeypatch.setattr(local, "WhisperRecognizer", HeldWhisper)
    engine = LocalSpeechEngine(Settings())
    try:
        await engine.start()
        assert engine.tts is not None and engine.stt is None  # can greet; cannot recognise yet
        got: list[FinalTranscript] = []
        done = asyncio.Event()

        async def on_event(ev: SpeechEvent) -> None:
            if isinstance(ev, FinalTranscript):
                got.append(ev)
                done.set()

        channel = engine.open(16000, on_event)
        phrase = "Please check the status of work order four five six seven."
        audio = padded(clip(phrase))
        for i in range(0, audio.size, 320):
            await channel.feed(audio[i : i + 320].tobytes())
        await asyncio.sleep(0.3)
        assert got == [] and engine.stt is None  # the turn ended; it waits for the recogniser
        gate.set()
        await asyncio.wait_for(done.wait(), 60)
        await engine.ready()
        assert len(got) == 1 and wer([(phrase, got[0].text)]) <= 0.15
        await channel.close()
    finally:
        gate.set()
        await engine.close()


async def _over_agent(engine: LocalSpeechEngine, audio: np.ndarray) -> list[SpeechEvent]:
    """Every event for ``audio`` heard at real-time pace while the agent is speaking throughout."""
    got: list[SpeechEvent] = []

    async def on_event(ev: SpeechEvent) -> None:
        got.append(ev)

    channel = engine.open(16000, on_event)
    channel.set_agent_speaking(True)
    for i in range(0, audio.size, 320):
        await channel.feed(audio[i : i + 320].tobytes())
        await asyncio.sleep(0.02)
    await channel.flush()
    await channel.close()
    return got


async def test_over_the_agent_noise_and_coughs_do_not_barge_in_a_backchannel_is_no_turn_and_stop_is(engines):
    from agent.dev.bench.speech_barge import _noise
    from agent.dev.bench.voices import cough

    engine = await engines()
    rng = np.random.default_rng(5)
    for sound in (_noise("white", rng), _noise("pink", rng), cough(16000, ms=350, seed=2)):
        events = await _over_agent(engine, padded(sound))
        assert not [e for e in events if isinstance(e, BargeIn)]
        assert not [e for e in events if isinstance(e, FinalTranscript) and e.text]
    # "Okay." may pause the agent (when its words come late) but is never the caller's turn.
    events = await _over_agent(engine, padded(clip("Okay.")))
    assert not [e for e in events if isinstance(e, FinalTranscript)]
    assert [type(e) for e in events if isinstance(e, NoTurn)] == [NoTurn]
    events = await _over_agent(engine, padded(clip("Stop.")))
    kinds = [type(e) for e in events if isinstance(e, (BargeIn, FinalTranscript, NoTurn))]
    assert kinds == [BargeIn, FinalTranscript]
    assert [e.text.strip(".!").lower() for e in events if isinstance(e, FinalTranscript)] == ["stop"]
