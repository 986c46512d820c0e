"""The person's side of a hand-off: their messages go to the case's thread in the staff
group, and what staff decide reaches them in their language.

While their case is open, everything the person sends (text, voice, photos, location) is
copied to the case's thread, so staff see it before they claim. Once a staff member has
claimed it, the bot stays silent: messages go to staff only, not to Rasa. Copies keep the
person's words but not their name or account.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Dict, Optional

from redis.asyncio import Redis
from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import TelegramError

from bot import case_cards, cases, deletable, outbox, staff_texts as t
from bot.cases import StaffCase
from bot.forget import chosen_markup
from mitra import crypto, keys
from mitra.i18n import gettext

logger = logging.getLogger(__name__)

# Copies to staff keep the order the person wrote in (asyncio locks are first come,
# first served).
_order: Dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)


async def remember_chat(redis: Redis, sender: str, chat_id: int, days: int) -> None:
    await redis.set(keys.chat(sender), crypto.encrypt(str(chat_id)), ex=days * 86400)


async def chat_of(redis: Redis, sender: str) -> Optional[int]:
    value = await redis.get(keys.chat(sender))
    return int(crypto.decrypt(value)) if value else None


async def case_to_follow(redis: Redis, sender: str) -> Optional[StaffCase]:
    """The person's open case once staff can see it (its card is posted)."""
    case = await cases.open_case_of(redis, sender)
    return case if case is not None and case.card is not None else None


async def copy_to_staff(services, bot: Bot, case: StaffCase, message: Message) -> None:
    staff = services.staff
    reply = None if case.thread else ReplyParameters(case.card, allow_sending_without_reply=True)
    async with _order[case.id]:
        try:
            copied = await bot.copy_message(staff.chat_id, message.chat_id, message.message_id,
                                            message_thread_id=case.thread, reply_parameters=reply)
        except TelegramError as error:
            logger.warning("a message for case %s did not reach staff: %s", case.id, error)
            return
    await cases.remember_message(services.redis, case.id, copied.message_id)


async def tell_person(services, bot: Bot, case: StaffCase, message: str,
                      markup: Optional[InlineKeyboardMarkup] = None) -> None:
    sender = case.case.sender
    chat_id = await chat_of(services.redis, sender)
    if chat_id is None:
        logger.warning("case %s: the person's chat is unknown", case.id)
        return
    try:
        sent = await bot.send_message(chat_id, gettext(case.case.language, message),
                                      reply_markup=markup)
    except TelegramError as error:
        logger.warning("case %s: could not tell the person: %s", case.id, error)
        return
    await deletable.remember(services.redis, sender, sent.message_id)


async def feedback(services, bot: Bot, query: CallbackQuery, sender: str, title: str) -> None:
    """The person answers "Did you get the help you needed?" after a case is closed."""
    case_id, _, answer = query.data[len(case_cards.FEEDBACK_DATA):].partition(":")
    case = await cases.load(services.redis, case_id)
    await query.answer()
    if case is None or case.case.sender != sender or case.fields.get("feedback"):
        return
    helped = answer == "yes"
    await cases.set_fields(services.redis, case_id, feedback=answer)
    await cases.record(services.redis, case_id, 0, "feedback", helped=helped)
    message = query.message
    await outbox.mark_chosen(bot, message.chat.id, message.message_id, chosen_markup(title))
    language = case.case.language
    await outbox.send_text(bot, services.redis, sender, message.chat.id,
                           gettext(language, t.THANKS_HELPED if helped else t.THANKS_NOT_HELPED))
    try:
        await services.staff.post_in_case(
            case, services.staff.say(t.FEEDBACK_HELPED if helped else t.FEEDBACK_NOT_HELPED))
    except TelegramError as error:
        logger.info("feedback for case %s not shown to staff: %s", case_id, error)
