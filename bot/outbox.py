"""Sending to a person's chat: every message the bot sends is remembered for /forget, and
Telegram's flood control (429 "retry after") is waited out instead of losing a reply."""
from __future__ import annotations

import asyncio
import logging
from typing import Optional

from redis.asyncio import Redis
from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import deletable
from bot.replies import Outgoing

logger = logging.getLogger(__name__)

ATTEMPTS = 3
TYPING_EVERY_SECONDS = 4.5  # Telegram shows "typing" for 5 seconds
# Most answers come within a tenth of a second, before "typing…" could be seen; Telegram
# asks bots to show it only when an answer takes noticeable time. Saves a Bot API call
# (and about a tenth of the bot's CPU) on most messages.
TYPING_AFTER_SECONDS = 0.5


def seconds(value) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


async def send(
    bot: Bot, redis: Redis, sender: str, chat_id: int, message: Outgoing, remember: bool = True
) -> Optional[Message]:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            sent = await bot.send_message(
                chat_id, message.text, reply_markup=message.keyboard(),
                entities=message.entities() or None,
            )
        except RetryAfter as error:
            await asyncio.sleep(seconds(error.retry_after))
            continue
        except Forbidden:
            logger.info("a person blocked the bot; reply dropped")
            return None
        except BadRequest as error:
            logger.error("Telegram refused a reply: %s", error)
            return None
        except TimedOut:
            # It may have arrived: sending again could show it twice.
            logger.warning("sending a reply timed out")
            return None
        except NetworkError as error:
            logger.warning("sending a reply failed (attempt %d): %s", attempt, error)
            await asyncio.sleep(attempt)
            continue
        if remember:
            await deletable.remember(redis, sender, sent.message_id)
        return sent
    logger.error("reply not delivered after %d attempts", ATTEMPTS)
    return None


async def send_text(bot: Bot, redis: Redis, sender: str, chat_id: int, text: str,
                    buttons=None, remember: bool = True) -> Optional[Message]:
    return await send(bot, redis, sender, chat_id, Outgoing(text, list(buttons or [])), remember)


async def keep_typing(bot: Bot, chat_id: int, after: float = TYPING_AFTER_SECONDS) -> None:
    """Shows "typing…" from `after` seconds on until cancelled: the person waiting for a
    slow answer sees their message is being read."""
    await asyncio.sleep(after)
    while True:
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        except Exception as error:  # a missing typing indicator must not stop a reply
            logger.debug("typing indicator failed: %s", error)
        await asyncio.sleep(TYPING_EVERY_SECONDS)


async def mark_chosen(bot: Bot, chat_id: int, message_id: int, markup: InlineKeyboardMarkup) -> None:
    try:
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=markup)
    except BadRequest as error:  # pressed twice, or the message is gone: nothing to show
        logger.debug("keyboard not updated: %s", error)
