"""Redis session store: lets any container resume any session (scale-out).

Keys expire after the idle timeout, so abandoned sessions clean themselves up;
``idle_sessions`` uses a sorted set of last-update times to find them first, so
the brain's end-of-call hook still runs for them. Writes are Lua scripts, so the
owner check (fencing token) and the write are one atomic step.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis.asyncio as aioredis

from agent.store.base import SessionRecord, StaleOwner

_PREFIX = "switchboard:"
#: How long a command may wait on a Redis that accepts connections but does not answer.
SOCKET_TIMEOUT_S = 5.0


class RedisSessionStore:
    def __init__(self, url: str, *, idle_timeout_s: float) -> None:
        self._r = aioredis.from_url(url, decode_responses=True, socket_timeout=SOCKET_TIMEOUT_S,
                                    socket_connect_timeout=SOCKET_TIMEOUT_S)
        # Keep data a while past the idle timeout so the expiry sweep can still read it.
        self._ttl = int(idle_timeout_s * 2) + 60

    @staticmethod
    def _k(kind: str, session_id: str) -> str:
        return f"{_PREFIX}{kind}:{session_id}"

    # Tokens come from one counter for all sessions, so a token is never handed out twice,
    # even after a session's owner key expired or was deleted.
    _CLAIM = """
    local previous = redis.call('GET', KEYS[1])
    local token = redis.call('INCR', KEYS[2])
    redis.call('SET', KEYS[1], token, 'EX', ARGV[1])
    return {token, tonumber(previous) or 0}
    """

    async def claim(self, session_id: str) -> tuple[int, int]:
        token, previous = await self._r.eval(self._CLAIM, 2, self._k("owner", session_id), f"{_PREFIX}owner-seq",
                                             self._ttl)
        return int(token), int(previous)

    # KEYS: the updated set, then owner, session, events of each session; ARGV: the ttl, the time,
    # then each session's id and token. A connected caller may stay quiet past the ttl and the
    # idle timeout: while its owner holds the session, nothing expires and no sweep ends it.
    _RENEW = """
    local lost = {}
    for i = 3, #ARGV, 2 do
      local n = (i - 3) / 2
      local base = 1 + n * 3
      if redis.call('GET', KEYS[base + 1]) == ARGV[i + 1] then
        for j = 1, 3 do redis.call('EXPIRE', KEYS[base + j], ARGV[1]) end
        if redis.call('EXISTS', KEYS[base + 2]) == 1 then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i]) end
      else
        table.insert(lost, n + 1)
      end
    end
    return lost
    """

    async def renew(self, tokens: dict[str, int]) -> set[str]:
        if not tokens:
            return set()
        ids = list(tokens)
        keys = [k for sid in ids for k in (self._k("owner", sid), self._k("session", sid), self._k("events", sid))]
        args = [x for sid in ids for x in (sid, str(tokens[sid]))]
        lost = await self._r.eval(self._RENEW, len(keys) + 1, f"{_PREFIX}updated", *keys, self._ttl, time.time(),
                                  *args)
        return {ids[int(i) - 1] for i in lost}

    async def load(self, session_id: str) -> SessionRecord | None:
        data = await self._r.hgetall(self._k("session", session_id))
        if not data:
            return None
        return SessionRecord(session_id, json.loads(data["state"]), int(data["last_seq"]), float(data["updated_at"]))

    # Owner check, then compare-and-set on last_seq, in one round trip (see SessionStore.save).
    _SAVE = """
    if redis.call('GET', KEYS[3]) ~= ARGV[6] then return -1 end
    local current = redis.call('HGET', KEYS[1], 'last_seq')
    if current and tonumber(current) > tonumber(ARGV[2]) then return 0 end
    redis.call('HSET', KEYS[1], 'state', ARGV[1], 'last_seq', ARGV[2], 'updated_at', ARGV[3])
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    redis.call('EXPIRE', KEYS[3], ARGV[4])
    redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
    return 1
    """

    async def save(self, session_id: str, state: dict[str, Any], last_seq: int, token: int) -> None:
        done = await self._r.eval(self._SAVE, 3, self._k("session", session_id), f"{_PREFIX}updated",
                                  self._k("owner", session_id), json.dumps(state, ensure_ascii=False), last_seq,
                                  time.time(), self._ttl, session_id, str(token))
        if int(done) < 0:
            raise StaleOwner(session_id)

    # KEYS: events, owner; ARGV: token, keep, ttl, then seq/body pairs.
    _APPEND = """
    if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
    for i = 4, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[2]) - 1)
    redis.call('EXPIRE', KEYS[1], ARGV[3])
    return 1
    """

    async def append_events(self, session_id: str, events: list[tuple[int, str]], keep: int, token: int) -> None:
        if not events:
            return
        pairs = [x for seq, body in events for x in (seq, body)]
        done = await self._r.eval(self._APPEND, 2, self._k("events", session_id), self._k("owner", session_id),
                                  str(token), keep, self._ttl, *pairs)
        if int(done) < 0:
            raise StaleOwner(session_id)

    async def events_after(self, session_id: str, seq: int) -> list[str] | None:
        key = self._k("events", session_id)
        rows = await self._r.zrangebyscore(key, f"({seq}", "+inf", withscores=True)
        first = await self._r.zrange(key, 0, 0, withscores=True)
        if rows and int(rows[0][1]) != seq + 1 or (not rows and first and int(first[0][1]) > seq + 1):
            return None
        return [body for body, _ in rows]

    async def delete(self, session_id: str) -> None:
        await self._r.delete(self._k("session", session_id), self._k("events", session_id),
                             self._k("owner", session_id))
        await self._r.zrem(f"{_PREFIX}updated", session_id)

    async def idle_sessions(self, older_than: float) -> list[str]:
        return list(await self._r.zrangebyscore(f"{_PREFIX}updated", "-inf", f"({older_than}"))

    async def close(self) -> None:
        await self._r.aclose()
