"""Voice Live as the speech engine: a real ``switchboard serve`` drives the REAL azure-ai-voicelive SDK
against a local emulator of the realtime protocol, with the real coordinator, real MCP server
processes and the real SQLite stores."""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from agent.brain.switchboard import GREETING
from agent.config import Settings
from agent.store import open_store
from tests.support.voicelive_emulator import Call, Say, Turn, VoiceLiveEmulator
from tests.support.wsclient import Client

pytestmark = pytest.mark.timeout(120)

KEY = "vl-test-key-7f3a9c"
RATE = 16000
LEAK = "pump P-4512 at site 14 is leaking, please open a work order"
ORDER = {"site": 14, "asset_tag": "P-4512", "summary": "pump leaking", "priority": "high"}


def speech(ms: int) -> list[bytes]:
    """Loud caller audio (a tone) in 20 ms frames: the emulator 'hears' it as speech."""
    t = np.arange(int(RATE * ms / 1000)) / RATE
    pcm = (9000 * np.sin(2 * math.pi * 180 * t)).astype(np.int16).tobytes()
    return [pcm[i : i + 640] for i in range(0, len(pcm), 640)]


async def talk(client: Client, ms: int = 400) -> None:
    for frame in speech(ms):
        await client.conn.send(frame)
        await asyncio.sleep(0.005)


def env(emulator: VoiceLiveEmulator, **extra: str) -> dict[str, str]:
    return {"SWITCHBOARD_SPEECH": "voicelive", "AZURE_VOICELIVE_ENDPOINT": emulator.url,
            "AZURE_VOICELIVE_API_KEY": KEY, "SWITCHBOARD_BRAIN": "switchboard",
            "SWITCHBOARD_VOICELIVE_FALLBACK": "false", **extra}


@pytest.fixture
async def emulator_factory():
    made: list[VoiceLiveEmulator] = []

    async def make(script: list[Turn], **kw: Any) -> VoiceLiveEmulator:
        emulator = await VoiceLiveEmulator(script, api_key=kw.pop("api_key", KEY), **kw).start()
        made.append(emulator)
        return emulator

    yield make
    for emulator in made:
        await emulator.close()


def upgrades(emulator: VoiceLiveEmulator) -> list[dict[str, Any]]:
    return [r for r in emulator.requests if r["path"].startswith("/voice-live/realtime")]


def outputs(emulator: VoiceLiveEmulator) -> list[dict[str, Any]]:
    """Function results switchboard sent back, parsed."""
    return [json.loads(e["item"]["output"]) for e in emulator.of("conversation.item.create")
            if e["item"].get("type") == "function_call_output"]


async def seen(client: Client, kind: str, timeout: float = 30.0, **match: Any) -> dict[str, Any]:
    """The event, whether it already arrived or is still to come: with Voice Live the caller's
    transcript, the route and the agent's answer may arrive in any order."""
    for event in client.events:
        if event.get("type") == kind and all(event.get(k) == v for k, v in match.items()):
            return event
    return await client.wait_for(kind, timeout, **match)


async def said(client: Client, role: str, text: str) -> dict[str, Any]:
    return await seen(client, "transcript", role=role, text=text)


async def ended(client: Client) -> None:
    """``session.ended`` arrived and the server closed the socket (it persists the state in between)."""
    await client.wait_for("session.ended")
    await asyncio.wait_for(client.conn.wait_closed(), 10)


async def load_state(data_dir: Path, session_id: str) -> dict[str, Any]:
    store = open_store(Settings(data_dir=data_dir))
    try:
        record = await store.load(session_id)
        assert record is not None
        return record.state
    finally:
        await store.close()


