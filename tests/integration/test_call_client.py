"""``switchboard call`` and its ``Caller`` against real ``switchboard serve`` processes on loopback."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from agent.dev.client.audio import write_wav
from agent.dev.client.caller import Caller, CallError
from agent.dev.localserver import REPO, free_port


def call(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.cli", "call", *argv], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def test_scripted_call_prints_every_turn(server, tmp_path: Path) -> None:
    script = tmp_path / "s.yaml"
    script.write_text("name: smoke\nsteps:\n  - type: reset my password\n  - dtmf: '12#'\n  - wait: 0.2\n"
                      "  - say: spoken words on a text-only line\n  - hangup: true\n  - type: never sent\n")
    done = call("--url", server.ws, "--script", str(script))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("connected  session call-") and "text only" in lines[0]
    assert "agent   <  Hello, this is switchboard." in lines
    assert "caller  >  reset my password   [text]" in lines
    assert "agent   <  You said: 12" in lines  # the keys are one turn; "#" ended it and is not part of it
    # On an endpoint that does not understand audio, 'say' falls back to typing the same words.
    assert "agent   <  You said: spoken words on a text-only line" in lines
    assert "never sent" not in done.stdout
    assert sum(line.startswith("   latency total") for line in lines) == 3
    assert lines[-1] == "ended      caller hung up"


def test_unreachable_endpoint_and_bad_files_are_clear_errors(tmp_path: Path) -> None:
    done = call("--url", f"ws://127.0.0.1:{free_port()}/invocations_ws", "--type", "hello")
    assert done.returncode == 1 and "call: cannot connect to ws://127.0.0.1:" in done.stderr
    not_wav = tmp_path / "notes.wav"
    not_wav.write_text("this is not audio")
    done = call("--wav", str(not_wav))
    assert done.returncode == 1 and "not a PCM WAV file" in done.stderr
    eight_bit = tmp_path / "8bit.wav"
    with wave.open(str(eight_bit), "wb") as w:
        w.setnchannels(1), w.setsampwidth(1), w.setframerate(8000), w.writeframes(bytes(800))
    done = call("--wav", str(eight_bit))
    assert done.returncode == 1 and "need 16-bit PCM" in done.stderr
    done = call("--wav", str(tmp_path / "missing.wav"))
    assert done.returncode == 1 and "missing.wav" in done.stderr
    done = call("--type", "x" * 5000)
    assert done.returncode == 1 and "1-4000 characters" in done.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - shout: hi\n")
    done = call("--script", str(bad))
    assert done.returncode == 1 and "step 1: unknown step 'shout'" in done.stderr
    assert "Traceback" not in done.stderr


async def test_caller_resumes_after_the_container_restarts(server_factory, tmp_path: Path) -> None:
    data = tmp_path / "agent"
    first = server_factory(data_dir=data)
    lines: list[str] = []
    caller = Caller(first.ws, session_id="resume-me", on_line=lines.append, turn_timeout_s=30)
    await caller.connect()
    await caller.wait_quiet(quiet_s=0.2)
    await caller.type_text("before the restart")
    seq_before = caller.last_seq

    first.stop()  # SIGTERM: the session is persisted and the socket closed with 1001
    server_factory(data_dir=data, port=first.port)
    for _ in range(100):
        if caller.log.session_id and any("resumed" in line for line in lines):
            break
        await asyncio.sleep(0.1)
    await caller.type_text("after the restart")
    await caller.hangup()

    assert any("connection dropped: close 1001" in line for line in lines)
    assert any(line.startswith("connected  session resume-me") and "resumed" in line for line in lines)
    assert caller.last_seq > seq_before
    callers = [t.caller for t in caller.log.turns]
    assert callers == ["", "before the restart", "after the restart"]  # nothing replayed twice


async def test_turn_timeout_is_a_call_error(server) -> None:
    caller = Caller(server.ws, turn_timeout_s=0.5, on_line=lambda line: None)
    await caller.connect()
    try:
        with pytest.raises(CallError, match="no answer from the agent within"):
            await caller._wait(lambda: False, 0.3, "answer")
        with pytest.raises(CallError, match="does not understand audio"):
            await caller.say_audio(bytes(640))
    finally:
        await caller.close()


@pytest.mark.slow
def test_recording_through_real_speech_is_understood_routed_and_answered(server_factory, tmp_path: Path) -> None:
    from agent.speech.tts import PiperSynth

    server = server_factory({"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_BRAIN": "switchboard"})
    # A stereo 22.05 kHz recording: the client must mix down and resample it to 16 kHz with soxr.
    words = PiperSynth().synth("Hello, I'm locked out of my laptop and need my password reset.")
    stereo = np.repeat(np.concatenate([np.zeros(4410, np.int16), words]), 2)
    recording = tmp_path / "caller.wav"
    with wave.open(str(recording), "wb") as w:
        w.setnchannels(2), w.setsampwidth(2), w.setframerate(22050), w.writeframes(stereo.astype("<i2").tobytes())
    out = tmp_path / "agent.wav"

    done = call("--url", server.ws, "--wav", str(recording), "--save-audio", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    heard = next(line for line in done.stdout.splitlines() if line.startswith("caller  >"))
    assert "password" in heard.lower() and "laptop" in heard.lower()
    assert "route -> it_ops (password.reset)" in done.stdout
    assert "   latency first audio" in done.stdout
    with wave.open(str(out)) as w:
        assert w.getframerate() == 16000 and w.getnframes() > 16000 * 2  # greeting + answer, seconds of speech
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    assert np.abs(pcm).max() > 1000  # speech, not silence


def test_save_audio_writes_a_playable_wav(tmp_path: Path) -> None:
    out = tmp_path / "x" / "a.wav"
    write_wav(out, (np.arange(1600, dtype=np.int16) * 10).astype("<i2").tobytes(), 16000)
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 16000, 1600)


@pytest.mark.slow
def test_say_synthesises_the_callers_words(server_factory) -> None:
    server = server_factory({"SWITCHBOARD_SPEECH": "local"})  # placeholder brain: it echoes what it heard
    done = call("--url", server.ws, "--say", "Please reset my password.")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(caller speaks" in done.stdout
    echoed = next(line for line in done.stdout.splitlines() if line.startswith("agent   <  You said:"))
    assert "password" in echoed.lower()
