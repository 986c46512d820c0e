"""Telegram updates in, entries in a person's inbox out.

Handlers run one update at a time (the Application's default), and do only quick Redis
work before returning: that keeps each person's messages in the order Telegram delivered
them. The slow part, asking Rasa and sending replies, runs as a task (`Relay.drain`).

Only private chats are served here. Group chats (the staff and admin groups are later
features), channel posts and other chats' updates are ignored on purpose. Edited text is
answered like a new message (people correct a question they see was misread); edits
without text, such as live-location updates, are ignored.
"""
from __future__ import annotations

import logging
from typing import Optional, Tuple

from redis.exceptions import RedisError
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters,
)

from bot import (
    case_cards, case_relay, cases, deletable, forget, incoming, language, outbox, ratelimit, services,
    staff, texts,
)
from bot.commands import INTENTS
from bot.inbox import Entry
from mitra import keys
from mitra.i18n import gettext

logger = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
NEW = filters.UpdateType.MESSAGE
EDITED = filters.UpdateType.EDITED_MESSAGE
HINT_CHARS = 300  # enough text to tell its language


def media_kind(message: Message) -> str:
    if message.voice or message.audio or message.video_note:
        return "voice"
    if message.photo or message.video or message.animation:
        return "picture"
    if message.sticker:
        return "sticker"
    if message.location or message.venue:
        return "location"
    if message.contact:
        return "contact"
    if message.document:
        return "document"
    return "other"


def _text_entry(message: Message, text: str, max_chars: int) -> Entry:
    language_code = message.from_user.language_code if message.from_user else None
    text = incoming.clean(text)
    if incoming.looks_like_command(text):
        return Entry(message.chat_id, notes=["unknown_command"], language_code=language_code)
    if not text.strip():
        # Nothing readable is left (only control characters): Rasa would say nothing.
        return Entry(message.chat_id, notes=["other"], language_code=language_code)
    short, cut = incoming.shorten(text, max_chars)
    return Entry(message.chat_id, rasa=short, notes=["too_long"] if cut else [],
                 hint=short[:HINT_CHARS], language_code=language_code)


async def _take(update: Update, context: ContextTypes.DEFAULT_TYPE, entry: Entry,
                message: Optional[Message]) -> None:
    """To staff during a hand-off; rate limit, then into the inbox; answering starts as a
    task."""
    s = services.of(context)
    sender = keys.sender_id(entry.chat_id)
    try:
        await deletable.remember(s.redis, sender, message.message_id if message else 0)
        await case_relay.remember_chat(s.redis, sender, entry.chat_id, s.settings.tracker_expiry_days)
        if s.staff is not None and await _handed_off(update, context, sender, message):
            return
        verdict = await ratelimit.check(s.redis, sender, s.settings.rate_limit,
                                        s.settings.rate_window_seconds)
        if verdict is ratelimit.Verdict.OK:
            await s.relay.submit(sender, entry)
    except RedisError:
        # Without Redis there is no inbox and Rasa cannot work either: at least answer.
        logger.exception("Redis failed; answering without it")
        lang = language.without_memory(entry.hint, entry.language_code)
        context.application.create_task(context.bot.send_message(
            entry.chat_id, texts.cannot_answer_now(lang)), update=update)
        return
    if verdict is ratelimit.Verdict.WARN:
        lang = await language.for_person(s.redis, sender, entry.hint, entry.language_code)
        context.application.create_task(outbox.send_text(
            context.bot, s.redis, sender, entry.chat_id, gettext(lang, texts.RATE_LIMITED)),
            update=update)
    if verdict is ratelimit.Verdict.OK:
        context.application.create_task(s.relay.drain(sender, live=entry), update=update)


async def _handed_off(update: Update, context: ContextTypes.DEFAULT_TYPE, sender: str,
                      message: Optional[Message]) -> bool:
    """Copies the message to the person's open case; True when staff alone answer it."""
    s = services.of(context)
    case = await case_relay.case_to_follow(s.redis, sender)
    if case is not None and message is not None:
        context.application.create_task(
            case_relay.copy_to_staff(s, context.bot, case, message), update=update)
    return cases.with_staff(case)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    name = message.text.split()[0][1:].split("@")[0].lower()
    language_code = message.from_user.language_code if message.from_user else None
    entry = Entry(message.chat_id, rasa=INTENTS[name], language_code=language_code)
    await _take(update, context, entry, message)


