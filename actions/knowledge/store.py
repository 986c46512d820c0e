"""Versions of the knowledge base in Redis: publish, roll back, read the current one.

Keys (none expires, on purpose: they are the committee's content, not personal data, and
the bot cannot answer without them; old versions are pruned by count instead):
    mitra:kb:current      the live version number; action servers poll it (live.py)
    mitra:kb:version:<n>  one version as JSON: {version, published_at, source, author, entries}
    mitra:kb:versions     sorted set of the version numbers whose JSON is kept
    mitra:kb:history      list of version numbers in the order they went live, newest
                          last; rollback steps back along it
    mitra:kb:counter      the last version number handed out

Publishing writes the version and moves the pointer in one MULTI/EXEC, watched on the
pointer: a reader sees the old version or the new one, never half of one, and two
admins publishing from the same preview cannot both win (`Conflict`).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import redis

from actions.knowledge.schema import Entry

logger = logging.getLogger(__name__)

PREFIX = "mitra:kb:"
CURRENT = f"{PREFIX}current"
VERSIONS = f"{PREFIX}versions"
HISTORY = f"{PREFIX}history"
COUNTER = f"{PREFIX}counter"
# Versions kept for rollback: a month of daily edits; each is ~150 KB for 50 entries.
KEEP = 30
SEED = Path(__file__).with_name("seed.yml")


def version_key(number: int) -> str:
    return f"{PREFIX}version:{number}"


class Conflict(RuntimeError):
    """The live version changed since the preview: show the diff again, then retry."""


class NothingToRollBack(RuntimeError):
    pass


class _Any:
    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()  # publish without checking which version is live


@dataclass(frozen=True)
class Version:
    number: int
    entries: List[Entry]
    published_at: str = ""
    source: str = ""
    author: str = ""
    meta: Dict[str, Any] = field(default_factory=dict)


def _int(value: Any) -> Optional[int]:
    if value is None:
        return None
    return int(value.decode() if isinstance(value, bytes) else value)


def current_version(client: redis.Redis) -> Optional[int]:
    return _int(client.get(CURRENT))


def load(client: redis.Redis, number: int) -> Version:
    raw = client.get(version_key(number))
    if raw is None:
        raise KeyError(f"knowledge base version {number} is not kept")
    document = json.loads(raw)
    return Version(
        number=int(document["version"]),
        entries=[Entry.from_dict(e) for e in document["entries"]],
        published_at=document.get("published_at", ""),
        source=document.get("source", ""),
        author=document.get("author", ""),
    )


def load_current(client: redis.Redis) -> Optional[Version]:
    """The live version; retried once if a rollback or prune raced our two reads."""
    for _ in range(3):
        number = current_version(client)
        if number is None:
            return None
        try:
            return load(client, number)
        except KeyError:
            continue
    raise RuntimeError("the knowledge base's current version points at a missing version")


def history(client: redis.Redis) -> List[int]:
    return [_int(n) for n in client.lrange(HISTORY, 0, -1)]


def kept_versions(client: redis.Redis) -> List[int]:
    return [_int(n) for n in client.zrange(VERSIONS, 0, -1)]


def publish(
    client: redis.Redis, entries: Sequence[Entry], *, base: Any = ANY,
    source: str = "", author: str = "",
) -> int:
    """Makes `entries` (already validated) the live version and returns its number.

    `base` is the version the admin's preview was made against (None: the store was
    empty); if another version went live meanwhile, raises Conflict and changes nothing.
    """
    number = int(client.incr(COUNTER))
    document = json.dumps(
        {
            "version": number,
            "published_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "source": source,
            "author": author,
            "entries": [e.to_dict() for e in entries],
        },
        ensure_ascii=False, separators=(",", ":"),
    )

    def write(pipe: redis.client.Pipeline) -> None:
        live = _int(pipe.get(CURRENT))
        if base is not ANY and live != base:
            raise Conflict(f"version {live} went live after the preview of version {base}")
        pipe.multi()
        pipe.set(version_key(number), document)
        pipe.zadd(VERSIONS, {str(number): number})
        pipe.set(CURRENT, number)
        pipe.rpush(HISTORY, number)
        pipe.ltrim(HISTORY, -KEEP, -1)

    client.transaction(write, CURRENT)
    _prune(client)
    logger.info("knowledge base version %s published (%d entries, %s)", number, len(entries), source)
    return number


def rollback(client: redis.Redis, to: Optional[int] = None) -> int:
    """Puts back the version that was live before the current one (or version `to`)."""
    def step(pipe: redis.client.Pipeline) -> int:
        live = _int(pipe.get(CURRENT))
        past = [_int(n) for n in pipe.lrange(HISTORY, 0, -1)]
        if to is None:
            # Undo the last change: drop the live version from the end of the history.
            while past and past[-1] == live:
                past.pop()
            if not past:
                raise NothingToRollBack("there is no earlier version to go back to")
            target = past[-1]
        else:
            if not pipe.exists(version_key(to)):
                raise NothingToRollBack(f"version {to} is not kept; kept: {kept_versions(pipe)}")
            target = to
            past.append(target)
        pipe.multi()
        pipe.set(CURRENT, target)
        pipe.delete(HISTORY)
        if past:
            pipe.rpush(HISTORY, *past[-KEEP:])
        return target

    target = client.transaction(step, CURRENT, HISTORY, value_from_callable=True)
    logger.info("knowledge base rolled back to version %s", target)
    return target


def ensure_seeded(client: redis.Redis, seed: Path = SEED) -> Optional[int]:
    """Publishes the seed file when the store is empty; several servers starting at once
    publish it once (the others get Conflict and find it there)."""
    if current_version(client) is not None:
        return None
    from actions.knowledge.validate import validate_file  # only needed on an empty store

    report = validate_file(seed.read_bytes(), seed.name)
    if not report.ok:
        raise ValueError(f"the seed file {seed} is invalid:\n{report.summary()}")
    try:
        return publish(client, report.entries, base=None, source=seed.name, author="seed")
    except Conflict:
        return None


def _prune(client: redis.Redis) -> None:
    """Drops versions that are neither among the newest KEEP nor in the history."""
    kept = set(history(client))
    current = current_version(client)
    numbers = kept_versions(client)
    newest = set(numbers[-KEEP:])
    for number in numbers:
        if number not in kept and number not in newest and number != current:
            client.zrem(VERSIONS, str(number))
            client.delete(version_key(number))
