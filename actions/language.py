"""An explicit choice of language: "/language", a language button, "speak Thai please".

How the `language` slot follows the person message by message is decided inside Rasa
(mitra/language_slot.py, applied by mitra/slots_rasa.py); a choice made here wins there for
Latin-script text until the person writes in another script or chooses again.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from mitra.i18n import LANGUAGES

# Names of the three languages as people write them, for "switch to ..." messages where
# the entity extractor missed the name. Matched on lowercase text, in any script.
_LANGUAGE_NAMES = {
    "km": ("khmer", "khmae", "khmai", "khmaer", "cambodian", "ខ្មែរ", "เขมร", "កម្ពុជា"),
    "th": ("thai", "thay", "siam", "ไทย", "ថៃ", "សៀម"),
    "en": ("english", "eng", "angles", "anglais", "อังกฤษ", "អង់គ្លេស"),
}


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
