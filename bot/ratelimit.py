"""Per-person rate limit in Redis, shared by every bot replica: a fixed window counter.

Over the limit, the person is told once per window; further messages are dropped, so a
flood (or a stuck phone resending) cannot keep Rasa busy for everyone else. The limit is
high enough that nobody writing by hand reaches it.
"""
from __future__ import annotations

import enum

from redis.asyncio import Redis

from mitra import keys


class Verdict(enum.Enum):
    OK = "ok"
    WARN = "warn"  # the first message over the limit: tell the person
    DROP = "drop"


async def check(redis: Redis, sender: str, limit: int, window_seconds: int) -> Verdict:
    key = keys.rate(sender)
    async with redis.pipeline(transaction=True) as pipe:
        # SET NX then INCR works on any Redis version (EXPIRE NX needs Redis 7).
        pipe.set(key, 0, ex=window_seconds, nx=True)
        pipe.incr(key)
        _, count = await pipe.execute()
    if count <= limit:
        return Verdict.OK
    return Verdict.WARN if count == limit + 1 else Verdict.DROP
