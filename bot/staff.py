"""The staff group: Claim and Close, `/cases`, `/close`, and staff replies relayed to the
person. Every action is checked against the group's membership (Bot API getChatMember,
`bot.membership`) and recorded in the case's log with who and when.

The bot must be an administrator of the staff group (or have privacy mode off) to see
staff replies that are not commands.
"""
from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters,
)

from bot import (
    case_cards, case_relay, cases, deletable, membership, metrics, services, staff_texts as t,
)
from bot.cases import StaffCase
from mitra import stats
from mitra.cases import CLAIMED, CLOSED

logger = logging.getLogger(__name__)


def _staff_chat(context: ContextTypes.DEFAULT_TYPE) -> int:
    return services.of(context).settings.staff_chat_id


async def _allowed(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> bool:
    return await membership.is_member(context.bot, _staff_chat(context), user_id)


async def on_case_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    s = services.of(context)
    staff = s.staff
    if query.message is None or query.message.chat.id != s.settings.staff_chat_id:
        await query.answer()
        return
    user = query.from_user
    data = query.data or ""
    case_id = data.split(":", 2)[2]
    if not await _allowed(context, user.id):
        await cases.record(s.redis, case_id, user.id, "refused", what=data.split(":")[1])
        await query.answer(staff.say(t.NOT_STAFF), show_alert=True)
        return
    if data.startswith(case_cards.CLAIM_DATA):
        await query.answer(await claim(context, case_id, user.id, user.full_name) or None,
                           show_alert=True)
    else:
        case = await cases.load(s.redis, case_id)
        await query.answer(await close(context, case, user.id, user.full_name) or None)


async def claim(context: ContextTypes.DEFAULT_TYPE, case_id: str, user_id: int, name: str) -> str:
    """Claims the case; returns what to tell the staff member when it could not be."""
    s = services.of(context)
    result = await cases.claim(s.redis, case_id, user_id, name)
    case = await cases.load(s.redis, case_id)
    metrics.CLAIMS.labels(result if result in metrics.CLAIM_OUTCOMES else "missing").inc()
    if result != "ok" or case is None:
        if case is None or result == "missing":
            return s.staff.say(t.CASE_GONE)
        if result == CLOSED:
            return s.staff.say(t.ALREADY_CLOSED)
        return s.staff.say(t.ALREADY_CLAIMED, name=case.claimed_name)
    await cases.record(s.redis, case_id, user_id, "claimed")
    await stats.claimed(s.redis, case.case.created_at, case.claimed_at)  # never raises
    metrics.CLAIM_WAIT.labels(metrics.urgency_label(case.case.urgency)).observe(
        max(0.0, (case.claimed_at or case.case.created_at) - case.case.created_at))
    await s.staff.refresh_card(case)
    await s.staff.post_in_case(case, "✋ " + s.staff.say(t.CLAIMED_BY, name=name))
    if not await s.rasa.pause(case.case.sender):
        logger.warning("could not pause Rasa for case %s; the bot routes around it", case_id)
    await case_relay.tell_person(s, context.bot, case, t.STAFF_JOINED)
    return ""


async def close(context: ContextTypes.DEFAULT_TYPE, case: StaffCase, user_id: int, name: str) -> str:
    s = services.of(context)
    if case is None:
        return s.staff.say(t.CASE_GONE)
    if await cases.close(s.redis, case, user_id) != "ok":
        return s.staff.say(t.ALREADY_CLOSED)
    await cases.set_fields(s.redis, case.id, closed_name=name)
    await cases.record(s.redis, case.id, user_id, "closed")
    metrics.CLOSES.labels("yes" if case.claimed_by is not None else "no").inc()
    if case.claimed_by is None:  # statistics: a case nobody claimed
        await stats.closed_unclaimed(s.redis, case.case.created_at)
    case = await cases.load(s.redis, case.id)
    await s.staff.refresh_card(case)
    await s.staff.post_in_case(case, "✅ " + s.staff.say(t.CLOSED_BY, name=name))
    await s.rasa.resume(case.case.sender)
    await case_relay.tell_person(s, context.bot, case, t.STAFF_LEFT,
                                 case_cards.feedback_buttons(case.id, case.case.language))
    return ""


async def _case_of(context: ContextTypes.DEFAULT_TYPE, message: Message):
    thread = message.message_thread_id if message.is_topic_message else None
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return await cases.case_for_staff_message(services.of(context).redis, thread, reply_to)


async def on_staff_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A staff message in a case's topic or thread: to the person, if its author claimed
    the case. Anything else in the group is staff's own talk and stays there."""
    message = update.effective_message
    s = services.of(context)
    case = await _case_of(context, message)
    if case is None or case.status == CLOSED or message.from_user is None:
        return
    user_id = message.from_user.id
    if case.status != CLAIMED or case.claimed_by != user_id or not await _allowed(context, user_id):
        await message.reply_text(s.staff.say(t.CLAIM_FIRST))
        return
    chat_id = await case_relay.chat_of(s.redis, case.case.sender)
    try:
        if chat_id is None:
            raise TelegramError("no chat id")
        copied = await context.bot.copy_message(chat_id, message.chat_id, message.message_id)
    except TelegramError as error:
        logger.warning("staff reply for case %s not delivered: %s", case.id, error)
        await message.reply_text(s.staff.say(t.NOT_DELIVERED))
        return
    await deletable.remember(s.redis, case.case.sender, copied.message_id)
    await cases.record(s.redis, case.id, user_id, "replied")


async def on_cases(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    s = services.of(context)
    if message.from_user is None or not await _allowed(context, message.from_user.id):
        await message.reply_text(s.staff.say(t.NOT_STAFF))
        return
    active = await cases.active(s.redis)
    await message.reply_text(case_cards.case_list(active, s.staff.language))


async def on_close_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    s = services.of(context)
    user = message.from_user
    if user is None or not await _allowed(context, user.id):
        await message.reply_text(s.staff.say(t.NOT_STAFF))
        return
    case = await _case_of(context, message)
    problem = await close(context, case, user.id, user.full_name)
    if problem:
        await message.reply_text(problem)


def register(app: Application, staff_chat_id: int) -> None:
    in_staff = filters.Chat(staff_chat_id)
    app.add_handler(CallbackQueryHandler(on_case_button, pattern=r"^case:(claim|close):"))
    app.add_handler(CommandHandler("cases", on_cases, filters=in_staff))
    app.add_handler(CommandHandler("close", on_close_command, filters=in_staff))
    app.add_handler(MessageHandler(
        in_staff & filters.UpdateType.MESSAGE & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
        on_staff_message))
