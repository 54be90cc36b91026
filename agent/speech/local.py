"""The embedded speech engine: webrtc/Silero VAD, Whisper (tiny.en, base to name languages), Smart Turn and Piper on this CPU.

``LocalSpeechEngine.start`` loads every model once per process (what the greeting needs
first, recognition in the background); channels share them.
Recognition and synthesis run in a small thread pool (CTranslate2 and onnxruntime
release the GIL), so one session's recognition never stalls another's audio. Per
channel: caller audio is resampled to 16 kHz, cut into 20 ms frames, gated against
the agent's own echo, judged by the VAD and fed to the ``Endpointer``; its signals
become recognition and turn-model jobs and ``SpeechEvent``s.

Barge-in: while the agent speaks, Silero also judges each frame (a voice, not a cough or
steady noise: the webrtc VAD takes hum and hiss for speech); sustained voice is a
candidate, and the speculative transcript of it so far decides (``bargein.interrupts``):
backchannel words keep the agent talking and are checked again as the caller goes on.
The words get ``DECIDE_MS`` of caller audio: if recognition is slower (a loaded CPU) the
agent stops anyway, and the words decide afterwards whether it resumes.
An utterance heard over the agent that ends as a backchannel, or with no words, is a
``NoTurn``, not a caller turn; if it had stopped the agent, the conversation resumes (a
backchannel that stopped it is let go at its first pause, with the speculative transcript).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, AsyncIterator

import numpy as np

from agent.config import Settings
from agent.speech.bargein import interrupts, words
from agent.speech.echo import EchoGate
from agent.speech.completeness import Completeness, shared_completeness
from agent.speech.endpoint import (ANSWERED, BARE_YES_NO, UNFINISHED, Barge, Dropped, EndpointConfig, Endpointer, Judge, Onset, Speculate,
                                   TurnEnd, words_opinion)
from agent.speech.engine import (AnswerCheck, BargeIn, FinalTranscript, NoTurn, OnSpeechEvent, PartialTranscript,
                                 SpeechStarted)
from agent.speech.models import LANGUAGE_MODEL, model_dir
from agent.speech.pool import PriorityPool
from agent.speech.resample import StreamResampler
from agent.speech.stt import Recognition, WhisperRecognizer
from agent.speech.tts import PiperSynth, split_for_speech
from agent.speech.turn import THRESHOLD, SmartTurn
from agent.speech.vad import FRAME_SAMPLES, RATE, FrameVad, SileroVad, WebRtcVad, load_silero_session

log = logging.getLogger("switchboard.speech")
#: Shortest audio given to the recogniser (16 kHz samples, 1 s); shorter utterances are led in with silence.
MIN_AUDIO_SAMPLES = RATE

#: Trailing silence kept after the last speech frame: Whisper ends words more cleanly with a little.
TAIL_MS = 120
#: Silence after which Smart Turn is asked whether the caller has finished (Pipecat pairs it with a 0.2 s VAD stop).
JUDGE_MS = 200
#: With ``SWITCHBOARD_TURN_WORDS=fused``: the weight of Smart Turn's log-odds beside the words', and the threshold
#: on the joint probability (``bench speech --tune --turn-words fused`` on the dev half of its phrases: one pass
#: picked weight 0, the words alone, a second 0.125 with 0.709; not better than the words alone, docs/speech.md).
VOICE_WEIGHT = 0.125
FUSED_THRESHOLD = 0.71
#: ``SWITCHBOARD_TURN_WORDS=hybrid``: words below this wait the cap, whatever their last word. The largest of
#: the completeness fit's reported thresholds (0.2, 0.3, 0.5, 0.7) at which at most 3 % of whole requests of its
#: held-out text score below (1.9 %; 4.7 % at 0.3): the bench's end-of-turn clips never chose it (docs/speech.md).
HYBRID_UNFINISHED_BELOW = 0.2
#: Utterances are cut at this length so one caller cannot grow a buffer without bound.
MAX_UTTERANCE_S = 30
#: A caller heard as a backchannel so far is judged again after this much more speech.
RECHECK_MS = 200
#: Caller audio a barge-in candidate waits for its words before the agent stops regardless: the
#: stop should come ~200 ms into the caller's speech (``barge_in_ms`` 140 + this), and recognition
#: takes ~60 ms on an idle core, so on a loaded one the words mostly decide afterwards (resume or not).
DECIDE_MS = 60
#: With an English-only recogniser, the language is identified (by ``LANGUAGE_MODEL``) on this many
#: first turns of a call: the brain acts on it only there (agent/brain/languages.py).
LANGUAGE_ID_TURNS = 2


class LocalSpeechEngine:
    name = "local"

    def __init__(self, settings: Settings, *, stt_workers: int = 2, tts_workers: int = 2,
                 vocabulary: str = "") -> None:
        """``vocabulary``: domain words for the recogniser's prompt ("": none). The container passes
        the tool servers' site names and asset kinds (``agent.app.build_speech``): they lowered WER
        on every condition of ``bench speech --wer`` (docs/speech.md), requests not naming a site included.
        """
        self.settings = settings
        self._vocabulary = vocabulary
        self._stt_workers = stt_workers
        self._tts_workers = tts_workers
        self.stt: WhisperRecognizer | None = None
        #: A multilingual model used only to identify the language when ``stt`` knows only English.
        self.language_id: WhisperRecognizer | None = None
        self.tts: PiperSynth | None = None
        self.turn: SmartTurn | None = None
        #: Judges the speculative transcript (``SWITCHBOARD_TURN_WORDS=model``); None: the last-word rules.
        self.words: Completeness | None = None
        self._silero: Any = None
        self._stt_loading: asyncio.Future[WhisperRecognizer] | None = None
        self._warm_audio = np.zeros(0, dtype=np.int16)  # "Ready." spoken at start: warms Whisper when it loads
        self.stt_pool: ThreadPoolExecutor | None = None
        self.tts_pool: PriorityPool | None = None

    async def start(self) -> None:
        """Load what a call's greeting needs (TTS, VAD), warm it, and return.

        Recognition (Whisper) loads on ``ready`` (the container calls it once the first
        greeting is under way) or on the first turn that needs it, which waits for it
        (``transcribe``) rather than being lost.
        """
        if self.tts is not None:
            return
        # Whisper loads later, but a model that is not installed is a start-up error, not a lost first turn.
        model_dir(self.settings.stt_model)
        if self.settings.stt_language_id:
            model_dir(LANGUAGE_MODEL)
        self.stt_pool = ThreadPoolExecutor(self._stt_workers, thread_name_prefix="stt")
        self.tts_pool = PriorityPool(self._tts_workers, "tts")
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        tts = asyncio.ensure_future(self.tts_pool.run(time.monotonic(), PiperSynth))
        # Always: besides being the VAD when chosen, Silero tells a voice from noise for barge-in.
        self._silero = await loop.run_in_executor(self.stt_pool, load_silero_session)
        if self.settings.turn_model == "smart-turn" or self.settings.turn_words == "fused":
            # Loaded here, not with Whisper: a channel's endpointing is set when it opens, and
            # the model is small (tens of ms to warm).
            self.turn = await loop.run_in_executor(self.stt_pool, SmartTurn)
        if self.settings.turn_words in ("model", "fused", "hybrid"):
            # Small (the router's MiniLM, shared, and 769 weights); loaded and warmed here so the
            # first turn's words are judged in ~3 ms.
            self.words = await loop.run_in_executor(self.stt_pool, shared_completeness)
            await loop.run_in_executor(self.stt_pool, self.words.probability, "warm up")
        tts_synth = await tts
        warm = await self.tts_pool.run(time.monotonic(), tts_synth.synth, "Ready.", RATE)
        if self.turn is not None:
            await loop.run_in_executor(self.stt_pool, self.turn.probability, warm)
        self.tts = tts_synth
        self._warm_audio = warm
        log.info("local speech can speak after %.1fs (vad=%s, turn=%s)", time.perf_counter() - t0,
                 self.settings.vad, self.settings.turn_model)

    def _recogniser(self) -> "asyncio.Future[WhisperRecognizer]":
        if self._stt_loading is None:
            if self.tts is None:
                raise RuntimeError("LocalSpeechEngine.start() must run first")
            self._stt_loading = asyncio.ensure_future(self._load_stt(self._warm_audio))
        return self._stt_loading

    async def _load_stt(self, warm: np.ndarray) -> WhisperRecognizer:
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        s = self.settings

        def load(model: str, vocabulary: str) -> WhisperRecognizer:
            return WhisperRecognizer(model=model, beam_size=s.stt_beam_size, denoise=s.stt_denoise,
                                     workers=self._stt_workers, vocabulary=vocabulary,
                                     detect_language=s.stt_language_id)

        try:
            stt = await loop.run_in_executor(self.stt_pool, load, s.stt_model, self._vocabulary)
            await loop.run_in_executor(self.stt_pool, stt.transcribe, warm)
            if s.stt_language_id and not stt.multilingual:
                spotter = await loop.run_in_executor(self.stt_pool, load, LANGUAGE_MODEL, "")
                await loop.run_in_executor(self.stt_pool, spotter.identify, warm)
                self.language_id = spotter
        except Exception:
            log.exception("loading the speech recogniser failed")
            raise
        self.stt = stt
        log.info("speech recognition loaded in %.1fs", time.perf_counter() - t0)
        return stt

    async def ready(self) -> None:
        """Load recognition if not yet begun, and wait until it is loaded (raises if loading failed)."""
        await asyncio.shield(self._recogniser())

    async def transcribe(self, audio: np.ndarray, *, identify: bool = False) -> Recognition:
        """Recognise ``audio`` in the STT pool, first waiting for Whisper if it is not loaded yet.

        ``identify``: also name its language, with the language model if the recogniser knows only
        English (in parallel with recognition); a turn in another language is then decoded by that
        model in it, so the case holds what the caller said.
        """
        stt = self.stt or await asyncio.shield(self._recogniser())
        loop = asyncio.get_running_loop()
        spotter = self.language_id
        if not identify or spotter is None:
            return await loop.run_in_executor(self.stt_pool, stt.transcribe, audio)
        rec, (language, english) = await asyncio.gather(loop.run_in_executor(self.stt_pool, stt.transcribe, audio),
                                                        loop.run_in_executor(self.stt_pool, spotter.identify, audio))
        if language != "en":
            rec = await loop.run_in_executor(self.stt_pool, spotter.transcribe, audio, language)
        return dataclasses.replace(rec, language=language, english_prob=english)

    async def close(self) -> None:
        if self._stt_loading is not None:
            self._stt_loading.cancel()
        if self.stt_pool is not None:
            self.stt_pool.shutdown(wait=False, cancel_futures=True)
        if self.tts_pool is not None:
            self.tts_pool.shutdown()

    def new_vad(self) -> FrameVad:
        return SileroVad(self._silero) if self.settings.vad == "silero" else WebRtcVad(3)

    def new_voice_check(self) -> FrameVad | None:
        """The second opinion barge-in needs (None: the VAD is Silero already)."""
        return None if self.settings.vad == "silero" else SileroVad(self._silero)

    def endpoint_config(self) -> EndpointConfig:
        s = self.settings
        return EndpointConfig(silence_ms=s.endpoint_silence_ms, hold_ms=max(s.endpoint_hold_ms, s.endpoint_silence_ms),
                              barge_in_ms=s.barge_in_ms, judge_ms=JUDGE_MS if self.turn is not None else None,
                              short_ms=min(s.endpoint_short_ms, s.endpoint_silence_ms) if self.words is not None else None,
                              answer_ms=min(s.endpoint_short_ms, s.endpoint_silence_ms),
                              **(dict(voice_weight=VOICE_WEIGHT, finished_above=FUSED_THRESHOLD,
                                      unfinished_below=FUSED_THRESHOLD) if self.fused else
                                 dict(unfinished_below=HYBRID_UNFINISHED_BELOW, rules_in_band=True)
                                 if self.words is not None and s.turn_words == "hybrid" else {}))

    @property
    def fused(self) -> bool:
        """Words and voice are one opinion (``SWITCHBOARD_TURN_WORDS=fused``; both models loaded)."""
        return self.settings.turn_words == "fused" and self.turn is not None and self.words is not None

    def open(self, sample_rate: int, on_event: OnSpeechEvent) -> "LocalChannel":
        if self.tts is None:
            raise RuntimeError("LocalSpeechEngine.start() must run before open()")
        return LocalChannel(self, sample_rate, on_event)


@dataclass
class _Utterance:
    """What barge-in knows about the caller utterance in progress."""

    over_agent: bool  # it began while the agent was speaking
    voiced_ms: float = 0.0
    checked_ms: float | None = None  # voiced speech when its words were last judged
    barged: bool = False  # a BargeIn was emitted for it
    checking: bool = False  # a barge-in check (recognition) is in flight
    decide_by: int | None = None  # frame count by which the first check must have answered


@dataclass
class _Pending:
    """A turn whose transcript is being (or was speculatively) recognised."""

    job: "asyncio.Future[Recognition]"
    end_ms: float
    speech_end_at: float
    utterance: _Utterance | None = None


class LocalChannel:
    def __init__(self, engine: LocalSpeechEngine, sample_rate: int, on_event: OnSpeechEvent) -> None:
        self.sample_rate = sample_rate
        self._engine = engine
        self._on_event = on_event
        self._resampler = StreamResampler(sample_rate, RATE)
        self._vad = engine.new_vad()
        self._voice = engine.new_voice_check()
        self._utt: _Utterance | None = None
        self._endpointer = Endpointer(engine.endpoint_config())
        self._echo = EchoGate()
        self._buffer = np.zeros(0, dtype=np.int16)  # 16 kHz samples not yet framed
        c = self._endpointer.config
        self._preroll: deque[np.ndarray] = deque(maxlen=c.preroll_ms // c.frame_ms + 3)
        self._utterance: list[np.ndarray] = []  # frames of the current utterance (pre-roll included)
        self._utterance_start_ms = 0.0
        self._last_speech_at = 0.0
        self._speculation: tuple[float, asyncio.Future[Recognition]] | None = None
        self._turns_ended = 0
        self._expected: AnswerCheck | None = None  # what the agent's last question takes as an answer
        self._turns: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._partials: set[asyncio.Task[None]] = set()
        self._finisher = asyncio.get_running_loop().create_task(self._finish_turns(), name="speech-turns")
        self._closed = False

    # --- caller audio -------------------------------------------------------------------
    async def feed(self, pcm: bytes) -> None:
        if self._closed or not pcm:
            return
        samples = self._resampler.process(np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype=np.int16))
        self._buffer = np.concatenate([self._buffer, samples]) if self._buffer.size else samples
        n = self._buffer.size // FRAME_SAMPLES
        frames, self._buffer = self._buffer[: n * FRAME_SAMPLES], self._buffer[n * FRAME_SAMPLES :]
        for frame in frames.reshape(n, FRAME_SAMPLES):
            await self._frame(frame)

    async def _frame(self, frame: np.ndarray) -> None:
        now = time.monotonic()
        speech = self._vad.is_speech(frame) and self._echo.passes(frame, now)
        voice = self._voice.is_speech(frame) if self._voice is not None and self._echo.speaking else None
        ep = self._endpointer
        if ep.in_utterance:
            self._utterance.append(frame)
        else:
            self._preroll.append(frame)
        if speech:
            self._last_speech_at = now
        for sig in ep.step(speech, self._echo.speaking, voice):
            if isinstance(sig, Onset):
                self._utt = _Utterance(over_agent=self._echo.speaking)
                self._utterance = list(self._preroll)
                self._preroll.clear()
                self._utterance_start_ms = ep.frames * ep.config.frame_ms - len(self._utterance) * ep.config.frame_ms
                await self._on_event(SpeechStarted(sig.at_ms))
            elif isinstance(sig, Speculate):
                job = self._recognise(sig.end_ms)
                self._speculation = (sig.end_ms, job)
                job.add_done_callback(lambda j, end=sig.end_ms: self._speculated(end, j))
            elif isinstance(sig, Judge):
                self._judge(sig.end_ms)
            elif isinstance(sig, Barge):
                self._check_barge(sig.at_ms)
            elif isinstance(sig, TurnEnd):
                self._end_turn(sig.end_ms)
            elif isinstance(sig, Dropped):
                self._utterance = []
                self._utt = None
        utt = self._utt
        if utt is not None and ep.in_utterance:
            utt.voiced_ms = ep.voiced_ms
            if utt.checking and utt.decide_by is not None and ep.frames >= utt.decide_by and not utt.barged:
                # The words are late: stop now; if they turn out a backchannel the agent resumes.
                utt.decide_by = None
                if self._echo.speaking:
                    utt.barged = True
                    await self._on_event(BargeIn(ep.frames * ep.config.frame_ms))
            elif (speech and utt.checked_ms is not None and not utt.barged and self._echo.speaking
                    and utt.voiced_ms - utt.checked_ms >= RECHECK_MS):
                self._check_barge(ep.frames * ep.config.frame_ms)
        if ep.in_utterance and len(self._utterance) * ep.config.frame_ms >= MAX_UTTERANCE_S * 1000:
            end = ep.flush()
            if end is not None:
                self._end_turn(end.end_ms)

    def _recognise(self, end_ms: float, *, turn: bool = True) -> "asyncio.Future[Recognition]":
        """Recognise the current utterance up to ``end_ms`` (+ a short tail) in the STT pool. Only a
        recognition that may become the turn names the language: a barge-in check needs the words alone."""
        frame_ms = self._endpointer.config.frame_ms
        keep = int((end_ms + TAIL_MS - self._utterance_start_ms) // frame_ms)
        audio = np.concatenate(self._utterance[:keep]) if self._utterance else np.zeros(0, dtype=np.int16)
        if 0 < audio.size < MIN_AUDIO_SAMPLES:
            # Whisper hears a short answer with little lead-in ("Yes." as the first words on a new
            # connection, whose pre-roll is not yet full) as nothing: lead it in with silence.
            audio = np.concatenate([np.zeros(MIN_AUDIO_SAMPLES - audio.size, dtype=np.int16), audio])
        return asyncio.ensure_future(self._engine.transcribe(audio, identify=turn and self._turns_ended < LANGUAGE_ID_TURNS))

    def _check_barge(self, end_ms: float) -> None:
        """Recognise the utterance so far and stop the agent unless its words are a backchannel."""
        utt = self._utt
        if utt is None or utt.barged or utt.checking:
            return
        utt.checking = True
        if utt.checked_ms is None:
            utt.decide_by = self._endpointer.frames + DECIDE_MS // self._endpointer.config.frame_ms
        utt.checked_ms = voiced = self._endpointer.voiced_ms
        job = self._recognise(end_ms, turn=False)
        job.add_done_callback(lambda j: self._barge_checked(utt, voiced, end_ms, j))

    def _barge_checked(self, utt: _Utterance, voiced_ms: float, at_ms: float,
                       job: "asyncio.Future[Recognition]") -> None:
        utt.checking = False
        if job.cancelled() or job.exception() is not None or self._closed:
            return
        # Once the utterance has ended its final transcript decides (_finish_turns).
        if utt is self._utt and not utt.barged and self._echo.speaking and interrupts(job.result().text, voiced_ms):
            utt.barged = True
            self._spawn(self._on_event(BargeIn(at_ms)))

    def _spawn(self, event: Any) -> None:
        task = asyncio.get_running_loop().create_task(event)
        self._partials.add(task)  # keep a reference until it is done
        task.add_done_callback(self._partials.discard)

    def _judge(self, end_ms: float) -> None:
        """Ask Smart Turn (in the STT pool) about the utterance and the silence after it so far."""
        engine = self._engine
        assert engine.turn is not None
        audio = np.concatenate(self._utterance)
        job = asyncio.get_running_loop().run_in_executor(engine.stt_pool, engine.turn.probability, audio)
        job.add_done_callback(lambda j: self._judged(end_ms, j))

    def _judged(self, end_ms: float, job: "asyncio.Future[float]") -> None:
        if job.cancelled() or job.exception() is not None:
            if not job.cancelled():
                log.warning("turn model failed; the words decide", exc_info=job.exception())
                self._endpointer.set_verdict(end_ms, None)  # fused: do not wait for a verdict that will not come
            return
        self._endpointer.set_verdict(end_ms, job.result() > THRESHOLD, job.result())

    def _speculated(self, end_ms: float, job: "asyncio.Future[Recognition]") -> None:
        if job.cancelled() or job.exception() is not None:
            return
        text = job.result().text
        utt = self._utt
        if (utt is not None and utt.barged and words(text) and not interrupts(text, utt.voiced_ms)
                and not self._closed and self._endpointer.drop(end_ms)):
            # A backchannel stopped the agent: say so at the first pause, not after the end-of-turn silence.
            self._utterance, self._utt, self._speculation = [], None, None
            self._spawn(self._on_event(NoTurn(text)))
            return
        model = self._engine.words
        if model is None or not text.strip() or self._answers(text) == ANSWERED:  # the answer ends the turn: no model
            self._hinted(end_ms, job.result(), None)
            return
        judged = asyncio.get_running_loop().run_in_executor(self._engine.stt_pool, model.probability, text)
        judged.add_done_callback(lambda j: self._hinted(end_ms, job.result(), j.result() if not j.cancelled()
                                                        and j.exception() is None else None))

    def expect(self, check: AnswerCheck | None) -> None:
        """What the agent just asked (None: nothing): a complete answer ends the turn after the short stop."""
        self._expected = check

    def _answers(self, text: str) -> str | None:
        check = self._expected
        if check is None or not text.strip():
            return None
        try:
            answer = check(text)
        except Exception:  # noqa: BLE001 - a faulty check must not lose the turn: judge as if nothing was asked
            log.warning("answer check failed; the words decide", exc_info=True)
            return None
        return answer if answer in (ANSWERED, BARE_YES_NO) else None

    def _hinted(self, end_ms: float, rec: Recognition, complete: float | None) -> None:
        """The speculative transcript, how complete its words sound and whether they answer the agent's
        question reach the endpointer."""
        text, utt = rec.text, self._utt
        answer = self._answers(text)
        self._endpointer.set_hint(end_ms, text, complete, answer)
        if text and not self._closed and self._endpointer.in_utterance:  # a partial after the final would confuse
            # A finished-sounding turn not heard over the agent may be answered ahead (agent/call/speculation.py).
            ahead = ((answer is not None or words_opinion(text, complete, self._endpointer.config) != UNFINISHED)
                     and not (utt is not None and (utt.over_agent or utt.barged)))
            self._spawn(self._on_event(PartialTranscript(text, end_ms if ahead else None,
                                                         rec.language if ahead else None)))

    def _end_turn(self, end_ms: float) -> None:
        spec = self._speculation
        job = spec[1] if spec is not None and spec[0] == end_ms else self._recognise(end_ms)
        self._turns.put_nowait(_Pending(job, end_ms, self._last_speech_at, self._utt))
        self._turns_ended += 1
        self._speculation = None
        self._utterance = []
        self._utt = None

    async def _finish_turns(self) -> None:
        """Emit final transcripts in the order the turns ended."""
        while True:
            pending = await self._turns.get()
            if pending is None:
                return
            try:
                rec = await pending.job
            except Exception:
                log.exception("recognition failed; turn lost")
                continue
            utt = pending.utterance
            if utt is not None and (utt.over_agent or utt.barged):
                agent_speaking = self._echo.speaking
                if (utt.barged or agent_speaking) and (not words(rec.text) or not interrupts(rec.text, utt.voiced_ms)):
                    # A backchannel or a sound under the agent's speech: not the caller's turn.
                    await self._on_event(NoTurn(rec.text))
                    continue
                if agent_speaking and not utt.barged:
                    # The checks missed it (words only came with the whole utterance): stop the agent now.
                    utt.barged = True
                    await self._on_event(BargeIn(pending.end_ms))
            await self._on_event(FinalTranscript(
                text=rec.text, speech_end_ms=pending.end_ms, speech_end_at=pending.speech_end_at,
                stt_ms=(time.monotonic() - pending.speech_end_at) * 1000, rtf=rec.rtf, audio_ms=rec.audio_s * 1000,
                language=rec.language))

    # --- agent audio ----------------------------------------------------------------------
    def set_agent_speaking(self, speaking: bool) -> None:
        self._echo.set_speaking(speaking, time.monotonic())

    async def synthesize(self, text: str, language: str = "en") -> AsyncIterator[bytes]:
        """Piece by piece (``split_for_speech``), each resampled to the session rate."""
        engine = self._engine
        if not engine.settings.tts_enabled or engine.tts is None:
            return
        pieces = split_for_speech(text)
        pool, tts = engine.tts_pool, engine.tts
        assert pool is not None

        def submit(piece: str, deadline: float) -> "asyncio.Task[np.ndarray]":
            return asyncio.ensure_future(pool.run(deadline, tts.synth, piece, self.sample_rate, language))

        # One piece in flight at a time: piece n+1 is made while piece n plays, and never
        # competes with piece n for the CPU (that would delay the first audio).
        # The first piece is needed now; the next one only once this one has played.
        upcoming = submit(pieces[0], time.monotonic()) if pieces else None
        try:
            for i in range(len(pieces)):
                assert upcoming is not None
                pcm = await upcoming
                due = time.monotonic() + pcm.size / self.sample_rate
                upcoming = submit(pieces[i + 1], due) if i + 1 < len(pieces) else None
                self._echo.note_output(pcm, self.sample_rate)
                yield pcm.tobytes()
        finally:
            if upcoming is not None:
                upcoming.cancel()  # barge-in: the rest will not be heard

    # --- lifecycle ---------------------------------------------------------------------------
    async def flush(self) -> None:
        end = self._endpointer.flush()
        if end is not None:
            self._end_turn(end.end_ms)
        await self._turns.put(None)
        with contextlib.suppress(Exception):
            await self._finisher

    async def close(self) -> None:
        self._closed = True
        if not self._finisher.done():
            self._finisher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._finisher
