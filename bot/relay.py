"""The way from a person's message to Rasa's answer, in order and without losing any.

Handlers put each message in the person's inbox (`bot.inbox`) and start `drain` for that
person. `drain` answers the inbox from its head while it holds the person's lock: Rasa's
replies first, then whatever the bot adds by itself (media answers, "too long" notes).

When Rasa is down or slow, the person is told within `fallback_after_seconds` (with the
emergency numbers) and the message stays at the head of their inbox; `retry_forever`
answers it once Rasa is back. Only a live drain (started by a new message) talks about
being slow; retries are silent until they succeed.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Optional

import httpx
from redis.asyncio import Redis
from telegram import Bot

from bot import cases, language, metrics, outbox, texts
from bot.commands import unknown_command_text
from bot.inbox import Entry, Inbox
from bot.rasa import RasaClient, RasaUnavailable
from bot.replies import from_rasa
from mitra import keys
from mitra.config import Settings
from mitra.i18n import gettext

logger = logging.getLogger(__name__)

# A message Rasa fails on this many times while answering (not merely unreachable), over
# at least this long, is dropped, so that one bad message cannot hold up a person's inbox
# for good. The time matters: while the action server is down Rasa fails on every message,
# and an outage of a few minutes must not lose anyone's message.
MAX_SERVER_ERRORS = 5
POISON_SECONDS = 600
# Messages written in a burst get one "cannot answer right now", not one each.
NOTICE_SECONDS = 15
EMPTY_REPLY = "empty reply"
RETRY_CONCURRENCY = 8


def failure_reason(error: RasaUnavailable) -> str:
    """Why Rasa did not answer, as a metric label (bot/metrics.py RASA_REASONS)."""
    if isinstance(error.__cause__, httpx.TimeoutException):
        return "timeout"
    if not error.server_error:
        return "unreachable"
    reason = str(error)
    if reason == EMPTY_REPLY:
        return "empty"
    return "http_error" if reason.startswith("HTTP ") else "bad_reply"


@dataclass
class _Live:
    """A drain started by a new message: it owes the person an answer in time."""
    entry: Entry
    deadline: float
    told: bool = field(default=False)

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


class Relay:
    def __init__(self, bot: Bot, redis: Redis, rasa: RasaClient, settings: Settings) -> None:
        self.bot = bot
        self.redis = redis
        self.rasa = rasa
        self.settings = settings
        self.inbox = Inbox(redis, lock_seconds=settings.rasa_timeout_seconds + 30)
        self._retrying = asyncio.Semaphore(RETRY_CONCURRENCY)

    async def submit(self, sender: str, entry: Entry) -> None:
        """Queues a message; awaited in the order updates arrive."""
        await self.inbox.push(sender, entry)

    async def drain(self, sender: str, live: Optional[Entry] = None) -> None:
        state = _Live(live, time.monotonic() + self.settings.fallback_after_seconds) if live else None
        token = uuid.uuid4().hex
        wait = state.remaining() if state else 0.0
        first = True
        while True:
            if not await self.inbox.acquire(sender, token, wait):
                # Another task (maybe another replica) is answering this person and will
                # come to this message; if it is slow, say so now.
                if state and first:
                    await self._tell_cannot_answer(sender, state)
                return
            first = False
            try:
                emptied = await self._answer_waiting(sender, token, state)
            finally:
                await self.inbox.release(sender, token)
            # A message may have arrived just before we let go of the lock.
            if not emptied or not await self.inbox.waiting(sender):
                return
            wait = 0.0

    async def _answer_waiting(self, sender: str, token: str, state: Optional[_Live]) -> bool:
        while True:
            entry = await self.inbox.head(sender)
            if entry is None:
                return True
            if not await self._answer(sender, entry, state):
                return False
            if not await self.inbox.extend(sender, token):
                # The answer outlasted the lock and another task may be answering this
                # same message: leave it to that task. Popping here could drop the next
                # message, unanswered; at worst the person gets this answer twice.
                logger.warning("lost a person's lock while answering; leaving the message")
                return False
            if not await self.inbox.pop(sender):
                return True

    async def _answer(self, sender: str, entry: Entry, state: Optional[_Live]) -> bool:
        # For the latency metric: what was sent, in which language (while staff talk with
        # the person, Rasa stays silent and nothing is).
        sent, answered_in = False, None
        if entry.rasa is not None:
            try:
                replies = await self._ask_rasa(sender, entry, state)
            except RasaUnavailable as error:
                # Never the sender in logs: it identifies the person (mitra/logs.py).
                logger.warning("Rasa unavailable: %s", error)
                metrics.rasa_failed(failure_reason(error))
                if state:
                    await self._tell_cannot_answer(sender, state)
                if error.server_error:
                    entry.server_errors += 1
                    entry.first_error = entry.first_error or time.time()
                    if (entry.server_errors >= MAX_SERVER_ERRORS
                            and time.time() - entry.first_error >= POISON_SECONDS):
                        logger.error("dropping a message after %d Rasa errors",
                                     entry.server_errors)
                        return True
                    await self.inbox.replace_head(sender, entry)
                return False
            messages = from_rasa(replies)
            # Remembered first: the person may answer the first reply (say, /forget, which
            # the bot answers itself in this language) before the last one is sent.
            replied_in = language.of_reply(m.text for m in messages)
            await language.remember(self.redis, sender, replied_in)
            for message in messages:
                await outbox.send(self.bot, self.redis, sender, entry.chat_id, message)
            sent, answered_in = bool(messages), replied_in
        if entry.notes:
            lang = await language.for_person(self.redis, sender, entry.hint, entry.language_code)
            for note in entry.notes:
                await outbox.send_text(self.bot, self.redis, sender, entry.chat_id,
                                       self._note(note, lang))
            sent, answered_in = True, answered_in or lang
        if sent:
            metrics.replied(entry.at, answered_in)
        return True

    async def _ask_rasa(self, sender: str, entry: Entry, state: Optional[_Live]):
        metadata = {"channel": "telegram"}
        if entry.language_code:
            metadata["language_code"] = entry.language_code
        call = asyncio.create_task(self.rasa.send(sender, entry.rasa, metadata))
        typing = asyncio.create_task(outbox.keep_typing(self.bot, entry.chat_id)) if state else None
        try:
            if state and not state.told:
                done, _ = await asyncio.wait({call}, timeout=state.remaining())
                if not done:
                    await self._tell_cannot_answer(sender, state)
            replies = await call
            # (Rasa is paused while staff talk with the person: then silence is right.)
            if not replies and not cases.with_staff(await cases.open_case_of(self.redis, sender)):
                # Every turn of ours says something. Nothing means an action or the NLG
                # endpoint failed (Rasa logs it and carries on with the events lost): ask
                # again later rather than lose, say, a message about danger.
                raise RasaUnavailable(EMPTY_REPLY, server_error=True)
            return replies
        finally:
            if typing:
                typing.cancel()
            if not call.done():
                call.cancel()

    async def _tell_cannot_answer(self, sender: str, state: _Live) -> None:
        if state.told:
            return
        state.told = True
        if not await self.redis.set(keys.notice(sender), "1", nx=True, ex=NOTICE_SECONDS):
            return
        entry = state.entry
        lang = await language.for_person(self.redis, sender, entry.hint, entry.language_code)
        await outbox.send_text(self.bot, self.redis, sender, entry.chat_id,
                               texts.cannot_answer_now(lang))
        metrics.SLOW_NOTICES.inc()

    def _note(self, note: str, lang: str) -> str:
        if note == "unknown_command":
            return unknown_command_text(lang)
        if note == "too_long":
            return gettext(lang, texts.TOO_LONG)
        return texts.media(note, lang)

    async def retry_forever(self) -> None:
        """Answers the messages left waiting (Rasa was down, or a bot process stopped)."""
        while True:
            await asyncio.sleep(self.settings.retry_seconds)
            try:
                senders = await self.inbox.pending()
                await asyncio.gather(*(self._retry(s) for s in senders))
            except asyncio.CancelledError:
                raise
            except Exception:
                metrics.ERRORS.labels("retry").inc()
                logger.exception("retry round failed")

    async def _retry(self, sender: str) -> None:
        async with self._retrying:
            try:
                await self.drain(sender)
            except Exception:
                metrics.ERRORS.labels("retry").inc()
                logger.exception("a retry failed")
