"""The admin chat (TELEGRAM_ADMIN_CHAT_ID): admins update the knowledge base from Telegram.

    a .csv/.tsv/.yml/.yaml file → validated and compared with the live version
        errors: the list of what is wrong (the first MAX_PROBLEMS), nothing changes
        good:   what would change, with [Publish] [Cancel]
    Publish        → a new version; every action server answers from it within seconds
    /faq_rollback  → the version live before the current one
    /faq_export    → the live version as a YAML file (`/faq_export csv`: a spreadsheet)

Every action asks Telegram whether the user is a member of the admin chat
(`bot.membership`); others get a short refusal and nothing happens. The file waiting for
Publish is kept in Redis (`mitra:kb:upload:<token>`, PENDING_SECONDS), not in memory, so
that any bot replica can publish it, and only once (GETDEL). Every action is logged and
added to `mitra:kb:audit` (who: the admin's Telegram user id; when).

The work itself is `actions.knowledge.admin`, the same as the command line; it uses a
synchronous Redis client, so its calls run in a thread, off the event loop. Handlers run
before `bot.handlers` (group -1), start the work as a task and stop the update there.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import secrets
import time
from typing import Any, Awaitable, Callable, Optional

import redis
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update, User
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, ContextTypes,
    MessageHandler, filters,
)

from actions.knowledge import admin, files, store
from bot import admin_texts as t
from bot import membership, services
from mitra import keys
from mitra.config import Settings
from mitra.i18n import LANGUAGES, gettext

logger = logging.getLogger(__name__)

GROUP = -1  # before bot.handlers, which ignores group chats
PENDING_SECONDS = 3600
AUDIT = f"{keys.PREFIX}kb:audit"
AUDIT_KEEP = 1000
MAX_PROBLEMS = 10  # lines of errors or warnings shown; a phone screen
MAX_IDS = 15       # entry ids shown per kind of change
MAX_LINE = 200
MAX_MESSAGE = 4000
BUTTON = "kbadmin"
SYNC_REDIS = "mitra_admin_redis"
DOCUMENTS = (filters.Document.FileExtension("csv") | filters.Document.FileExtension("tsv")
             | filters.Document.FileExtension("yml") | filters.Document.FileExtension("yaml"))


def pending_key(token: str) -> str:
    return f"{keys.PREFIX}kb:upload:{token}"


def language_of(user: Optional[User], settings: Settings) -> str:
    code = ((user.language_code if user else None) or "").split("-")[0].lower()
    return code if code in LANGUAGES else settings.default_language


# -- What the admin reads --------------------------------------------------------------
def _line(text: str) -> str:
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


def _capped(lines: list, language: str, limit: int = MAX_PROBLEMS) -> list:
    shown = [_line(line) for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(gettext(language, t.MORE, count=len(lines) - limit))
    return shown


def _problem(problem: Any) -> str:
    """`validate.Problem` without its severity: "row 6 'border-pass' last_reviewed: ..."."""
    where = problem.where + (f" '{problem.entry_id}'" if problem.entry_id else "")
    return f"• {where}" + (f" {problem.field}" if problem.field else "") + f": {problem.message}"


def _ids(ids: list) -> str:
    shown = ", ".join(ids[:MAX_IDS])
    return shown + (f", … +{len(ids) - MAX_IDS}" if len(ids) > MAX_IDS else "")


def refusal(checked: admin.Preview, language: str) -> str:
    lines = [gettext(language, t.REFUSED)]
    lines += _capped([_problem(p) for p in checked.report.errors], language)
    return "\n".join(lines)[:MAX_MESSAGE]


def changes(checked: admin.Preview, language: str) -> str:
    d = checked.diff
    if checked.base is None:
        lines = [gettext(language, t.COMPARED_WITH_EMPTY)]
    else:
        lines = [gettext(language, t.COMPARED_WITH, version=checked.base)]
    changed = [f"{i} ({', '.join(f)})" for i, f in d.changed.items()]
    for message, ids in ((t.ADDED, d.added), (t.CHANGED, changed), (t.REMOVED, d.removed)):
        if ids:
            lines.append(gettext(language, message, count=len(ids), ids=_ids(ids)))
    lines.append(gettext(language, t.UNCHANGED, count=d.unchanged))
    warnings = checked.report.warnings
    if warnings:
        lines += ["", gettext(language, t.WARNINGS, count=len(warnings))]
        lines += _capped([_problem(p) for p in warnings], language, 5)
    return "\n".join(lines)[:MAX_MESSAGE]


def buttons(token: str, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(gettext(language, t.PUBLISH),
                             callback_data=f"{BUTTON}:publish:{token}"),
        InlineKeyboardButton(gettext(language, t.CANCEL), callback_data=f"{BUTTON}:cancel:{token}"),
    ]])


# -- Shared steps ----------------------------------------------------------------------
def _sync(context: ContextTypes.DEFAULT_TYPE) -> redis.Redis:
    return context.bot_data[SYNC_REDIS]


async def _allowed(context: ContextTypes.DEFAULT_TYPE, user: Optional[User]) -> bool:
    if user is None:
        return False
    return await membership.is_member(context.bot, services.of(context).settings.admin_chat_id,
                                      user.id)


async def _audit(context: ContextTypes.DEFAULT_TYPE, user: Optional[User], action: str,
                 **details: Any) -> None:
    who = user.id if user else None
    # Who did it goes to the audit list in Redis; log lines carry no user ids.
    logger.info("knowledge base: %s by an admin%s", action, f" {details}" if details else "")
    record = json.dumps({"at": time.time(), "who": who, "action": action, **details})
    client = services.of(context).redis
    async with client.pipeline(transaction=False) as pipe:
        pipe.rpush(AUDIT, record)
        pipe.ltrim(AUDIT, -AUDIT_KEEP, -1)
        await pipe.execute()


def _start(work: Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]):
    """A handler that starts `work` as a task (the bot keeps serving migrants meanwhile),
    answers "something went wrong" if it fails, and keeps bot.handlers out of the update."""
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
        try:
            await work(update, context, language)
        except Exception:  # reported in the log and to the admin, never swallowed
            logger.exception("admin action failed")
            await context.bot.send_message(update.effective_chat.id,
                                           gettext(language, t.FAILED))

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language = language_of(update.effective_user, services.of(context).settings)
        context.application.create_task(guarded(update, context, language), update=update)
        raise ApplicationHandlerStop

    return handler


# -- The admin's actions ---------------------------------------------------------------
async def _refused(context: ContextTypes.DEFAULT_TYPE, user, message, language: str,
                   action: str) -> bool:
    """True when `user` is no admin: the refusal is recorded and they are told so."""
    if await _allowed(context, user):
        return False
    await _audit(context, user, f"refused {action}")
    await message.reply_text(gettext(language, t.NOT_ADMIN))
    return True


async def upload(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
    message, user = update.effective_message, update.effective_user
    document = message.document
    if await _refused(context, user, message, language, "upload"):
        return
    if (document.file_size or 0) > files.MAX_FILE_BYTES:
        await message.reply_text(gettext(language, t.TOO_BIG,
                                         megabytes=files.MAX_FILE_BYTES // 1024 // 1024))
        return
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError:
        logger.warning("could not download an admin's file", exc_info=True)
        await message.reply_text(gettext(language, t.NOT_DOWNLOADED))
        return
    name = document.file_name or "upload.csv"
    checked = await asyncio.to_thread(admin.preview, _sync(context), data, name)
    await _audit(context, user, "upload", file=name, base=checked.base,
                 errors=len(checked.report.errors))
    if not checked.ok:
        await message.reply_text(refusal(checked, language))
    elif checked.diff.empty:
        await message.reply_text(gettext(language, t.NO_CHANGES, version=checked.base))
    else:
        token = secrets.token_urlsafe(12)
        pending = {"file": base64.b64encode(data).decode(), "filename": name,
                   "base": checked.base, "by": user.id}
        await services.of(context).redis.set(pending_key(token), json.dumps(pending),
                                             ex=PENDING_SECONDS)
        await message.reply_text(changes(checked, language),
                                 reply_markup=buttons(token, language))


async def decide(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
    """Publish or Cancel under a preview; only an admin, and only once."""
    query, user = update.callback_query, update.effective_user
    _, action, token = query.data.split(":", 2)
    admin_chat = services.of(context).settings.admin_chat_id
    if query.message is None or query.message.chat.id != admin_chat:
        await query.answer()
        return
    if not await _allowed(context, user):
        await _audit(context, user, f"refused {action}")
        await query.answer(gettext(language, t.NOT_ADMIN), show_alert=True)
        return
    raw = await services.of(context).redis.getdel(pending_key(token))
    await query.answer()
    with contextlib.suppress(BadRequest):  # another press took the buttons off already
        await query.edit_message_reply_markup(None)
    if raw is None:
        await query.message.reply_text(gettext(language, t.EXPIRED))
        return
    if action != "publish":
        await _audit(context, user, "cancel")
        await query.message.reply_text(gettext(language, t.CANCELLED))
        return
    pending = json.loads(raw)
    data = base64.b64decode(pending["file"])
    checked = await asyncio.to_thread(admin.preview, _sync(context), data, pending["filename"])
    if not checked.ok:  # valid at the preview; only the passing days can change that
        await query.message.reply_text(refusal(checked, language))
        return
    try:
        if checked.base != pending["base"]:
            raise store.Conflict("the live version changed")
        number = await asyncio.to_thread(admin.publish, _sync(context), checked,
                                         f"telegram:{user.id}")
    except store.Conflict:
        live = await asyncio.to_thread(store.current_version, _sync(context))
        await _audit(context, user, "publish conflict", base=pending["base"], live=live)
        await query.message.reply_text(gettext(language, t.CONFLICT, version=live))
        return
    await _audit(context, user, "publish", version=number, file=pending["filename"])
    await query.message.reply_text(gettext(language, t.PUBLISHED, version=number))


async def roll_back(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
    message, user = update.effective_message, update.effective_user
    if await _refused(context, user, message, language, "rollback"):
        return
    try:
        number = await asyncio.to_thread(admin.rollback, _sync(context))
    except store.NothingToRollBack:
        await message.reply_text(gettext(language, t.NOTHING_TO_ROLL_BACK))
        return
    await _audit(context, user, "rollback", version=number)
    await message.reply_text(gettext(language, t.ROLLED_BACK, version=number))


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
    message, user = update.effective_message, update.effective_user
    if await _refused(context, user, message, language, "export"):
        return
    kind = "csv" if context.args and context.args[0].lower() == "csv" else "yml"
    number = await asyncio.to_thread(store.current_version, _sync(context))
    if number is None:
        await message.reply_text(gettext(language, t.EMPTY))
        return
    data = await asyncio.to_thread(admin.export, _sync(context), f"kb.{kind}", number)
    await _audit(context, user, "export", version=number)
    await message.reply_document(InputFile(data, filename=f"knowledge-base-v{number}.{kind}"),
                                 caption=gettext(language, t.EXPORTED, version=number))


def register(app: Application) -> None:
    settings: Settings = app.bot_data["settings"]
    if settings.admin_chat_id is None:
        logger.info("TELEGRAM_ADMIN_CHAT_ID is not set: no knowledge-base admin chat")
        return
    app.bot_data[SYNC_REDIS] = redis.Redis.from_url(
        settings.redis_url, socket_timeout=10, socket_connect_timeout=5)
    chat = filters.Chat(chat_id=settings.admin_chat_id) & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(chat & DOCUMENTS, _start(upload)), group=GROUP)
    app.add_handler(CommandHandler("faq_rollback", _start(roll_back), filters=chat), group=GROUP)
    app.add_handler(CommandHandler("faq_export", _start(export), filters=chat), group=GROUP)
    app.add_handler(CallbackQueryHandler(_start(decide), pattern=rf"^{BUTTON}:(publish|cancel):"),
                    group=GROUP)
