"""The bot's Prometheus metrics, served on MITRA_METRICS_PORT (docs/metrics.md).

What operators watch: how many people write, in which language and how (text, voice,
buttons…); how long they wait for the last reply; whether Rasa or Telegram fail; hand-off
cards, claims and closes; and, read from Redis at each scrape, the cases nobody has claimed
yet and how long the oldest has waited. Labels are small fixed sets: never a chat id, a
name or a message.
"""
from __future__ import annotations

import logging
import time
from typing import Dict, Iterable, Optional

import redis
from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler, filters
from telegram.request import HTTPXRequest

from mitra import keys, metrics
from mitra.cases import CLAIMED, OPEN, URGENCIES

logger = logging.getLogger(__name__)

MESSAGES = Counter(
    "mitra_bot_messages_total",
    "Messages and button presses from people in private chats, by language and kind",
    ["language", "kind"],
)
REPLY_SECONDS = Histogram(
    "mitra_bot_reply_seconds",
    "From a person's message reaching the bot to the last reply sent, by reply language",
    ["language"],
    buckets=(0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20, 30, 60, 120, 300, 900),
)
SLOW_NOTICES = Counter(
    "mitra_bot_slow_notices_total",
    "'Cannot answer right now' notices sent because Rasa was slow or down",
)
RASA_ERRORS = Counter(
    "mitra_bot_rasa_errors_total",
    "Failed calls to Rasa: timeout, unreachable, http_error, bad_reply, empty",
    ["reason"],
)
TELEGRAM_ERRORS = Counter(
    "mitra_bot_telegram_errors_total",
    "Bot API calls that failed, by method and error class",
    ["method", "error"],
)
CASE_CARDS = Counter(
    "mitra_bot_case_cards_total", "Case cards posted in the staff group, by urgency", ["urgency"])
REANNOUNCED = Counter(
    "mitra_bot_case_reannouncements_total",
    "Urgent cases announced again because nobody claimed them")
CLAIMS = Counter(
    "mitra_bot_case_claims_total",
    "Claim attempts by staff: ok, or why not (claimed, closed, missing)", ["outcome"])
CLAIM_WAIT = Histogram(
    "mitra_bot_case_claim_wait_seconds",
    "From a case's creation to its claim, by urgency",
    ["urgency"],
    buckets=(15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400),
)
CLOSES = Counter(
    "mitra_bot_case_closes_total", "Cases closed by staff, by whether someone had claimed them",
    ["claimed"])
ERRORS = Counter(
    "mitra_bot_errors_total",
    "Errors in the bot: update handlers, retries, hand-off delivery, the cases gauge",
    ["where"])

RASA_REASONS = ("timeout", "unreachable", "http_error", "bad_reply", "empty")
CLAIM_OUTCOMES = ("ok", CLAIMED, "closed", "missing")
# The cases gauges read at most this many active cases per scrape.
MAX_SCRAPED_CASES = 10_000


def urgency_label(urgency: Optional[str]) -> str:
    return urgency if urgency in URGENCIES else metrics.UNKNOWN


# -- Messages in -------------------------------------------------------------------------
def kind_of(update: Update) -> Optional[str]:
    """What a person sent, as a label; None for what is not a person's private message."""
    if update.callback_query is not None:
        message = update.callback_query.message
        return "button" if message is not None and message.chat.type == "private" else None
    message = update.message or update.edited_message
    if message is None or message.chat.type != "private":
        return None
    if message.text is not None:
        return "command" if message.text.startswith("/") else "text"
    if filters.StatusUpdate.ALL.check_update(update):
        return None  # someone joined, a message was pinned…: nothing a person said
    from bot.handlers import media_kind  # bot.handlers imports, through bot.relay, this module

    return media_kind(message)


