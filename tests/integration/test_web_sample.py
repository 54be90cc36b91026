"""The browser sample in a real headless Chromium, driven over the DevTools protocol.

Chromium's fake microphone plays a synthesised WAV of a caller; the page (served by
``switchboard samples web``, relaying to a local container) captures it through its
AudioWorklet, and we read ``window.sb`` (the page's state) and take a screenshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, AsyncIterator

import numpy as np
import pytest
import websockets

from agent.dev.client.audio import write_wav
from agent.dev.localserver import REPO, free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]

CALLER_WORDS = "Hi, I am locked out of my laptop and I need my password reset."


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                return r.read()
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout}s")


class Page:
    """One Chromium tab over the DevTools protocol."""

    def __init__(self, conn: websockets.ClientConnection) -> None:
        self.conn = conn
        self.ids = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.ids += 1
        await self.conn.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            msg = json.loads(await asyncio.wait_for(self.conn.recv(), 30))
            if msg.get("id") == self.ids:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    async def eval(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page error: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def state(self) -> dict[str, Any]:
        return json.loads(await self.eval("JSON.stringify(window.sb || {})"))

    async def until(self, what: str, check: Any, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = await self.state()
            if check(state):
                return state
            await asyncio.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what}; page state: {json.dumps(state)[:3000]}")

    async def screenshot(self, path: Path) -> None:
        import base64

        shot = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture
def caller_wav(tmp_path: Path) -> Path:
    from agent.speech.tts import PiperSynth

    speech = PiperSynth().synth(CALLER_WORDS, 48000)
    # The caller starts talking 1 s into the agent's greeting (a barge-in), then stays silent
    # long enough for the answer before Chromium loops the file.
    pcm = np.concatenate([np.zeros(48000, np.int16), speech, np.zeros(48000 * 12, np.int16)])
    path = tmp_path / "caller.wav"
    write_wav(path, pcm.astype("<i2").tobytes(), 48000)
    return path


def start_web_sample(agent_ws: str, tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = open(tmp_path / "web-sample.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "samples", "web", "--port", str(port),
                             "--agent", agent_ws], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    wait_http(f"http://127.0.0.1:{port}/", proc)
    return proc, f"http://127.0.0.1:{port}/"


@contextlib.asynccontextmanager
async def open_chromium(url: str, tmp_path: Path, wav: Path | None = None) -> AsyncIterator[Page]:
    debug_port = free_port()
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", "--autoplay-policy=no-user-gesture-required",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--remote-debugging-port={debug_port}", "--window-size=1280,860",
    ]
    if wav is not None:
        flags.append(f"--use-file-for-fake-audio-capture={wav}")
    log = open(tmp_path / "chromium.log", "ab")
    proc = subprocess.Popen([CHROMIUM, *flags, url], stdout=log, stderr=subprocess.STDOUT)  # type: ignore[list-item]
    try:
        wait_http(f"http://127.0.0.1:{debug_port}/json/version", proc)
        targets = json.loads(wait_http(f"http://127.0.0.1:{debug_port}/json/list", proc))
        page_target = next(t for t in targets if t.get("type") == "page")
        async with websockets.connect(page_target["webSocketDebuggerUrl"], max_size=None) as conn:
            yield Page(conn)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
async def test_browser_call_with_fake_microphone(server_factory, caller_wav: Path, tmp_path: Path) -> None:
    server = server_factory({"SWITCHBOARD_SPEECH": "local", "SWITCHBOARD_BRAIN": "switchboard"})
    web, url = start_web_sample(server.ws, tmp_path)
    try:
        async with open_chromium(f"{url}?autoconnect=1&mic=1", tmp_path, caller_wav) as page:
            state = await page.until("the routed caller turn and agent audio", lambda s: (
                s.get("routes") and s.get("audioIn", 0) > 16000 and s.get("metrics")
                and any(t["role"] == "caller" for t in s.get("transcript", []))))
            await asyncio.sleep(1.0)  # let the page render the last events before the screenshot
            await page.screenshot(tmp_path / "web-sample.png")
            state = await page.state()
            dom = await page.eval("document.getElementById('route').textContent + ' | ' + "
                                  "document.getElementById('transcript').textContent")
    finally:
        web.terminate()
        web.wait(10)

    caller = " ".join(t["text"].lower() for t in state["transcript"] if t["role"] == "caller")
    assert "password" in caller and "laptop" in caller
    assert state["routes"][0]["target"] == "it_ops"
    assert 0 < state["routes"][0]["confidence"] <= 1
    assert state["framesOut"] > 50  # the worklet sent 20 ms frames
    assert state["audioIn"] > 16000  # at least half a second of agent speech arrived
    assert any(t["role"] == "agent" for t in state["transcript"])
    assert state["metrics"][0]["total_ms"] > 0
    assert "it_ops" in dom and "password" in dom.lower()
    # Barge-in: the agent said audio.clear and the page dropped its buffered audio at once.
    assert any(e["type"] == "audio.clear" for e in state["events"])
    assert state["clears"] and state["clears"][0]["queuedMs"] == 0
    assert "you interrupted" in dom
    assert state["progressSent"] > 0  # playback.progress went back to the agent


async def test_page_resumes_the_same_session_after_the_container_restarts(server_factory, tmp_path: Path) -> None:
    data = tmp_path / "agent-data"
    server = server_factory(data_dir=data)
    web, url = start_web_sample(server.ws, tmp_path)
    try:
        async with open_chromium(f"{url}?autoconnect=1&session=web-resume-1", tmp_path) as page:
            await page.until("session.ready", lambda s: s.get("connected"))
            await page.eval("document.getElementById('text').value = 'first typed turn';"
                            "document.getElementById('typed').requestSubmit(); true")
            before = await page.until("the first answer", lambda s: len(s.get("metrics", [])) == 1)

            server.stop()  # SIGTERM: the container persists the session and closes with 1001
            server_factory(data_dir=data, port=server.port)
            after = await page.until("the resumed session", lambda s: s.get("connected") and any(
                e["type"] == "session.ready" and e.get("resumed") for e in s["events"]), timeout=60)
            await page.eval("document.getElementById('text').value = 'second typed turn';"
                            "document.getElementById('typed').requestSubmit(); true")
            after = await page.until("the second answer", lambda s: len(s.get("metrics", [])) == 2)
            await page.screenshot(tmp_path / "web-resume.png")
    finally:
        web.terminate()
        web.wait(10)

    readies = [e for e in after["events"] if e["type"] == "session.ready"]
    assert [r["session_id"] for r in readies] == ["web-resume-1", "web-resume-1"]
    assert readies[1]["resumed"] is True
    assert before["lastSeq"] > 0 and after["lastSeq"] > before["lastSeq"]
    texts = [t["text"] for t in after["transcript"]]
    assert texts.count("first typed turn") == 1  # nothing was shown twice after the resume
    assert "You said: second typed turn" in texts


async def test_tools_and_hand_over_are_shown(server_factory, tmp_path: Path) -> None:
    server = server_factory({"SWITCHBOARD_BRAIN": "switchboard"})  # the real brain, typed turns
    web, url = start_web_sample(server.ws, tmp_path)

    async def type_turn(page: Page, text: str, turns: int) -> dict[str, Any]:
        await page.eval(f"document.getElementById('text').value = {json.dumps(text)};"
                        "document.getElementById('typed').requestSubmit(); true")
        return await page.until(f"an answer to {text!r}", lambda s: len(s.get("metrics", [])) >= turns, 60)

    try:
        async with open_chromium(f"{url}?autoconnect=1", tmp_path) as page:
            await page.until("session.ready", lambda s: s.get("connected"))
            await type_turn(page, "I forgot my password and I'm locked out", 1)
            await type_turn(page, "my employee ID is E10517", 2)
            await type_turn(page, "yes", 3)
            state = await type_turn(page, "there's a strong smell of gas in the boiler room", 4)
            await asyncio.sleep(0.5)
            await page.screenshot(tmp_path / "web-tools-handoff.png")
            panels = await page.eval("['tools', 'handoff', 'route'].map(id => document.getElementById(id)"
                                     ".textContent).join(' | ')")
    finally:
        web.terminate()
        web.wait(10)

    assert [t["status"] for t in state["tools"] if t["name"] == "request_password_reset"][-1] == "ok"
    case_id = state["handoffs"][0]["case_id"]
    assert f"Case {case_id}" in panels and "request_password_reset — ok" in panels
    assert state["routes"][-1]["target"] == "human"
    assert "human" in panels.split(" | ")[2]


async def test_relay_reports_an_unreachable_agent(tmp_path: Path) -> None:
    web, url = start_web_sample(f"ws://127.0.0.1:{free_port()}/invocations_ws", tmp_path)
    try:
        ws_url = url.replace("http", "ws") + "ws"
        async with websockets.connect(ws_url) as conn:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(conn.recv(), 20)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
        assert "agent unreachable" in closed.value.rcvd.reason
    finally:
        web.terminate()
        web.wait(10)
