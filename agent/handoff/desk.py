"""``GET /desk``: the page the person taking a call watches (agent/handoff/desk.html).

The page is a static shell with no case data in it; it reads ``/cases`` and
``/cases/{id}`` with the cases bearer token, which the person pastes once or passes in
the URL fragment (``/desk#token=...``: a fragment never reaches the server or its logs).
It polls for new and updated cases every second, so a hand-over appears on the desk
while the person's phone is still ringing.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = Path(__file__).with_name("desk.html")


def desk_routes() -> list[Route]:
    html = PAGE.read_text(encoding="utf-8")

    async def desk(request: Request) -> HTMLResponse:
        # No caching and no framing: the shell is harmless, but the token lives in the page's storage.
        return HTMLResponse(html, headers={
            "Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                                       "frame-ancestors 'none'"})

    return [Route("/desk", desk, methods=["GET"])]
