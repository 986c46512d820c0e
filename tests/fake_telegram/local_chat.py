"""The offline local chat: a small web page on the fake Bot API's own port, where a person
chats with the real bot (through the fake Telegram) and sees a view of the staff group.

Routes: `/` the page; `/local/state` waits for a change and returns both transcripts;
`/local/send`, `/local/media`, `/local/press` post what a Telegram client would.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Dict, Tuple
from urllib.parse import parse_qs, urlparse

from tests.fake_telegram import updates as make

PAGE = Path(__file__).with_name("page.html")
WAIT_SECONDS = 20
TYPING_SECONDS = 5


def _json(status: int, data: Any) -> Tuple[int, str, bytes]:
    return status, "application/json", json.dumps(data, ensure_ascii=False).encode("utf-8")


def _body(handler) -> Dict[str, Any]:
    length = int(handler.headers.get("Content-Length") or 0)
    return json.loads(handler.rfile.read(length) or b"{}") if length else {}


def state(fake, chat_id: int, since: int) -> Dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    with fake.cond:
        while fake.version <= since and time.monotonic() < deadline:
            fake.cond.wait(max(0.0, deadline - time.monotonic()))
        recent = time.monotonic() - TYPING_SECONDS
        typing = any(c.method == "sendChatAction" and c.params.get("chat_id") == chat_id
                     and c.at > recent for c in fake.calls[-50:])
        staff = getattr(fake, "staff_chat_id", None)
        return {
            "version": fake.version,
            "chat": fake.transcript(chat_id),
            "staff": fake.transcript(staff) if staff else [],
            "staff_title": (fake.chats.get(staff) or {}).get("title", ""),
            "typing": typing,
        }


def handle(fake, method: str, path: str, handler) -> Tuple[int, str, bytes]:
    url = urlparse(path)
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    if url.path == "/" and method == "GET":
        return 200, "text/html; charset=utf-8", PAGE.read_bytes()
    if url.path == "/local/state":
        return _json(200, state(fake, int(query.get("chat", 0)), int(query.get("since", -1))))
    if method != "POST":
        return _json(404, {"error": "not found"})
    body = _body(handler)
    if url.path.startswith("/local/staff/"):
        return _as_staff(fake, url.path, body)
    chat_id = int(body.get("chat", 0))
    if chat_id <= 0:
        return _json(400, {"error": "chat must be a positive id"})
    person = fake.person(chat_id, body.get("language_code") or None, "You")
    if url.path == "/local/send":
        text = str(body.get("text", ""))[:4096]
        if not text.strip():
            return _json(400, {"error": "empty"})
        return _json(200, {"message_id": person.say(text)})
    if url.path == "/local/media":
        return _json(200, {"message_id": person.send(str(body.get("kind")))})
    if url.path == "/local/press":
        message = {"message_id": int(body["message_id"])}
        return _json(200, {"query": person.press(message, data=str(body["data"]))})
    return _json(404, {"error": "not found"})


def _as_staff(fake, path: str, body: Dict[str, Any]) -> Tuple[int, str, bytes]:
    """The page's user acting as a hotline staff member (a member of the staff group)."""
    from tests.fake_telegram.staff import StaffMember
    group = getattr(fake, "staff_chat_id", None)
    if group is None:
        return _json(404, {"error": "no staff group"})
    me = StaffMember(fake, group, STAFF_USER_ID, "Staff (you)")
    if path == "/local/staff/send":
        text = str(body.get("text", ""))[:4096]
        if not text.strip():
            return _json(400, {"error": "empty"})
        original = fake.messages.get((group, int(body.get("reply_to") or 0)))
        return _json(200, {"message_id": me.say(text, reply_to=original)["message_id"]})
    if path == "/local/staff/press":
        message = {"message_id": int(body["message_id"])}
        return _json(200, {"query": fake.press(group, message["message_id"], str(body["data"]),
                                               me.user)})
    return _json(404, {"error": "not found"})


STAFF_USER_ID = 4242


def staff_group(chat_id: int) -> Dict[str, Any]:
    return make.group_chat(chat_id, "Mitra hotline staff (local)")
