"""Prometheus metrics of the three services, scraped from their /metrics after real
conversations: the bot (its own port), the action server and Rasa (a route on theirs). What
an operator reads there: messages by language, reply latency, hand-offs by urgency,
unclaimed cases and their age, the knowledge base's confidence, errors; and nothing about
anyone."""
from __future__ import annotations

import os
import time
from typing import Callable, Dict, Tuple

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import staff_texts as t
from bot.texts import cannot_answer_now
from mitra import keys
from mitra.config import settings
from mitra.i18n import gettext
from scripts.stack import free_port
from tests.conftest import BOT_ENV, STAFF_CHAT_ID, sender_of, warm_up
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.staff import group_messages

Samples = Dict[Tuple[str, Tuple[Tuple[str, str], ...]], float]
STAFF = settings.staff_language
URGENT_KM = "ពួកគេវាយខ្ញុំ ហើយមិនឲ្យខ្ញុំចេញពីកន្លែងធ្វើការទេ"


def scrape(url: str) -> Tuple[Samples, str]:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text[:200]
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, response.text


def stack_workers() -> int:
    return int(os.environ.get("MITRA_RASA_WORKERS", "1") or 1)  # as nlu/serve.py reads it


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum over the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= set(found))


def eventually(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Counts move just after the reply a test sees: poll a little."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "metric did not change in time"
        time.sleep(0.2)


class Services:
    def __init__(self, stack) -> None:
        self.urls = {
            "bot": f"http://127.0.0.1:{BOT_ENV['MITRA_METRICS_PORT']}/metrics",
            "actions": f"{stack.action_url}/metrics",
            "rasa": f"{stack.rasa_url}/metrics",
        }

    def scrape(self) -> Dict[str, Samples]:
        return {name: scrape(url)[0] for name, url in self.urls.items()}


def delta(before: Dict[str, Samples], after: Dict[str, Samples], service: str, name: str,
          **labels: str) -> float:
    return value(after[service], name, **labels) - value(before[service], name, **labels)


def card_of(telegram, case_id: str):
    def find():
        for message in group_messages(telegram, STAFF_CHAT_ID):
            buttons = [b["callback_data"] for row in message.get("reply_markup", {}).get(
                "inline_keyboard", []) for b in row]
            if any(b == f"case:claim:{case_id}" for b in buttons):
                return message
    return telegram.wait_until(find, 30)


def test_conversations_in_three_languages_show_in_every_service_s_metrics(
        stack, bot, telegram, person, staff_member, redis_client):
    services = Services(stack)
    before = services.scrape()

    khmer, thai, english = person(), person(), person()
    khmer.wait_replies(khmer.say("សួស្តីបង"))
    thai.wait_replies(thai.say("สวัสดีครับ"))
    english.wait_replies(english.say("is it legal for the boss to keep my passport?"))
    khmer.wait_replies(khmer.say(URGENT_KM), count=2)
    case_id = telegram.wait_until(lambda: redis_client.get(keys.open_case(sender_of(khmer))), 30)
    card = card_of(telegram, case_id)

    def moved(service, name, at_least=1, **labels):
        now = services.scrape()
        return delta(before, now, service, name, **labels) >= at_least

    # The bot: messages by language and kind, and how long each waited for its last reply.
    eventually(lambda: moved("bot", "mitra_bot_reply_seconds_count", 2, language="km")
               and moved("bot", "mitra_bot_reply_seconds_count", language="th")
               and moved("bot", "mitra_bot_reply_seconds_count", language="en"))
    after = services.scrape()
    assert delta(before, after, "bot", "mitra_bot_messages_total", language="km", kind="text") == 2
    assert delta(before, after, "bot", "mitra_bot_messages_total", language="th", kind="text") == 1
    assert delta(before, after, "bot", "mitra_bot_messages_total", language="en", kind="text") == 1
    assert delta(before, after, "bot", "mitra_bot_reply_seconds_sum", language="km") > 0
    assert delta(before, after, "bot", "mitra_bot_reply_seconds_bucket",
                 language="km", le="+Inf") >= 2

    # The card in the staff group, and the case waiting for someone to claim it.
    eventually(lambda: moved("bot", "mitra_bot_case_cards_total", urgency="urgent"))
    after = services.scrape()
    assert value(after["bot"], "mitra_cases_unclaimed", urgency="urgent") >= 1
    assert value(after["bot"], "mitra_cases_unclaimed_oldest_seconds", urgency="urgent") > 0

    # The action server: the hand-off, the actions that ran, and the knowledge base's
    # confidence for the rights question.
    assert delta(before, after, "actions", "mitra_handoffs_total",
                 urgency="urgent", event="new") == 1
    assert delta(before, after, "actions", "mitra_actions_total",
                 action="action_handle_danger", outcome="ok") == 1
    assert delta(before, after, "actions", "mitra_action_seconds_count",
                 action="action_handle_danger") == 1
    assert delta(before, after, "actions", "mitra_kb_confidence_count", language="en") == 1
    # Its vector came from Rasa, with the message (mitra/vectors.py): not embedded twice.
    assert delta(before, after, "actions", "mitra_kb_query_vectors_total", source="rasa") == 1
    confidence = delta(before, after, "actions", "mitra_kb_confidence_sum", language="en")
    assert 0 < confidence <= 1

    # Rasa: every worker warmed up (scripts/stack.py waited for it), the REST channel's
    # requests and their time, the intents it predicted, and the replies it rendered.
    assert value(after["rasa"], "mitra_rasa_warm_workers") == stack_workers()
    for language in ("km", "th", "en"):
        assert delta(before, after, "rasa", "mitra_nlg_renders_total", language=language) >= 1
    assert delta(before, after, "rasa", "mitra_nlg_unknown_total") == 0
    assert delta(before, after, "rasa", "mitra_rasa_requests_total",
                 route="rest_webhook", status="2xx") >= 4
    assert delta(before, after, "rasa", "mitra_rasa_request_seconds_count",
                 route="rest_webhook") >= 4
    assert delta(before, after, "rasa", "mitra_rasa_intents_total",
                 intent="danger_now", language="km") == 1
    assert delta(before, after, "rasa", "mitra_rasa_intents_total", intent="ask_rights") == 1

    # Claimed: no longer waiting, and how long it waited; closed.
    unclaimed = value(after["bot"], "mitra_cases_unclaimed", urgency="urgent")
    dara = staff_member("Dara")
    dara.answer_to(dara.press(card, gettext(STAFF, t.CLAIM)))
    eventually(lambda: moved("bot", "mitra_bot_case_claims_total", outcome="ok"))
    after = services.scrape()
    assert value(after["bot"], "mitra_cases_unclaimed", urgency="urgent") == unclaimed - 1
    assert value(after["bot"], "mitra_cases_claimed_open", urgency="urgent") >= 1
    assert delta(before, after, "bot", "mitra_bot_case_claim_wait_seconds_count",
                 urgency="urgent") == 1
    card = telegram.wait_until(lambda: next(
        (m for m in group_messages(telegram, STAFF_CHAT_ID) if m["message_id"] == card["message_id"]
         and gettext(STAFF, t.CLOSE) in str(m.get("reply_markup"))), None))
    dara.press(card, gettext(STAFF, t.CLOSE))
    eventually(lambda: moved("bot", "mitra_bot_case_closes_total", claimed="yes"))


def test_metrics_name_no_one(stack, bot, telegram, person):
    """Labels come from small fixed sets: no chat id, no person's id, no text."""
    me = person()
    words = "my boss Somchai keeps my passport"
    me.wait_replies(me.say(words))
    services = Services(stack)
    for url in services.urls.values():
        _, text = scrape(url)
        for secret in (str(me.chat_id), sender_of(me), "Somchai", "tg-"):
            assert secret not in text, (url, secret)


def test_metrics_need_no_token_and_the_rest_still_does(stack):
    """Prometheus scrapes without the action server's token; actions still need it."""
    assert httpx.get(f"{stack.action_url}/metrics", timeout=10).status_code == 200
    assert httpx.post(f"{stack.action_url}/webhook", json={}, timeout=10).status_code == 401


def test_a_press_telegram_no_longer_accepts_counts_as_a_telegram_error(bot, telegram, person):
    """Telegram refuses answers to a button press that is too old (say, after the bot was
    down): the bot counts the failed call by method and error class."""
    services_url = f"http://127.0.0.1:{BOT_ENV['MITRA_METRICS_PORT']}/metrics"
    before, _ = scrape(services_url)
    me = person()
    asked = me.say("/help")
    shown = next(m for m in me.wait_for(lambda ms: any(m.get("reply_markup") for m in ms), asked)
                 if m.get("reply_markup"))
    button = shown["reply_markup"]["inline_keyboard"][0][0]
    # Not registered with the fake Telegram: answering it fails as an expired query does.
    telegram.inject({"callback_query": {
        "id": "expired-query", "from": me.user, "chat_instance": str(me.chat_id),
        "message": shown, "data": button["callback_data"]}})

    def counted():
        now, _ = scrape(services_url)
        return (value(now, "mitra_bot_telegram_errors_total", method="answerCallbackQuery",
                      error="BadRequest")
                > value(before, "mitra_bot_telegram_errors_total", method="answerCallbackQuery",
                        error="BadRequest"))
    eventually(counted)


@pytest.fixture
def bot_without_rasa(stack):
    """A second bot whose Rasa cannot be reached, with a Telegram and a Redis database of
    its own (so that it takes nobody else's messages or cases)."""
    warm_up(stack)
    fake = FakeTelegram().start()
    port = free_port()
    stack.start_bot({
        **BOT_ENV, "TELEGRAM_API_URL": fake.url, "TELEGRAM_FILE_URL": fake.file_url,
        "RASA_URL": f"http://127.0.0.1:{free_port()}", "TELEGRAM_STAFF_CHAT_ID": "",
        "REDIS_URL": stack.redis_url.rsplit("/", 1)[0] + "/1",
        "MITRA_METRICS_PORT": str(port), "MITRA_RETRY_SECONDS": "60",
    }, name="bot-no-rasa")
    try:
        fake.wait_until(lambda: fake.calls_of("getUpdates"), 60)
        yield fake, f"http://127.0.0.1:{port}/metrics"
    finally:
        stack.stop_process("bot-no-rasa")
        fake.stop()


def test_rasa_out_of_reach_counts_as_a_rasa_error_and_a_slow_notice(bot_without_rasa):
    fake, url = bot_without_rasa
    me = fake.person(424242)
    me.wait_replies(me.say("hello"), timeout=30)
    assert me.bot_messages()[0]["text"] == cannot_answer_now("en")

    def counted():
        samples, _ = scrape(url)
        return (value(samples, "mitra_bot_rasa_errors_total", reason="unreachable") >= 1
                and value(samples, "mitra_bot_slow_notices_total") >= 1)
    eventually(counted)
    samples, _ = scrape(url)
    assert value(samples, "mitra_bot_messages_total", language="en", kind="text") == 1
    # Never answered: no latency observed yet.
    assert value(samples, "mitra_bot_reply_seconds_count") == 0
