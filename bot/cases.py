"""The bot's side of hand-off cases (`mitra/cases.py` creates them): reading a case,
claiming and closing it atomically, where its messages live in the staff group, and the
record of who did what.

Claim and close are Lua scripts, so that two staff members pressing Claim at the same
moment (maybe on two bot replicas) cannot both get the case.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from redis.asyncio import Redis

from mitra import keys
from mitra.cases import CASE_TTL_SECONDS, CLAIMED, CLOSED, OPEN, Case

_CLAIM = """
local status = redis.call('hget', KEYS[1], 'status')
if not status then return 'missing' end
if status ~= 'open' then return status end
redis.call('hset', KEYS[1], 'status', 'claimed', 'claimed_by', ARGV[1],
           'claimed_name', ARGV[2], 'claimed_at', ARGV[3])
return 'ok'
"""
_CLOSE = """
local status = redis.call('hget', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'closed' then return status end
redis.call('hset', KEYS[1], 'status', 'closed', 'closed_by', ARGV[1], 'closed_at', ARGV[2])
if redis.call('get', KEYS[2]) == ARGV[3] then redis.call('del', KEYS[2]) end
redis.call('zrem', KEYS[3], ARGV[3])
return 'ok'
"""


@dataclass
class StaffCase:
    """A case as the staff side sees it: the stored case plus where it is shown."""
    case: Case
    fields: Dict[str, str]

    @property
    def id(self) -> str:
        return self.case.id

    @property
    def status(self) -> str:
        return self.case.status

    @property
    def card(self) -> Optional[int]:
        return _int(self.fields.get("card"))

    @property
    def thread(self) -> Optional[int]:
        return _int(self.fields.get("thread"))

    @property
    def claimed_by(self) -> Optional[int]:
        return _int(self.fields.get("claimed_by"))

    @property
    def claimed_name(self) -> str:
        return self.fields.get("claimed_name", "")

    @property
    def claimed_at(self) -> Optional[float]:
        value = self.fields.get("claimed_at")
        return float(value) if value else None

    @property
    def announced_at(self) -> float:
        return float(self.fields.get("announced_at") or self.case.created_at)


def _int(value: Optional[str]) -> Optional[int]:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


async def load(redis: Redis, case_id: str) -> Optional[StaffCase]:
    fields = await redis.hgetall(keys.case(case_id))
    if not fields:
        return None
    return StaffCase(Case.from_redis(fields), fields)


async def open_case_of(redis: Redis, sender: str) -> Optional[StaffCase]:
    case_id = await redis.get(keys.open_case(sender))
    found = await load(redis, case_id) if case_id else None
    return found if found and found.status != CLOSED else None


def with_staff(case: Optional[StaffCase]) -> bool:
    """True while a staff member talks with the person: Rasa must not answer."""
    return case is not None and case.status == CLAIMED


async def case_for_staff_message(redis: Redis, thread_id: Optional[int],
                                 reply_to: Optional[int]) -> Optional[StaffCase]:
    """The case a staff group message is about: its forum topic, or the case message it
    replies to."""
    case_id = None
    if thread_id:
        case_id = await redis.get(keys.case_of_thread(thread_id))
    if case_id is None and reply_to:
        case_id = await redis.get(keys.case_of_message(reply_to))
    return await load(redis, case_id) if case_id else None


async def remember_message(redis: Redis, case_id: str, message_id: int) -> None:
    await redis.set(keys.case_of_message(message_id), case_id, ex=CASE_TTL_SECONDS)


async def set_fields(redis: Redis, case_id: str, **values: Any) -> None:
    await redis.hset(keys.case(case_id), mapping={k: str(v) for k, v in values.items()})


async def remember_thread(redis: Redis, case_id: str, thread_id: int) -> None:
    await redis.set(keys.case_of_thread(thread_id), case_id, ex=CASE_TTL_SECONDS)
    await set_fields(redis, case_id, thread=thread_id)


async def claim(redis: Redis, case_id: str, user_id: int, name: str) -> str:
    """'ok', or why not: 'claimed', 'closed' or 'missing'."""
    return await redis.eval(_CLAIM, 1, keys.case(case_id), user_id, name, time.time())


async def close(redis: Redis, case: StaffCase, user_id: int) -> str:
    return await redis.eval(_CLOSE, 3, keys.case(case.id), keys.open_case(case.case.sender),
                            keys.ACTIVE_CASES, user_id, time.time(), case.id)


async def active(redis: Redis) -> List[StaffCase]:
    """Cases not yet closed, oldest first; ids whose case expired or was forgotten go."""
    found = []
    for case_id in await redis.zrange(keys.ACTIVE_CASES, 0, -1):
        case = await load(redis, case_id)
        if case is None or case.status == CLOSED:
            await redis.zrem(keys.ACTIVE_CASES, case_id)
        else:
            found.append(case)
    return found


async def record(redis: Redis, case_id: str, who: int, action: str, **details: Any) -> None:
    """Appends to the case's log: who (a staff user id, or 0 for the bot), what, when."""
    entry = {"at": round(time.time(), 3), "who": who, "action": action, **details}
    await redis.rpush(keys.case_log(case_id), json.dumps(entry))
    await redis.expire(keys.case_log(case_id), CASE_TTL_SECONDS)


async def log(redis: Redis, case_id: str) -> List[Dict[str, Any]]:
    return [json.loads(e) for e in await redis.lrange(keys.case_log(case_id), 0, -1)]


__all__ = ["StaffCase", "OPEN", "CLAIMED", "CLOSED", "load", "open_case_of", "with_staff",
           "claim", "close",
           "active", "record", "log", "case_for_staff_message", "remember_message",
           "remember_thread", "set_fields"]
