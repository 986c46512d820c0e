"""Hand-off cases: what the action server creates and the bot delivers to hotline staff.

A case is a Redis hash `mitra:case:<id>`; its id goes onto the stream `mitra:handoff`,
which the bot reads with a consumer group and acknowledges only once the case card is in
the staff group. A case created while the bot is down, or left unacknowledged by a bot
that crashed, is delivered when a bot reads the stream again: nothing is lost. A person
has at most one open case (`mitra:case:open:<sender>`); a second hand-off escalates it.
Only what staff need is stored, and everything expires.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

from mitra import crypto, keys, stats
from mitra.metrics import HANDOFFS

STREAM = keys.HANDOFF_STREAM
GROUP = keys.HANDOFF_GROUP
SEQUENCE = keys.CASE_SEQUENCE
CASE_TTL_SECONDS = 90 * 86400

URGENT, NORMAL = "urgent", "normal"
URGENCIES = (URGENT, NORMAL)
OPEN, CLAIMED, CLOSED = "open", "claimed", "closed"


case_key = keys.case
open_case_key = keys.open_case
cases_of_key = keys.cases_of


@dataclass
class Case:
    id: str
    sender: str
    urgency: str
    reason: str  # "danger", "safety_check", "asked"
    language: str
    country: Optional[str] = None
    risk: Optional[str] = None
    indicators: List[str] = field(default_factory=list)
    last_messages: List[Dict[str, str]] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)
    status: str = OPEN

    def to_redis(self) -> Dict[str, str]:
        data = asdict(self)
        data["indicators"] = json.dumps(data["indicators"])
        data["last_messages"] = _sealed(data["last_messages"])
        return {k: ("" if v is None else str(v)) for k, v in data.items()}

    @classmethod
    def from_redis(cls, data: Dict[str, str]) -> "Case":
        values = dict(data)
        values["indicators"] = json.loads(values.get("indicators") or "[]")
        values["last_messages"] = json.loads(crypto.decrypt(values.get("last_messages") or "[]"))
        values["created_at"] = float(values.get("created_at") or 0)
        for key in ("country", "risk"):
            values[key] = values.get(key) or None
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in values.items() if k in known})


def _sealed(messages: List[Dict[str, str]]) -> str:
    """The person's words, encrypted at rest (mitra/crypto.py)."""
    return crypto.encrypt(json.dumps(messages, ensure_ascii=False))


def _more_urgent(a: str, b: str) -> str:
    return URGENT if URGENT in (a, b) else NORMAL


def open_or_escalate(redis, case: Case) -> Case:
    """Creates the person's case, or escalates their open one; announces either way
    when it is new or became more urgent. `redis` is a redis-py client (sync)."""
    existing_id = redis.get(open_case_key(case.sender))
    if existing_id:
        existing_id = existing_id.decode() if isinstance(existing_id, bytes) else existing_id
        stored = redis.hgetall(case_key(existing_id))
        if stored:
            stored = {
                (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                for k, v in stored.items()
            }
            current = Case.from_redis(stored)
            if current.status != CLOSED:
                urgency = _more_urgent(current.urgency, case.urgency)
                escalated = urgency != current.urgency
                updates = {
                    "urgency": urgency,
                    "risk": case.risk or current.risk or "",
                    "indicators": json.dumps(sorted(set(current.indicators) | set(case.indicators))),
                    "last_messages": _sealed(case.last_messages),
                    "country": case.country or current.country or "",
                }
                redis.hset(case_key(current.id), mapping=updates)
                if escalated:
                    redis.xadd(STREAM, {"case": current.id, "event": "escalated"})
                    stats.handoff(urgency, current.created_at, escalated=True, redis_client=redis)
                    HANDOFFS.labels(urgency, "escalated").inc()
                current_data = {**stored, **updates}
                return Case.from_redis(current_data)
    number = redis.incr(SEQUENCE)
    case.id = f"{number:05d}"
    pipe = redis.pipeline(transaction=True)
    pipe.hset(case_key(case.id), mapping=case.to_redis())
    pipe.expire(case_key(case.id), CASE_TTL_SECONDS)
    pipe.set(open_case_key(case.sender), case.id, ex=CASE_TTL_SECONDS)
    pipe.sadd(cases_of_key(case.sender), case.id)
    pipe.expire(cases_of_key(case.sender), CASE_TTL_SECONDS)
    pipe.zadd(keys.ACTIVE_CASES, {case.id: case.created_at})
    pipe.xadd(STREAM, {"case": case.id, "event": "new"})
    pipe.execute()
    stats.handoff(case.urgency, case.created_at, redis_client=redis)  # never raises
    HANDOFFS.labels(case.urgency, "new").inc()
    return case
