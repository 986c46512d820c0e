"""The language of what the bot says by itself (Rasa's replies choose their own).

In order: Khmer or Thai script in the message at hand (writing a script is the clearest
sign, and Rasa switches on it too); the language of the latest reply Rasa gave this person,
kept in Redis; Telegram's `language_code` (weak: Telegram has no Khmer interface, so many
Khmer speakers show "en"); the detected language of Latin text (English or romanized Khmer);
MITRA_DEFAULT_LANGUAGE.
"""
from __future__ import annotations

from typing import Iterable, Optional

from redis.asyncio import Redis

from mitra import keys
from mitra.config import settings
from mitra.i18n import LANGUAGES
from nlu.language import detect
from nlu.scripts import KHMER, THAI

_SCRIPT_LANGUAGE = {KHMER: "km", THAI: "th"}


def of_script(text: str) -> Optional[str]:
    """km or th when the text is written in Khmer or Thai script."""
    return _SCRIPT_LANGUAGE.get(detect(text or "").script)


def of_reply(texts: Iterable[str]) -> Optional[str]:
    """The language Rasa answered in: its replies are never romanized Khmer."""
    joined = " ".join(t for t in texts if t)
    if not joined.strip():
        return None
    found = detect(joined)
    return _SCRIPT_LANGUAGE.get(found.script) or ("en" if found.script == "Latn" else None)


async def remember(redis: Redis, sender: str, language: Optional[str]) -> None:
    if language in LANGUAGES:
        ttl = settings.tracker_expiry_days * 86400
        await redis.set(keys.language(sender), language, ex=ttl)


async def for_person(
    redis: Redis, sender: str, text: Optional[str] = None, language_code: Optional[str] = None
) -> str:
    by_script = of_script(text or "")
    if by_script:
        return by_script
    remembered = await redis.get(keys.language(sender))
    if isinstance(remembered, bytes):
        remembered = remembered.decode()
    if remembered in LANGUAGES:
        return remembered
    return without_memory(text, language_code)


def without_memory(text: Optional[str] = None, language_code: Optional[str] = None) -> str:
    """The same choice without Redis (when Redis itself is failing)."""
    by_script = of_script(text or "")
    if by_script:
        return by_script
    code = (language_code or "").split("-")[0].lower()
    if code in LANGUAGES:
        return code
    detected = detect(text or "").code
    return detected if detected in LANGUAGES else settings.default_language