async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    # Not rate limited and not queued: deleting must work even when Rasa is down.
    s = services.of(context)
    message = update.effective_message
    sender = keys.sender_id(message.chat_id)
    await deletable.remember(s.redis, sender, message.message_id)
    language_code = message.from_user.language_code if message.from_user else None
    context.application.create_task(
        forget.ask(s, context.bot, message.chat_id, sender, language_code), update=update)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if update.edited_message and incoming.looks_like_command(message.text):
        return  # an edited command is not run again
    s = services.of(context)
    entry = _text_entry(message, message.text, s.settings.max_text_chars)
    await _take(update, context, entry, message)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    s = services.of(context)
    kind = media_kind(message)
    entry = Entry(message.chat_id, notes=[kind],
                  language_code=message.from_user.language_code if message.from_user else None)
    if message.caption and message.caption.strip():
        # A caption is a message too ("is this contract legal?"): Rasa answers it first.
        entry = _text_entry(message, message.caption, s.settings.max_text_chars)
        entry.notes.append(kind)
    await _take(update, context, entry, message)


def _pressed(markup: Optional[InlineKeyboardMarkup], data: str) -> Optional[Tuple[str, str]]:
    """The (title, data) of the button on this message that carries `data`, if any.

    Telegram clients can send any callback data; only what we put on the message counts,
    so a person cannot inject an intent through a forged button press."""
    for row in (markup.inline_keyboard if markup else ()):
        for button in row:
            if button.callback_data == data:
                return button.text, data
    return None


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    message = query.message
    s = services.of(context)
    app = context.application
    if message is None or not message.is_accessible or message.chat.type != "private":
        app.create_task(query.answer(), update=update)
        return
    sender = keys.sender_id(message.chat.id)
    pressed = _pressed(message.reply_markup, query.data or "")
    if pressed is None or not (pressed[1].startswith(("/", case_cards.FEEDBACK_DATA))
                               or pressed[1] in forget.OWN_BUTTONS):
        lang = await language.for_person(s.redis, sender, None, query.from_user.language_code)
        app.create_task(query.answer(gettext(lang, texts.BUTTON_EXPIRED)), update=update)
        return
    title, data = pressed
    if data == forget.CHOSEN:
        app.create_task(query.answer(), update=update)
    elif data == forget.YES:
        app.create_task(forget.confirm(s, context.bot, query, sender), update=update)
    elif data == forget.NO:
        app.create_task(forget.cancel(s, context.bot, query, sender), update=update)
    elif data.startswith(case_cards.FEEDBACK_DATA):
        app.create_task(case_relay.feedback(s, context.bot, query, sender, title), update=update)
    else:
        app.create_task(query.answer(), update=update)
        app.create_task(outbox.mark_chosen(context.bot, message.chat.id, message.message_id,
                                           forget.chosen_markup(title)), update=update)
        entry = Entry(message.chat.id, rasa=data, language_code=query.from_user.language_code)
        await _take(update, context, entry, None)


async def on_ignored(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    logger.debug("ignored an update from a %s chat", chat.type if chat else "unknown")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    # No message text in logs: it is personal data.
    update_id = getattr(update, "update_id", None)
    logger.error("update %s failed", update_id, exc_info=context.error)


def register(app: Application) -> None:
    staff_chat_id = app.bot_data["settings"].staff_chat_id
    if staff_chat_id is not None:
        staff.register(app, staff_chat_id)
    app.add_handler(CommandHandler(list(INTENTS), on_command, filters=PRIVATE & NEW))
    app.add_handler(CommandHandler("forget", on_forget, filters=PRIVATE & NEW))
    app.add_handler(MessageHandler(PRIVATE & (NEW | EDITED) & filters.TEXT, on_text))
    app.add_handler(MessageHandler(
        PRIVATE & NEW & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_media))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(~PRIVATE, on_ignored))
    app.add_error_handler(on_error)
