"""Rasa's natural language generator: every `utter_…` reply rendered inside Rasa's own
process (endpoints.yml, `nlg: type:`), from mitra/responses.py and the Babel catalogs.

Rasa's callback NLG would post each reply's name with the whole tracker, serialised, to an
HTTP endpoint, wait, and check the answer against a schema: a round trip and a tracker's
worth of JSON on both sides for every reply, for what is a lookup in a catalog. Here, not
in `nlu/`, so that changing a reply does not retrain the model (the Makefile retrains when
`nlu/*.py` changes). Rasa 3.6 creates it with `endpoint_config` and `domain`.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from prometheus_client import Counter
from rasa.core.nlg.generator import NaturalLanguageGenerator

from mitra import metrics
from mitra.nlg import pick_language, render
from mitra.responses import RESPONSES

RENDERS = Counter("mitra_nlg_renders_total", "Replies rendered, by language", ["language"])
UNKNOWN = Counter("mitra_nlg_unknown_total",
                  "Replies asked for by a name Mitra does not have (the default was sent)")
# Rasa's own keyword arguments; the rest are the action's (`language`, say).
RASA_KEYWORDS = ("domain_responses", "response_id")


def tracker_view(tracker: Any) -> Dict[str, Any]:
    """What rendering reads of Rasa's tracker, in the shape of its JSON state."""
    parse_data = tracker.latest_message.parse_data if tracker.latest_message else {}
    return {
        "slots": {name: tracker.get_slot(name) for name in ("language", "country")},
        "latest_message": {"language": (parse_data or {}).get("language")},
    }


class MitraNaturalLanguageGenerator(NaturalLanguageGenerator):
    def __init__(self, endpoint_config: Any = None, domain: Any = None, **_: Any) -> None:
        self.domain = domain

    async def generate(self, utter_action: str, tracker: Any, output_channel: str,
                       **kwargs: Any) -> Optional[Dict[str, Any]]:
        arguments = {k: v for k, v in kwargs.items() if k not in RASA_KEYWORDS}
        view = tracker_view(tracker)
        if utter_action not in RESPONSES:
            UNKNOWN.inc()
        RENDERS.labels(metrics.language_label(pick_language(view, arguments))).inc()
        return render(utter_action, view, arguments)
