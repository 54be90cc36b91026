"""Durable session storage: SQLite on this machine, Redis when shared across containers."""

from __future__ import annotations

from agent.config import Settings
from agent.store.base import SessionRecord, SessionStore


def open_store(settings: Settings) -> SessionStore:
    """The store the settings ask for: Redis when ``redis_url`` is set, else SQLite in the data dir."""
    if settings.redis_url:
        from agent.store.redis_store import RedisSessionStore

        return RedisSessionStore(settings.redis_url, idle_timeout_s=settings.session_idle_timeout_s)
    from agent.store.sqlite_store import SqliteSessionStore

    return SqliteSessionStore(settings.ensure_data_dir() / "sessions.sqlite")


__all__ = ["SessionRecord", "SessionStore", "open_store"]
