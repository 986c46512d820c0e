"""Rasa's replies as Telegram messages: text, inline keyboards, the emergency card.

Rasa's REST channel sends a response's text (with its buttons) and its custom payload as
separate entries. The emergency-numbers card follows a text that already lists the same
numbers (mitra/nlg.py writes them into it), so instead of a second message saying the
same thing we make the numbers bold in that text: one message, less data, the numbers
easy to find. A card that follows no such text is sent as a compact list of its own.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity

logger = logging.getLogger(__name__)

MAX_TEXT = 4096  # Telegram's limit for one message
MAX_CALLBACK_BYTES = 64  # Telegram's limit for a button's callback_data
# Short buttons (language names, Yes/No) fit side by side on a phone; longer ones get a
# row each so their text is not cut.
ONE_ROW_MAX_BUTTONS = 3
ONE_ROW_MAX_CHARS = 24


@dataclass
class Outgoing:
    text: str
    buttons: List[Tuple[str, str]] = field(default_factory=list)  # (title, payload)
    bold: List[str] = field(default_factory=list)  # substrings to emphasize

    def keyboard(self) -> Optional[InlineKeyboardMarkup]:
        return keyboard(self.buttons)

    def entities(self) -> List[MessageEntity]:
        return bold_entities(self.text, self.bold)


def keyboard(buttons: Sequence[Tuple[str, str]]) -> Optional[InlineKeyboardMarkup]:
    if not buttons:
        return None
    cells = [InlineKeyboardButton(title, callback_data=payload) for title, payload in buttons]
    short = sum(len(title) for title, _ in buttons) <= ONE_ROW_MAX_CHARS
    if len(cells) <= ONE_ROW_MAX_BUTTONS and short:
        return InlineKeyboardMarkup([cells])
    return InlineKeyboardMarkup([[cell] for cell in cells])


def utf16_len(text: str) -> int:
    """Telegram counts offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def bold_entities(text: str, words: Iterable[str]) -> List[MessageEntity]:
    entities = []
    for word in dict.fromkeys(words):
        # Whole numbers only: "117" must not light up inside "1-800-010-181".
        for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
            entities.append(MessageEntity(
                MessageEntity.BOLD,
                offset=utf16_len(text[: match.start()]),
                length=utf16_len(word),
            ))
    return sorted(entities, key=lambda e: e.offset)


def fits_callback(payload: str) -> bool:
    return 0 < len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES


def split_text(text: str, limit: int = MAX_TEXT) -> List[str]:
    """Pieces of at most `limit` UTF-16 units, cut at a line break or space if one is near."""
    pieces = []
    while utf16_len(text) > limit:
        cut = limit
        while utf16_len(text[:cut]) > limit:
            cut -= 1
        space = max(text.rfind("\n", 0, cut), text.rfind(" ", 0, cut))
        if space > cut // 2:
            cut = space
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return pieces + ([text] if text else [])


def _card_text(card: Dict[str, Any]) -> str:
    return "\n".join(
        f"{n.get('country_name', '')}: {n.get('number', '')} ({n.get('label', '')})"
        for n in card.get("numbers", [])
    )


def _with_card(previous: Optional[Outgoing], card: Dict[str, Any]) -> Optional[Outgoing]:
    """The card as emphasis of the previous message, or a message of its own (returned)."""
    numbers = [str(n.get("number")) for n in card.get("numbers", []) if n.get("number")]
    if not numbers:
        return None
    if previous is not None and all(n in previous.text for n in numbers):
        previous.bold.extend(numbers)
        return None
    return Outgoing(_card_text(card), bold=numbers)


def from_rasa(entries: Iterable[Dict[str, Any]]) -> List[Outgoing]:
    messages: List[Outgoing] = []
    for entry in entries:
        custom = entry.get("custom")
        if isinstance(custom, dict):
            if custom.get("type") == "emergency_numbers":
                own = _with_card(messages[-1] if messages else None, custom)
                if own is not None:
                    messages.append(own)
            else:
                logger.warning("custom payload of unknown type %r not shown", custom.get("type"))
            continue
        text = entry.get("text")
        if not isinstance(text, str) or not text.strip():
            if entry.get("buttons") or entry.get("image") or entry.get("attachment"):
                logger.warning("reply without text not shown: %s", sorted(entry))
            continue
        buttons = []
        listed = entry.get("buttons")
        for button in listed if isinstance(listed, list) else []:
            if not isinstance(button, dict):
                continue
            title, payload = str(button.get("title", "")), str(button.get("payload", ""))
            if title and fits_callback(payload):
                buttons.append((title, payload))
            else:
                logger.error("button %r dropped: payload must be 1-64 bytes", title)
        pieces = split_text(text)
        messages.extend(Outgoing(piece) for piece in pieces[:-1])
        messages.append(Outgoing(pieces[-1], buttons))
    return messages
