"""Rasa's Prometheus metrics, at GET /metrics on Rasa's own port (docs/metrics.md).

`nlu/serve.py` hooks them into Rasa 3.6 from outside, as it does for the tracker store:
a Sanic middleware on the app Rasa builds counts and times every request by route, and a
wrapper around `MessageProcessor.parse_message` counts the intents predicted (danger_now
among them) by the language detected. Labels: Rasa's own route names and the model's
intents, never a conversation id or text. Here, not in `nlu/`, so that changing metrics
does not retrain the model (the Makefile retrains when `nlu/*.py` changes).
"""
from __future__ import annotations

import functools
import time
from typing import Any, Dict

from prometheus_client import Counter, Gauge, Histogram

from mitra import metrics

REQUESTS = Counter(
    "mitra_rasa_requests_total",
    "HTTP requests to Rasa, by route (rest_webhook: a person's message) and status class",
    ["route", "status"],
)
REQUEST_SECONDS = Histogram(
    "mitra_rasa_request_seconds",
    "Time Rasa took to answer, by route",
    ["route"],
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60),
)
INTENTS = Counter(
    "mitra_rasa_intents_total",
    "Intents predicted for people's messages, by intent and detected language",
    ["intent", "language"],
)
# Summed over the live worker processes: a readiness check compares it with
# MITRA_RASA_WORKERS (scripts/stack.py waits for it).
WARM_WORKERS = Gauge(
    "mitra_rasa_warm_workers",
    "Rasa worker processes that have parsed their warm-up messages (models loaded on first "
    "use are in memory: the first person does not wait for them)",
    multiprocess_mode="livesum",
)
# Languages nlu/language.py detects; romanized Khmer is its own.
DETECTED = ("km", "km_latn", "th", "en")
OTHER_INTENT = "other"
_STARTED = "mitra_started"


def route_of(request) -> str:
    """The route's handler name (Rasa's own, a fixed set), or "unmatched"."""
    route = getattr(request, "route", None)
    name = getattr(route, "name", None) if route is not None else None
    if not name:
        return "unmatched"
    name = name.rsplit(".", 1)[-1]
    # Rasa names the REST channel's handler `receive`, like every other channel's.
    return "rest_webhook" if request.path.endswith("/webhooks/rest/webhook") else name


def install(app) -> None:
    """/metrics and request timing on the Sanic app Rasa built."""
    metrics.add_route(app)

    @app.middleware("request")
    async def start_timer(request) -> None:
        setattr(request.ctx, _STARTED, time.perf_counter())

    @app.middleware("response")
    async def count_request(request, response) -> None:
        started = getattr(request.ctx, _STARTED, None)
        if started is None or response is None:
            return
        route = route_of(request)
        REQUESTS.labels(route, f"{response.status // 100}xx").inc()
        REQUEST_SECONDS.labels(route).observe(time.perf_counter() - started)


def count_intent(parse_data: Dict[str, Any], intents) -> None:
    intent = (parse_data.get("intent") or {}).get("name")
    language = (parse_data.get("language") or {}).get("code")
    INTENTS.labels(intent if intent in intents else OTHER_INTENT,
                   metrics.language_label(language, DETECTED)).inc()


def count_intents() -> None:
    """Wraps Rasa's MessageProcessor.parse_message (every message, REST channel and
    /model/parse alike) to count the intent it predicted."""
    from rasa.core.processor import MessageProcessor

    parse = MessageProcessor.parse_message
    if getattr(parse, "mitra_counted", False):
        return

    @functools.wraps(parse)
    async def parse_message(self, *args, **kwargs):
        parse_data = await parse(self, *args, **kwargs)
        count_intent(parse_data, set(self.domain.intents) if self.domain else set())
        return parse_data

    parse_message.mitra_counted = True
    MessageProcessor.parse_message = parse_message
