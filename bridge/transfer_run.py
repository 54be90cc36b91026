"""Runs one ``ConsultTransfer`` against ACS: executes its commands, feeds it the callback events.

Call Automation events reach ``deliver`` (from the callback route of this replica); the
ring timer is a backstop to ACS's own invitation timeout. ``timings`` records, on the
monotonic clock, when the hand-over was decided, the caller held, the person invited,
answered and briefed, for the hand-over figures (``switchboard bench handover``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from bridge import transfer as t
from bridge.call_control import CallControl
from bridge.webhooks import CallEvent

log = logging.getLogger("switchboard.bridge.transfer")

RING_GRACE_S = 5.0  # ACS's invitation timeout should fire first; ours only covers a lost event
#: Callbacks a transfer or the consent prompt waits for: relayed through the call store when they
#: reach a replica that does not hold the call's media socket.
AWAITED_KINDS = frozenset({"AddParticipantSucceeded", "AddParticipantFailed", "PlayCompleted", "PlayFailed",
                           "CallTransferAccepted", "CallTransferFailed"})


def event_for(call_event: CallEvent) -> t.Event | None:
    """The transfer event a Call Automation callback stands for (None: not about a transfer)."""
    ctx = call_event.operation_context or ""
    reason = call_event.message or ""
    match call_event.kind:
        case "AddParticipantSucceeded":
            return t.Answered(ctx)
        case "AddParticipantFailed":
            return t.NotAnswered(ctx, reason or "no answer")
        case "PlayCompleted":
            return t.BriefingDone(ctx)
        case "PlayFailed":
            return t.BriefingDone(ctx, played=False)
        case "CallTransferAccepted":
            return t.TransferOutcome(ctx, True)
        case "CallTransferFailed":
            return t.TransferOutcome(ctx, False, reason or "transfer failed")
    return None


class TransferRun:
    def __init__(self, control: CallControl, call_connection_id: str, caller: str | None,
                 machine: t.ConsultTransfer, *, grace_s: float | None = None) -> None:
        self._control, self._conn, self._caller = control, call_connection_id, caller
        self.machine = machine
        self._grace_s = RING_GRACE_S if grace_s is None else grace_s
        self._events: asyncio.Queue[t.Event] = asyncio.Queue()
        self._invitations: dict[str, str] = {}
        self._timers: list[asyncio.Task[None]] = []
        self.timings: dict[str, float] = {"decided": time.monotonic()}
        self.result: t.Finished | None = None

    def deliver(self, call_event: CallEvent) -> None:
        event = event_for(call_event)
        if event is not None:
            self._events.put_nowait(event)

    def caller_gone(self) -> None:
        self._events.put_nowait(t.CallerGone())

    async def run(self) -> t.Finished:
        """Until the machine finishes; late events (a person answering a leg given up) are still handled after."""
        commands = self.machine.start()
        try:
            while True:
                await self._execute_all(commands)
                if self.result is not None:
                    return self.result
                commands = self.machine.on(await self._events.get())
        finally:
            for timer in self._timers:
                timer.cancel()

    async def linger(self) -> None:
        """After ``run``: keep answering stray events until cancelled (the call is still ours)."""
        while True:
            await self._execute_all(self.machine.on(await self._events.get()))

    async def _execute_all(self, commands: list[t.Command]) -> None:
        queue = list(commands)
        while queue:
            command = queue.pop(0)
            failed = await self._execute(command)
            if failed is not None:
                queue.extend(self.machine.on(failed))

    async def _execute(self, command: t.Command) -> t.CommandFailed | None:
        c, conn = self._control, self._conn
        context = getattr(command, "context", "")
        try:
            match command:
                case t.Hold():
                    if self._caller:
                        await c.hold(conn, self._caller)
                    self.timings["held"] = time.monotonic()
                case t.Unhold():
                    if self._caller:
                        await c.unhold(conn, self._caller)
                case t.AddParticipant(target=target, ring_s=ring_s, context=ctx):
                    self.timings.setdefault("invited", time.monotonic())
                    invitation = await c.add_participant(conn, target, ring_s=ring_s, context=ctx,
                                                         case_id=self.machine.case_id)
                    if invitation:
                        self._invitations[ctx] = invitation
                    self._timers.append(asyncio.create_task(self._ring_timer(ctx, ring_s + self._grace_s)))
                case t.CancelAdd(context=ctx):
                    if ctx in self._invitations:
                        await c.cancel_add(conn, self._invitations[ctx], ctx)
                case t.RemoveParticipant(target=target, context=ctx):
                    await c.remove_participant(conn, target, ctx)
                case t.PlayBriefing(target=target, text=text, context=ctx):
                    self.timings["answered"] = time.monotonic()
                    await c.play_text(conn, target, text, ctx)
                    self.timings["briefing"] = time.monotonic()
                case t.Leave():
                    await c.leave(conn)
                case t.BlindTransfer(target=target, context=ctx):
                    await c.transfer(conn, target, self.machine.case_id, ctx)
                case t.Finished():
                    self.timings["finished"] = time.monotonic()
                    self.result = command
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # ACS refused (HttpResponseError), an undialable target, or unreachable
            log.warning("transfer %s: %s failed: %s", self.machine.case_id, type(command).__name__, type(exc).__name__)
            if isinstance(command, (t.Leave, t.CancelAdd, t.RemoveParticipant)):
                return None  # cleanup: nothing the caller's outcome depends on
            return t.CommandFailed(context if isinstance(command, (t.AddParticipant, t.PlayBriefing, t.BlindTransfer))
                                   else "", f"{type(command).__name__} refused: {_why(exc)}")
        return None

    async def _ring_timer(self, context: str, after_s: float) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(after_s)
            self._events.put_nowait(t.RingTimeout(context))


def _why(exc: Exception) -> str:
    status: Any = getattr(exc, "status_code", None)
    return f"HTTP {status}" if status else (str(exc)[:120] if isinstance(exc, ValueError) else type(exc).__name__)
