"""Read-only case endpoints for the human agent's desktop.

``GET /cases`` (newest first, ``?limit=`` up to 200) and ``GET /cases/{case_id}``,
both behind ``Authorization: Bearer <SWITCHBOARD_CASES_TOKEN>``. With no token
configured the endpoints answer 503 rather than serve cases to anyone. Wrong tokens are
counted per client address (``agent.transport.peers``): past ``REFUSALS_PER_S`` (burst ``REFUSAL_BURST``)
they are answered 429, so the token cannot be guessed at line rate; the right token is
always served. Errors are ``application/problem+json``-style bodies ``{"error", "message"}``.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agent.config import Settings
from agent.handoff.bundle import CaseError, normalise_case_id
from agent.handoff.store import CaseStore, open_case_store
from agent.transport.peers import RateLimiter, parse_networks, real_peer

MAX_LIST = 200
REFUSALS_PER_S = 1.0  # a desktop that mistypes its token is not a guessing attack
REFUSAL_BURST = 10.0
_LIST_FIELDS = ("case_id", "created_at", "updated_at", "status", "priority", "target", "reason", "summary", "channel")


def _problem(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


def case_routes(settings: Settings) -> list[Route]:
    """The routes to mount on the container app; the store opens on the first authorised request."""
    token = settings.cases_token
    store: list[CaseStore] = []  # opened lazily, inside the serving event loop
    limiter = RateLimiter(rate=REFUSALS_PER_S, burst=REFUSAL_BURST)
    proxies = parse_networks(settings.trusted_proxies)

    def _store() -> CaseStore:
        if not store:
            store.append(open_case_store(settings))
        return store[0]

    def _denied(request: Request) -> JSONResponse | None:
        if not token:
            return _problem(503, "not_configured", "case access is disabled: set SWITCHBOARD_CASES_TOKEN")
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token.encode()):
            peer = real_peer(request.client.host if request.client else None,
                             request.headers.get("x-forwarded-for"), proxies)
            if limiter.refuse(peer):
                return _problem(429, "rate_limited", "too many refused requests from this address")
            return _problem(401, "unauthorized", "send Authorization: Bearer <cases token>")
        return None

    async def list_cases(request: Request) -> JSONResponse:
        denied = _denied(request)
        if denied:
            return denied
        raw = request.query_params.get("limit", "50")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIST:
            return _problem(400, "bad_limit", f"limit must be a whole number from 1 to {MAX_LIST}")
        cases = await _store().recent(int(raw))
        # revision: grows with every history entry, so a change within the same second is still seen.
        return JSONResponse({"cases": [{**{k: c.get(k) for k in _LIST_FIELDS}, "revision": len(c.get("history", []))}
                                       for c in cases]})

    async def get_case(request: Request) -> JSONResponse:
        denied = _denied(request)
        if denied:
            return denied
        try:
            case_id = normalise_case_id(request.path_params["case_id"])
        except CaseError as exc:
            return _problem(400, "bad_case_id", str(exc))
        case = await _store().get(case_id)
        if case is None:
            return _problem(404, "not_found", f"no case {case_id}")
        return JSONResponse(case)

    return [
        Route("/cases", list_cases, methods=["GET"]),
        Route("/cases/{case_id}", get_case, methods=["GET"]),
    ]
