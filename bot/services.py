"""What the handlers share, built once per process in `bot.app` and kept in bot_data."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from redis.asyncio import Redis
from telegram.ext import ContextTypes

from bot.handoff import StaffGroup
from bot.rasa import RasaClient
from bot.relay import Relay
from mitra.config import Settings

KEY = "mitra"


@dataclass
class Services:
    settings: Settings
    redis: Redis
    rasa: RasaClient
    relay: Relay
    staff: Optional[StaffGroup] = None  # None without TELEGRAM_STAFF_CHAT_ID


def of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data[KEY]
