"""The action server in one process: Rasa SDK's webhook, /health and /metrics.

We build Rasa SDK's Sanic app ourselves instead of `rasa_sdk`'s CLI because from 3.20 on
the CLI starts several worker processes, each importing the actions (and the embedding
model) again. Replies by name (`utter_…`) are rendered inside Rasa (mitra/nlg_rasa.py).
"""
from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import response
from sanic.request import Request

from mitra import logs
from mitra.config import settings
from mitra.i18n import LANGUAGES, translations
from actions import metrics

logger = logging.getLogger("mitra.actions")
OPEN_PATHS = ("/health", "/metrics")


def build_app():
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, cors_origins=[])
    token = os.environ.get("ACTION_SERVER_TOKEN", "").strip()
    metrics.install(app, executor)

    @app.on_request
    async def require_token(request: Request):
        # Rasa sends endpoints.yml's token as ?token=…; only /health and /metrics (counts,
        # nothing about anyone) are open.
        if token and request.path not in OPEN_PATHS and not hmac.compare_digest(
                request.args.get("token", ""), token):
            return response.json({"error": "unauthorized"}, status=401)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.action_host)
    parser.add_argument("--port", type=int, default=settings.action_port)
    args = parser.parse_args()
    logs.configure("actions")  # JSON lines without personal data (mitra/logs.py)
    for language in LANGUAGES:
        translations(language)  # fail at start, not at the first reply
    # The knowledge base loads in the background (model and index), while Rasa starts.
    from actions.knowledge_actions import start_knowledge_base

    start_knowledge_base()
    app = build_app()
    logger.info("action server on %s:%s", args.host, args.port)
    app.run(
        host=args.host, port=args.port, single_process=True, access_log=False,
        motd=False,
    )


if __name__ == "__main__":
    main()
