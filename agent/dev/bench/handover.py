"""``switchboard bench handover``: hand-over decision -> the person hears the briefing, in the simulator.

The real bridge (in this process, uvicorn on loopback) with the real Call Automation SDK
over the ACS simulator; the agent is ``ScriptedAgent`` (the caller keys 0, the agent sends
its hand-over). The simulated person answers ``--answer-after`` seconds after the
invitation. Per call, on the bridge's clock: the decision reaching the bridge -> caller on
hold, -> invitation sent, -> answered (AddParticipantSucceeded), -> briefing play request
accepted by ACS (from then on the person hears it), and -> caller connected.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

STEPS = ("held", "invited", "answered", "briefing", "finished")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--calls", type=int, default=20, help="hand-overs, one after the other")
    p.add_argument("--answer-after", type=float, default=0.0, help="seconds the simulated person takes to answer")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


async def _one(data_dir: Path, answer_after: float) -> dict[str, float]:
    from agent.wire import protocol
    from agent.dev.localserver import free_port
    from bridge.apology import tones
    from bridge.config import BridgeSettings
    from bridge.simulator import FAKE_CONNECTION_STRING, FakeAcs, LocalBridge, Person, ScriptedAgent

    legs = [{"target": "pstn:+14255550100", "name": "the supervisor", "mode": "consult", "ring_s": 30}]
    event = protocol.Handoff(legs[0]["target"], "CASE-BENCH2", "bench", "high", legs,
                             "Switchboard hand-over, high priority.")
    fake = FakeAcs(people={"4:+14255550100": Person("answer", answer_after)})
    async with ScriptedAgent([event]) as agent:
        port = free_port()
        settings = BridgeSettings(data_dir=data_dir, host="127.0.0.1", port=port, agent_url=agent.url,
                                  secret="bench-secret", acs_connection_string=FAKE_CONNECTION_STRING,
                                  public_url=f"http://127.0.0.1:{port}")
        async with LocalBridge(settings, fake=fake, apology=tones(16000)) as bridge:
            call = await bridge.place_call()
            await call.peer.send_dtmf("0")
            result = await agent.result()
            if not result.get("ok"):
                raise RuntimeError(f"hand-over failed: {result}")
            timings = bridge.app.state.bridge.live[call.call_id].transfer_run.timings
            await call.callback("CallDisconnected")
            await call.hang_up()
    return {step: 1000 * (timings[step] - timings["decided"]) for step in STEPS}


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.calls):
            runs.append(await _one(Path(tmp) / str(i), args.answer_after))
    out: dict[str, Any] = {"calls": args.calls, "answer_after_ms": 1000 * args.answer_after}
    for step in STEPS:
        values = sorted(r[step] for r in runs)
        out[step] = {"p50_ms": round(statistics.median(values), 1),
                     "p95_ms": round(values[min(len(values) - 1, int(0.95 * len(values)))], 1),
                     "max_ms": round(values[-1], 1)}
    return out


def run(args: argparse.Namespace) -> int:
    import logging

    logging.getLogger("azure").setLevel(logging.ERROR)  # the SDK warns about its own hold request on every call
    figures = asyncio.run(_run(args))
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"hand-over in the ACS simulator: {figures['calls']} calls, person answers after "
          f"{figures['answer_after_ms']:.0f} ms; ms from the decision reaching the bridge")
    labels = {"held": "caller on hold", "invited": "invitation sent", "answered": "person answered",
              "briefing": "briefing playing (ACS accepted the play request)",
              "finished": "caller connected, agent left"}
    for step in STEPS:
        f = figures[step]
        print(f"  {labels[step]:<52} p50 {f['p50_ms']:7.1f}  p95 {f['p95_ms']:7.1f}  max {f['max_ms']:7.1f}")
    return 0
