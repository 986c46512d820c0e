"""Anonymous statistics for the committee's admins: counters kept as things happen.

Nothing is read back from conversations: the action server and the bot add one to a counter
when something happens, in one Redis hash per month (`mitra:stats:<YYYY-MM>`, months in
Cambodia's time, UTC+7). The fields (docs/statistics.md):

    conversations:<km|th|en>   people who wrote that month, once each, in the language
                               known after their first message of the month
    check:started / check:finished          the safety check
    risk:<low|medium|high>, indicator:<ILO indicator>, country:<KH|TH>   its results
    handoff:<urgent|normal>, handoff:escalated   new cases; an open case made urgent
    claimed, unclaimed:closed   cases claimed by staff; cases closed without a claim
    kb:answered:<topic>, kb:unsure:<topic>, kb:no_answer   knowledge-base questions

and `mitra:stats:<YYYY-MM>:claim_seconds`, a list (capped at MAX_DELAYS) of how many
seconds each case of that month waited for a claim. Cases still open and unclaimed after
UNCLAIMED_AFTER_SECONDS are counted when the statistics are exported.

To count a person once a month, `mitra:stats:<YYYY-MM>:seen` holds an HMAC of their id
and the month (not reversible, not linkable across months) and expires a day after the
month ends. That is the only per-person trace, and it is gone within a month.

Counting never breaks a conversation: a Redis error is logged and the conversation goes
on. Rasa and the action server count with redis-py's sync client, the bot with redis.asyncio.

Export: `python -m mitra.stats export --from 2026-01 --to 2026-06 --csv out.csv --chart
out.png`, or `/stats` in the admin chat (`bot/stats.py`). Every count from 1 to 4 is
shown as "<5", and claim times only for months with at least MIN_CASES claims.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import io
import logging
import math
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import redis

from mitra import keys
from mitra import stats_texts as t
from mitra.config import settings
from mitra.i18n import LANGUAGES, gettext

logger = logging.getLogger(__name__)

TZ = timezone(timedelta(hours=7))  # Cambodia; the committee's months
MIN_COUNT = 5  # any count from 1 to MIN_COUNT - 1 is shown as "<5"
MIN_CASES = 5  # claim times only from this many claims in a month
MAX_DELAYS = 10000  # claim delays kept per month
UNCLAIMED_AFTER_SECONDS = 3600  # an open case this old, never claimed, counts as such
MAX_MONTHS = 24
SUPPRESSED = "<5"
FEW_CASES = "<5 cases"

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# -- Keys and months -----------------------------------------------------------------------
def month_of(timestamp: Optional[float] = None) -> str:
    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, TZ)
    return f"{moment.year:04d}-{moment.month:02d}"


def counters_key(month: str) -> str:
    return f"{keys.PREFIX}stats:{month}"


def delays_key(month: str) -> str:
    return f"{keys.PREFIX}stats:{month}:claim_seconds"


def seen_key(month: str) -> str:
    return f"{keys.PREFIX}stats:{month}:seen"


def parse_month(text: str) -> Tuple[int, int]:
    found = _MONTH.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return int(found.group(1)), int(found.group(2))


def months_between(start: str, end: str) -> List[str]:
    """Every month from start to end, both included (at most MAX_MONTHS)."""
    (y, m), (y2, m2) = parse_month(start), parse_month(end)
    if (y, m) > (y2, m2):
        raise ValueError("the first month is after the last")
    months = []
    while (y, m) <= (y2, m2):
        months.append(f"{y:04d}-{m:02d}")
        if len(months) > MAX_MONTHS:
            raise ValueError(f"at most {MAX_MONTHS} months")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def last_months(count: int = 6, now: Optional[float] = None) -> List[str]:
    y, m = parse_month(month_of(now))
    months = []
    for _ in range(count):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return months[::-1]


def _month_end(month: str) -> int:
    """The first moment of the next month (UTC+7), as a Unix time."""
    y, m = parse_month(month)
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return int(datetime(y, m, 1, tzinfo=TZ).timestamp())


def _seen_token(sender: str, month: str) -> str:
    secret = settings.id_key.encode()
    return hmac.new(secret, f"stats:{month}:{sender}".encode(), hashlib.sha256).hexdigest()[:24]


# -- Counting ------------------------------------------------------------------------------
# Counted once per person per month: the set, with its expiry, and the counter, atomically.
_ONCE = """
if redis.call('sadd', KEYS[1], ARGV[1]) == 1 then
  redis.call('expire', KEYS[1], ARGV[2])
  redis.call('hincrby', KEYS[2], ARGV[3], 1)
  return 1
