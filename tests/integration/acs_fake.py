"""A fake ACS Call Automation REST endpoint as an azure-core async transport.

The real SDK builds and serialises every request; this records them and answers with
the JSON the service would return, so tests can assert the exact bodies and headers.
"""

from __future__ import annotations

import json
from typing import Any

from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl_async import AsyncHttpResponseImpl

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


class FakeAcs(AsyncHttpTransport):
    def __init__(self, *, refuse_transfer: bool = False) -> None:
        self.requests: list[tuple[str, str, dict[str, str], dict[str, Any]]] = []
        self.refuse_transfer = refuse_transfer
        self._n = 0

    def bodies(self, path_part: str) -> list[dict[str, Any]]:
        return [body for _, url, _, body in self.requests if path_part in url]

    def headers(self, path_part: str) -> list[dict[str, str]]:
        return [headers for _, url, headers, _ in self.requests if path_part in url]

    async def send(self, request: HttpRequest, **kwargs: Any) -> _Response:  # type: ignore[override]
        body = json.loads(request.content) if request.content else {}
        self.requests.append((request.method, request.url, dict(request.headers), body))
        if request.url.split("?")[0].endswith("/calling/callConnections:answer"):
            self._n += 1
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
        if request.url.split("?")[0].endswith(":terminate") or request.method == "DELETE":
            return _Response(request, 204, {})
        return _Response(request, 404, {"error": {"code": "NotFound", "message": request.url}})

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> "FakeAcs":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None
