"""Telegram objects as Telegram would send them to a bot (plain dicts, Bot API JSON)."""
from __future__ import annotations

import itertools
import re
import time
from typing import Any, Dict, Optional

_file_ids = itertools.count(1)
COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def user(user_id: int, first_name: str = "Sok", language_code: Optional[str] = None) -> Dict[str, Any]:
    data = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        data["language_code"] = language_code
    return data


def private_chat(chat_id: int, first_name: str = "Sok") -> Dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": first_name}


def group_chat(chat_id: int, title: str) -> Dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": title}


def channel_chat(chat_id: int, title: str) -> Dict[str, Any]:
    return {"id": chat_id, "type": "channel", "title": title}


def command_entities(text: str):
    """Telegram marks a leading /command as a bot_command entity; bots rely on it."""
    match = COMMAND.match(text)
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}] if match else []


def _file(**extra: Any) -> Dict[str, Any]:
    n = next(_file_ids)
    return {"file_id": f"FILE{n:06d}", "file_unique_id": f"U{n:06d}", **extra}


def media(kind: str) -> Dict[str, Any]:
    """The fields of a message carrying one kind of media."""
    if kind == "voice":
        return {"voice": _file(duration=4, mime_type="audio/ogg", file_size=9000)}
    if kind == "photo":
        return {"photo": [_file(width=90, height=90, file_size=1200),
                          _file(width=800, height=800, file_size=64000)]}
    if kind == "sticker":
        return {"sticker": _file(type="regular", width=512, height=512, is_animated=False,
                                 is_video=False, emoji="🙏")}
    if kind == "document":
        return {"document": _file(file_name="contract.pdf", mime_type="application/pdf",
                                  file_size=120000)}
    if kind == "location":
        return {"location": {"latitude": 13.7563, "longitude": 100.5018}}
    if kind == "contact":
        return {"contact": {"phone_number": "+66 81 234 5678", "first_name": "Dara"}}
    if kind == "video":
        return {"video": _file(width=640, height=360, duration=5)}
    if kind == "poll":
        return {"poll": {"id": "1", "question": "?", "options": [], "total_voter_count": 0,
                         "is_closed": False, "is_anonymous": True, "type": "regular",
                         "allows_multiple_answers": False, "allows_revoting": False,
                         "members_only": False}}
    raise ValueError(f"unknown media kind {kind}")


def now() -> int:
    return int(time.time())
