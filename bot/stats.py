"""`/stats` in the admin chat (TELEGRAM_ADMIN_CHAT_ID): anonymous statistics as a chart and
a CSV file (`mitra/stats.py`, docs/statistics.md).

    /stats                     the last 6 months, this one included
    /stats 2026-01..2026-06    those months (at most 24)

Only members of the admin chat get them: Telegram is asked on every call
(`bot.membership`). Reading the counters and drawing the chart take a moment, so they run in
a thread with a synchronous Redis client of this module's own, started as a task; the
handler runs before `bot.handlers` (group -1) and stops the update there. Labels and
replies are in the admin's Telegram language when it is km, th or en.
"""
from __future__ import annotations

import asyncio
import logging
from typing import List, Optional

import redis
from telegram import InputFile, Update, User
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, ContextTypes, filters

from bot import membership, services
from mitra import stats
from mitra import stats_texts as t
from mitra.config import Settings
from mitra.i18n import LANGUAGES, gettext

logger = logging.getLogger(__name__)

GROUP = -1  # before bot.handlers, which ignores group chats
SYNC_REDIS = "mitra_stats_redis"


def language_of(user: Optional[User], settings: Settings) -> str:
    code = ((user.language_code if user else None) or "").split("-")[0].lower()
    return code if code in LANGUAGES else settings.default_language


def months_asked(args: List[str]) -> Optional[List[str]]:
    """The months of `/stats [YYYY-MM..YYYY-MM | YYYY-MM]`, or None when unreadable."""
    if not args:
        return stats.last_months()
    text = "".join(args)
    start, _, end = text.partition("..")
    try:
        return stats.months_between(start, end or start)
    except ValueError:
        return None


async def send_stats(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
    message, user = update.effective_message, update.effective_user
    s = services.of(context)
    if user is None or not await membership.is_member(context.bot, s.settings.admin_chat_id,
                                                      user.id):
        logger.info("statistics refused to someone outside the admin chat")
        await message.reply_text(gettext(language, t.NOT_ADMIN))
        return
    months = months_asked(context.args or [])
    if months is None:
        await message.reply_text(gettext(language, t.USAGE))
        return
    table, image = await asyncio.to_thread(stats.export, context.bot_data[SYNC_REDIS], months,
                                           language)
    logger.info("statistics %s..%s sent to an admin", months[0], months[-1])
    caption = gettext(language, t.CAPTION, start=months[0], end=months[-1])
    name = f"mitra-stats-{months[0]}-{months[-1]}"
    await message.reply_photo(InputFile(image, filename=f"{name}.png"), caption=caption)
    await message.reply_document(InputFile(table, filename=f"{name}.csv"))


async def _guarded(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
    try:
        await send_stats(update, context, language)
    except Exception:  # reported in the log and to the admin, never swallowed
        logger.exception("statistics failed")
        await context.bot.send_message(update.effective_chat.id, gettext(language, t.FAILED))


async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    language = language_of(update.effective_user, services.of(context).settings)
    context.application.create_task(_guarded(update, context, language), update=update)
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    settings: Settings = app.bot_data["settings"]
    if settings.admin_chat_id is None:
        return
    app.bot_data[SYNC_REDIS] = redis.Redis.from_url(
        settings.redis_url, socket_timeout=10, socket_connect_timeout=5, decode_responses=True)
    chat = filters.Chat(chat_id=settings.admin_chat_id) & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("stats", handle, filters=chat), group=GROUP)
