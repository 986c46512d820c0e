"""The safety check: one short question at a time, scored by `actions.risk`.

Answers come from the buttons (Yes / No / Don't know / Skip) or from free text that the
NLU reads as yes, no or don't know. A message with another intent (a question, small talk)
is answered by its own rule; the form then reminds the person of the buttons once and asks
again, and a second such message counts as "don't know", so nobody gets stuck.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import risk
from actions.handoff import open_case
from mitra import cases, stats
from mitra.country import infer_country

FORM = "safety_check_form"
ANSWERS = {"affirm": risk.YES, "deny": risk.NO, "dont_know": risk.UNSURE, "skip_question": risk.SKIPPED}
QUESTION_SLOTS = [q.slot for q in risk.QUESTIONS] + [risk.MINOR_SLOT]
ALL_SLOTS = [risk.COUNTRY_SLOT] + QUESTION_SLOTS
UNCLEAR = "sc_unclear"


def _intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _country_answer(tracker: Tracker) -> Optional[str]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "country" and entity.get("value") in ("KH", "TH", "other"):
            return entity["value"]
    if _intent(tracker) in ("skip_question", "dont_know"):
        return risk.SKIPPED
    return infer_country(tracker.latest_message.get("text") or "")


class ValidateSafetyCheckForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_safety_check_form"

    def _unclear(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> Dict[Text, Any]:
        count = int(tracker.get_slot(UNCLEAR) or 0) + 1
        if count >= 2:
            return {slot: risk.UNSURE if slot != risk.COUNTRY_SLOT else risk.SKIPPED, UNCLEAR: 0}
        dispatcher.utter_message(response="utter_check_use_buttons")
        return {UNCLEAR: count}

    async def extract_sc_country(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != risk.COUNTRY_SLOT or _intent(tracker) == "danger_now":
            return {}
        answer = _country_answer(tracker)
        if answer is None:
            return self._unclear(dispatcher, tracker, risk.COUNTRY_SLOT)
        return {risk.COUNTRY_SLOT: answer, UNCLEAR: 0}


def _make_extractor(slot: str):
    async def extract(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != slot:
            return {}
        intent = _intent(tracker)
        if intent == "danger_now" or intent == "request_human":
            return {}  # the form steps aside; a rule hands the person to staff
        if intent in ANSWERS:
            return {slot: ANSWERS[intent], UNCLEAR: 0}
        return self._unclear(dispatcher, tracker, slot)

    extract.__name__ = f"extract_{slot}"
    return extract


for _slot in QUESTION_SLOTS:
    setattr(ValidateSafetyCheckForm, f"extract_{_slot}", _make_extractor(_slot))


class ActionSafetyCheckResult(Action):
    """Scores the answers, tells the person what happens next, and hands off if high."""

    def name(self) -> Text:
        return "action_safety_check_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        answers = {slot: tracker.get_slot(slot) for slot in ALL_SLOTS}
        level, _, indicators = risk.score(answers)
        stated = answers[risk.COUNTRY_SLOT]
        country = stated if stated in ("KH", "TH") else tracker.get_slot("country")
        stats.safety_check_finished(level, indicators, country)
        if level == risk.HIGH:
            dispatcher.utter_message(response="utter_check_high")
            case = open_case(tracker, cases.URGENT, "safety_check", level, indicators, country)
            dispatcher.utter_message(response="utter_handoff_urgent" if case else "utter_handoff_failed")
        elif level == risk.MEDIUM:
            dispatcher.utter_message(response="utter_check_medium")
        else:
            dispatcher.utter_message(response="utter_check_low")
        events = [SlotSet(slot, None) for slot in ALL_SLOTS]
        events += [SlotSet("risk_level", level), SlotSet("indicators_seen", indicators), SlotSet(UNCLEAR, 0)]
        if country:
            events.append(SlotSet("country", country))
        return events