end
return 0
"""


@dataclass
class Counts:
    """What one event adds: fields of the month's hash, and claim delays."""
    month: str
    fields: Dict[str, int] = field(default_factory=dict)
    delays: List[int] = field(default_factory=list)

    def add(self, name: str, amount: int = 1) -> "Counts":
        self.fields[name] = self.fields.get(name, 0) + amount
        return self

    def queue(self, pipe: Any) -> None:
        for name, amount in self.fields.items():
            pipe.hincrby(counters_key(self.month), name, amount)
        if self.delays:
            pipe.rpush(delays_key(self.month), *self.delays)
            pipe.ltrim(delays_key(self.month), -MAX_DELAYS, -1)


@lru_cache(maxsize=1)
def client() -> redis.Redis:
    """The sync client for counting in Rasa and the action server (short timeouts)."""
    return redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)


def apply(counts: Counts, redis_client: Optional[redis.Redis] = None) -> None:
    """Adds the counts (sync); a failure is logged, never raised."""
    try:
        pipe = (redis_client or client()).pipeline(transaction=False)
        counts.queue(pipe)
        pipe.execute()
    except Exception:  # counting must never break a conversation
        logger.warning("statistics not counted: %s", counts.fields, exc_info=True)


async def apply_async(redis_client: Any, counts: Counts) -> None:
    """The same with redis.asyncio (the bot)."""
    try:
        async with redis_client.pipeline(transaction=False) as pipe:
            counts.queue(pipe)
            await pipe.execute()
    except Exception:  # counting must never break a conversation
        logger.warning("statistics not counted: %s", counts.fields, exc_info=True)


def conversation(sender: str, language: Optional[str], redis_client: Optional[redis.Redis] = None,
                 now: Optional[float] = None) -> None:
    """A person's message: counted once a month, when their language is known."""
    if language not in LANGUAGES or not sender:
        return
    now = time.time() if now is None else now
    month = month_of(now)
    ttl = max(60, int(_month_end(month) + 86400 - now))  # a day after the month ends
    try:
        (redis_client or client()).eval(
            _ONCE, 2, seen_key(month), counters_key(month),
            _seen_token(sender, month), ttl, f"conversations:{language}")
    except Exception:
        logger.warning("statistics: conversation not counted", exc_info=True)


def safety_check_started(redis_client: Optional[redis.Redis] = None,
                         now: Optional[float] = None) -> None:
    apply(Counts(month_of(now)).add("check:started"), redis_client)


def safety_check_finished(level: str, indicators: Iterable[str], country: Optional[str],
                          redis_client: Optional[redis.Redis] = None,
                          now: Optional[float] = None) -> None:
    counts = Counts(month_of(now)).add("check:finished").add(f"risk:{level}")
    for indicator in sorted(set(indicators or [])):
        counts.add(f"indicator:{indicator}")
    if country in ("KH", "TH"):
        counts.add(f"country:{country}")
    apply(counts, redis_client)


def handoff(urgency: str, created_at: float, escalated: bool = False,
            redis_client: Optional[redis.Redis] = None) -> None:
    """A new case (by urgency), or an open case that became urgent."""
    name = "handoff:escalated" if escalated else f"handoff:{urgency}"
    apply(Counts(month_of(created_at)).add(name), redis_client)


