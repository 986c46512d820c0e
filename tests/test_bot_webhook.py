"""Webhook mode (TELEGRAM_WEBHOOK_URL set): the bot registers its URL with a secret token,
answers what Telegram delivers there, and refuses requests without the secret."""
import httpx
import pytest

from mitra.responses import RESPONSES
from mitra.i18n import gettext
from scripts.stack import free_port, wait_http
from bot.texts import cannot_answer_now
from tests.conftest import BOT_ENV, warm_up
from tests.fake_telegram import FakeTelegram

SECRET = "webhook-secret-for-tests"


@pytest.fixture
def webhook_bot(stack):
    warm_up(stack)
    fake = FakeTelegram().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-updates"
    stack.start_bot({**BOT_ENV, "TELEGRAM_API_URL": fake.url, "TELEGRAM_WEBHOOK_URL": url,
                     "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
                     "TELEGRAM_WEBHOOK_PORT": str(port)}, name="bot-webhook")
    try:
        fake.wait_until(lambda: fake.webhook, 60)
        wait_http(url, 30)  # setWebhook may come just before the server listens
        yield fake, url
    finally:
        stack.stop_process("bot-webhook")
        fake.stop()


def test_updates_arrive_by_webhook_with_the_secret_and_are_answered(webhook_bot):
    fake, url = webhook_bot
    assert fake.webhook["url"] == url and fake.webhook["secret_token"] == SECRET
    assert not fake.calls_of("getUpdates")
    me = fake.person(31337)
    me.hidden = {cannot_answer_now("en")}  # Rasa slower than 1.2 s on a busy machine
    sent = me.say("hello there")
    assert me.wait_replies(sent)[0]["text"] == gettext("en", RESPONSES["utter_greet"].text)


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}])
def test_requests_without_the_secret_are_refused(webhook_bot, headers):
    fake, url = webhook_bot
    me = fake.person(31338)
    forged = {"update_id": 999, "message": {
        "message_id": 1, "date": 1, "chat": me.chat, "from": me.user, "text": "hello there"}}
    fake.add_chat(me.chat)
    response = httpx.post(url, json=forged, headers=headers, timeout=10)
    assert response.status_code == 403
    me.wait_replies(me.say("hello there"))  # the real delivery is answered ...
    assert len(me.bot_messages()) == 1  # ... and the forged one was not
