"""The per-person lock of the inbox, on the stack's real Redis: only its holder renews it,
so a bot task whose answer outlasted its lock cannot take over another's."""
import asyncio
import uuid

from redis.asyncio import Redis

from bot.inbox import Inbox
from mitra import keys


def test_a_lock_that_expired_and_was_taken_is_not_renewed_by_its_old_holder(stack):
    sender = f"test-lock-{uuid.uuid4().hex}"

    async def scenario():
        redis = Redis.from_url(stack.redis_url, decode_responses=True)
        try:
            slow = Inbox(redis, lock_seconds=0.2)
            assert await slow.acquire(sender, "first")
            assert await slow.extend(sender, "first")
            await asyncio.sleep(0.3)  # the answer outlasts the lock
            other = Inbox(redis, lock_seconds=30)
            assert await other.acquire(sender, "second")
            assert not await slow.extend(sender, "first")
            # The new holder's own, longer lock is left as it was.
            assert await redis.get(keys.busy(sender)) == "second"
            assert await redis.pttl(keys.busy(sender)) > 20_000
            assert await other.extend(sender, "second")
        finally:
            await redis.aclose()

    asyncio.run(scenario())
