"""/forget: delete everything Mitra keeps about a person, and the chat messages the bot
may still delete (both sides, under 48 hours old). Someone else may look at the person's
phone: they are asked to confirm, and told plainly what they must delete themselves.
"""
from __future__ import annotations

import logging
import uuid
from typing import Iterable, List, Optional

from redis.asyncio import Redis
from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot import deletable, language, outbox, texts
from bot.services import Services
from mitra import cases, keys
from mitra.i18n import gettext

logger = logging.getLogger(__name__)

YES = "mitra:forget:yes"
NO = "mitra:forget:no"
# A pressed button is replaced by "✓ its title" with this data: pressing it does nothing.
CHOSEN = "mitra:chosen"
OWN_BUTTONS = (YES, NO, CHOSEN)

DELETE_BATCH = 100  # deleteMessages takes at most 100 ids
LOCK_WAIT_SECONDS = 10


def chosen_markup(title: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"✓ {title}", callback_data=CHOSEN)]])


async def ask(services: Services, bot: Bot, chat_id: int, sender: str,
              language_code: Optional[str]) -> None:
    lang = await language.for_person(services.redis, sender, None, language_code)
    buttons = [(gettext(lang, texts.FORGET_YES), YES), (gettext(lang, texts.FORGET_NO), NO)]
    await outbox.send_text(bot, services.redis, sender, chat_id,
                           gettext(lang, texts.FORGET_CONFIRM), buttons)


async def wipe(redis: Redis, sender: str) -> None:
    names = set(keys.personal_keys(sender))
    # The person's open hand-off case is stored under its own id (mitra/cases.py).
    case_id = await redis.get(cases.open_case_key(sender))
    if case_id:
        names.add(cases.case_key(case_id))
    for other in await redis.smembers(cases.cases_of_key(sender)):
        names.add(cases.case_key(other.decode() if isinstance(other, bytes) else other))
    # Anything else that holds the sender id (case data and whatever later features add).
    async for name in redis.scan_iter(match=keys.personal_pattern(sender), count=1000):
        names.add(name)
    await redis.delete(*names)
    await redis.zrem(keys.PENDING, sender)


async def delete_messages(bot: Bot, chat_id: int, ids: Iterable[int]) -> None:
    ids = sorted(set(ids))
    for start in range(0, len(ids), DELETE_BATCH):
        try:
            await bot.delete_messages(chat_id, ids[start:start + DELETE_BATCH])
        except TelegramError as error:
            logger.warning("could not delete messages: %s", error)


async def confirm(services: Services, bot: Bot, query: CallbackQuery, sender: str) -> None:
    chat_id = query.message.chat.id
    lang = await language.for_person(services.redis, sender, None, query.from_user.language_code)
    await query.answer()
    inbox = services.relay.inbox
    token = uuid.uuid4().hex
    # Wait for a reply being written to this person, so it does not come back after wiping.
    locked = await inbox.acquire(sender, token, wait=LOCK_WAIT_SECONDS)
    try:
        ids: List[int] = await deletable.recent(services.redis, sender)
        await wipe(services.redis, sender)
    finally:
        if locked:
            await inbox.release(sender, token)
    await delete_messages(bot, chat_id, [*ids, query.message.message_id])
    # Not remembered: nothing about the person is kept after this.
    await outbox.send_text(bot, services.redis, sender, chat_id,
                           gettext(lang, texts.FORGET_DONE), remember=False)


async def cancel(services: Services, bot: Bot, query: CallbackQuery, sender: str) -> None:
    lang = await language.for_person(services.redis, sender, None, query.from_user.language_code)
    await query.answer()
    await outbox.mark_chosen(bot, query.message.chat.id, query.message.message_id,
                             chosen_markup(gettext(lang, texts.FORGET_NO)))
    await outbox.send_text(bot, services.redis, sender, query.message.chat.id,
                           gettext(lang, texts.FORGET_CANCELLED))
