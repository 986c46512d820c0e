"""getUpdates that skips an update python-telegram-bot cannot read, instead of stalling.

PTB parses a whole batch of updates at once; one it cannot read (a field newer or older
than it knows, say from a self-hosted Bot API server of another version) fails the batch,
the offset does not move, and polling fetches the same batch again, forever: nobody gets an
answer. Here such an update is replaced by an empty one with the same id, so it is
acknowledged, logged without its content (it is personal data), and everyone else is served.
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Dict

from telegram import Update
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)


def readable(update: Dict[str, Any]) -> Dict[str, Any]:
    try:
        Update.de_json(copy.deepcopy(update), None)
        return update
    except Exception as error:  # whatever PTB cannot parse, it cannot handle either
        logger.error("skipped update %s that cannot be read: %s: %.200s",
                     update.get("update_id"), type(error).__name__, error)
        return {"update_id": update.get("update_id")}


class TolerantUpdatesRequest(HTTPXRequest):
    def parse_json_payload(self, payload: bytes) -> Dict[str, Any]:
        data = super().parse_json_payload(payload)
        result = data.get("result") if isinstance(data, dict) else None
        if isinstance(result, list):
            data["result"] = [readable(u) if isinstance(u, dict) else u for u in result]
        return data