async def test_full_call_routes_confirms_and_creates_a_work_order(server_factory, emulator_factory, tmp_path):
    emulator = await emulator_factory([
        Turn(LEAK, [Call("route_request", {"utterance": LEAK}), Call("create_work_order", ORDER),
                    Say("A high priority work order for pump P 4512 at site 14, leaking. Shall I go ahead?", 900)]),
        Turn("yes please", [Call("create_work_order", ORDER), Say("Done. Your reference is on its way.", 600)]),
    ])
    server = server_factory(env(emulator))
    c = await Client.connect(server.ws, "vl-call-1")
    ready = await c.start(sample_rate=RATE)
    assert ready["speech"] is True

    # The greeting is Voice Live speaking the brain's greeting word for word, played as binary frames.
    greeting = await c.wait_for("transcript", role="agent")
    assert greeting["text"] == GREETING
    assert (await c.wait_for("audio.end"))["item_id"] == greeting["item_id"]
    assert len(c.audio) > RATE  # over half a second of agent audio reached the caller
    update = emulator.of("session.update")[0]["session"]
    assert update["voice"] == {"name": Settings().voicelive_voice, "type": "azure-standard"}
    assert update["turn_detection"]["type"] == "azure_semantic_vad"
    assert update["input_audio_noise_reduction"] == {"type": "azure_deep_noise_suppression"}
    assert update["input_audio_echo_cancellation"]["type"] == "server_echo_cancellation"
    assert update["input_audio_sampling_rate"] == RATE and update["output_audio_format"] == "pcm16_16000hz"
    assert update["input_audio_transcription"]["model"]
    tools = {t["name"]: t for t in update["tools"]}
    assert {"route_request", "handoff_to_human", "create_work_order", "create_incident"} <= set(tools)
    assert "idempotency_key" not in tools["create_work_order"]["parameters"]["properties"]

    await talk(c)
    caller = await said(c, "caller", LEAK)
    assert caller["kind"] == "speech"
    route = await seen(c, "route")
    assert route["target"] == "field_ops" and route["intent"] == "work_order.create"
    answer = await said(c, "agent", "A high priority work order for pump P 4512 at site 14, leaking. Shall I go ahead?")
    # The spoken turn is measured once its spoken reply has been played out.
    metrics = await seen(c, "turn.metrics", turn=1)
    assert metrics["decision_ms"] >= 0 and metrics["stt_ms"] >= 0
    assert 0 < metrics["first_audio_ms"] < metrics["total_ms"], metrics
    assert [e["seq"] for e in c.of("audio.end") if e["item_id"] == answer["item_id"]][0] < metrics["seq"]
    first = outputs(emulator)
    assert first[0]["action"] == "route" and "create_work_order" in first[0]["tools"]
    assert first[1]["status"] == "needs_confirmation"  # the model asked before the caller said yes
    assert not c.of("tool")

    await talk(c)  # the answer has been heard out (its metrics came after its audio.end)
    await said(c, "caller", "yes please")
    started = await seen(c, "tool", status="started")
    ok = await seen(c, "tool", status="ok")
    assert started["name"] == ok["name"] == "create_work_order"
    assert started["arguments"]["idempotency_key"].startswith("sb-")
    work_order = ok["result"]["work_order_id"]
    await emulator.wait_for("response.create", count=4)
    done = outputs(emulator)[-1]
    assert done["status"] == "ok" and done["result"]["work_order_id"] == work_order
    await said(c, "agent", "Done. Your reference is on its way.")
    assert (await seen(c, "turn.metrics", turn=2))["first_audio_ms"] > 0

    with sqlite3.connect(tmp_path / "data" / "mcp" / "field_ops.sqlite") as db:
        row = db.execute("SELECT site, asset_tag, priority FROM work_orders WHERE number = ?",
                         (int(work_order.split("-")[1]),)).fetchone()
    assert row == (14, "P-4512", "high")

    await c.send("session.end", reason="caller hung up")
    await ended(c)
    state = await load_state(tmp_path / "data", "vl-call-1")
    assert [t["role"] for t in state["turns"]][:3] == ["agent", "caller", "agent"]
    assert state["tool_attempts"][-1]["ok"] is True and state["routes"][-1]["intent"] == "work_order.create"

    # The key went only into the upgrade header: never to the client, the log, or any event.
    assert all(r["headers"].get("api-key") == KEY for r in upgrades(emulator))
    assert KEY not in server.log()
    assert not any(KEY in json.dumps(e) for e in c.events)
    assert not any(KEY in json.dumps(e) for e in emulator.received)


