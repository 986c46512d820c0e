"""Is this Telegram user a member of that group? Asked of the Bot API (getChatMember) for
every staff or admin action; an answer is reused for a short while only, so that someone
removed from the group loses access within `TTL_SECONDS`."""
from __future__ import annotations

import logging
import time
from typing import Dict, Optional, Tuple

from telegram import Bot, ChatMember
from telegram.error import TelegramError

logger = logging.getLogger(__name__)

TTL_SECONDS = 30.0
_MEMBER = {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER}
_cache: Dict[Tuple[int, int], Tuple[float, bool]] = {}


async def is_member(bot: Bot, chat_id: Optional[int], user_id: int) -> bool:
    if chat_id is None:
        return False
    now = time.monotonic()
    cached = _cache.get((chat_id, user_id))
    if cached and now - cached[0] < TTL_SECONDS:
        return cached[1]
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        # Unknown is not a yes: refuse, and ask again next time.
        logger.warning("membership check failed: %s", error)
        return False
    allowed = member.status in _MEMBER or (
        member.status == ChatMember.RESTRICTED and getattr(member, "is_member", False))
    _cache[(chat_id, user_id)] = (now, allowed)
    return allowed
