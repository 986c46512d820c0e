"""Prometheus metrics: what every Mitra process shares.

Each process counts in its own memory (prometheus_client) and serves the counts at
`/metrics`: the bot on MITRA_METRICS_PORT (it has no HTTP server of its own in polling
mode), the action server and Rasa as a route on their own ports. Prometheus scrapes every
replica and adds them up. Labels take their values from small fixed sets (languages,
urgencies, outcomes, action and intent names), never anything about a person: a metric
is read by more people than the conversations are. The list is in docs/metrics.md.

Rasa's environment (Python 3.10) imports this module too; Sanic is imported only where a
route is added, so that the bot's image does without it.
"""
from __future__ import annotations

import logging
import os
from typing import Iterable, Optional

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, generate_latest
from prometheus_client import start_http_server

logger = logging.getLogger(__name__)

LANGUAGES = ("km", "th", "en")
UNKNOWN = "unknown"
PATH = "/metrics"
# prometheus_client's own variable: where processes of one service keep their counts.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

# Hand-offs happen in `mitra/cases.py`, which the action server runs (the bot only imports
# it, so its /metrics shows the name without values).
HANDOFFS = Counter(
    "mitra_handoffs_total",
    "Hand-offs to hotline staff: new cases and escalations of an open one, by urgency",
    ["urgency", "event"],
)


def language_label(code: Optional[str], known: Iterable[str] = LANGUAGES) -> str:
    """A language code as a label: one of `known`, else "unknown" (never free text)."""
    code = (code or "").strip().lower().replace("-", "_")
    if code in known:
        return code
    base = code.split("_")[0]
    return base if base in known else UNKNOWN


def exposition() -> bytes:
    """This process's counts, or, when Rasa runs several worker processes
    (MITRA_RASA_WORKERS, nlu/serve.py), all of theirs added up: any worker may answer the
    scrape, so each one's counts alone would jump back and forth."""
    if os.environ.get(MULTIPROCESS_DIR):
        from prometheus_client import CollectorRegistry, multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def serve(port: int, host: str = "0.0.0.0") -> bool:
    """The /metrics endpoint in a thread of its own (the bot's). A port already taken (a
    second bot on one host) costs the metrics, not the hotline: logged, and False."""
    if port <= 0:
        logger.info("metrics endpoint off (MITRA_METRICS_PORT=%s)", port)
        return False
    try:
        start_http_server(port, addr=host)
    except OSError as error:
        logger.warning("metrics endpoint not served on %s:%s: %s", host, port, error)
        return False
    logger.info("metrics at http://%s:%s%s", host, port, PATH)
    return True


def add_route(app) -> None:
    """GET /metrics on a Sanic app (the action server's, Rasa's): no token, like /health;
    it shows counts, nothing about anyone."""
    from sanic import response

    async def metrics(request):
        return response.raw(exposition(), content_type=CONTENT_TYPE_LATEST)

    app.add_route(metrics, PATH, methods=["GET"], name="mitra_metrics")
