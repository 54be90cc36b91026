"""The session store interface.

A session record is the call state plus the last ``seq`` sent; the event log keeps
the most recent events (already encoded, with their ``seq``) for replay to a client
that reconnects with ``last_seq``.

Ownership: a connection that takes a session ``claim``s it and gets a fencing token,
greater than any token handed out before. Every write carries the token and is refused
(``StaleOwner``) once somebody else has claimed the session since, so two containers
(or workers) can never both write one session's state or replay log: the one that
claimed last owns it, the other learns it lost on its next write or ``renew``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class SessionRecord:
    session_id: str
    state: dict[str, Any]
    last_seq: int
    updated_at: float


class StaleOwner(Exception):
    """The session was claimed by another connection since this token was handed out."""


class StoreUnavailable(Exception):
    """The store did not answer within the retry budget (see ``agent.store.retry``)."""


class SessionStore(Protocol):
    async def claim(self, session_id: str) -> tuple[int, int]:
        """Take the session: (the new fencing token, the previous owner's token or 0)."""

    async def renew(self, tokens: dict[str, int]) -> set[str]:
        """Keep the given sessions (id -> token) alive; return the ids now owned by someone else."""

    async def load(self, session_id: str) -> SessionRecord | None: ...

    async def save(self, session_id: str, state: dict[str, Any], last_seq: int, token: int) -> None:
        """Store the state, unless a newer one (higher ``last_seq``) is already stored.

        Raises ``StaleOwner`` when ``token`` is no longer the session's owner.
        """

    async def append_events(self, session_id: str, events: list[tuple[int, str]], keep: int, token: int) -> None:
        """Add encoded events; keep only the newest ``keep``. Raises ``StaleOwner`` like ``save``."""

    async def events_after(self, session_id: str, seq: int) -> list[str] | None:
        """Encoded events with seq > ``seq`` in order; None when some were already dropped."""

    async def delete(self, session_id: str) -> None: ...

    async def idle_sessions(self, older_than: float) -> list[str]:
        """Ids of sessions not updated since the epoch time ``older_than``."""

    async def close(self) -> None: ...
