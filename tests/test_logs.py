"""Logs of the bot, the action server and Rasa: one JSON object a line, and nothing in
them that names a person or opens a door: no message text, no name or username, no chat
id or user id, no bot token, no API token (mitra/logs.py).

The end-to-end test reads what the stack's processes wrote to results/logs during this
test session (from the sizes the files had when this module was collected)."""
from __future__ import annotations

import io
import json
import logging
import re
import time
from pathlib import Path
from typing import Dict, List

import pytest

from bot import staff_texts as t
from mitra import logs
from mitra.config import settings
from mitra.i18n import gettext
from tests.conftest import BOT_TOKEN, ID_KEY, STAFF_CHAT_ID, sender_of
from tests.fake_telegram.staff import group_messages

LOG_DIR = Path(__file__).resolve().parents[1] / "results" / "logs"
# Where each log file ended before this session's processes started.
OFFSETS = {p.name: p.stat().st_size for p in LOG_DIR.glob("*.log")} if LOG_DIR.is_dir() else {}
OUR_PROCESSES = re.compile(r"^(bot.*|actions|rasa)\.log$")
MARKER = "Zorblaxian-7731"
FIRST, LAST, USERNAME = "Quennadine", "Vorstrallo", "quenna_vorst_5521"
STAFF_NAME = "Wilhelmovna"


def new_lines() -> Dict[str, List[str]]:
    found = {}
    for path in sorted(LOG_DIR.glob("*.log")):
        data = path.read_bytes()
        start = OFFSETS.get(path.name, 0)
        start = start if start <= len(data) else 0  # replaced since: all of it is new
        found[path.name] = data[start:].decode("utf-8", "replace").splitlines()
    return found