async def test_barge_in_clears_cancels_and_truncates_to_what_was_heard(server_factory, emulator_factory, tmp_path):
    story = " ".join(f"word{i}" for i in range(40))
    emulator = await emulator_factory([
        Turn("tell me everything", [Say(story, 4000)]),
        Turn("stop there", [Say("Okay.", 400)]),
    ])
    server = server_factory(env(emulator))
    c = await Client.connect(server.ws, "vl-barge")
    await c.start(sample_rate=RATE)
    await c.wait_for("audio.end")  # the greeting
    await talk(c)
    start = await c.wait_for("audio.start")
    t0 = time.monotonic()
    while time.monotonic() - t0 < 1.0:  # let about a second of the story play
        await c.recv(5)
    await talk(c, 60)  # the caller starts talking over the agent
    clear = await c.wait_for("audio.clear")
    assert clear["item_id"] == start["item_id"]
    truncate = (await emulator.wait_for("conversation.item.truncate"))[0]
    # What had been played (about a second, more on a busy machine), not the whole 4 s item that was sent.
    assert 700 <= truncate["audio_end_ms"] < 4000, truncate
    assert emulator.of("response.cancel")
    await talk(c)
    await said(c, "caller", "stop there")
    await said(c, "agent", "Okay.")
    await c.send("session.end", reason="done")
    await ended(c)

    state = await load_state(tmp_path / "data", "vl-barge")
    told = next(t for t in state["turns"] if t["role"] == "agent" and t.get("interrupted"))
    heard_words = told["text"].rstrip("…").split()
    assert 3 <= len(heard_words) < 40 and told["text"].endswith("…")
    assert abs(told["heard_ms"] - truncate["audio_end_ms"]) < 400
    # The caller's side learnt the same: what was heard of that item, once.
    assert [(t["item_id"], t["text"], t["heard_ms"]) for t in c.of("transcript.truncated")] == [
        (clear["item_id"], told["text"], told["heard_ms"])]


async def test_auth_failure_is_told_apart_spoken_and_logged_and_the_call_goes_on_typed(
        server_factory, emulator_factory):
    emulator = await emulator_factory([], api_key="the-right-key")
    server = server_factory(env(emulator))
    c = await Client.connect(server.ws, "vl-auth")
    await c.start(sample_rate=RATE)
    error = await c.wait_for("error")
    assert error["code"] == "speech_unavailable" and "auth" in error["message"]
    message = await c.wait_for("transcript", role="agent")
    assert message["text"].startswith("Sorry, my voice service isn't available right now.")
    assert GREETING in message["text"]  # never greeted by Voice Live, so greeted now
    await c.wait_for("audio.end")
    assert len(c.audio) >= RATE * 2 * 0.3  # no local voice loaded: a short tone instead
    for _ in range(50):
        if "voicelive auth failure" in server.log():
            break
        await asyncio.sleep(0.1)
    line = next(ln for ln in server.log().splitlines() if "voicelive auth failure" in ln)
    assert "HTTP 401" in line and "AZURE_VOICELIVE_API_KEY" in line and KEY not in server.log()
    assert len(upgrades(emulator)) == 1  # a refused key is not retried

    await c.send("input.text", text="I want to speak to a person")
    handoff = await c.wait_for("handoff")
    assert handoff["case_id"]


@pytest.mark.parametrize("kind,options,expect", [
    ("quota", {"fail_status": 429}, "very busy"),
    ("config", {"reject_voice": True}, "isn't set up correctly"),
    ("quota", {"error_event": {"type": "rate_limit_error", "code": "rate_limit_exceeded", "message": "slow down"}},
     "very busy"),
])
async def test_quota_and_configuration_failures_are_told_apart(server_factory, emulator_factory, kind, options, expect):
    emulator = await emulator_factory([], **options)
    server = server_factory(env(emulator))
    c = await Client.connect(server.ws, f"vl-{kind}")
    await c.start(sample_rate=RATE)
    error = await c.wait_for("error")
    assert error["code"] == "speech_unavailable" and kind in error["message"]
    assert expect in (await c.wait_for("transcript", role="agent"))["text"]
    for _ in range(50):
        if f"voicelive {kind} failure" in server.log():
            break
        await asyncio.sleep(0.1)
    assert f"voicelive {kind} failure" in server.log()
    assert len(upgrades(emulator)) == 1  # not retried


