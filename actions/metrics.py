"""The action server's Prometheus metrics, at GET /metrics on its own port (docs/metrics.md).

Every custom action Rasa asks for (by name, ok or not, and how long it took), the
knowledge base's confidence in its best match, and errors. Replies are counted where Rasa
renders them (mitra/nlg_rasa.py). Hand-offs are counted where cases are opened (`mitra/cases.py`, HANDOFFS).
"""
from __future__ import annotations

import json
import time
import zlib
from typing import Any, Optional

from prometheus_client import Counter, Histogram

from mitra import metrics

ACTIONS = Counter(
    "mitra_actions_total",
    "Custom actions run for Rasa, by action and outcome (ok, rejected, error)",
    ["action", "outcome"],
)
ACTION_SECONDS = Histogram(
    "mitra_action_seconds",
    "Time to run a custom action, by action",
    ["action"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
KB_CONFIDENCE = Histogram(
    "mitra_kb_confidence",
    "The knowledge base's confidence in its best entry for a rights question, by decision "
    "(answer, suggest, none) and language",
    ["decision", "language"],
    # Finer near the thresholds (actions/knowledge/decision.py: answer from 0.96).
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.96, 0.98, 0.99, 1.0),
)
KB_VECTORS = Counter(
    "mitra_kb_query_vectors_total",
    "Where the vector of a rights question came from: rasa (its e5 vector, reused) or own "
    "(embedded again: another model, or text our cleaning changes)",
    ["source"],
)
ERRORS = Counter(
    "mitra_actions_errors_total",
    "Errors in the action server: action (an action raised), "
    "handoff (a case could not be written), kb_unloaded (question before the base loaded)",
    ["where"],
)

UNKNOWN_ACTION = "unknown"
_STARTED = "mitra_started"
_ACTION = "mitra_action"


def outcome(status: int) -> str:
    """Rasa SDK answers 200, or 400 when an action rejects (forms), else it failed."""
    return "ok" if status == 200 else "rejected" if status == 400 else "error"


def action_of(request, known) -> Optional[str]:
    """The action Rasa asks /webhook for, as a label: only names the executor registered."""
    try:
        if request.headers.get("Content-Encoding") == "deflate":
            body = json.loads(zlib.decompress(request.body))
        else:
            body = request.json
    except (ValueError, zlib.error):
        return None
    name = body.get("next_action") if isinstance(body, dict) else None
    return name if name in known else UNKNOWN_ACTION


def install(app, executor) -> None:
    """/metrics, and timing of /webhook calls, on the action server's Sanic app."""
    metrics.add_route(app)

    @app.on_request
    async def start_timer(request) -> None:
        if request.path == "/webhook":
            setattr(request.ctx, _STARTED, time.perf_counter())
            setattr(request.ctx, _ACTION, action_of(request, executor.actions))

    @app.on_response
    async def count_action(request, response) -> None:
        started = getattr(request.ctx, _STARTED, None)
        action = getattr(request.ctx, _ACTION, None)
        if started is None or action is None or response.status == 401:
            return
        ACTIONS.labels(action, outcome(response.status)).inc()
        ACTION_SECONDS.labels(action).observe(time.perf_counter() - started)
        if response.status >= 500:
            ERRORS.labels("action").inc()


def kb_decided(decision: Optional[Any], language: str) -> None:
    """`decision`: actions.knowledge.decision.Decision, or None when the base was not
    loaded."""
    if decision is None:
        ERRORS.labels("kb_unloaded").inc()
        return
    KB_CONFIDENCE.labels(decision.kind, metrics.language_label(language)).observe(
        decision.confidence)
    KB_VECTORS.labels("rasa" if decision.rasa_vector else "own").inc()

