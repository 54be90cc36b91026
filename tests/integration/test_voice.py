"""The embedded voice pipeline end to end, through a real ``switchboard serve`` on loopback.

Caller audio is synthesised (Piper, espeak-ng) and streamed at real-time pace as a
phone would, silence included; the placeholder brain answers "You said: ...".
One server (models loaded once) serves every test in this module.
"""

from __future__ import annotations

import asyncio

import pytest

from agent.dev.bench.caller import Received, SpokenCall
from agent.dev.bench.latency import INTERRUPTION, LONG_REQUEST
from agent.dev.bench.voices import cough
from agent.dev.bench.wer import normalise, wer
from agent.config import Settings
from agent.wire.protocol import InputDtmf, SessionEnd
from agent.store import open_store
from agent.dev.localserver import LocalServer as Server
from tests.fixtures.speech import clip

pytestmark = pytest.mark.slow



@pytest.fixture(scope="module")
def voice_server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("voice"), {"SWITCHBOARD_SPEECH": "local"}).start(timeout=180)
    yield server
    server.stop()


async def open_call(server: Server, rate: int = 16000, echo_db: float | None = None) -> SpokenCall:
    call = SpokenCall(server.ws, rate, echo_db=echo_db)
    ready = await call.connect()
    assert ready["speech"] is True and ready["audio"]["sample_rate"] == rate
    await call.wait_for("audio.end")  # the greeting has played
    return call


async def agent_turns(server: Server, session_id: str) -> list[dict]:
    """The agent's turns as the server persisted them (its own session store)."""
    store = open_store(Settings(data_dir=server.data_dir))
    try:
        record = await store.load(session_id)
    finally:
        await store.close()
    assert record is not None, f"session {session_id} not stored"
    return [t for t in record.state["turns"] if t["role"] == "agent"]


def _ended(call: SpokenCall, start: Received, *, before: Received) -> bool:
    """Did the agent audio item begun by ``start`` play to its end before the event ``before``?"""
    window = call.events[call.events.index(start):call.events.index(before)]
    return any(r.body.get("type") == "audio.end" and r.body.get("item_id") == start.body["item_id"] for r in window)


@pytest.mark.parametrize("rate", [16000, 8000, 24000])
async def test_a_spoken_request_is_transcribed_and_answered_with_audio(voice_server, rate):
    call = await open_call(voice_server, rate)
    try:
        n, audio_before = len(call.events), len(call.agent_audio)
        phrase = "Please check the status of work order four five six seven."
        call.say(clip(phrase, rate))
        heard = await call.wait_for("transcript", after=n, role="caller", final=True)
        assert heard.body["kind"] == "speech"
        assert wer([(phrase, heard.body["text"])]) <= 0.1, heard.body["text"]
        end = await call.wait_for("audio.end", after=n)
        metrics = (await call.wait_for("turn.metrics", after=n)).body
        # "You said: <11 words>": Piper speaks ~2.5-3 words a second.
        seconds = (end.audio_in - audio_before) / 2 / rate
        assert 2.5 < seconds < 8, seconds
        assert metrics["barge_in"] is False
        assert metrics["stt_rtf"] > 0  # measured; its value is a figure of `switchboard bench latency`
        assert 0 < metrics["stt_ms"] <= metrics["first_audio_ms"] <= metrics["total_ms"]
    finally:
        await call.close()


async def test_barge_in_stops_playback_on_speech_onset_and_truncates_the_agent_turn(voice_server):
    # The reaction time (300 ms of caller audio on an idle machine) is a figure of
    # `switchboard bench latency --barge-ins N`; here the behaviour: the agent stops on the
    # onset of the caller's speech, before that utterance has ended and been transcribed.
    call = await open_call(voice_server)
    try:
        n = len(call.events)
        call.say(clip(LONG_REQUEST))
        await call.wait_for("audio.start", after=n, timeout=30)
        await asyncio.sleep(0.5)  # early in a long reply: the cut is a cut on a machine slow to react
        onset = call.say(clip(INTERRUPTION))
        clear = await call.wait_for("audio.clear", after=n, timeout=10)
        request = [r.body["text"] for r in call.events[n:]
                   if r.body.get("type") == "transcript" and r.body.get("role") == "caller" and r.body.get("final")][0]
        assert clear.audio_ms > onset  # set off by the interruption, not by anything before it
        await asyncio.sleep(1.0)
        assert len(call.agent_audio) - clear.audio_in <= 2 * 16000 * 0.1  # at most an in-flight chunk
        metrics = await call.wait_for("turn.metrics", after=n)
        assert metrics.body["barge_in"] is True
        # Searched only after the clear: the agent stopped before the interruption was a finished turn.
        interruption = await call.wait_for("transcript", after=call.events.index(clear), role="caller", final=True)
        assert normalise(interruption.body["text"])[:4] == ["hold", "on", "i", "need"]
    finally:
        await call.close()
    session = [r.body for r in call.events if r.body.get("type") == "session.ready"][0]["session_id"]
    reply = [t for t in await agent_turns(voice_server, session) if t.get("interrupted")]
    assert len(reply) == 1
    # The wire corrects the agent transcript it sent to what was heard, once, for the interrupted item.
    truncated = [r.body for r in call.events if r.body.get("type") == "transcript.truncated"]
    assert [(t["item_id"], t["text"], t["heard_ms"]) for t in truncated] == [
        (clear.body["item_id"], reply[0]["text"], reply[0]["heard_ms"])]
    assert call.of("transcript", role="agent", item_id=clear.body["item_id"])
    full = "You said: " + request  # the echo of what the recogniser heard, not of the script
    assert 0 < len(reply[0]["text"]) < len(full) and reply[0]["heard_ms"] > 0
    assert full.startswith(reply[0]["text"].rstrip("…"))


