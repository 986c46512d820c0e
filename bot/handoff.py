"""Hand-off cases into the staff group: the durable queue's consumer, and the reminder
for urgent cases nobody claimed.

The action server puts each new or escalated case on the stream `mitra:handoff`. Every
bot replica reads it in the consumer group "staff" under a name of its own, and
acknowledges an entry only once the case card is in the staff group, so
- a case created while every bot is down waits in the stream and is delivered at start;
- an entry a replica took but never acknowledged (it crashed, Telegram failed) is taken
  over by another replica after `STALE_MS` (XAUTOCLAIM), or retried by the same one;
- the group and the stream survive a Redis restart with its append-only file.
A card is posted only while the case has none (`card` in the case hash), so an entry
delivered again after a crash does not post a second card.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from typing import Any, Dict, Optional

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot import case_cards, cases, metrics, outbox, staff_texts as t
from bot.cases import StaffCase
from mitra import keys
from mitra.cases import OPEN, URGENT
from mitra.config import Settings
from mitra.i18n import gettext

logger = logging.getLogger(__name__)

STALE_MS = 60_000
BATCH = 20
BLOCK_MS = 2000
SEND_ATTEMPTS = 4


class StaffGroup:
    """Posting about cases in the staff group: cards, and messages in a case's thread."""

    def __init__(self, bot: Bot, redis: Redis, settings: Settings) -> None:
        self.bot = bot
        self.redis = redis
        self.chat_id = settings.staff_chat_id
        self.language = settings.staff_language
        self._forum: Optional[bool] = None

    async def is_forum(self) -> bool:
        """A group with topics gets a topic per case; any other a thread of replies."""
        if self._forum is None:
            chat = await self.bot.get_chat(self.chat_id)
            self._forum = bool(getattr(chat, "is_forum", False))
        return self._forum

    async def send(self, text: str, markup: Optional[InlineKeyboardMarkup] = None,
                   thread: Optional[int] = None, reply_to: Optional[int] = None) -> Message:
        """Sends, waiting out flood control; raises when Telegram cannot be reached."""
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                return await self.bot.send_message(self.chat_id, text, reply_markup=markup,
                                                   message_thread_id=thread, reply_parameters=reply)
            except RetryAfter as error:
                await asyncio.sleep(outbox.seconds(error.retry_after))
            except NetworkError:
                if attempt == SEND_ATTEMPTS:
                    raise
                await asyncio.sleep(attempt)
        raise NetworkError("flood control did not end")

    async def post_card(self, case: StaffCase) -> None:
        thread = case.thread
        if thread is None and await self.is_forum():
            urgent = "🔴 " if case.case.urgency == URGENT else ""
            topic = await self.bot.create_forum_topic(self.chat_id, f"{urgent}{case_cards.number(case)}")
            thread = topic.message_thread_id
            await cases.remember_thread(self.redis, case.id, thread)
        card = await self.send(case_cards.card_text(case, self.language),
                               case_cards.card_buttons(case, self.language), thread=thread)
        posted = time.time()
        metrics.CASE_CARDS.labels(metrics.urgency_label(case.case.urgency)).inc()

        async def bookkeeping():
            await cases.set_fields(self.redis, case.id, card=card.message_id, announced_at=posted)
            await cases.remember_message(self.redis, case.id, card.message_id)
        # The card is out: its id must be stored even if Redis is failing right now, or
        # the entry would be delivered again and staff would see the case twice.
        await until_done(bookkeeping)
        await cases.record(self.redis, case.id, 0, "card_posted",
                           delay=round(posted - case.case.created_at, 3))

    async def refresh_card(self, case: StaffCase) -> None:
        if case.card is None:
            return
        try:
            await self.bot.edit_message_text(
                case_cards.card_text(case, self.language), self.chat_id, case.card,
                reply_markup=case_cards.card_buttons(case, self.language))
        except TelegramError as error:  # unchanged, or deleted by staff: the thread says it
            logger.info("case card %s not updated: %s", case.id, error)

    async def post_in_case(self, case: StaffCase, text: str,
                           markup: Optional[InlineKeyboardMarkup] = None) -> Message:
        message = await self.send(text, markup, thread=case.thread,
                                  reply_to=None if case.thread else case.card)
        await cases.remember_message(self.redis, case.id, message.message_id)
        return message

    def say(self, message: str, **values: Any) -> str:
        return gettext(self.language, message, **values)


async def until_done(write, pause: float = 0.5) -> None:
    """Retries a Redis write until Redis is back (it restarts with its append-only file)."""
    while True:
        try:
            return await write()
        except (RedisError, OSError) as error:
            logger.warning("Redis write failed, retrying: %s", error)
            await asyncio.sleep(pause)


