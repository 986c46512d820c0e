"""`action_answer_question`: a rights question answered from the knowledge base.

- confident match: the entry's answer, in the person's language (`language` slot);
- unsure: "Did you mean:" with the two or three closest entries as buttons
  (`/kb_pick{"kb":"<id>"}`, which comes back to this action) and a person button;
- nothing fits: the offer of a person. Never an answer from a weak match.
The `country` slot, when known, prefers entries for that country (retrieval.py).
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import metrics
from actions.knowledge.decision import ANSWER, SUGGEST, Decision
from actions.knowledge.live import LiveKnowledgeBase
from actions.knowledge.schema import Entry
from mitra.nlg import pick_language
from mitra.responses import HUMAN
from mitra import stats, vectors
from mitra.i18n import gettext

logger = logging.getLogger(__name__)

PICK_INTENT = "kb_pick"
PICK_ENTITY = "kb"
MAX_BUTTON_CHARS = 60  # a topic button shows an example question; long ones are cut
# A question that arrives while the server is still loading the first version waits
# this long, then gets the hotline numbers (utter_rights_help) instead.
READY_WAIT_SECONDS = 3.0

_live: Optional[LiveKnowledgeBase] = None
_live_lock = threading.Lock()


def live() -> LiveKnowledgeBase:
    """The process's knowledge base, started on first use (or by start_knowledge_base())."""
    global _live
    with _live_lock:
        if _live is None:
            _live = LiveKnowledgeBase.from_environment().start()
        return _live


def start_knowledge_base() -> LiveKnowledgeBase:
    """For the action server's start-up, so the first question does not wait for the model."""
    return live()


def use(knowledge_base: Optional[LiveKnowledgeBase]) -> None:
    """Tests: answer from this knowledge base instead of the environment's."""
    global _live
    with _live_lock:
        _live = knowledge_base


def pick_payload(entry_id: str) -> str:
    return "/" + PICK_INTENT + json.dumps({PICK_ENTITY: entry_id}, separators=(",", ":"))


def button_title(entry: Entry, language: str) -> str:
    title = entry.questions[language][0]
    return title if len(title) <= MAX_BUTTON_CHARS else title[: MAX_BUTTON_CHARS - 1] + "…"


def picked_entry_id(tracker: Tracker) -> Optional[str]:
    if (tracker.latest_message.get("intent") or {}).get("name") != PICK_INTENT:
        return None
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == PICK_ENTITY and isinstance(entity.get("value"), str):
            return entity["value"]
    return ""  # a pick without an id: treated as an entry that no longer exists


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = pick_language(tracker.current_state(), {})
        knowledge_base = live()
        if not knowledge_base.wait_ready(0) and not await asyncio.to_thread(
            knowledge_base.wait_ready, READY_WAIT_SECONDS
        ):
            logger.warning("knowledge base not loaded yet; answering with the hotlines")
            metrics.kb_decided(None, language)
            dispatcher.utter_message(response="utter_rights_help")
            return []

        picked = picked_entry_id(tracker)
        if picked is not None:
            entry = knowledge_base.entry(picked)
            if entry is None:  # a button from before an admin removed the entry
                dispatcher.utter_message(response="utter_kb_no_answer")
            else:
                dispatcher.utter_message(text=entry.answer[language])
            stats.knowledge_question("answer" if entry else "none", entry and entry.topic)
            return []

        text = tracker.latest_message.get("text") or ""
        decision: Optional[Decision] = await asyncio.to_thread(
            knowledge_base.decide, text, tracker.get_slot("country"),
            tracker.latest_message.get(vectors.FIELD),
        )
        if decision is None:
            dispatcher.utter_message(response="utter_rights_help")
        elif decision.kind == ANSWER:
            dispatcher.utter_message(text=decision.hits[0].entry.answer[language])
        elif decision.kind == SUGGEST:
            buttons = [
                {"title": button_title(h.entry, language), "payload": pick_payload(h.entry.id)}
                for h in decision.hits
            ]
            buttons.append({"title": gettext(language, HUMAN.title), "payload": HUMAN.payload})
            dispatcher.utter_message(response="utter_kb_suggest", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_kb_no_answer")
        metrics.kb_decided(decision, language)
        stats.knowledge_question(decision.kind if decision else "none",
                                 decision.hits[0].entry.topic if decision and decision.hits else None)
        logger.info("kb %s (version %s, confidence %.2f, similarity %.3f): %s",
                    decision.kind if decision else "unloaded",
                    decision.version if decision else None,
                    decision.confidence if decision else 0.0,
                    decision.similarity if decision else 0.0,
                    ",".join(decision.entry_ids) if decision else "")
        return []
