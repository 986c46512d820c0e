"""Hand-offs to hotline staff: danger now (urgent), high risk in the safety check
(urgent), or a person asking for a human (normal). The case goes to Redis and onto the
hand-off stream (`mitra/cases.py`); the bot delivers it to the staff group."""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

import redis
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import metrics
from mitra import cases
from mitra.config import settings
from mitra.i18n import normalize

logger = logging.getLogger(__name__)
LAST_MESSAGES = 6


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url, socket_timeout=3, socket_connect_timeout=3)


def last_messages(tracker: Tracker, limit: int = LAST_MESSAGES) -> List[Dict[str, str]]:
    """The last few texts of the conversation, both sides, oldest first."""
    lines = []
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text") and not event["text"].startswith("/"):
            lines.append({"from": "person", "text": event["text"][:500]})
        elif event.get("event") == "bot" and event.get("text"):
            lines.append({"from": "bot", "text": event["text"][:300]})
    return lines[-limit:]


def open_case(
    tracker: Tracker, urgency: str, reason: str,
    risk: Optional[str] = None, indicators: Optional[List[str]] = None,
    country: Optional[str] = None,
) -> Optional[cases.Case]:
    case = cases.Case(
        id="", sender=tracker.sender_id, urgency=urgency, reason=reason,
        language=normalize(tracker.get_slot("language")),
        country=country or tracker.get_slot("country"), risk=risk, indicators=indicators or [],
        last_messages=last_messages(tracker),
    )
    try:
        return cases.open_or_escalate(redis_client(), case)
    except redis.RedisError:
        # The person still gets the emergency numbers; the error fails loudly in logs
        # and metrics rather than silently.
        logger.exception("could not open a %s case", urgency)
        metrics.ERRORS.labels("handoff").inc()
        return None


class ActionHandleDanger(Action):
    """Danger now, at any moment: emergency numbers first, then an urgent hand-off."""

    def name(self) -> Text:
        return "action_handle_danger"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_danger")
        case = open_case(tracker, cases.URGENT, "danger")
        dispatcher.utter_message(response="utter_handoff_urgent" if case else "utter_handoff_failed")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionRequestHuman(Action):
    def name(self) -> Text:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        case = open_case(tracker, cases.NORMAL, "asked")
        dispatcher.utter_message(response="utter_handoff_requested" if case else "utter_handoff_failed")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
