"""A local stand-in for Azure Communication Services, for tests, benchmarks and demos.

- ``FakeAcs``: the Call Automation REST service as an azure-core async transport. The real
  SDK builds and serialises every request; this records them and answers as the service
  would, so callers can assert the exact bodies and headers. With ``people`` it also plays
  the people a transfer invites: each answers, declines or lets it ring, and ACS's
  callback events (AddParticipantSucceeded/Failed, PlayCompleted) are posted to the call.
- ``AcsPeer``: the ACS side of one call's media WebSocket, speaking ACS's exact frame shapes.
- ``event_grid`` / ``callback_event``: webhook bodies as Event Grid and Call Automation post them.
- ``ScriptedAgent``: an agent endpoint that hands the call over when the caller keys 0.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import websockets

from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl_async import AsyncHttpResponseImpl

from agent.wire import protocol

FAKE_CONNECTION_STRING = "endpoint=https://acs.example.test/;accesskey=" + "QUNTZmFrZWtleQ=="


class _Response(AsyncHttpResponseImpl):
    def __init__(self, request: HttpRequest, status: int, body: dict[str, Any]) -> None:
        content = json.dumps(body).encode()
        super().__init__(request=request, internal_response=None, status_code=status, reason="OK" if status < 400 else "Error",
                         headers={"Content-Type": "application/json"}, content_type="application/json",
                         stream_download_generator=None)
        self._content = content
        self._is_closed = True
        self._is_stream_consumed = True

    async def read(self) -> bytes:
        return self._content

    def text(self, encoding: str | None = None) -> str:
        return self._content.decode()


@dataclass(frozen=True)
class Person:
    """How a simulated person answers an invitation: ``answer`` / ``decline`` after ``after_s``, or ``ring`` forever."""

    does: str = "answer"
    after_s: float = 0.0


_PARTICIPANT_PATH = re.compile(r"/calling/callConnections/([^/:?]+)")


def _raw_id(identifier: dict[str, Any]) -> str:
    """The raw id of a serialised CommunicationIdentifierModel, as ACS echoes it back."""
    if identifier.get("rawId"):
        return str(identifier["rawId"])
    if "phoneNumber" in identifier:
        return "4:" + identifier["phoneNumber"]["value"]
    if "microsoftTeamsUser" in identifier:
        return "8:orgid:" + identifier["microsoftTeamsUser"]["userId"]
    return str(identifier.get("communicationUser", {}).get("id", ""))


class FakeAcs(AsyncHttpTransport):
    def __init__(self, *, refuse_transfer: bool = False, fail_answers: int = 0, answer_delay_s: float = 0.0,
                 people: dict[str, Person] | None = None, play_s: float = 0.0) -> None:
        self.requests: list[tuple[str, str, dict[str, str], dict[str, Any]]] = []
        self.refuse_transfer = refuse_transfer
        self.fail_answers = fail_answers  # the next N answer_call requests are refused (400: the SDK does not retry it)
        self.answer_delay_s = answer_delay_s  # how long ACS takes to answer (lets deliveries overlap)
        self.people = people or {}  # participant raw id -> how they answer
        self.play_s = play_s  # how long a played briefing lasts before PlayCompleted
        self._callbacks: dict[str, str] = {}  # call connection id -> callback URL
        self._pending: set[asyncio.Task[None]] = set()
        self._n = 0

    def bodies(self, path_part: str) -> list[dict[str, Any]]:
        return [body for _, url, _, body in self.requests if path_part in url]

    def headers(self, path_part: str) -> list[dict[str, str]]:
        return [headers for _, url, headers, _ in self.requests if path_part in url]

    async def send(self, request: HttpRequest, **kwargs: Any) -> _Response:  # type: ignore[override]
        body = json.loads(request.content) if request.content else {}
        self.requests.append((request.method, request.url, dict(request.headers), body))
        path = request.url.split("?")[0]
        if path.endswith("/calling/callConnections:answer"):
            await asyncio.sleep(self.answer_delay_s)
            if self.fail_answers > 0:
                self.fail_answers -= 1
                return _Response(request, 400, {"error": {"code": "8501", "message": "simulated refusal"}})
            self._n += 1
            self._callbacks[f"conn-{self._n}"] = body.get("callbackUri")
            return _Response(request, 200, {
                "callConnectionId": f"conn-{self._n}", "serverCallId": "server-1",
                "callbackUri": body.get("callbackUri"), "callConnectionState": "connecting",
                "source": {"rawId": "8:acs:bot", "kind": "communicationUser",
                           "communicationUser": {"id": "8:acs:bot"}},
                "targets": [], "mediaStreamingSubscription": {"id": "sub-1", "state": "active"},
            })
        if ":transferToParticipant" in request.url:
            if self.refuse_transfer:
                return _Response(request, 400, {"error": {"code": "8523", "message": "Invalid target"}})
            return _Response(request, 202, {"operationContext": body.get("operationContext")})
        if path.endswith(":terminate") or request.method == "DELETE":
            return _Response(request, 204, {})
        if path.endswith("/calling/recordings") and request.method == "POST":
            locator = body.get("callLocator") or {}
            if locator.get("kind") != "serverCallLocator" or not locator.get("serverCallId"):
                return _bad(request, "callLocator with a serverCallId is required")
            return _Response(request, 200, {"recordingId": f"rec-{uuid.uuid4().hex[:12]}", "recordingState": "active",
                                            "recordingKind": "azureCommunicationServices"})
        match = _PARTICIPANT_PATH.search(path)
        conn = match.group(1) if match else ""
        if request.method == "GET" and match and path.endswith(f"/callConnections/{conn}"):
            return _Response(request, 200, {"callConnectionId": conn, "serverCallId": f"server-{conn}",
                                            "callbackUri": self._callbacks.get(conn),
                                            "callConnectionState": "connected"})
        if path.endswith(":hold") or path.endswith(":unhold"):
            if not body.get("targetParticipant"):
                return _bad(request, "targetParticipant is required")
            return _Response(request, 200, {})
        if path.endswith("/participants:add"):
            if not body.get("participantToAdd"):
                return _bad(request, "participantToAdd is required")
            raw = _raw_id(body["participantToAdd"])
            invitation = str(uuid.uuid4())
            self._ring(conn, raw, body.get("operationContext"))
            return _Response(request, 202, {
                "participant": {"identifier": {**body["participantToAdd"], "rawId": raw}, "isMuted": False,
                                "isOnHold": False},
                "operationContext": body.get("operationContext"), "invitationId": invitation})
        if path.endswith("/participants:remove") or path.endswith("/participants:cancelAddParticipant"):
            invitation = {"invitationId": body["invitationId"]} if "invitationId" in body else {}
            return _Response(request, 202, {"operationContext": body.get("operationContext"), **invitation})
        if path.endswith(":play"):
            if not body.get("playSources"):
                return _bad(request, "playSources is required")
            self._later(self.play_s, conn, "PlayCompleted", operationContext=body.get("operationContext"),
                        resultInformation={"code": 200, "subCode": 0, "message": "Action completed successfully."})
            return _Response(request, 202, {})
        return _Response(request, 404, {"error": {"code": "NotFound", "message": request.url}})

    def _ring(self, conn: str, raw: str, context: str | None) -> None:
        person = self.people.get(raw)
        if person is None or person.does == "ring":  # nobody picks up: only the bridge's ring timer ends it
            return
        if person.does == "answer":
            self._later(person.after_s, conn, "AddParticipantSucceeded", operationContext=context,
                        participant={"rawId": raw})
        else:
            self._later(person.after_s, conn, "AddParticipantFailed", operationContext=context,
                        participant={"rawId": raw},
                        resultInformation={"code": 408, "subCode": 10004, "message": "Call declined by the callee."})

    def _later(self, after_s: float, conn: str, kind: str, **data: Any) -> None:
        url = self._callbacks.get(conn)
        if url is None:
            return

        async def post() -> None:
            import httpx

            await asyncio.sleep(after_s)
            async with httpx.AsyncClient(timeout=10) as http:
                await http.post(url, json=callback_event(kind, conn, **data))

        task = asyncio.get_running_loop().create_task(post())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        for task in list(self._pending):
            task.cancel()

    async def __aenter__(self) -> "FakeAcs":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None


def _bad(request: HttpRequest, message: str) -> _Response:
    return _Response(request, 400, {"error": {"code": "BadRequest", "message": message}})


def event_grid_incoming_call(caller: str = "4:+14255550123", correlation_id: str | None = None) -> list[dict[str, Any]]:
    return [{"id": str(uuid.uuid4()), "eventType": "Microsoft.Communication.IncomingCall",
             "subject": "/phone/18005550100", "eventTime": "2026-11-23T10:00:00Z", "dataVersion": "1.0",
             "data": {"to": {"kind": "phoneNumber", "rawId": "4:+18005550100"},
                      "from": {"kind": "phoneNumber", "rawId": caller, "phoneNumber": {"value": caller[2:]}},
                      "incomingCallContext": "ctx-" + uuid.uuid4().hex,
                      "correlationId": correlation_id or str(uuid.uuid4()), "serverCallId": "server-1"}}]


def callback_event(kind: str, call_connection_id: str, **data: Any) -> list[dict[str, Any]]:
    return [{"id": str(uuid.uuid4()), "source": f"calling/callConnections/{call_connection_id}",
             "type": f"Microsoft.Communication.{kind}", "specversion": "1.0", "time": "2026-11-23T10:00:00Z",
             "datacontenttype": "application/json",
             "data": {"callConnectionId": call_connection_id, "serverCallId": "server-1", **data}}]


class AcsPeer:
    """ACS's end of the media WebSocket for one call."""

    def __init__(self, conn: websockets.ClientConnection, sample_rate: int = 16000) -> None:
        self.conn = conn
        self.sample_rate = sample_rate
        self.played: list[tuple[float, bytes]] = []  # (arrival time, PCM) of each AudioData packet
        self.stops: list[float] = []  # arrival times of StopAudio
        self.other: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, media_url: str, sample_rate: int = 16000) -> "AcsPeer":
        peer = cls(await websockets.connect(media_url, max_size=None, compression=None), sample_rate)
        await peer.conn.send(json.dumps({"kind": "AudioMetadata", "audioMetadata": {
            "subscriptionId": str(uuid.uuid4()), "encoding": "PCM", "sampleRate": sample_rate, "channels": 1,
            "length": sample_rate // 50 * 2}}))
        return peer

    async def send_audio(self, pcm: bytes, silent: bool = False) -> None:
        await self.conn.send(json.dumps({"kind": "AudioData", "audioData": {
            "data": base64.b64encode(pcm).decode(), "timestamp": "2026-11-23T10:00:00.000Z",
            "participantRawID": "4:+14255550123", "silent": silent}}))

    async def send_dtmf(self, digit: str) -> None:
        await self.conn.send(json.dumps({"kind": "DtmfData", "dtmfData": {
            "data": digit, "timestamp": "2026-11-23T10:00:00.000Z", "participantRawID": "4:+14255550123"}}))

    async def listen(self) -> None:
        """Collect what the bridge plays until the socket closes (run as a task)."""
        try:
            async for frame in self.conn:
                body = json.loads(frame)
                if body.get("kind") == "AudioData":
                    self.played.append((time.monotonic(), base64.b64decode(body["audioData"]["data"])))
                elif body.get("kind") == "StopAudio":
                    self.stops.append(time.monotonic())
                else:
                    self.other.append(body)
        except websockets.ConnectionClosed:
            pass

    async def hang_up(self) -> None:
        await self.conn.close()

    async def wait_until(self, predicate: Any, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            await asyncio.sleep(0.01)


class SimCall:
    """One simulated phone call through a ``LocalBridge``."""

    def __init__(self, bridge: "LocalBridge", call_id: str, connection_id: str, callback_url: str, media_url: str):
        self.bridge = bridge
        self.call_id = call_id
        self.connection_id = connection_id
        self.callback_url = callback_url
        self.media_url = media_url
        self.peer: AcsPeer | None = None
        self._listener: asyncio.Task[None] | None = None

    @property
    def agent_session_id(self) -> str:
        from bridge.calls import agent_session_id

        return agent_session_id(self.call_id)

    async def callback(self, kind: str, **data: Any) -> int:
        """Post a Call Automation event for this call to its callback URL; returns the HTTP status."""
        response = await self.bridge.http.post(self.callback_url, json=callback_event(kind, self.connection_id, **data))
        return response.status_code

    async def connect_media(self) -> AcsPeer:
        self.peer = await AcsPeer.connect(self.media_url, self.bridge.settings.sample_rate)
        self._listener = asyncio.create_task(self.peer.listen())
        return self.peer

    async def hang_up(self) -> None:
        if self.peer is not None:
            await self.peer.hang_up()
        if self._listener is not None:
            await self._listener


class LocalBridge:
    """The real bridge app served by Hypercorn in this process, with ACS REST faked at the transport.

    ``async with LocalBridge(settings) as bridge: call = await bridge.place_call()``.
    """

    def __init__(self, settings: Any, *, fake: FakeAcs | None = None, apology: bytes | None = None) -> None:
        self.settings = settings
        self.fake = fake or FakeAcs()
        self._apology = apology
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    async def __aenter__(self) -> "LocalBridge":
        import httpx

        from bridge.app import create_app, serve
        from bridge.call_control import AcsCallControl

        self.app = create_app(self.settings, control=AcsCallControl(self.settings, transport=self.fake),
                              apology=self._apology)
        self._task = asyncio.create_task(serve(self.settings, self.app, stop=self._stop))
        self.http = httpx.AsyncClient(timeout=10)
        deadline = time.monotonic() + 10
        while True:
            try:
                if (await self.http.get(f"{self.base}/healthz")).status_code == 200:
                    return self
            except httpx.TransportError:
                if time.monotonic() > deadline or self._task.done():
                    raise
                await asyncio.sleep(0.02)

    async def __aexit__(self, *exc: Any) -> None:
        await self.http.aclose()
        self._stop.set()
        if self._task is not None:
            await asyncio.wait_for(self._task, 10)

    async def post_event(self, body: Any, *, secret: str | None = None, headers: dict[str, str] | None = None) -> Any:
        params = {"secret": self.settings.secret if secret is None else secret}
        return await self.http.post(f"{self.base}/acs/events", params=params, json=body, headers=headers or {})

    async def place_call(self, *, connect_media: bool = True) -> SimCall:
        """IncomingCall -> the bridge answers through the SDK -> CallConnected -> ACS opens the media socket."""
        from urllib.parse import urlsplit

        answered = len(self.fake.bodies("callConnections:answer"))
        response = await self.post_event(event_grid_incoming_call())
        if response.status_code != 200:
            raise RuntimeError(f"IncomingCall refused: {response.status_code} {response.text}")
        body = self.fake.bodies("callConnections:answer")[answered]
        media_url = body["mediaStreamingOptions"]["transportUrl"]
        call_id = urlsplit(body["callbackUri"]).path.rsplit("/", 1)[-1]
        call = SimCall(self, call_id, f"conn-{answered + 1}", body["callbackUri"], media_url)
        await call.callback("CallConnected")
        if connect_media:
            await call.connect_media()
            await call.callback("MediaStreamingStarted")
        return call


class ScriptedAgent:
    """An agent endpoint speaking the container's protocol to the bridge; a keyed 0 sends the next hand-over."""

    def __init__(self, handoffs: list[protocol.Handoff], greeting: bytes = b"") -> None:
        self.handoffs = list(handoffs)  # one handoff event per keyed 0
        self.greeting = greeting  # agent audio (PCM16) sent as soon as the session is ready
        self.results: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []  # every text message from the bridge except pings
        self.got_result = asyncio.Event()
        self._seq = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/invocations_ws"

    async def _send(self, ws: Any, event: protocol.ServerEvent) -> None:
        self._seq += 1
        await ws.send(protocol.encode(event, self._seq))

    async def handler(self, ws: Any) -> None:
        json.loads(await ws.recv())  # session.start
        await self._send(ws, protocol.SessionReady("s", False, protocol.AudioFormat(), True))
        if self.greeting:
            await ws.send(self.greeting)
            await self._send(ws, protocol.AudioEnd("greeting"))
        async for frame in ws:
            if isinstance(frame, bytes):
                continue
            body = json.loads(frame)
            if body["type"] != "ping":
                self.received.append(body)
            if body["type"] == "ping":
                await ws.send(protocol.encode(protocol.Pong(body["id"], 0, self._seq), None))
            elif body["type"] == "input.dtmf" and body["digits"] == "0" and self.handoffs:
                await self._send(ws, self.handoffs.pop(0))
            elif body["type"] == "handoff.result":
                self.results.append(body)
                self.got_result.set()
            elif body["type"] == "session.end":
                await ws.close(1000)
                return

    async def __aenter__(self) -> "ScriptedAgent":
        self._server = await websockets.serve(self.handler, "127.0.0.1", 0)  # any free port
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def result(self, timeout: float = 30) -> dict[str, Any]:
        await asyncio.wait_for(self.got_result.wait(), timeout)
        self.got_result.clear()
        return self.results[-1]