async def test_a_dropped_connection_reconnects_and_resumes_with_the_conversation(
        server_factory, emulator_factory):
    emulator = await emulator_factory([
        Turn("my printer is jammed", [Say("Sorry to hear that. Which floor is it on?", 700)], drop_after=True),
        Turn("the third floor", [Say("Thanks, third floor it is.", 600)]),
    ])
    server = server_factory(env(emulator))
    c = await Client.connect(server.ws, "vl-drop")
    await c.start(sample_rate=RATE)
    await c.wait_for("audio.end")
    await talk(c)
    await said(c, "agent", "Sorry to hear that. Which floor is it on?")
    # The emulator cuts TCP after that reply; switchboard reconnects and re-configures.
    updates = await emulator.wait_for("session.update", count=2, timeout=15)
    assert updates[1]["_conn"] == 2 and updates[1]["session"]["tools"] == updates[0]["session"]["tools"]
    await asyncio.sleep(0.3)
    context = [e["item"] for e in emulator.of("conversation.item.create") if e["_conn"] == 2]
    texts = [(i["role"], i["content"][0]["text"]) for i in context]
    assert ("user", "my printer is jammed") in texts
    assert ("assistant", "Sorry to hear that. Which floor is it on?") in texts
    assert texts[0] == ("assistant", GREETING)
    await talk(c)
    await said(c, "caller", "the third floor")
    await said(c, "agent", "Thanks, third floor it is.")
    assert "reconnecting" in server.log() and "resumed with" in server.log()
    assert not c.of("error")


