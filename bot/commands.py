"""The commands a person can send, what each asks of Rasa, and how they are described in
Telegram's command menu in each language (setMyCommands per language code)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats
from telegram.error import TelegramError

from bot import texts
from mitra.i18n import LANGUAGES, N_, gettext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    name: str
    intent: Optional[str]  # the trusted payload sent to Rasa; None: the bot handles it
    description: str


COMMANDS = (
    Command("start", "/start_conversation", N_("Welcome and choose a language")),
    Command("help", "/help_topics", N_("What I can help with")),
    Command("language", "/switch_language", N_("Change the language")),
    Command("check", "/start_safety_check", N_("Check if your job is safe")),
    Command("human", "/request_human", N_("Talk to a person")),
    Command("forget", None, N_("Delete everything about me")),
)
INTENTS = {c.name: c.intent for c in COMMANDS if c.intent}


def listing(language: str) -> str:
    return "\n".join(f"/{c.name} – {gettext(language, c.description)}" for c in COMMANDS)


def unknown_command_text(language: str) -> str:
    return f"{gettext(language, texts.UNKNOWN_COMMAND)}\n{listing(language)}"


def menu(language: str):
    return [BotCommand(c.name, gettext(language, c.description)) for c in COMMANDS]


async def publish(bot: Bot, default_language: str) -> None:
    """The menu in each language; people whose Telegram is in another language (Telegram
    has no Khmer interface) see MITRA_DEFAULT_LANGUAGE."""
    scope = BotCommandScopeAllPrivateChats()
    try:
        for language in LANGUAGES:
            await bot.set_my_commands(menu(language), scope=scope, language_code=language)
        await bot.set_my_commands(menu(default_language), scope=scope)
    except TelegramError as error:  # the menu is a convenience: the bot works without it
        logger.warning("could not set the command menu: %s", error)
