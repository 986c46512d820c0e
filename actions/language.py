"""The `language` slot: which language Mitra writes in, following the person.

- Khmer or Thai script is a clear signal: answer in it (and that ends an earlier explicit
  choice, because the person has switched).
- Latin text can be English or romanized Khmer. An explicit choice (/language, a language
  button, "speak English please") wins here; without one, strong evidence moves the
  conversation and weak evidence only sets a language that is not known yet.
- Messages that say nothing about language ("ok", "👍", a button) change nothing.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.country import infer_country
from mitra import stats
from mitra.i18n import LANGUAGES

LATIN = "Latn"

# Names of the three languages as people write them, for "switch to ..." messages where
# the entity extractor missed the name. Matched on lowercase text, in any script.
_LANGUAGE_NAMES = {
    "km": ("khmer", "khmae", "khmai", "khmaer", "cambodian", "ខ្មែរ", "เขมร", "កម្ពុជា"),
    "th": ("thai", "thay", "siam", "ไทย", "ថៃ", "សៀម"),
    "en": ("english", "eng", "angles", "anglais", "อังกฤษ", "អង់គ្លេស"),
}


def decide_language(
    detection: Dict[str, Any], current: Optional[str], choice: Optional[str]
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


def requested_language(tracker: Tracker) -> Optional[str]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "requested_language" and entity.get("value") in LANGUAGES:
            return entity["value"]
    text = (tracker.latest_message.get("text") or "").lower()
    found = [
        code
        for code, names in _LANGUAGE_NAMES.items()
        if any(re.search(rf"(?<![a-z]){re.escape(n)}", text) for n in names)
    ]
    return found[0] if len(found) == 1 else None


def _interface_language(tracker: Tracker) -> Optional[str]:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            code = ((event.get("metadata") or {}).get("language_code") or "").split("-")[0].lower()
            return code if code in LANGUAGES else None
    return None


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message (Rasa's `action_validate_slot_mappings`)."""

    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
                  ) -> List[Dict[Text, Any]]:
        events = await super().run(dispatcher, tracker, domain)  # updates tracker's slots
        # Statistics (mitra/stats.py): the person, once a month, in the language now known;
        # a safety check that this message starts.
        stats.conversation(tracker.sender_id, tracker.get_slot("language"))
        if (tracker.latest_message.get("intent") or {}).get("name") == "start_safety_check" \
                and not (tracker.active_loop or {}).get("name"):
            stats.safety_check_started()
        return events

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        detection = tracker.latest_message.get("language") or {}
        current = tracker.get_slot("language")
        updates = decide_language(detection, current, tracker.get_slot("language_choice"))
        if not updates and current is None:
            # Nothing to tell from the text (/start, a button): Telegram's interface
            # language, sent by the bot as metadata, is a weak first guess.
            hint = _interface_language(tracker)
            if hint:
                updates = {"language": hint}
        return updates

    async def extract_country(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        """A clear mention of where the person is ("in Rayong", "ខ្ញុំនៅភ្នំពេញ")."""
        country = infer_country(tracker.latest_message.get("text") or "")
        return {"country": country} if country and country != tracker.get_slot("country") else {}


class ActionSwitchLanguage(Action):
    """An explicit choice of language: set it, and confirm in the new language."""

    def name(self) -> Text:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        code = requested_language(tracker)
        if code is None:
            dispatcher.utter_message(response="utter_choose_language")
            return []
        # Rasa renders this reply with the tracker as it was before our SlotSet, so the
        # new language travels as an argument.
        dispatcher.utter_message(response="utter_language_switched", language=code)
        return [SlotSet("language", code), SlotSet("language_choice", code)]
