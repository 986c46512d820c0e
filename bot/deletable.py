"""Ids of the chat messages `/forget` may delete: both sides of a private chat, and only
while Telegram allows a bot to delete them (48 hours). Kept in a sorted set by time that
expires with its newest entry."""
from __future__ import annotations

import time
from typing import List

from redis.asyncio import Redis

from mitra import keys

# Telegram: "a message can only be deleted if it was sent less than 48 hours ago". A
# minute's margin, so we do not ask for what Telegram refuses.
WINDOW_SECONDS = 48 * 3600 - 60


async def remember(redis: Redis, sender: str, *message_ids: int) -> None:
    ids = [m for m in message_ids if m]
    if not ids:
        return
    now = time.time()
    key = keys.deletable(sender)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zadd(key, {str(m): now for m in ids})
        pipe.zremrangebyscore(key, "-inf", now - WINDOW_SECONDS)
        pipe.expire(key, WINDOW_SECONDS)
        await pipe.execute()


async def recent(redis: Redis, sender: str) -> List[int]:
    since = time.time() - WINDOW_SECONDS
    ids = await redis.zrangebyscore(keys.deletable(sender), since, "+inf")
    return sorted(int(m) for m in ids)