def knowledge_question(kind: str, topic: Optional[str] = None,
                       redis_client: Optional[redis.Redis] = None,
                       now: Optional[float] = None) -> None:
    """kind: "answer" (or a picked topic button), "suggest" (not sure), anything else: no
    answer. Only the topic id of the entry is kept, never the question."""
    counts = Counts(month_of(now))
    if kind == "answer" and topic:
        counts.add(f"kb:answered:{topic}")
    elif kind == "suggest" and topic:
        counts.add(f"kb:unsure:{topic}")
    else:
        counts.add("kb:no_answer")
    apply(counts, redis_client)


async def claimed(redis_client: Any, created_at: float, claimed_at: Optional[float]) -> None:
    """Staff claimed a case: how long it waited, counted in the month it was opened."""
    counts = Counts(month_of(created_at)).add("claimed")
    if claimed_at and created_at:
        counts.delays.append(max(0, int(round(claimed_at - created_at))))
    await apply_async(redis_client, counts)


async def closed_unclaimed(redis_client: Any, created_at: float) -> None:
    await apply_async(redis_client, Counts(month_of(created_at)).add("unclaimed:closed"))


# -- Reading -------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class MonthData:
    counts: Dict[str, int] = field(default_factory=dict)
    delays: List[int] = field(default_factory=list)


def read(redis_client: redis.Redis, months: Sequence[str],
         now: Optional[float] = None) -> Dict[str, MonthData]:
    """The counters of these months, with the cases still waiting for a claim."""
    data: Dict[str, MonthData] = {}
    pipe = redis_client.pipeline(transaction=False)
    for month in months:
        pipe.hgetall(counters_key(month))
        pipe.lrange(delays_key(month), 0, -1)
    answers = pipe.execute()
    for i, month in enumerate(months):
        counts = {_text(k): int(_text(v)) for k, v in (answers[2 * i] or {}).items()}
        delays = [int(_text(v)) for v in answers[2 * i + 1] or []]
        data[month] = MonthData(counts, delays)
    now = time.time() if now is None else now
    old = redis_client.zrangebyscore(keys.ACTIVE_CASES, "-inf", now - UNCLAIMED_AFTER_SECONDS,
                                     withscores=True)
    for case_id, created_at in old:
        status = redis_client.hget(keys.case(_text(case_id)), "status")
        month = month_of(float(created_at))
        if status is not None and _text(status) == "open" and month in data:
            counts = data[month].counts
            counts["unclaimed:open"] = counts.get("unclaimed:open", 0) + 1
    return data


# -- The table: what an export shows -------------------------------------------------------
@dataclass
class Row:
    measure: str
    item: str
    label: Optional[str]  # English source text of the label, or None: the item itself
    values: List[Optional[float]]  # per month; None: not shown (too few cases)
    minutes: bool = False


