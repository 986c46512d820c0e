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


def chat(sender: str) -> str:
    """The person's Telegram chat id, so that staff's replies and the bot can reach them
    (the sender id is a one-way HMAC of it)."""
    return f"{PREFIX}chat:{sender}"


# Hand-off cases (written by the action server, delivered and run by the bot).
HANDOFF_STREAM = f"{PREFIX}handoff"
HANDOFF_GROUP = "staff"
CASE_SEQUENCE = f"{PREFIX}case:seq"
# Cases not yet closed, by creation time: /cases and the re-announcement loop read it.
ACTIVE_CASES = f"{PREFIX}cases:active"


def case(case_id: str) -> str:
    return f"{PREFIX}case:{case_id}"


def open_case(sender: str) -> str:
    return f"{PREFIX}case:open:{sender}"


def cases_of(sender: str) -> str:
    """Every case id of one person, open or closed, so that /forget can find them all."""
    return f"{PREFIX}case:by:{sender}"


def case_log(case_id: str) -> str:
    """Who did what to a case, and when (staff's Telegram user ids, never the person's)."""
    return f"{PREFIX}case:log:{case_id}"


def case_of_thread(thread_id: int) -> str:
    """The case a forum topic in the staff group belongs to."""
    return f"{PREFIX}case:thread:{thread_id}"


def case_of_message(message_id: int) -> str:
    """The case a bot message in the staff group belongs to (replies to it go there)."""
    return f"{PREFIX}case:msg:{message_id}"


def case_announce_lock(case_id: str) -> str:
    """Held by the one bot replica that announces an unclaimed case again this round."""
    return f"{PREFIX}case:announce:{case_id}"


def personal_keys(sender: str) -> List[str]:
    return [
        tracker(sender), rasa_lock(sender), inbox(sender), busy(sender),
        language(sender), rate(sender), notice(sender), deletable(sender), chat(sender),
    ]


def personal_pattern(sender: str) -> str:
    """Matches any key holding this sender id, including keys added by later features."""
    return f"{PREFIX}*{sender}*"
