"""Everything Mitra keeps in Redis is named here, and so is the id a person has there.

A person's id (the Rasa `sender`) is an HMAC of their Telegram chat id, so that a copy of
Redis does not hand out chat ids, and the same chat always maps to the same conversation.
Changing MITRA_ID_KEY starts every conversation afresh. Every key starts with `mitra:`
and every key the bot writes has an expiry; `/forget` deletes `personal_keys(sender)`
and anything else whose name holds the sender id.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import List, Optional

from mitra.config import settings

PREFIX = "mitra:"

# Senders that have messages waiting in their inbox (sorted by when they last wrote): the
# bot's retry loop walks it, so a message is answered once Rasa is back.
PENDING = f"{PREFIX}pending"


def sender_id(chat_id: int, key: Optional[str] = None) -> str:
    secret = (key or settings.id_key).encode()
    digest = hmac.new(secret, f"telegram:{chat_id}".encode(), hashlib.sha256).hexdigest()
    return "tg-" + digest[:32]


# Written by Rasa (endpoints.yml, key_prefix "mitra").
def tracker(sender: str) -> str:
    return f"{PREFIX}tracker:{sender}"


def rasa_lock(sender: str) -> str:
    return f"{PREFIX}lock:{sender}"


# Written by the bot.
def inbox(sender: str) -> str:
    """The person's messages not yet answered, oldest first."""
    return f"{PREFIX}inbox:{sender}"


def busy(sender: str) -> str:
    """Held by the one bot task (in any replica) that is answering this person."""
    return f"{PREFIX}busy:{sender}"


def language(sender: str) -> str:
    """The language of the latest reply, for what the bot says by itself."""
    return f"{PREFIX}language:{sender}"


def rate(sender: str) -> str:
    return f"{PREFIX}rate:{sender}"


def notice(sender: str) -> str:
    """Set while a 'cannot answer right now' message is fresh, so it is not repeated."""
    return f"{PREFIX}notice:{sender}"


def deletable(sender: str) -> str:
    """Ids of chat messages (both sides) that `/forget` deletes, by time."""
    return f"{PREFIX}deletable:{sender}"


def personal_keys(sender: str) -> List[str]:
    return [
        tracker(sender), rasa_lock(sender), inbox(sender), busy(sender),
        language(sender), rate(sender), notice(sender), deletable(sender),
    ]


def personal_pattern(sender: str) -> str:
    """Matches any key holding this sender id, including keys added by later features."""
    return f"{PREFIX}*{sender}*"
