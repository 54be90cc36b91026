"""Durable session storage: SQLite on this machine, Redis when shared across containers."""

from __future__ import annotations

from agent.config import Settings
from agent.store.base import SessionRecord, SessionStore, StaleOwner, StoreUnavailable


def open_store(settings: Settings) -> SessionStore:
    """The store the settings ask for (Redis when ``redis_url`` is set, else SQLite in the data dir),
    with transient errors retried for up to ``store_retry_s``."""
    from agent.store.retry import RetryingStore

    inner: SessionStore
    if settings.redis_url:
        from agent.store.redis_store import RedisSessionStore

        inner = RedisSessionStore(settings.redis_url, idle_timeout_s=settings.session_idle_timeout_s)
    else:
        from agent.store.sqlite_store import SqliteSessionStore

        inner = SqliteSessionStore(settings.ensure_data_dir() / "sessions.sqlite")
    return RetryingStore(inner, budget_s=settings.store_retry_s)


__all__ = ["SessionRecord", "SessionStore", "StaleOwner", "StoreUnavailable", "open_store"]
