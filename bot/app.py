"""The python-telegram-bot Application for Mitra, built in one place."""
from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as redis
from telegram import LinkPreviewOptions
from telegram.ext import Application, Defaults

from bot import admin, commands, handlers, metrics, stats, webhook
from bot.handoff import HandoffQueue, StaffGroup
from bot.rasa import RasaClient
from bot.relay import Relay
from bot.services import KEY, Services
from bot.updates_request import TolerantUpdatesRequest
from mitra.config import Settings

logger = logging.getLogger(__name__)

# Updates the bot asks Telegram for; channel posts and the rest are never sent to it.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
TASKS = "mitra_tasks"
QUEUE = "mitra_handoff"


class _UpdatesRequest(metrics.CountingRequest, TolerantUpdatesRequest):
    """getUpdates: skips updates python-telegram-bot cannot read, counts failed calls."""


def build(settings: Settings) -> Application:
    app = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        # Both count failed Bot API calls (bot/metrics.py); the pool is the builder's default.
        .request(metrics.CountingRequest(connection_pool_size=256))
        .get_updates_request(_UpdatesRequest())
        # Webhook mode: each update is in the inbox before Telegram is answered (bot/webhook.py).
        .update_queue(webhook.update_queue(settings))
        # Link previews cost data; replies have nothing worth previewing.
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(_start)
        .post_stop(_stop)
        .post_shutdown(_close)
        .build()
    )
    webhook.attach(app)
    app.bot_data["settings"] = settings
    metrics.register(app)
    handlers.register(app)
    admin.register(app)
    stats.register(app)
    return app


async def _start(app: Application) -> None:
    settings: Settings = app.bot_data["settings"]
    # Timeouts: a frozen Redis must fail a handler (which then answers without it), not
    # hang it; the hand-off queue blocks for 2 s at most, well within them.
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True,
                                  socket_timeout=5, socket_connect_timeout=3)
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds, settings.rasa_auth_token)
    relay = Relay(app.bot, client, rasa, settings)
    staff = StaffGroup(app.bot, client, settings) if settings.staff_chat_id is not None else None
    app.bot_data[KEY] = Services(settings, client, rasa, relay, staff)
    await commands.publish(app.bot, settings.default_language)
    tasks = [relay.retry_forever()]
    if staff is None:
        logger.warning("TELEGRAM_STAFF_CHAT_ID is not set: hand-offs wait in Redis")
    else:
        queue = HandoffQueue(staff, client, settings)
        app.bot_data[QUEUE] = (queue, asyncio.create_task(queue.deliver_forever()))
        tasks.append(queue.reannounce_forever())
    app.bot_data[TASKS] = [asyncio.create_task(t) for t in tasks]
    logger.info("bot @%s ready; Rasa at %s", app.bot.username, settings.rasa_url)


async def _stop(app: Application) -> None:
    queue = app.bot_data.pop(QUEUE, None)
    if queue:
        await queue[0].stop(queue[1])
    for task in app.bot_data.pop(TASKS, []):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _close(app: Application) -> None:
    services: Services = app.bot_data.get(KEY)
    if services:
        await services.rasa.close()
        await services.redis.aclose()