def percentile(values: Sequence[int], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def rows(data: Dict[str, MonthData], months: Sequence[str]) -> List[Row]:
    def count(name: str) -> List[Optional[float]]:
        return [data[m].counts.get(name, 0) for m in months]

    def found(prefix: str) -> List[str]:
        names = {n[len(prefix):] for m in months for n in data[m].counts if n.startswith(prefix)}
        return sorted(names, key=lambda n: (-sum(data[m].counts.get(prefix + n, 0)
                                                 for m in months), n))

    table = [Row("conversations", code, t.LANGUAGE_NAMES[code], count(f"conversations:{code}"))
             for code in LANGUAGES]
    table += [Row("safety_check", "started", t.STARTED, count("check:started")),
              Row("safety_check", "finished", t.FINISHED, count("check:finished"))]
    table += [Row("risk", level, label, count(f"risk:{level}"))
              for level, label in (("low", t.LOW), ("medium", t.MEDIUM), ("high", t.HIGH))]
    table += [Row("country", code, label, count(f"country:{code}"))
              for code, label in (("KH", t.CAMBODIA), ("TH", t.THAILAND))]
    indicators = list(t.INDICATOR_NAMES) + [i for i in found("indicator:")
                                            if i not in t.INDICATOR_NAMES]
    table += [Row("indicator", i, t.INDICATOR_NAMES.get(i), count(f"indicator:{i}"))
              for i in indicators]
    table += [Row("handoff", "urgent", t.URGENT, count("handoff:urgent")),
              Row("handoff", "normal", t.NORMAL, count("handoff:normal")),
              Row("handoff", "escalated", None, count("handoff:escalated")),
              Row("handoff", "claimed", None, count("claimed")),
              Row("handoff", "never_claimed", t.NEVER_CLAIMED,
                  [a + b for a, b in zip(count("unclaimed:open"), count("unclaimed:closed"))])]
    for item, label, share in (("median", t.MEDIAN, 0.5), ("p90", t.P90, 0.9)):
        values: List[Optional[float]] = []
        for m in months:
            delays = data[m].delays
            values.append(round(percentile(delays, share) / 60, 1)
                          if len(delays) >= MIN_CASES else None)
        table.append(Row("claim_minutes", item, label, values, minutes=True))
    table += [Row("kb_answered", topic, None, count(f"kb:answered:{topic}"))
              for topic in found("kb:answered:")]
    table += [Row("kb_unsure", topic, None, count(f"kb:unsure:{topic}"))
              for topic in found("kb:unsure:")]
    table.append(Row("kb_no_answer", "all", t.NO_ANSWER, count("kb:no_answer")))
    return table


def shown(value: Optional[float], minutes: bool = False) -> str:
    """A cell as an export shows it: counts from 1 to 4 as "<5"."""
    if minutes:
        return FEW_CASES if value is None else f"{value:g}"
    number = int(value or 0)
    return SUPPRESSED if 0 < number < MIN_COUNT else str(number)


def to_csv(table: List[Row], months: Sequence[str], language: str = "en") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["measure", "item", "label", *months])
    for row in table:
        label = gettext(language, row.label) if row.label else row.item
        writer.writerow([row.measure, row.item, label,
                         *(shown(v, row.minutes) for v in row.values)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheets read it as UTF-8


def export(redis_client: redis.Redis, months: Sequence[str], language: str = "en",
           chart: bool = True, now: Optional[float] = None) -> Tuple[bytes, Optional[bytes]]:
    """(CSV, PNG chart or None) for these months."""
    table = rows(read(redis_client, months, now), months)
    image = None
    if chart:
        from mitra import stats_chart  # matplotlib: only where charts are drawn
        image = stats_chart.draw(table, months, language)
    return to_csv(table, months, language), image


# -- Command line ----------------------------------------------------------------------------
def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mitra.stats",
                                     description="Anonymous statistics (docs/statistics.md).")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("export", help="write the statistics as CSV and/or a chart")
    cmd.add_argument("--from", dest="start", help="first month, YYYY-MM (default: 5 months ago)")
    cmd.add_argument("--to", dest="end", help="last month, YYYY-MM (default: this month)")
    cmd.add_argument("--csv", help="CSV file to write")
    cmd.add_argument("--chart", help="PNG file to write")
    cmd.add_argument("--language", default="en", choices=LANGUAGES, help="labels (default en)")
    cmd.add_argument("--redis-url", default=settings.redis_url)
    args = parser.parse_args(argv)
    default = last_months()
    try:
        months = months_between(args.start or default[0], args.end or default[-1])
    except ValueError as error:
        parser.error(str(error))
    if not args.csv and not args.chart:
        parser.error("give --csv and/or --chart")
    table_csv, image = export(redis.Redis.from_url(args.redis_url), months, args.language,
                              chart=bool(args.chart))
    if args.csv:
        with open(args.csv, "wb") as f:
            f.write(table_csv)
    if args.chart and image:
        with open(args.chart, "wb") as f:
            f.write(image)
    print(f"statistics {months[0]}..{months[-1]}: " + ", ".join(
        p for p in (args.csv, args.chart) if p), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