class HandoffQueue:
    def __init__(self, staff: StaffGroup, redis: Redis, settings: Settings) -> None:
        self.staff = staff
        self.redis = redis
        self.settings = settings
        # A stable MITRA_REPLICA_ID (a pod's name) lets a restarted replica finish its own
        # entries at once; others' stale entries are taken over after STALE_MS.
        self.consumer = os.environ.get("MITRA_REPLICA_ID") or f"{socket.gethostname()}-{os.getpid()}"
        self.stopping = asyncio.Event()
        self._backlog = True

    async def stop(self, task: "asyncio.Task", timeout: float = 5.0) -> None:
        """Lets the entry in hand be delivered and acknowledged, then stops."""
        self.stopping.set()
        try:
            await asyncio.wait_for(task, timeout)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            pass

    async def ensure_group(self) -> None:
        try:
            # From the stream's start: cases written before any bot ever ran are delivered.
            await self.redis.xgroup_create(keys.HANDOFF_STREAM, keys.HANDOFF_GROUP, id="0",
                                           mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def deliver_forever(self) -> None:
        ready = False
        while not self.stopping.is_set():
            try:
                if not ready:
                    await self.ensure_group()
                    ready = True
                await self.deliver_some()
            except asyncio.CancelledError:
                raise
            except ResponseError as error:
                if "NOGROUP" in str(error):  # Redis lost its data: make the group again
                    ready = False
                logger.warning("hand-off queue: %s", error)
                await asyncio.sleep(1)
            except (RedisError, OSError) as error:
                logger.warning("hand-off queue cannot reach Redis: %s", error)
                self._backlog = True
                await asyncio.sleep(1)
            except Exception:
                metrics.ERRORS.labels("handoff").inc()
                logger.exception("hand-off delivery failed")
                await asyncio.sleep(1)

    async def deliver_some(self) -> None:
        """One round: this replica's unacknowledged entries (at start, and after Telegram
        failed), else others' stale ones (and its own that kept failing), else new ones."""
        if self._backlog:
            entries = await self._read("0")
            self._backlog = False
        else:
            stale = await self.redis.xautoclaim(keys.HANDOFF_STREAM, keys.HANDOFF_GROUP,
                                                self.consumer, STALE_MS, "0-0", count=BATCH)
            entries = stale[1] if stale else []
            if not entries:
                entries = await self._read(">", block=BLOCK_MS)
        for entry_id, fields in entries:
            if self.stopping.is_set():
                return
            try:
                delivered = await self._deliver(entry_id, fields or {})
            except (RedisError, OSError):
                raise
            except Exception:
                # One bad case must not hold up the others: it stays pending and is
                # tried again after STALE_MS.
                metrics.ERRORS.labels("handoff").inc()
                logger.exception("case entry %s could not be delivered", entry_id)
                continue
            if not delivered:  # Telegram failed: the same entries again, shortly
                self._backlog = True
                await asyncio.sleep(1)
                return
            await until_done(lambda: self.redis.xack(keys.HANDOFF_STREAM, keys.HANDOFF_GROUP,
                                                     entry_id))

    async def _read(self, start: str, block: Optional[int] = None):
        found = await self.redis.xreadgroup(keys.HANDOFF_GROUP, self.consumer,
                                            {keys.HANDOFF_STREAM: start}, count=BATCH, block=block)
        return found[0][1] if found else []

    async def _deliver(self, entry_id: str, fields: Dict[str, str]) -> bool:
        case = await cases.load(self.redis, fields.get("case", ""))
        if case is None:
            return True  # expired or forgotten (/forget): nothing to deliver
        try:
            if case.card is None:
                await self.staff.post_card(case)
            elif fields.get("event") == "escalated" and case.fields.get("escalated") != entry_id:
                await self.staff.refresh_card(case)
                await self.staff.post_in_case(case, "🔴 " + self.staff.say(
                    t.ESCALATED, number=case_cards.number(case)))
                await cases.set_fields(self.redis, case.id, escalated=entry_id,
                                       announced_at=time.time())
        except TelegramError as error:
            logger.warning("case %s not delivered yet: %s", case.id, error)
            return False
        return True

    async def reannounce_forever(self) -> None:
        every = max(0.5, min(30.0, self.settings.reannounce_seconds / 3))
        while True:
            await asyncio.sleep(every)
            try:
                await self.reannounce_due()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("re-announcing cases failed: %s", error)

    async def reannounce_due(self) -> None:
        """Urgent cases nobody claimed are announced again in the group's main chat (not
        only in their topic, where nobody may be looking), every `reannounce_seconds`."""
        period = self.settings.reannounce_seconds
        now = time.time()
        for case in await cases.active(self.redis):
            if case.status != OPEN or case.case.urgency != URGENT or case.card is None:
                continue
            if now - case.announced_at < period:
                continue
            # One replica announces; the lock lasts until the next is due.
            if not await self.redis.set(keys.case_announce_lock(case.id), self.consumer,
                                        nx=True, px=max(1, int(period * 900))):
                continue
            text = "⏰ " + self.staff.say(t.STILL_UNCLAIMED, number=case_cards.number(case),
                                          minutes=case_cards.minutes_since(case.case.created_at, now))
            message = await self.staff.send(
                text, case_cards.claim_button(case, self.staff.language),
                reply_to=None if case.thread else case.card)
            await cases.remember_message(self.redis, case.id, message.message_id)
            await cases.set_fields(self.redis, case.id, announced_at=now)
            await cases.record(self.redis, case.id, 0, "announced_again")
            metrics.REANNOUNCED.inc()
