"""Webhook mode: an update is in the person's inbox before Telegram hears "200 OK".

Telegram sends a chat's next update only after the webhook has answered the previous one.
python-telegram-bot's webhook server answers as soon as the update is queued in the
process's memory and handles it later. With several bot replicas behind one URL, the next
update of the same chat may then reach another replica and be put into the person's inbox
first: replies out of order. And a replica that stops between the answer and the handler
loses the update, which Telegram will not send again.

So in webhook mode updates are not queued: `put` handles the update (the handlers only do
quick Redis work, `bot.handlers`) and returns when it is in the inbox. Only then does the
webhook server answer Telegram. Python-telegram-bot's own stop signal still goes through
the queue.
"""
from __future__ import annotations

import asyncio
from typing import Optional

from telegram import Update
from telegram.ext import Application

from mitra.config import Settings


class HandledOnArrival(asyncio.Queue):
    """The Application's update queue in webhook mode (`bot.app.build`)."""

    def __init__(self) -> None:
        super().__init__()
        self.application: Optional[Application] = None

    async def put(self, item: object) -> None:
        app = self.application
        if app is None or not isinstance(item, Update):
            await super().put(item)
            return
        # Through the update processor, as the Application itself does: one update at a time
        # unless concurrent updates are configured.
        await app.update_processor.process_update(item, app.process_update(item))


def update_queue(settings: Settings) -> "asyncio.Queue[object]":
    """The Application's update queue: handled on arrival in webhook mode, an ordinary
    queue (python-telegram-bot's default) when polling."""
    return HandledOnArrival() if settings.webhook_url else asyncio.Queue()


def attach(app: Application) -> None:
    if isinstance(app.update_queue, HandledOnArrival):
        app.update_queue.application = app
