"""The `language` and `country` slots, set inside Rasa's process after every message.

Rasa runs its default action `action_extract_slots` after each user message; for slots
with custom mappings it used to call Rasa SDK's `action_validate_slot_mappings` on the
action server: an HTTP round trip with the whole tracker as JSON on both sides, on every
turn, for a few dictionary lookups (docs/benchmarks.md). Here the same decisions
(mitra/language_slot.py) are appended to the events of Rasa's own extraction, so they are
applied, logged and stored exactly as the action server's were, before the next action is
predicted and before any reply is rendered.

This also counts the statistics that belong to a message (mitra/stats.py): the person once
a month in the language now known, and a safety check that the message starts. Counting
uses redis-py's sync client, as Rasa's own tracker store does, with short timeouts, and
never fails the turn.

Here, not in `nlu/`, so that changing it does not retrain the model.
"""
from __future__ import annotations

import functools
from typing import Any, List

from mitra import stats
from mitra.language_slot import slot_updates

SLOTS = ("language", "language_choice", "country")
START_CHECK = "start_safety_check"


def person_events(tracker: Any) -> List[Any]:
    """SlotSet events for one user message, from Rasa's tracker (before they apply)."""
    from rasa.shared.core.events import SlotSet

    message = tracker.latest_message
    if message is None:
        return []
    detection = (message.parse_data or {}).get("language") or {}
    updates = slot_updates(detection, message.text, message.metadata,
                           {name: tracker.get_slot(name) for name in SLOTS})
    return [SlotSet(name, value) for name, value in updates.items()]


def count(tracker: Any, events: List[Any]) -> None:
    language = next((e.value for e in events if e.key == "language"),
                    tracker.get_slot("language"))
    stats.conversation(tracker.sender_id, language)
    intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    if intent == START_CHECK and not tracker.active_loop_name:
        stats.safety_check_started()


def install() -> None:
    """Wraps Rasa's `ActionExtractSlots.run` (once per process)."""
    from rasa.core.actions.action import ActionExtractSlots

    original = ActionExtractSlots.run
    if getattr(original, "_mitra", False):
        return

    @functools.wraps(original)
    async def run(self, output_channel, nlg, tracker, domain, *args: Any, **kwargs: Any):
        events = await original(self, output_channel, nlg, tracker, domain, *args, **kwargs)
        ours = person_events(tracker)
        count(tracker, ours)
        return [*events, *ours]

    run._mitra = True  # type: ignore[attr-defined]
    ActionExtractSlots.run = run
