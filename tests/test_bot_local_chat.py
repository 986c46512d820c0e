"""The offline local chat that `make run` starts without TELEGRAM_BOT_TOKEN: the same bot
through a local stand-in for Telegram, driven from a web page with a staff-group view."""
import os

import httpx
import pytest

from mitra.responses import RESPONSES
from mitra.i18n import gettext
from scripts.stack import Stack, free_port, start_telegram_side


@pytest.fixture
def local_chat(stack, monkeypatch):
    port = free_port()
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("MITRA_LOCAL_CHAT_PORT", str(port))
    monkeypatch.setenv("MITRA_ID_KEY", "test-id-key")
    # The Telegram side of a second stack, sharing the session's Redis, Rasa and actions.
    side = Stack(redis_url=stack.redis_url, rasa_port=stack.rasa_port,
                 action_port=stack.action_port, log_dir=stack.log_dir)
    try:
        message = start_telegram_side(side)
        yield f"http://127.0.0.1:{port}", message
    finally:
        side.stop()


def test_without_a_token_a_person_can_chat_on_a_local_page(local_chat):
    base, message = local_chat
    assert base in message
    page = httpx.get(base + "/", timeout=10).text
    assert "Staff group" in page and "/local/send" in page
    chat = 4242
    version = httpx.get(f"{base}/local/state?chat={chat}&since=-1", timeout=30).json()["version"]
    httpx.post(f"{base}/local/send", json={"chat": chat, "text": "hello there"}, timeout=10)
    expected = gettext("en", RESPONSES["utter_greet"].text)
    for _ in range(20):  # each call waits for a change, up to 20 s
        state = httpx.get(f"{base}/local/state?chat={chat}&since={version}", timeout=30).json()
        version = state["version"]
        if any(m.get("text") == expected for m in state["chat"]):
            break
    else:
        pytest.fail("the local chat got no answer")
    assert [m["text"] for m in state["chat"]][:1] == ["hello there"]
    assert state["staff_title"]
    # The page's user can act as staff too: write in the staff group (and press its buttons).
    httpx.post(f"{base}/local/staff/send", json={"text": "who is on duty?"}, timeout=10)
    for _ in range(5):
        state = httpx.get(f"{base}/local/state?chat={chat}&since={version}", timeout=30).json()
        version = state["version"]
        if any(m.get("text") == "who is on duty?" for m in state["staff"]):
            break
    else:
        pytest.fail("the staff message did not reach the staff group")
    assert os.environ.get("TELEGRAM_BOT_TOKEN") is None
