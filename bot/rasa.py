"""Rasa's REST channel: POST {sender, message, metadata}, get back a list of replies.

Any failure (Rasa or its action server down, Redis failing inside Rasa, a timeout, a reply
that is not a list) is one exception: the message stays in the person's inbox and is sent
again later (`bot.relay`).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import httpx

PATH = "/webhooks/rest/webhook"


class RasaUnavailable(Exception):
    def __init__(self, reason: str, server_error: bool = False) -> None:
        super().__init__(reason)
        # True when Rasa answered with an error (the message itself may be the cause);
        # False when it could not be reached at all.
        self.server_error = server_error


class RasaClient:
    def __init__(self, base_url: str, timeout: float, auth_token: str = "") -> None:
        self._token = auth_token
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            # Connecting fails fast when Rasa is down; answering may take long when busy.
            timeout=httpx.Timeout(timeout, connect=3.0),
        )

    async def send(
        self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None
    ) -> List[Dict[str, Any]]:
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        try:
            response = await self._client.post(PATH, json=body)
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise RasaUnavailable(f"HTTP {response.status_code}", server_error=True)
        try:
            replies = response.json()
        except ValueError as error:
            raise RasaUnavailable("reply is not JSON", server_error=True) from error
        if not isinstance(replies, list):
            raise RasaUnavailable("reply is not a list", server_error=True)
        return [r for r in replies if isinstance(r, dict)]

    async def pause(self, sender: str) -> bool:
        """Rasa stays silent in this conversation while a staff member talks
        (`ConversationPaused`); needs Rasa's HTTP API, on with RASA_AUTH_TOKEN."""
        return await self._append(sender, {"event": "pause"})

    async def resume(self, sender: str) -> bool:
        return await self._append(sender, {"event": "resume"})

    async def _append(self, sender: str, event: Dict[str, Any]) -> bool:
        if not self._token:
            return False
        try:
            response = await self._client.post(
                f"/conversations/{sender}/tracker/events", json=event,
                params={"token": self._token, "include_events": "NONE"})
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        await self._client.aclose()
