"""Replies by name: the text and buttons of a response (mitra/responses.py) in the
person's language, translated from the Babel catalogs at that moment. Rasa asks for them
through mitra/nlg_rasa.py, inside its own process.

Language: an explicit `language` argument (an action that just switched language passes
it, since Rasa renders with the tracker as it was before the action's events), else the
`language` slot, else the language detected in the latest message, else the default.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from mitra.config import settings
from mitra.i18n import gettext, normalize
from mitra import emergency
from mitra.responses import RESPONSES, Response

logger = logging.getLogger(__name__)


def pick_language(tracker: Dict[str, Any], arguments: Dict[str, Any]) -> str:
    slots = tracker.get("slots") or {}
    detected = ((tracker.get("latest_message") or {}).get("language") or {}).get("code")
    for candidate in (arguments.get("language"), slots.get("language"), detected):
        if candidate:
            return normalize(candidate)
    return settings.default_language


def _emergency(language: str, country: Optional[str]) -> Dict[str, Any]:
    numbers = [
        {
            "country": code,
            "country_name": gettext(language, emergency.COUNTRY_NAMES[code]),
            "number": number,
            "label": gettext(language, label),
        }
        for code in emergency.countries_for(country)
        for number, label in emergency.NUMBERS[code]
    ]
    return {"type": "emergency_numbers", "numbers": numbers}


def _card_lines(card: Dict[str, Any]) -> str:
    return "\n".join(
        f"{n['country_name']}: {n['number']} ({n['label']})" for n in card["numbers"]
    )


def render(name: str, tracker: Dict[str, Any], arguments: Dict[str, Any]) -> Dict[str, Any]:
    response: Optional[Response] = RESPONSES.get(name)
    if response is None:
        logger.error("unknown response requested: %s", name)
        response = RESPONSES["utter_default"]
    language = pick_language(tracker, arguments)
    values = {"days": settings.tracker_expiry_days}
    text = gettext(language, response.text, **values)
    message: Dict[str, Any] = {"text": text}
    if response.emergency_card:
        slots = tracker.get("slots") or {}
        card = _emergency(language, slots.get("country"))
        message["text"] = f"{text}\n\n{_card_lines(card)}"
        message["custom"] = card
    if response.buttons:
        message["buttons"] = [
            {
                "title": gettext(language, b.title) if b.translate else b.title,
                "payload": b.payload,
            }
            for b in response.buttons
        ]
    return message
