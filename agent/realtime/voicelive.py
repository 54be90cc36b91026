"""Azure Voice Live as the speech engine: speech-to-speech, with switchboard's brain as function tools.

Voice Live does the voice activity detection (``azure_semantic_vad``), noise
suppression, echo cancellation, recognition, the replies and the neural voice. Per
call, ``VoiceLiveChannel`` keeps one realtime connection (``azure.ai.voicelive.aio.connect``)
and translates between it and the conversation loop:

- caller PCM -> ``input_audio_buffer.append`` (Voice Live takes 8, 16 and 24 kHz pcm16
  in and out, which are exactly the session rates, so nothing is resampled);
- ``response.audio.delta`` / ``response.audio_transcript.*`` -> ``AgentAudio`` /
  ``AgentTranscript`` (the conversation paces them out as binary frames);
- ``input_audio_buffer.speech_started`` -> ``BargeIn``; the conversation clears the
  client's buffer and calls ``interrupted``, which cancels the response and truncates
  the item to what was played;
- caller transcription -> ``FinalTranscript``;
- ``response.function_call_arguments.done`` -> ``DialogFunctions.run`` (the brain's
  coordinator, MCP tools and hand-over, handed in by the conversation), whose actions
  become the usual route/tool/handoff events.

Failures are told apart (``voicelive_errors``): a dropped link reconnects with backoff,
re-configures the session and re-sends the conversation so far; authentication, quota
and configuration failures (and a link that will not come back) end Voice Live for the
call: the operator gets one log line, the caller a short message, and the channel
switches to the embedded engine when ``voicelive_fallback_local`` is set (else the
message is a short tone and the call continues typed). The API key only ever goes into
the ``api-key`` header of the upgrade request.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import math
import time
from typing import Any, AsyncIterator

import aiohttp
import numpy as np
from azure.ai.voicelive.aio import ConnectionClosed, ConnectionError as VoiceLiveConnectionError, connect
from azure.ai.voicelive.models import (
    AssistantMessageItem, AudioEchoCancellation, AudioInputTranscriptionOptions, AudioNoiseReduction,
    AzureSemanticVad, AzureStandardVoice, FunctionCallOutputItem, FunctionTool, InputTextContentPart,
    OutputTextContentPart, RequestSession, ResponseCreateParams, SystemMessageItem, UserMessageItem,
)
from azure.core.credentials import AzureKeyCredential

from agent.contracts.actions import HandoffEvent, Say
from agent.config import Settings
from agent.realtime import voicelive_errors
from agent.speech.engine import (
    AgentAudio, AgentAudioDone, AgentTranscript, BargeIn, DialogAction, EngineFallback, FinalTranscript,
    OnSpeechEvent, SpeechChannel, SpeechEngine,
)
from agent.realtime.voicelive_errors import Failure
from agent.realtime.voicelive_tools import DialogFunctions, FunctionResult
from agent.contracts.state import CallState

log = logging.getLogger("switchboard.voicelive")
#: Without functions (a brain with no coordinator) the model only talks.
PLAIN_INSTRUCTIONS = "You are a help line on the phone. Keep every reply to one or two short spoken sentences."

#: Voice Live output format for each session rate (input is ``pcm16`` + ``input_audio_sampling_rate``).
OUTPUT_FORMATS = {8000: "pcm16_8000hz", 16000: "pcm16_16000hz", 24000: "pcm16"}
#: Waits between reconnection attempts after a drop; past the last one the link counts as lost.
RECONNECT_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 4.0)
#: Caller audio kept while reconnecting (older audio is dropped: the caller will repeat).
GAP_AUDIO_S = 3.0
#: Turns re-sent to a new session on resume.
CONTEXT_TURNS = 20
#: A response.create waits this long for the active response to finish.
RESPONSE_WAIT_S = 10.0
TONE_HZ, TONE_MS = 660.0, 350


class VoiceLiveEngine:
    """Implements ``SpeechEngine``. One credential per process; one connection per call."""

    name = "voicelive"

    def __init__(self, settings: Settings, *, fallback: SpeechEngine | None = None) -> None:
        if not settings.voicelive_endpoint:
            raise ValueError("AZURE_VOICELIVE_ENDPOINT must be set when SWITCHBOARD_SPEECH=voicelive")
        self.settings = settings
        self.credential: Any = None
        self.fallback = fallback

    async def start(self) -> None:
        if self.credential is not None:
            return  # started already
        if self.settings.voicelive_api_key:
            self.credential = AzureKeyCredential(self.settings.voicelive_api_key)
        else:
            from azure.identity.aio import DefaultAzureCredential

            self.credential = DefaultAzureCredential()
        if self.settings.voicelive_fallback_local and self.fallback is None:
            from agent.speech.local import LocalSpeechEngine

            self.fallback = LocalSpeechEngine(self.settings)
        if self.fallback is not None:
            await self.fallback.start()
        log.info("voicelive engine ready: endpoint %s, model %s, voice %s, fallback %s",
                 self.settings.voicelive_endpoint, self.settings.voicelive_model, self.settings.voicelive_voice,
                 self.fallback.name if self.fallback is not None else "none")

    async def ready(self) -> None:
        if self.fallback is not None:
            await self.fallback.ready()

    async def close(self) -> None:
        if self.fallback is not None:
            await self.fallback.close()
        close = getattr(self.credential, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()

    def open(self, sample_rate: int, on_event: OnSpeechEvent) -> "VoiceLiveChannel":
        if sample_rate not in OUTPUT_FORMATS:
            raise ValueError(f"Voice Live needs 8000, 16000 or 24000 Hz audio, not {sample_rate}")
        return VoiceLiveChannel(self, sample_rate, on_event)

    def connect(self) -> Any:
        return connect(credential=self.credential, endpoint=str(self.settings.voicelive_endpoint),
                       model=self.settings.voicelive_model)


class _Fatal(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


class VoiceLiveChannel:
    """One call on Voice Live. Implements ``DialogChannel`` until a failure makes it embedded."""

    def __init__(self, engine: VoiceLiveEngine, sample_rate: int, on_event: OnSpeechEvent) -> None:
        self.sample_rate = sample_rate
        self.drives_dialog = True
        self._engine = engine
        self._settings = engine.settings
        self._on_event = on_event
        self._state: CallState | None = None
        self._tools: DialogFunctions | None = None
        self._greeting: str | None = None
        self._conn: Any = None
        self._connected = asyncio.Event()
        self._generation = 0  # one per connection: function calls remember theirs
        self._runner: asyncio.Task[None] | None = None
        self._calls: set[asyncio.Task[None]] = set()
        self._gap = bytearray()
        self._idle = asyncio.Event()
        self._idle.set()
        self._open_items: set[str] = set()
        self._texts: dict[str, str] = {}
        self._speech_stopped_at = time.monotonic()
        self._speech_ms = (0.0, 0.0)
        self._after_reply: list[HandoffEvent] = []  # emitted once the answer about them has been spoken
        self._local: SpeechChannel | None = None
        self._failed: Failure | None = None
        self._closed = False

    # --- DialogChannel ------------------------------------------------------------------
    async def start_dialog(self, functions: DialogFunctions | None, state: CallState, *,
                           greeting: str | None) -> None:
        self._state = state
        self._tools = functions
        self._greeting = greeting
        self._runner = asyncio.create_task(self._run(), name=f"voicelive:{state.session_id}")

    async def interrupted(self, item_id: str, heard_ms: float) -> None:
        conn = self._conn
        if conn is None:
            return
        with contextlib.suppress(VoiceLiveConnectionError):
            if not self._idle.is_set():
                await conn.response.cancel()
            await conn.conversation.item.truncate(item_id=item_id, content_index=0, audio_end_ms=int(heard_ms))

    async def user_text(self, text: str) -> None:
        conn = self._conn
        if conn is None:
            return
        with contextlib.suppress(VoiceLiveConnectionError):
            await conn.conversation.item.create(item=UserMessageItem(content=[InputTextContentPart(text=text)]))
            await self._respond(conn)

    # --- SpeechChannel --------------------------------------------------------------------
    async def feed(self, pcm: bytes) -> None:
        if self._local is not None:
            await self._local.feed(pcm)
            return
        if self._failed is not None or self._closed or not pcm:
            return
        conn = self._conn
        if conn is None:
            self._gap.extend(pcm)
            keep = int(GAP_AUDIO_S * self.sample_rate) * 2
            del self._gap[: max(0, len(self._gap) - keep)]
            return
        try:
            await conn.input_audio_buffer.append(audio=base64.b64encode(pcm).decode("ascii"))
        except VoiceLiveConnectionError:
            self._gap.extend(pcm)  # the receive loop notices the drop and reconnects

    def set_agent_speaking(self, speaking: bool) -> None:
        if self._local is not None:
            self._local.set_agent_speaking(speaking)

    async def synthesize(self, text: str, language: str = "en") -> AsyncIterator[bytes]:
        """Only used once Voice Live has given up: embedded TTS, or a short tone without one."""
        if self._local is not None:
            async for pcm in self._local.synthesize(text, language):
                yield pcm
            return
        yield tone(self.sample_rate)

    async def flush(self) -> None:
        if self._local is not None:
            await self._local.flush()

    async def close(self) -> None:
        """Hang-up: tool calls still running finish and are recorded, but nothing more is spoken."""
        self._closed = True
        if self._calls:
            await asyncio.wait(self._calls, timeout=self._settings.tool_timeout_s * 2 + 1)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        if self._local is not None:
            await self._local.close()

    # --- the connection -------------------------------------------------------------------
    async def _run(self) -> None:
        attempt = 0
        while not self._closed:
            try:
                await self._session(resume=self._generation > 0)
                return  # closed by us
            except _Fatal as exc:
                await self._give_up(exc.failure)
                return
            except (VoiceLiveConnectionError, aiohttp.ClientError, OSError) as exc:
                failure = _connect_failure(exc)
                if failure.kind != "network":
                    await self._give_up(failure)
                    return
                if self._conn is not None:
                    attempt = 0  # the link had worked: this is a fresh drop, not one more failed try
                if attempt >= len(RECONNECT_DELAYS_S):
                    await self._give_up(Failure("network", f"no connection after {attempt} attempts: {failure.detail}"))
                    return
                delay = RECONNECT_DELAYS_S[attempt]
                attempt += 1
                log.warning("voicelive link lost (%s); reconnecting in %.1fs (attempt %d)", failure.detail, delay,
                            attempt)
            finally:
                self._conn = None
                self._connected.clear()
                self._drop_open_items()
            if self._closed:
                return
            await asyncio.sleep(delay)

    async def _session(self, *, resume: bool) -> None:
        async with self._engine.connect() as conn:
            self._generation += 1
            self._idle.set()
            await conn.session.update(session=self._session_config())
            if resume:
                await self._resend_context(conn)
                log.info("voicelive session resumed with %d turns of context", len(self._context()))
            elif self._greeting:
                await self._say(conn, self._greeting)
                self._greeting = None
            self._conn = conn
            self._connected.set()
            if self._gap:
                gap, self._gap = bytes(self._gap), bytearray()
                await conn.input_audio_buffer.append(audio=base64.b64encode(gap).decode("ascii"))
            while not self._closed:
                try:
                    event = await conn.recv()
                except ConnectionClosed:
                    if self._closed:
                        return
                    raise
                except VoiceLiveConnectionError as exc:
                    if "parse" not in str(exc):
                        raise
                    log.warning("voicelive sent an unreadable event; ignored")
                    continue
                await self._handle(conn, event)

    def _session_config(self) -> RequestSession:
        tools = [FunctionTool(name=d["name"], description=d["description"], parameters=d["parameters"])
                 for d in (self._tools.definitions() if self._tools is not None else [])]
        return RequestSession(
            modalities=["text", "audio"],
            instructions=self._tools.instructions if self._tools is not None else PLAIN_INSTRUCTIONS,
            voice=AzureStandardVoice(name=self._settings.voicelive_voice),
            input_audio_format="pcm16",
            input_audio_sampling_rate=self.sample_rate,
            output_audio_format=OUTPUT_FORMATS[self.sample_rate],
            turn_detection=AzureSemanticVad(create_response=True, interrupt_response=True),
            input_audio_noise_reduction=AudioNoiseReduction(type="azure_deep_noise_suppression"),
            input_audio_echo_cancellation=AudioEchoCancellation(),
            input_audio_transcription=AudioInputTranscriptionOptions(model="azure-speech", language="en-US"),
            tools=tools or None,
            tool_choice="auto" if tools else None,
        )

    def _context(self) -> list[dict[str, Any]]:
        turns = self._state.turns if self._state is not None else []
        return [t for t in turns if t.get("text")][-CONTEXT_TURNS:]

    async def _resend_context(self, conn: Any) -> None:
        """A new session knows nothing: give it the conversation so far as text items."""
        for turn in self._context():
            if turn["role"] == "caller":
                item: Any = UserMessageItem(content=[InputTextContentPart(text=turn["text"])])
            else:
                item = AssistantMessageItem(content=[OutputTextContentPart(text=turn["text"])])
            await conn.conversation.item.create(item=item)

    # --- server events ---------------------------------------------------------------------
    async def _handle(self, conn: Any, ev: Any) -> None:
        kind = ev.type
        if kind == "response.audio.delta":
            self._open_items.add(ev.item_id)
            await self._on_event(AgentAudio(ev.item_id, ev.delta))
        elif kind == "response.audio_transcript.delta":
            self._texts[ev.item_id] = self._texts.get(ev.item_id, "") + ev.delta
            await self._on_event(AgentTranscript(ev.item_id, self._texts[ev.item_id], False))
        elif kind == "response.audio_transcript.done":
            self._texts.pop(ev.item_id, None)
            await self._on_event(AgentTranscript(ev.item_id, ev.transcript, True))
        elif kind == "response.output_item.done":
            item_id = ev.item.get("id") if ev.item else None
            if item_id in self._open_items:
                self._open_items.discard(item_id)
                await self._on_event(AgentAudioDone(item_id))
        elif kind == "response.created":
            self._idle.clear()
        elif kind == "response.done":
            self._drop_open_items()
            self._idle.set()
            if self._after_reply:
                held, self._after_reply = self._after_reply, []
                self._spawn(self._emit_actions(held))
        elif kind == "input_audio_buffer.speech_started":
            await self._on_event(BargeIn(float(ev.audio_start_ms)))
            self._speech_ms = (float(ev.audio_start_ms), float(ev.audio_start_ms))
        elif kind == "input_audio_buffer.speech_stopped":
            self._speech_stopped_at = time.monotonic()
            self._speech_ms = (self._speech_ms[0], float(ev.audio_end_ms))
        elif kind == "conversation.item.input_audio_transcription.completed":
            start, end = self._speech_ms
            await self._on_event(FinalTranscript(
                text=ev.transcript, speech_end_ms=end, speech_end_at=self._speech_stopped_at,
                stt_ms=(time.monotonic() - self._speech_stopped_at) * 1000, rtf=0.0, audio_ms=max(0.0, end - start)))
        elif kind == "response.function_call_arguments.done":
            self._spawn(self._function_call(ev.call_id, ev.name, ev.arguments or "", self._generation))
        elif kind == "error":
            failure = voicelive_errors.from_error_event(dict(ev.error or {}))
            if failure is None:
                log.warning("voicelive error event (call goes on): %s", dict(ev.error or {}).get("message", "")[:300])
            elif failure.kind == "network":
                raise VoiceLiveConnectionError(failure.detail)
            else:
                raise _Fatal(failure)

    def _drop_open_items(self) -> None:
        for item_id in list(self._open_items):
            self._spawn(self._on_event(AgentAudioDone(item_id)))
        self._open_items.clear()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)

    # --- function calls -------------------------------------------------------------------
    async def _function_call(self, call_id: str, name: str, arguments: str, generation: int) -> None:
        """Run one function call; its result goes back to the session it came from, or is only recorded."""
        assert self._state is not None
        result = FunctionResult({"status": "error", "message": "no tools are configured"})
        if self._tools is not None:
            try:
                async for item in self._tools.run(name, arguments, self._state):
                    if isinstance(item, FunctionResult):
                        result = item
                    elif isinstance(item, Say):  # the holding phrase of a slow tool
                        if self._conn is not None and not self._closed:
                            await self._say(self._conn, item.text)
                    elif isinstance(item, HandoffEvent):
                        self._after_reply.append(item)
                    else:
                        await self._on_event(DialogAction(item))
            except Exception:
                log.exception("voicelive function %s failed", name[:64])
                result = FunctionResult({"status": "error", "message": "the function failed inside switchboard"})
        if self._conn is None and not self._closed and self._failed is None:
            with contextlib.suppress(asyncio.TimeoutError):  # reconnecting: the resumed session gets it
                await asyncio.wait_for(self._connected.wait(), sum(RECONNECT_DELAYS_S) + 5)
        if self._closed or self._conn is None or self._local is not None:
            # Hung up (or Voice Live gone): the state has the result; nobody is there to hear it.
            log.info("function %s finished after the caller left; recorded, not spoken", name[:64])
            self._after_reply.clear()  # the case is in the state; there is no call left to transfer
            return
        conn = self._conn
        try:
            if generation == self._generation:
                await conn.conversation.item.create(item=FunctionCallOutputItem(call_id=call_id, output=result.json()))
            else:  # the session that asked is gone; tell the resumed one what came back
                await conn.conversation.item.create(item=SystemMessageItem(
                    content=[InputTextContentPart(text=f"Result of {name}: {result.json()}")]))
            await self._respond(conn)
        except VoiceLiveConnectionError:
            log.warning("function %s result not delivered: the link dropped", name[:64])

    async def _emit_actions(self, actions: list[HandoffEvent]) -> None:
        for action in actions:
            await self._on_event(DialogAction(action))

    async def _respond(self, conn: Any, **params: Any) -> None:
        """``response.create`` once no response is active (Voice Live refuses a second one)."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._idle.wait(), RESPONSE_WAIT_S)
        self._idle.clear()
        await conn.response.create(response=ResponseCreateParams(**params) if params else None)

    async def _say(self, conn: Any, text: str) -> None:
        """Have Voice Live speak ``text`` word for word (greeting, holding phrase)."""
        await self._respond(conn, pre_generated_assistant_message=AssistantMessageItem(
            content=[OutputTextContentPart(text=text)]))

    # --- giving up -----------------------------------------------------------------------
    async def _give_up(self, failure: Failure) -> None:
        self._failed = failure
        log.error(failure.operator_line(str(self._settings.voicelive_endpoint)))
        fallback = self._engine.fallback
        if fallback is not None:
            self._local = fallback.open(self.sample_rate, self._on_event)
        self.drives_dialog = False
        message = failure.caller_message(fallback=fallback is not None)
        if self._greeting:  # never greeted: the caller still needs to hear where they are
            message = f"{message} {self._greeting}"
            self._greeting = None
        self._gap.clear()
        await self._on_event(EngineFallback(failure.kind, message))


def _connect_failure(exc: BaseException) -> Failure:
    """What a failed connect or a broken link was (the key is in a header, never in these texts)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, aiohttp.WSServerHandshakeError):
            return voicelive_errors.from_status(cause.status, str(cause.message))
        cause = cause.__cause__
    return Failure("network", type(exc).__name__ + (f": {exc}" if str(exc) else ""))


def tone(sample_rate: int) -> bytes:
    """A short, soft beep: what the caller hears for a message when no voice is available."""
    n = int(sample_rate * TONE_MS / 1000)
    t = np.arange(n) / sample_rate
    envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)
    wave = 0.3 * 32767 * envelope * np.sin(2 * math.pi * TONE_HZ * t)
    return wave.astype(np.int16).tobytes()