def hold_write_lock(db_path: Path, seconds: float) -> threading.Thread:
    """Another writer holds the field-ops store: the MCP tool waits (busy timeout), then succeeds."""
    locked = threading.Event()

    def run() -> None:
        db = sqlite3.connect(db_path, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        db.execute("ROLLBACK")
        db.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    locked.wait(5)
    return thread


SLOW_SCRIPT = [
    Turn("open a work order for pump P-4512 at site 14, it's leaking", [
        Call("create_work_order", ORDER), Say("High priority, pump P 4512, site 14. Shall I?", 500)]),
    Turn("yes", [Call("create_work_order", ORDER), Say("Done, it's booked.", 500)]),
]


async def test_a_slow_tool_gets_a_holding_phrase_then_its_result(server_factory, emulator_factory, tmp_path):
    emulator = await emulator_factory(SLOW_SCRIPT)
    server = server_factory(env(emulator))
    c = await Client.connect(server.ws, "vl-slow")
    await c.start(sample_rate=RATE)
    await c.wait_for("audio.end")
    await talk(c)
    await said(c, "agent", "High priority, pump P 4512, site 14. Shall I?")
    await c.wait_for("audio.end")
    lock = hold_write_lock(tmp_path / "data" / "mcp" / "field_ops.sqlite", 1.8)
    await talk(c)
    await seen(c, "tool", status="started")
    holding = await said(c, "agent", "One moment while I set that up.")
    ok = await seen(c, "tool", status="ok")
    assert ok["latency_ms"] > 1000
    await said(c, "agent", "Done, it's booked.")
    lock.join()
    spoken = [e for e in emulator.of("response.create") if (e.get("response") or {}).get("pre_generated_assistant_message")]
    assert spoken[-1]["response"]["pre_generated_assistant_message"]["content"][0]["text"] == holding["text"]
    assert outputs(emulator)[-1]["status"] == "ok"
    assert "active_response" not in server.log()  # the result waited for the holding phrase to finish


async def test_a_tool_result_after_hang_up_is_recorded_not_spoken(server_factory, emulator_factory, tmp_path):
    emulator = await emulator_factory(SLOW_SCRIPT)
    server = server_factory(env(emulator))
    c = await Client.connect(server.ws, "vl-gone")
    await c.start(sample_rate=RATE)
    await c.wait_for("audio.end")
    await talk(c)
    await c.wait_for("audio.end")
    lock = hold_write_lock(tmp_path / "data" / "mcp" / "field_ops.sqlite", 1.5)
    await talk(c)
    await seen(c, "tool", status="started")
    await c.close()  # the caller hangs up while the tool is still waiting
    lock.join()
    for _ in range(100):
        state = await load_state(tmp_path / "data", "vl-gone")
        if state["tool_attempts"]:
            break
        await asyncio.sleep(0.1)
    attempt = state["tool_attempts"][-1]
    assert attempt["ok"] is True and attempt["result"]["work_order_id"].startswith("WO-")
    await asyncio.sleep(0.5)
    assert [o["status"] for o in outputs(emulator)] == ["needs_confirmation"]  # the result was never sent to speak
    assert "recorded, not spoken" in server.log()


async def test_hostile_function_calls_get_clear_errors_and_the_call_goes_on(server_factory, emulator_factory, tmp_path):
    hostile_id = "WO-1'; DROP TABLE work_orders; --"
    emulator = await emulator_factory([Turn("do something strange", [
        Call("drop_all_tables", {}),
        Call("create_work_order", "{not json"),
        Call("create_work_order", "x" * 1_000_000),
        Call("get_work_order", {"work_order_id": hostile_id}),
        Say("Sorry, I couldn't do that.", 500)])])
    server = server_factory(env(emulator))
    c = await Client.connect(server.ws, "vl-hostile")
    await c.start(sample_rate=RATE)
    await c.wait_for("audio.end")
    await talk(c)
    await said(c, "agent", "Sorry, I couldn't do that.")
    results = outputs(emulator)
    assert results[0] == {"status": "error", "message": "there is no function named 'drop_all_tables'"}
    assert "not valid JSON" in results[1]["message"] and "longer than" in results[2]["message"]
    assert results[3]["status"] == "error" and results[3]["kind"] == "rejected"
    failed = await seen(c, "tool", status="error")
    assert failed["name"] == "get_work_order" and failed["arguments"]["work_order_id"] == hostile_id
    with sqlite3.connect(tmp_path / "data" / "mcp" / "field_ops.sqlite") as db:
        assert db.execute("SELECT count(*) FROM work_orders").fetchone()[0] > 0  # the table is still there
    assert not c.of("error")


@pytest.mark.slow
async def test_a_failure_falls_back_to_the_embedded_engine_which_speaks_and_listens(server_factory, emulator_factory):
    from tests.fixtures.speech import clip, silence

    emulator = await emulator_factory([], fail_status=429)
    server = server_factory(env(emulator, SWITCHBOARD_VOICELIVE_FALLBACK="true"))
    c = await Client.connect(server.ws, "vl-fallback")
    await c.start(sample_rate=RATE)
    assert "quota" in (await c.wait_for("error"))["message"]
    message = await c.wait_for("transcript", role="agent")
    assert message["text"].startswith("Sorry, my voice service is very busy right now. I'll carry on with my built-in")
    await c.wait_for("audio.end", timeout=60)
    assert len(c.audio) > RATE * 2 * 3  # seconds of Piper speech, not a tone
    speech_in = np.concatenate([clip("I want to speak to a person"), silence(1500)]).tobytes()
    for i in range(0, len(speech_in), 640):  # in real time, as a phone sends it
        await c.conn.send(speech_in[i : i + 640])
        await asyncio.sleep(0.02)
    assert (await seen(c, "handoff", timeout=60))["case_id"]
    turns = [e for e in c.of("transcript") if e["role"] == "caller" and e["final"]]
    assert "person" in " ".join(e["text"] for e in turns).lower() and {e["kind"] for e in turns} == {"speech"}
    assert "voicelive quota failure" in server.log()
