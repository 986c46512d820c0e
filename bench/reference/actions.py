"""The reference bot's one custom action: one text, whatever was said.

It stands for the smallest useful thing a custom action does (a round trip to the
action server and one reply), so that the benchmark compares Mitra with Rasa's own cost
rather than with no action at all."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

REPLY = "Thank you, we got your message."


class ActionReply(Action):
    def name(self) -> Text:
        return "action_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=REPLY)
        return []
