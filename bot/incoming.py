"""Incoming text made safe for Rasa.

- Rasa reads a message starting with "/" as an intent with entities ("/danger_now{...}"),
  after stripping whitespace: only the bot may send those. Text that starts with "/"
  (after any whitespace or invisible characters) is a command; one we do not know never
  reaches Rasa.
- Control characters (null bytes and the like) and bidirectional overrides, which can
  disguise text in a staff view, are removed. Zero-width spaces and joiners stay: Khmer
  writers separate words with U+200B, and Khmer and Thai need the joiners.
- Very long text is cut at a word boundary; Telegram allows 4096 characters, and the
  first part of a long message is enough to understand it and to see danger in it.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Tuple

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    return _CONTROL.sub("", text or "")


def _lstrip_invisible(text: str) -> str:
    i = 0
    while i < len(text) and (text[i].isspace() or unicodedata.category(text[i]) == "Cf"):
        i += 1
    return text[i:]


def looks_like_command(text: str) -> bool:
    return _lstrip_invisible(clean(text)).startswith("/")


def shorten(text: str, limit: int) -> Tuple[str, bool]:
    """The text cut to at most `limit` characters, and whether it was cut."""
    if len(text) <= limit:
        return text, False
    cut = limit
    boundary = max(text.rfind(sep, 0, limit) for sep in (" ", "\n", "\u200b"))
    if boundary > limit * 0.8:
        cut = boundary
    return text[:cut].rstrip(), True
