"""Redis session store: lets any container resume any session (scale-out).

Keys expire after the idle timeout, so abandoned sessions clean themselves up;
``idle_sessions`` uses a sorted set of last-update times to find them first, so
the brain's end-of-call hook still runs for them.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis.asyncio as aioredis

from agent.store.base import SessionRecord

_PREFIX = "switchboard:"


class RedisSessionStore:
    def __init__(self, url: str, *, idle_timeout_s: float) -> None:
        self._r = aioredis.from_url(url, decode_responses=True)
        # Keep data a while past the idle timeout so the expiry sweep can still read it.
        self._ttl = int(idle_timeout_s * 2) + 60

    @staticmethod
    def _k(kind: str, session_id: str) -> str:
        return f"{_PREFIX}{kind}:{session_id}"

    async def load(self, session_id: str) -> SessionRecord | None:
        data = await self._r.hgetall(self._k("session", session_id))
        if not data:
            return None
        return SessionRecord(session_id, json.loads(data["state"]), int(data["last_seq"]), float(data["updated_at"]))

    # Compare-and-set on last_seq in one round trip (see SessionStore.save).
    _SAVE = """
    local current = redis.call('HGET', KEYS[1], 'last_seq')
    if current and tonumber(current) > tonumber(ARGV[2]) then return 0 end
    redis.call('HSET', KEYS[1], 'state', ARGV[1], 'last_seq', ARGV[2], 'updated_at', ARGV[3])
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
    return 1
    """

    async def save(self, session_id: str, state: dict[str, Any], last_seq: int) -> None:
        await self._r.eval(self._SAVE, 2, self._k("session", session_id), f"{_PREFIX}updated",
                           json.dumps(state, ensure_ascii=False), last_seq, time.time(), self._ttl, session_id)

    async def append_events(self, session_id: str, events: list[tuple[int, str]], keep: int) -> None:
        if not events:
            return
        key = self._k("events", session_id)
        async with self._r.pipeline(transaction=True) as p:
            p.zadd(key, {body: seq for seq, body in events})
            p.zremrangebyrank(key, 0, -keep - 1)
            p.expire(key, self._ttl)
            await p.execute()

    async def events_after(self, session_id: str, seq: int) -> list[str] | None:
        key = self._k("events", session_id)
        rows = await self._r.zrangebyscore(key, f"({seq}", "+inf", withscores=True)
        first = await self._r.zrange(key, 0, 0, withscores=True)
        if rows and int(rows[0][1]) != seq + 1 or (not rows and first and int(first[0][1]) > seq + 1):
            return None
        return [body for body, _ in rows]

    async def delete(self, session_id: str) -> None:
        await self._r.delete(self._k("session", session_id), self._k("events", session_id))
        await self._r.zrem(f"{_PREFIX}updated", session_id)

    async def idle_sessions(self, older_than: float) -> list[str]:
        return list(await self._r.zrangebyscore(f"{_PREFIX}updated", "-inf", f"({older_than}"))

    async def close(self) -> None:
        await self._r.aclose()