def wait_for_line(name: str, predicate, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        for line in new_lines().get(name, []):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if predicate(record):
                return record
        assert time.monotonic() < deadline, f"no such line in {name}"
        time.sleep(0.3)


def claim_and_close(telegram, staff, card) -> None:
    staff_language = settings.staff_language
    staff.answer_to(staff.press(card, gettext(staff_language, t.CLAIM)))
    card = telegram.wait_until(lambda: next(
        (m for m in group_messages(telegram, STAFF_CHAT_ID) if m["message_id"] == card["message_id"]
         and gettext(staff_language, t.CLOSE) in str(m.get("reply_markup"))), None))
    staff.say(f"we are coming, {FIRST} {MARKER}", reply_to=card)
    staff.press(card, gettext(staff_language, t.CLOSE))


def test_no_text_name_chat_id_or_token_in_any_log_line(stack, bot, telegram, person,
                                                        staff_member, redis_client):
    me = person()
    for fields in (me.user, me.chat):
        fields.update(first_name=FIRST, last_name=LAST, username=USERNAME)
    me.wait_replies(me.say(f"hello {MARKER}"))
    me.wait_replies(me.say(f"is it legal for the boss to keep my passport {MARKER}?"))
    me.wait_replies(me.send("photo", caption=f"my contract {MARKER}"), count=2)
    me.wait_replies(me.say(f"they beat us and lock us in the factory {MARKER}"), count=2)
    case_id = telegram.wait_until(lambda: redis_client.get(f"mitra:case:open:{sender_of(me)}"), 30)
    card = telegram.wait_until(lambda: next(
        (m for m in group_messages(telegram, STAFF_CHAT_ID)
         if f"case:claim:{case_id}" in json.dumps(m.get("reply_markup", {}))), None), 30)
    staff = staff_member(STAFF_NAME)
    claim_and_close(telegram, staff, card)
    me.wait_for(lambda ms: any(gettext("en", t.STAFF_LEFT) == m["text"] for m in ms))
    # A failure with a traceback: an answer to a button press Telegram no longer accepts.
    shown = next(m for m in me.bot_messages() if m.get("reply_markup"))
    telegram.inject({"callback_query": {
        "id": f"expired-{me.chat_id}", "from": me.user, "chat_instance": str(me.chat_id),
        "message": shown, "data": shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"]}})

    # The lines this test must have caused are there (the check below is not vacuous) ...
    failed = wait_for_line("bot.log",
                           lambda r: r.get("error") == "BadRequest" and r["level"] == "ERROR")
    assert "Traceback" in failed["traceback"]
    wait_for_line("actions.log", lambda r: r["logger"] == "actions.knowledge_actions")
    lines = new_lines()
    assert lines.get("rasa.log"), "Rasa wrote nothing in this session"

    # ... and none of them holds anything about the person, the staff member or a secret.
    forbidden = [MARKER, FIRST, LAST, USERNAME, str(me.chat_id), sender_of(me), STAFF_NAME,
                 str(staff.user["id"]), BOT_TOKEN, BOT_TOKEN.split(":")[1], ID_KEY,
                 stack.action_token, stack.rasa_auth_token]
    for name, found in lines.items():
        for line in found:
            for secret in forbidden:
                assert secret not in line, f"{secret!r} in {name}: {line[:300]}"
            assert not re.search(r"token=(?!<redacted>)", line), f"a token in {name}: {line[:300]}"

    # Every line of our processes is one JSON object, and none is below INFO by default.
    for name, found in lines.items():
        if not OUR_PROCESSES.match(name):
            continue
        for line in found:
            record = json.loads(line)
            assert {"time", "level", "logger", "message"} <= set(record), line[:300]
            assert record["level"] != "DEBUG", line[:300]


@pytest.fixture
def capture(monkeypatch):
    """A logger with mitra/logs.py's JSON handler, as each process configures it."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "987654:ABCdef-secret_token-value")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "action-server-secret-value")
    stream = io.StringIO()
    logger = logging.getLogger("tests.logs.capture")
    handler = logs.make_handler("test", "json", stream)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)


def records(stream: io.StringIO) -> List[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_what_libraries_log_is_redacted(capture):
    logger, stream = capture
    # httpx, as python-telegram-bot's requests go out:
    logger.info('HTTP Request: POST https://api.telegram.org/bot987654:ABCdef-secret_token-value'
                '/getUpdates "HTTP/1.1 200 OK"')
    # Sanic's error log of a request from Rasa (the token in the query string):
    logger.error("Exception occurred while handling uri: "
                 "'http://127.0.0.1:5055/webhook?token=action-server-secret-value&x=1'")
    # The person's id, and a token whose value is not a known setting:
    logger.warning("lock for tg-0123456789abcdef0123456789abcdef at /x?auth_token=abc123")
    lines = [r["message"] for r in records(stream)]
    assert lines == [
        'HTTP Request: POST https://api.telegram.org/bot<redacted>/getUpdates "HTTP/1.1 200 OK"',
        "Exception occurred while handling uri: "
        "'http://127.0.0.1:5055/webhook?token=<redacted>&x=1'",
        "lock for tg-<redacted> at /x?auth_token=<redacted>",
    ]


def test_rasa_s_structured_events_lose_their_personal_fields(capture):
    logger, stream = capture
    logger.error(json.dumps({"event": "rest.message.received.timeout", "level": "error",
                             "text": f"help me {MARKER}", "sender_id": "tg-x",
                             "event_info": "timed out"}))
    (record,) = records(stream)
    assert record["message"] == "rest.message.received.timeout"
    assert record["event_info"] == "timed out"
    assert MARKER not in json.dumps(record) and "sender_id" not in record


def test_a_line_has_its_fields_and_a_traceback_without_secrets(capture):
    logger, stream = capture
    try:
        raise RuntimeError("GET /bot987654:ABCdef-secret_token-value/getMe failed")
    except RuntimeError:
        logger.exception("case %s not delivered", "00042", extra={"case": "00042", "chat_id": 5})
    (record,) = records(stream)
    assert record["message"] == "case 00042 not delivered"
    assert record["level"] == "ERROR" and record["logger"] == "tests.logs.capture"
    assert record["service"] == "test" and record["case"] == "00042"
    assert "chat_id" not in record  # never a field, whoever passes it
    assert record["error"] == "RuntimeError"
    assert "secret_token" not in record["traceback"]
    assert "/bot<redacted>/getMe" in record["traceback"]


def test_the_text_format_is_redacted_too(monkeypatch):
    monkeypatch.setenv("RASA_AUTH_TOKEN", "rasa-api-secret-value")
    stream = io.StringIO()
    handler = logs.make_handler("bot", "text", stream)
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1,
                               "POST http://rasa:5005/conversations/x/tracker/events?token=%s",
                               ("rasa-api-secret-value",), None)
    handler.handle(record)
    line = stream.getvalue()
    assert "rasa-api-secret-value" not in line
    assert (" INFO bot httpx: POST http://rasa:5005/conversations/x/tracker/events"
            "?token=<redacted>") in line
