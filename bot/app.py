"""The python-telegram-bot Application for Mitra, built in one place."""
from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as redis
from telegram import LinkPreviewOptions
from telegram.ext import Application, Defaults

from bot import commands, handlers
from bot.rasa import RasaClient
from bot.relay import Relay
from bot.services import KEY, Services
from bot.updates_request import TolerantUpdatesRequest
from mitra.config import Settings

logger = logging.getLogger(__name__)

# Updates the bot asks Telegram for; channel posts and the rest are never sent to it.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
RETRY_TASK = "mitra_retry"


def build(settings: Settings) -> Application:
    app = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .get_updates_request(TolerantUpdatesRequest())
        # Link previews cost data; replies have nothing worth previewing.
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(_start)
        .post_stop(_stop)
        .post_shutdown(_close)
        .build()
    )
    app.bot_data["settings"] = settings
    handlers.register(app)
    return app


async def _start(app: Application) -> None:
    settings: Settings = app.bot_data["settings"]
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds)
    relay = Relay(app.bot, client, rasa, settings)
    app.bot_data[KEY] = Services(settings, client, rasa, relay)
    await commands.publish(app.bot, settings.default_language)
    app.bot_data[RETRY_TASK] = asyncio.create_task(relay.retry_forever())
    logger.info("bot @%s ready; Rasa at %s", app.bot.username, settings.rasa_url)


async def _stop(app: Application) -> None:
    task = app.bot_data.pop(RETRY_TASK, None)
    if task:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _close(app: Application) -> None:
    services: Services = app.bot_data.get(KEY)
    if services:
        await services.rasa.close()
        await services.redis.aclose()
