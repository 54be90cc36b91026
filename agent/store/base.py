"""The session store interface.

A session record is the call state plus the last ``seq`` sent; the event log keeps
the most recent events (already encoded, with their ``seq``) for replay to a client
that reconnects with ``last_seq``.
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


class SessionStore(Protocol):
    async def load(self, session_id: str) -> SessionRecord | None: ...

    async def save(self, session_id: str, state: dict[str, Any], last_seq: int) -> None:
        """Store the state, unless a newer one (higher ``last_seq``) is already stored.

        That fence matters with several containers: a container that lost the session
        to another must not overwrite the newer state when it finally lets go.
        """

    async def append_events(self, session_id: str, events: list[tuple[int, str]], keep: int) -> None:
        """Add encoded events; keep only the newest ``keep``."""

    async def events_after(self, session_id: str, seq: int) -> list[str] | None:
        """Encoded events with seq > ``seq`` in order; None when some were already dropped."""

    async def delete(self, session_id: str) -> None: ...

    async def idle_sessions(self, older_than: float) -> list[str]:
        """Ids of sessions not updated since the epoch time ``older_than``."""

    async def close(self) -> None: ...
