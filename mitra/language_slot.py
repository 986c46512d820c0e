"""The `language` and `country` slots after each message: which language Mitra writes in,
following the person, and where they are when they say so.

- Khmer or Thai script is a clear signal: answer in it (and that ends an earlier explicit
  choice, because the person has switched).
- Latin text can be English or romanized Khmer. An explicit choice (/language, a language
  button, "speak English please") wins here; without one, strong evidence moves the
  conversation and weak evidence only sets a language that is not known yet.
- Messages that say nothing about language ("ok", "👍", a button) change nothing; for the
  very first of them, Telegram's interface language is a weak first guess.
- The country follows a clear mention of where the person is (mitra/country.py).

Pure functions of the message and the current slots: Rasa's process applies them
(mitra/slots_rasa.py), and tests call them directly.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from mitra.country import infer_country
from mitra.i18n import LANGUAGES

LATIN = "Latn"


def decide_language(
    detection: Mapping[str, Any], current: Optional[str], choice: Optional[str]
) -> Dict[str, Optional[str]]:
    """Returns the slot values to set (possibly none) for one user message."""
    code = detection.get("code")
    if code not in LANGUAGES:
        return {}
    if detection.get("script") != LATIN:
        if not detection.get("strong") and current:
            return {}
        updates: Dict[str, Optional[str]] = {"language": code}
        if choice and choice != code:
            updates["language_choice"] = None
        return updates
    if choice:
        return {"language": choice} if current != choice else {}
    if current and not detection.get("strong"):
        return {}
    return {"language": code} if code != current else {}


def interface_language(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    """Telegram's interface language, which the bot sends as the message's metadata."""
    code = str((metadata or {}).get("language_code") or "").split("-")[0].lower()
    return code if code in LANGUAGES else None


def slot_updates(
    detection: Mapping[str, Any], text: Optional[str], metadata: Optional[Mapping[str, Any]],
    slots: Mapping[str, Any],
) -> Dict[str, Optional[str]]:
    """What one user message changes in `language`, `language_choice` and `country`.

    `detection` is what nlu/language_detector.py put in the parse data ("language")."""
    current = slots.get("language")
    updates = decide_language(detection, current, slots.get("language_choice"))
    if not updates and current is None:
        hint = interface_language(metadata)  # /start, a button: nothing to tell from text
        if hint:
            updates = {"language": hint}
    country = infer_country(text or "")
    if country:
        updates["country"] = country
    # Only what changes: an event that sets a slot to its value would only lengthen the
    # tracker.
    return {name: value for name, value in updates.items() if slots.get(name) != value}