async def count_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler (group -10) and only counts."""
    kind = kind_of(update)
    if kind is None:
        return
    from bot import language, services

    s = services.of(context)
    message = update.effective_message
    user = update.effective_user
    code = user.language_code if user else None
    text = (message.text or message.caption) if message is not None and kind != "button" else None
    try:
        lang = await language.for_person(s.redis, keys.sender_id(update.effective_chat.id),
                                         text, code)
    except (redis.RedisError, OSError):
        lang = language.without_memory(text, code)
    MESSAGES.labels(metrics.language_label(lang), kind).inc()


async def count_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    ERRORS.labels("update").inc()


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, count_update), group=-10)
    app.add_error_handler(count_error)


# -- Replies and Rasa --------------------------------------------------------------------
def replied(arrived_at: float, language: Optional[str]) -> None:
    """`arrived_at`: when the handler took the message (wall clock: a message answered by
    the retry loop, maybe in another replica, counts with its whole wait)."""
    REPLY_SECONDS.labels(metrics.language_label(language)).observe(
        max(0.0, time.time() - arrived_at))


def rasa_failed(reason: str) -> None:
    RASA_ERRORS.labels(reason if reason in RASA_REASONS else "http_error").inc()


# -- Telegram ----------------------------------------------------------------------------
class CountingRequest(HTTPXRequest):
    """The Bot API client, counting failed calls by method (sendMessage, …) and error class
    (RetryAfter, Forbidden, TimedOut, …): both come from python-telegram-bot, not people."""

    async def post(self, url: str, *args, **kwargs):
        try:
            return await super().post(url, *args, **kwargs)
        except TelegramError as error:
            TELEGRAM_ERRORS.labels(url.rsplit("/", 1)[-1], type(error).__name__).inc()
            raise


# -- Cases, read from Redis at each scrape ------------------------------------------------
class CasesCollector:
    """Unclaimed cases and the age of the oldest, by urgency; claimed ones still open.

    Computed from Redis when Prometheus scrapes (every replica shows the same numbers:
    aggregate with max, not sum). The scrape runs in prometheus_client's thread, so it uses
    a synchronous client of its own."""

    def __init__(self, redis_url: str) -> None:
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True,
                                          socket_timeout=2, socket_connect_timeout=2)

    def describe(self):
        return self._families()

    @staticmethod
    def _families():
        return [
            GaugeMetricFamily("mitra_cases_unclaimed",
                              "Open cases nobody has claimed yet, by urgency", labels=["urgency"]),
            GaugeMetricFamily("mitra_cases_unclaimed_oldest_seconds",
                              "How long the oldest unclaimed case has waited, by urgency",
                              labels=["urgency"]),
            GaugeMetricFamily("mitra_cases_claimed_open",
                              "Cases claimed by staff and not yet closed, by urgency",
                              labels=["urgency"]),
        ]

    def read(self) -> Dict[str, Dict[str, float]]:
        now = time.time()
        ids = self.redis.zrange(keys.ACTIVE_CASES, 0, MAX_SCRAPED_CASES - 1, withscores=True)
        pipe = self.redis.pipeline(transaction=False)
        for case_id, _ in ids:
            pipe.hmget(keys.case(case_id), "status", "urgency")
        found = {u: {"unclaimed": 0.0, "oldest": 0.0, "claimed": 0.0} for u in URGENCIES}
        for (case_id, created_at), (status, urgency) in zip(ids, pipe.execute()):
            if urgency not in found:
                continue  # expired or forgotten: /cases removes the id
            if status == OPEN:
                found[urgency]["unclaimed"] += 1
                found[urgency]["oldest"] = max(found[urgency]["oldest"], now - created_at)
            elif status == CLAIMED:
                found[urgency]["claimed"] += 1
        return found

    def collect(self) -> Iterable[GaugeMetricFamily]:
        try:
            found = self.read()
        except (redis.RedisError, OSError) as error:
            # No numbers rather than wrong ones: an alert on absent() notices.
            ERRORS.labels("cases_gauge").inc()
            logger.warning("cases gauge: Redis failed: %s", error)
            return
        unclaimed, oldest, claimed = self._families()
        for urgency, values in found.items():
            unclaimed.add_metric([urgency], values["unclaimed"])
            oldest.add_metric([urgency], round(values["oldest"], 3))
            claimed.add_metric([urgency], values["claimed"])
        yield from (unclaimed, oldest, claimed)


_collector: Optional[CasesCollector] = None


def start(port: int, host: str, redis_url: str) -> bool:
    """Serves /metrics, with the cases gauges; once per process."""
    global _collector
    if _collector is None:
        _collector = CasesCollector(redis_url)
        REGISTRY.register(_collector)
    return metrics.serve(port, host)