async def test_echo_at_minus_20_db_and_a_cough_do_not_interrupt(voice_server):
    call = await open_call(voice_server, echo_db=-20)
    try:
        n = len(call.events)
        call.say(clip(LONG_REQUEST))
        await call.wait_for("audio.start", after=n, timeout=30)
        await asyncio.sleep(1.0)
        call.say(cough(16000))
        await call.wait_for("audio.end", after=n, timeout=30)
        await asyncio.sleep(1.5)  # any turn made of echo would have ended by now
        assert call.of("audio.clear") == []
        assert len(call.of("transcript", role="caller", final=True)) == 1
        assert (await call.wait_for("turn.metrics", after=n)).body["barge_in"] is False
    finally:
        await call.close()


async def test_a_backchannel_over_the_agent_forms_no_turn_and_the_reply_is_said_to_its_end(voice_server):
    # Whether the agent keeps playing or pauses and resumes depends on how fast the words come
    # (a loaded machine pauses first); either way it says the whole reply and nothing answers "okay".
    call = await open_call(voice_server)
    try:
        n = len(call.events)
        call.say(clip(LONG_REQUEST))
        start = await call.wait_for("audio.start", after=n, timeout=30)
        await asyncio.sleep(1.0)
        call.say(clip("Okay."))
        end = await call.wait_for("audio.end", after=call.events.index(start), timeout=60)
        await asyncio.sleep(1.5)  # any turn made of the backchannel would have been transcribed by now
        finals = call.of("transcript", role="caller", final=True)
        assert len(finals) == 1 and normalise(finals[0].body["text"])[:3] == ["the", "wireless", "network"]
        said = " ".join(r.body["text"] for r in call.of("transcript", role="agent", item_id=end.body["item_id"]))
        assert normalise(said)[-3:] == normalise(finals[0].body["text"])[-3:]  # "You said: <request>" to its end
        if end.body["item_id"] != start.body["item_id"]:  # it paused: the reply resumed, after a clear
            assert [r.body["item_id"] for r in call.of("audio.clear")] == [start.body["item_id"]]
    finally:
        await call.close()


async def test_stop_over_the_agent_stops_it_and_is_the_callers_turn(voice_server):
    call = await open_call(voice_server)
    try:
        n = len(call.events)
        call.say(clip(LONG_REQUEST))
        start = await call.wait_for("audio.start", after=n, timeout=30)
        await asyncio.sleep(1.0)
        onset = call.say(clip("Stop."))
        clear = await call.wait_for("audio.clear", after=n, timeout=10)
        assert clear.body["item_id"] == start.body["item_id"] and clear.audio_ms > onset
        heard = await call.wait_for("transcript", after=call.events.index(clear), role="caller", final=True)
        assert normalise(heard.body["text"]) == ["stop"]
        answer = await call.wait_for("audio.end", after=call.events.index(heard), timeout=30)
        said = " ".join(r.body["text"] for r in call.of("transcript", role="agent", item_id=answer.body["item_id"]))
        assert normalise(said) == ["you", "said", "stop"]  # answered, and the cut reply not resumed
    finally:
        await call.close()


async def test_silence_only_produces_no_turns(voice_server):
    call = await open_call(voice_server)
    try:
        await asyncio.sleep(3.0)
        assert call.of("transcript", role="caller") == []
        assert call.of("turn.metrics") == []
    finally:
        await call.close()


async def test_keyed_digits_during_agent_speech_stop_it_and_become_the_turn(voice_server):
    call = await open_call(voice_server)
    try:
        n = len(call.events)
        call.say(clip(LONG_REQUEST))
        start = await call.wait_for("audio.start", after=n, timeout=30)
        await asyncio.sleep(0.8)
        await call.send(InputDtmf("4567#"))  # "#" ends the keyed number at once (agent/call/keypad.py)
        clear = await call.wait_for("audio.clear", after=n, timeout=30)
        assert clear.body["item_id"] == start.body["item_id"]
        assert not _ended(call, start, before=clear)  # stopped, not played out
        await call.wait_for("transcript", after=n, role="caller", kind="dtmf", text="4567")
    finally:
        await call.close()


async def test_hanging_up_while_the_agent_speaks_ends_the_call_at_once(voice_server):
    call = await open_call(voice_server)
    try:
        n = len(call.events)
        call.say(clip(LONG_REQUEST, 16000))
        start = await call.wait_for("audio.start", after=n)  # the long echo reply has begun
        await call.send(SessionEnd())
        ended = await call.wait_for("session.ended", after=n)
        # The reply would play for several seconds more; nobody is listening, so it stops:
        # the call ends before the reply does (a behaviour, whatever the machine's load).
        assert not _ended(call, start, before=ended)
        assert ended.body["reason"] == "caller"
    finally:
        await call.close()
