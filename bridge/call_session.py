"""One phone call in flight: ACS media WebSocket <-> agent link, playback pacing, transfer, fallback.

``CallSession.run`` returns when the call is over for this bridge (caller hung up, the
agent ended the session, or the call was handed to the fallback target).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from typing import Any, Awaitable, Callable

from agent.observability import telemetry
from agent.wire.protocol import (AudioClear, AudioEnd, CallRecording, Close, Error, Handoff, HandoffResult, InputDtmf,
                            ServerEvent)
from agent.wire.client import UnknownEvent
from bridge import media
from bridge.apology import ringback
from bridge.agent_link import AgentLink, AgentUnavailable
from bridge import transfer as consult
from bridge.consent import PROMPT_LIMIT_S, ConsentGate, ConsentPolicy
from bridge.call_control import CallControl, TargetError
from bridge.calls import CallRecord, CallStore, update
from bridge.transfer_run import TransferRun
from bridge.webhooks import CallEvent

log = logging.getLogger("switchboard.bridge.call")

PACKET_S = 0.02
MAX_LATE_S = 0.06  # behind schedule by more than this (a stall): restart the clock rather than burst
TRANSFER_WAIT_S = 60.0
TRANSFER_POLL_S = 0.1
RELAY_POLL_S = 0.05  # while a transfer or the consent prompt awaits callbacks that reached another replica
PLAYOUT_LIMIT_S = 30.0  # the agent's goodbye is played before hanging up, but not forever
#: The agent has not answered a new call this long after the media socket opened (a cold sandbox,
#: most likely): play ringback until it does, rather than leave the caller in silence.
RING_AFTER_S = 0.5
_TRANSFER_DONE = {"transferred", "transfer_failed", "ended"}


class Player:
    """Agent audio to ACS as 20 ms ``AudioData`` packets at real-time pace; ``clear`` stops it at once."""

    def __init__(self, send: Callable[[str], Awaitable[None]], sample_rate: int) -> None:
        self._send = send
        self._packets: deque[bytes] = deque()
        self._packetizer = media.Packetizer(sample_rate)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.open = asyncio.Event()  # cleared: agent audio waits (the consent prompt is playing)
        self.open.set()
        self.packets_sent = 0
        self.stops_sent = 0

    def add(self, pcm: bytes) -> None:
        self._packets.extend(self._packetizer.feed(pcm))
        self._kick()

    def end_item(self) -> None:
        self._packets.extend(self._packetizer.flush())
        self._kick()

    async def clear(self) -> None:
        self._packets.clear()
        self._packetizer.clear()
        self._idle.set()
        self.stops_sent += 1
        await self._send(media.STOP_AUDIO)

    async def drained(self) -> None:
        await self._idle.wait()

    def _kick(self) -> None:
        if self._packets:
            self._idle.clear()
            self._wake.set()

    async def run(self) -> None:
        due: float | None = None
        while True:
            if not self._packets:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                due = None
            if not self.open.is_set():
                await self.open.wait()
                due = None
                if not self._packets:
                    continue
            now = time.monotonic()
            if due is None or due < now - MAX_LATE_S:
                due = now
            if due > now:
                await asyncio.sleep(due - now)
                if not self._packets:  # cleared while waiting
                    continue
            await self._send(media.encode_audio(self._packets.popleft()))
            self.packets_sent += 1
            due += PACKET_S


class CallSession:
    def __init__(
        self,
        record: CallRecord,
        *,
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send_text: Callable[[str], Awaitable[None]],
        link_factory: Callable[..., AgentLink],
        store: CallStore,
        control: CallControl,
        sample_rate: int,
        apology: bytes,
        fallback_target: str | None,
        consent: ConsentPolicy | None = None,
        recording_callback: str | None = None,
    ) -> None:
        self.record = record
        self._receive = receive
        self._send_lock = asyncio.Lock()
        self._send_text = send_text
        self.player = Player(self._send, sample_rate)
        self.link = link_factory(on_event=self._on_agent_event, on_audio=self._on_agent_audio)
        self._store, self._control = store, control
        self._sample_rate = sample_rate
        self._apology, self._fallback = apology, fallback_target
        self._hung_up = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.bad_frames = 0
        self._ring = ringback(sample_rate)
        self.ringing = False
        self.rings = 0  # ring cycles played while waiting for the agent's first answer
        self._tel: telemetry.BridgeCall | None = None
        self.transfer_run: TransferRun | None = None  # the consultative transfer in progress, if any
        self._consent_policy, self._recording_callback = consent, recording_callback
        self.consent: ConsentGate | None = None
        self._consent_heard = asyncio.Event()  # the prompt finished playing (or could not play)
        self._consent_declined = asyncio.Event()
        self._awaiting = 0  # transfers and consent prompts waiting for callback events
        self._awaiting_some = asyncio.Event()  # set while _awaiting > 0: only then is the relay polled
        self._handed_over = False

    async def _send(self, text: str) -> None:
        async with self._send_lock:  # StopAudio may race a paced packet
            await self._send_text(text)

    def hang_up(self) -> None:
        """CallDisconnected arrived on the callback: end as if the media socket closed."""
        self._hung_up.set()

    def call_event(self, event: CallEvent) -> None:
        """A Call Automation callback for this call: the transfer in progress may be waiting for it."""
        if self.transfer_run is not None:
            self.transfer_run.deliver(event)
        if event.kind in ("PlayCompleted", "PlayFailed") and event.operation_context == "consent":
            self._consent_heard.set()

    async def run(self) -> None:
        # The call's span is current before the tasks are made, so the agent connections hang under it.
        with telemetry.bridge_call(self.record.call_id, self.link.session_id) as tel:
            self._tel = tel
            try:
                await self._run()
            finally:
                tel.frames_sent(self.player.packets_sent)

    async def _run(self) -> None:
        player = asyncio.create_task(self.player.run(), name=f"player-{self.record.call_id}")
        link = asyncio.create_task(self.link.run(), name=f"link-{self.record.call_id}")
        caller = asyncio.create_task(self._read_caller(), name=f"acs-{self.record.call_id}")
        hung_up = asyncio.create_task(self._hung_up.wait())
        self._spawn(self._take_relayed())
        if self._consent_policy is not None and self.record.caller:  # phone calls only
            self.player.open.clear()  # before any agent audio can arrive: the caller hears the prompt first, alone
            self._spawn(self._ask_consent(self._consent_policy))
        # Held, like agent audio, while the consent prompt plays.
        ring = asyncio.create_task(self._ring_until_answered(), name=f"ring-{self.record.call_id}")
        try:
            await asyncio.wait({link, caller, hung_up}, return_when=asyncio.FIRST_COMPLETED)
            if caller.done() or hung_up.done():
                record = await self._store.get(self.record.call_id)
                transferred = self._handed_over or (record is not None and record.state == "transferred")
                if self.transfer_run is not None and not transferred:
                    self.transfer_run.caller_gone()
                await self.link.end("transferred" if transferred else "caller hung up")
            elif isinstance(link.exception(), AgentUnavailable):
                log.warning("call %s: agent unreachable too long; apologising and transferring", self.record.call_id)
                if self._tel is not None:
                    self._tel.outage(first_connection=not self.link.first_ready.is_set())
                await self._fallback_transfer()
            elif link.exception() is not None:
                log.error("call %s: agent link failed: %r", self.record.call_id, link.exception())
                await self._fallback_transfer()
            elif link.result() == Close.NORMAL:
                await self._agent_ended()
            # 4000: a newer connection (another replica) owns the session now: just let go.
        finally:
            for task in (player, link, caller, hung_up, ring, *self._tasks):
                task.cancel()
            await asyncio.gather(player, link, caller, hung_up, ring, *self._tasks, return_exceptions=True)

    async def _ring_until_answered(self) -> None:
        answered = self.link.first_ready
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(answered.wait(), RING_AFTER_S)
            return
        self.ringing = True
        log.info("call %s: agent not answering yet (starting?); ringing", self.record.call_id)
        while self.ringing and not answered.is_set():
            self.player.add(self._ring)
            self.player.end_item()
            self.rings += 1
            cycle = asyncio.ensure_future(self.player.drained())
            wait = asyncio.ensure_future(answered.wait())
            await asyncio.wait({cycle, wait}, return_when=asyncio.FIRST_COMPLETED)
            cycle.cancel()
            wait.cancel()
        await self._stop_ringing()

    async def _stop_ringing(self) -> None:
        # Cut the ring at once: the agent's greeting (or the apology) must not queue behind it.
        if self.ringing:
            self.ringing = False
            await self.player.clear()

    # --- caller -> agent ---------------------------------------------------------------
    async def _read_caller(self) -> None:
        while True:
            message = await self._receive()
            received = time.perf_counter()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", "replace")
            try:
                frame = media.parse(text)
            except media.MediaError as exc:
                self.bad_frames += 1
                if self.bad_frames <= 3 or self.bad_frames % 1000 == 0:
                    log.warning("call %s: bad ACS frame #%d: %s", self.record.call_id, self.bad_frames, exc)
                continue
            if isinstance(frame, media.AudioIn):
                await self.link.send_audio(frame.pcm)
                if self._tel is not None:
                    self._tel.frames_sent(self.player.packets_sent)
                    self._tel.frame_in(received)
            elif isinstance(frame, media.DtmfIn):
                if self.consent is not None and self.consent.key(frame.digits):
                    self._consent_declined.set()  # the opt-out key answers the prompt; it is not a caller turn
                    continue
                await self.link.send(InputDtmf(frame.digits))
            elif frame.sample_rate != self._sample_rate:
                log.warning("call %s: ACS streams %d Hz, bridge expects %d Hz", self.record.call_id,
                            frame.sample_rate, self._sample_rate)

    # --- agent -> caller -------------------------------------------------------------------
    async def _on_agent_audio(self, pcm: bytes) -> None:
        await self._stop_ringing()
        self.player.add(pcm)

    async def _on_agent_event(self, event: ServerEvent | UnknownEvent) -> None:
        if isinstance(event, AudioClear):
            await self.player.clear()
        elif isinstance(event, AudioEnd):
            self.player.end_item()
        elif isinstance(event, Handoff):
            if event.legs:
                work = self._consult_for_agent(event)
            else:
                work = self._transfer_for_agent(event.target, event.case_id)
            self._spawn(work)
        elif isinstance(event, Error):
            log.warning("call %s: agent error %s", self.record.call_id, event.code)

    async def _take_relayed(self) -> None:
        """Callback events another replica received for this call, while something here awaits them."""
        while True:
            # Idle calls wait here rather than waking every 50 ms for nothing (100 calls: 2000 wake-ups a second).
            await self._awaiting_some.wait()
            await asyncio.sleep(RELAY_POLL_S)
            if self._awaiting:
                for body in await self._store.take_relayed(self.record.call_id):
                    self.call_event(CallEvent(**json.loads(body)))

    @contextlib.asynccontextmanager
    async def _awaiting_callbacks(self) -> Any:
        self._awaiting += 1
        self._awaiting_some.set()
        try:
            yield
        finally:
            self._awaiting -= 1
            if not self._awaiting:
                self._awaiting_some.clear()

    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- recording consent -------------------------------------------------------------------
    async def _ask_consent(self, policy: ConsentPolicy) -> None:
        """Prompt, wait for the opt-out key, then record (or not) and tell the agent, for the case."""
        self.consent = ConsentGate(policy.opt_out_digit)
        try:
            record = await update(self._store, self.record.call_id, recording="asking")
            if record is not None and record.call_connection_id:
                await self._consent_decision(policy, record.call_connection_id)
        finally:
            self.player.open.set()

    async def _consent_decision(self, policy: ConsentPolicy, call_connection_id: str) -> None:
        assert self.consent is not None
        try:
            await self._control.play_text(call_connection_id, None, policy.prompt, "consent")
        except Exception as exc:  # no prompt, no consent: never record a caller who was not told
            log.warning("call %s: consent prompt failed (%s): not recording", self.record.call_id, type(exc).__name__)
            self.consent.key(policy.opt_out_digit)
        else:
            async with self._awaiting_callbacks():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._consent_heard.wait(), PROMPT_LIMIT_S)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._consent_declined.wait(), policy.window_s)
        if self.consent.window_over() == "declined":
            await update(self._store, self.record.call_id, recording="declined")
            await self.link.send(CallRecording("declined"))
            return
        try:
            recording_id = await self._control.start_recording(call_connection_id, self._recording_callback)
        except Exception as exc:
            log.warning("call %s: recording did not start: %s", self.record.call_id, type(exc).__name__)
            await update(self._store, self.record.call_id, recording="off", reason="recording did not start")
            await self.link.send(CallRecording("off"))
            return
        await update(self._store, self.record.call_id, recording="recording", recording_id=recording_id)
        await self.link.send(CallRecording("recording", recording_id))

    # --- transfers -----------------------------------------------------------------------
    async def _transfer_for_agent(self, target: str, case_id: str) -> None:
        ok, reason = await self.transfer(target, case_id)
        await self.link.send(HandoffResult(ok, None if ok else reason))

    async def _consult_for_agent(self, event: Handoff) -> None:
        ok, reason, target = await self.consult(event)
        await self.link.send(HandoffResult(ok, None if ok else reason, target))

    async def consult(self, event: Handoff) -> tuple[bool, str, str | None]:
        """Warm transfer over the legs the agent sent: caller held, person invited and briefed, then connected."""
        case_id = event.case_id
        try:
            legs = [consult.Leg(target=str(leg["target"]), name=str(leg.get("name") or ""),
                                mode=str(leg.get("mode") or "consult"), ring_s=float(leg.get("ring_s") or 30.0))
                    for leg in event.legs or ()]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return False, f"bad hand-over legs: {exc}", None
        record = await self._store.get(self.record.call_id)
        if record is None or not record.call_connection_id:
            return False, "the call is not connected yet", None
        if self.transfer_run is not None and not self.transfer_run.machine.done:
            return False, "a transfer is already in progress", None
        await update(self._store, record.call_id, state="transferring", case_id=case_id, transfer_target=legs[0].target)
        machine = consult.ConsultTransfer(case_id, legs, event.briefing or event.reason or "",
                                          attempt=uuid.uuid4().hex[:8])
        run = self.transfer_run = TransferRun(self._control, record.call_connection_id, record.caller, machine)
        async with self._awaiting_callbacks():
            result = await run.run()
        if self._tel is not None:
            self._tel.transfer(result.ok)
        log.info("call %s: hand-over %s (%s) in %.0f ms to briefing", self.record.call_id,
                 "connected" if result.ok else "returned", result.reason,
                 1000 * (run.timings.get("briefing", run.timings["decided"]) - run.timings["decided"]))
        if result.ok:
            self._handed_over = True
            await update(self._store, record.call_id, state="transferred", transfer_target=result.target)
        else:
            await update(self._store, record.call_id, state="transfer_failed", reason=result.reason)
            self._spawn(run.linger())
        return result.ok, result.reason, result.target

    async def transfer(self, target: str, case_id: str) -> tuple[bool, str]:
        """Blind-transfer the call and wait for ACS to accept or refuse it (via the callback, on any replica)."""
        ok, reason = await self._transfer(target, case_id)
        if self._tel is not None:
            self._tel.transfer(ok)
        return ok, reason

    async def _transfer(self, target: str, case_id: str) -> tuple[bool, str]:
        record = await self._store.get(self.record.call_id)
        if record is None or not record.call_connection_id:
            return False, "the call is not connected yet"
        await update(self._store, record.call_id, state="transferring", case_id=case_id, transfer_target=target)
        try:
            await self._control.transfer(record.call_connection_id, target, case_id)
        except TargetError as exc:
            await update(self._store, record.call_id, state="transfer_failed", reason=str(exc))
            return False, str(exc)
        except Exception as exc:  # ACS refused the request (HttpResponseError) or was unreachable
            reason = f"transfer request failed: {type(exc).__name__}"
            await update(self._store, record.call_id, state="transfer_failed", reason=reason)
            return False, reason
        deadline = time.monotonic() + TRANSFER_WAIT_S
        while time.monotonic() < deadline:
            current = await self._store.get(record.call_id)
            if current is not None and current.state in _TRANSFER_DONE:
                if current.state == "transferred":
                    return True, ""
                return False, current.reason or current.state
            await asyncio.sleep(TRANSFER_POLL_S)
        return False, "no transfer outcome from ACS in time"

    async def _agent_ended(self) -> None:
        """The agent ended the session (the caller said goodbye): finish playing, then hang up."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.player.drained(), PLAYOUT_LIMIT_S)
        await self._hang_up_call()

    async def _hang_up_call(self) -> None:
        record = await self._store.get(self.record.call_id)
        if record and record.call_connection_id and record.state not in ("transferred", "ended"):
            try:
                await self._control.hang_up(record.call_connection_id)
            except Exception as exc:  # the call may already be gone
                log.warning("call %s: hang-up failed: %s", self.record.call_id, type(exc).__name__)

    async def _fallback_transfer(self) -> None:
        await self._stop_ringing()
        self.player.add(self._apology)
        self.player.end_item()
        await self.player.drained()
        if self._fallback:
            ok, reason = await self.transfer(self._fallback, f"bridge-fallback-{self.record.call_id}")
            if ok:
                return
            log.error("call %s: fallback transfer failed: %s", self.record.call_id, reason)
        await self._hang_up_call()
