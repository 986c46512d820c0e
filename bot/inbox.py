"""A person's messages waiting for an answer: a list in Redis, oldest first.

Every message goes in here before anything else happens, and leaves only once it has been
answered, so that
- replies keep the order of the person's messages, even with several bot replicas: only
  the holder of the person's `busy` lock answers, from the head of the list;
- nothing is lost while Rasa is down, or when a bot process stops: the person's id stays in
  the `pending` set and the retry loop (`bot.relay`) answers once Rasa is back.
"""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict, dataclass, field
from typing import List, Optional

from redis.asyncio import Redis

from mitra import crypto, keys

# Unanswered messages older than a day are dropped with their list: an answer that late
# would only confuse.
EXPIRY_SECONDS = 24 * 3600
LOCK_POLL_SECONDS = 0.05

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
# Extend the lock only for its holder: after an answer slower than the lock, another
# replica may hold it, and must keep it.
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
# Pop the answered head; forget the person in `pending` once nothing waits.
_POP = """
redis.call('lpop', KEYS[1])
if redis.call('llen', KEYS[1]) == 0 then
  redis.call('zrem', KEYS[2], ARGV[1])
  return 0
end
return 1
"""


@dataclass
class Entry:
    chat_id: int
    rasa: Optional[str] = None  # text, or a trusted intent payload, for Rasa
    notes: List[str] = field(default_factory=list)  # bot-side answers sent after Rasa's
    hint: str = ""  # the person's text, to choose the language of bot-side answers
    language_code: Optional[str] = None  # Telegram's, a weak hint
    at: float = field(default_factory=time.time)
    server_errors: int = 0
    first_error: float = 0.0

    def dumps(self) -> str:
        # Encrypted: it holds the chat id and the person's words (mitra/crypto.py).
        return crypto.encrypt(json.dumps(asdict(self), ensure_ascii=False))

    @classmethod
    def loads(cls, raw: str) -> "Entry":
        data = json.loads(crypto.decrypt(raw))
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class Inbox:
    def __init__(self, redis: Redis, lock_seconds: float) -> None:
        self.redis = redis
        self.lock_ms = int(lock_seconds * 1000)
        self._release = redis.register_script(_RELEASE)
        self._pop = redis.register_script(_POP)
        self._extend = redis.register_script(_EXTEND)

    async def push(self, sender: str, entry: Entry) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(keys.inbox(sender), entry.dumps())
            pipe.expire(keys.inbox(sender), EXPIRY_SECONDS)
            pipe.zadd(keys.PENDING, {sender: time.time()})
            pipe.expire(keys.PENDING, EXPIRY_SECONDS)
            await pipe.execute()

    async def head(self, sender: str) -> Optional[Entry]:
        raw = await self.redis.lindex(keys.inbox(sender), 0)
        return None if raw is None else Entry.loads(raw)

    async def replace_head(self, sender: str, entry: Entry) -> None:
        await self.redis.lset(keys.inbox(sender), 0, entry.dumps())

    async def pop(self, sender: str) -> bool:
        """Removes the answered head; True while more messages wait."""
        return bool(await self._pop(keys=[keys.inbox(sender), keys.PENDING], args=[sender]))

    async def waiting(self, sender: str) -> int:
        return await self.redis.llen(keys.inbox(sender))

    async def pending(self, limit: int = 100) -> List[str]:
        return list(await self.redis.zrange(keys.PENDING, 0, limit - 1))

    async def acquire(self, sender: str, token: str, wait: float = 0.0) -> bool:
        deadline = time.monotonic() + wait
        while True:
            if await self.redis.set(keys.busy(sender), token, nx=True, px=self.lock_ms):
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(LOCK_POLL_SECONDS)

    async def extend(self, sender: str, token: str) -> bool:
        """Renews the lock; False when it has expired and may be another's now."""
        return bool(await self._extend(keys=[keys.busy(sender)], args=[token, self.lock_ms]))

    async def release(self, sender: str, token: str) -> None:
        await self._release(keys=[keys.busy(sender)], args=[token])
