"""The admin chat, end to end: an admin sends a CSV or YAML file to the real bot (through
our fake Bot API), sees what would change, publishes it, and the real action server
answers from the new version through Rasa; bad files, outsiders and rollback.

Every test leaves the knowledge base as it found it (the session's other tests use it)."""
import json
import time
import uuid
from dataclasses import replace

import httpx
import pytest
import yaml

from actions.knowledge import files, store
from actions.knowledge.validate import validate_file
from bot import admin, admin_texts as t
from mitra.i18n import gettext
from tests.conftest import ADMIN_CHAT_ID, _chat_ids

NEW_ANSWER = ("Test answer: the minimum wage in Bangkok is 999 baht a day. Call 1546 to "
              "check it for your province.")


@pytest.fixture
def live(bot, redis_client):
    """The live version before the test (the action server seeds the store), put back after."""
    deadline = time.monotonic() + 60
    while store.current_version(redis_client) is None:
        assert time.monotonic() < deadline, "the action server did not seed the knowledge base"
        time.sleep(0.2)
    before = store.load_current(redis_client)
    yield before
    if store.current_version(redis_client) != before.number:
        store.rollback(redis_client, to=before.number)


@pytest.fixture
def member(telegram, bot):
    """Someone writing in the admin chat: member(status="member", language_code="en")."""
    def make(status="member", language_code="en"):
        return telegram.member(ADMIN_CHAT_ID, next(_chat_ids), status, language_code)
    return make


def edited(entries):
    """The live entries with the minimum wage answer changed and one entry removed."""
    changed = [replace(e, answer={**e.answer, "en": NEW_ANSWER}) if e.id == "minimum-wage" else e
               for e in entries]
    return changed[:-1], entries[-1].id


def audit(redis_client):
    return [json.loads(r) for r in redis_client.lrange(admin.AUDIT, 0, -1)]


def pending_uploads(redis_client):
    return list(redis_client.scan_iter(admin.pending_key("*")))


def ask_rasa(stack, text):
    reply = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=30,
                       json={"sender": f"admin-test-{uuid.uuid4().hex[:8]}", "message": text})
    reply.raise_for_status()
    return " ".join(r.get("text") or "" for r in reply.json())


def rasa_answers(stack, text, expected, timeout=20.0):
    """True once a new conversation asking `text` gets `expected` in the answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if expected in ask_rasa(stack, text):
            return True
        time.sleep(0.5)
    return False


def buttons(message):
    return {b["text"]: b["callback_data"]
            for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row}


def reply_to(me, sent, predicate=lambda m: True):
    return me.wait_for(lambda ms: [m for m in ms if predicate(m)], after=sent)[-1]


def test_yaml_upload_shows_the_changes_publishes_answers_and_rolls_back(
        stack, live, member, redis_client):
    admin_user = member()
    entries, removed = edited(live.entries)
    question = "what is the minimum wage in bangkok per day?"
    assert NEW_ANSWER not in ask_rasa(stack, question)

    sent = admin_user.send_document("kb.yml", files.dump(entries, "kb.yml"))
    preview = reply_to(admin_user, sent)
    lines = preview["text"].splitlines()
    assert lines[0] == gettext("en", t.COMPARED_WITH, version=live.number)
    assert gettext("en", t.CHANGED, count=1, ids="minimum-wage (answer.en)") in lines
    assert gettext("en", t.REMOVED, count=1, ids=removed) in lines
    assert gettext("en", t.UNCHANGED, count=len(entries) - 1) in lines
    assert list(buttons(preview)) == ["Publish", "Cancel"]
    assert store.current_version(redis_client) == live.number  # nothing is live yet

    admin_user.press(preview, "Publish")
    published = reply_to(admin_user, preview["message_id"],
                         lambda m: "is live" in (m.get("text") or ""))
    number = store.current_version(redis_client)
    assert number > live.number
    assert published["text"] == gettext("en", t.PUBLISHED, version=number)
    version = store.load(redis_client, number)
    assert version.author == f"telegram:{admin_user.user['id']}" and version.source == "kb.yml"
    assert [e.id for e in version.entries] == [e.id for e in entries]
    assert "reply_markup" not in admin_user.fake.messages[(ADMIN_CHAT_ID, preview["message_id"])]
    assert not pending_uploads(redis_client)
    record = audit(redis_client)[-1]
    assert (record["who"], record["action"], record["version"]) == (
        admin_user.user["id"], "publish", number)
    # The real action server picked the new version up: Rasa answers from it.
    assert rasa_answers(stack, question, NEW_ANSWER)

    sent = admin_user.say("/faq_rollback")
    rolled = reply_to(admin_user, sent)
    assert rolled["text"] == gettext("en", t.ROLLED_BACK, version=live.number)
    assert store.current_version(redis_client) == live.number
    assert audit(redis_client)[-1]["action"] == "rollback"
    original = next(e for e in live.entries if e.id == "minimum-wage").answer["en"]
    assert rasa_answers(stack, question, original)


def test_csv_upload_in_khmer_publishes_an_added_entry(live, member, redis_client):
    admin_user = member(language_code="km")
    new = replace(live.entries[0], id="test-new-entry",
                  answer={**live.entries[0].answer, "en": NEW_ANSWER},
                  questions={lang: [f"{q} (test)" for q in qs]
                             for lang, qs in live.entries[0].questions.items()})
    sent = admin_user.send_document("kb.csv", files.dump(live.entries + [new], "kb.csv"))
    preview = reply_to(admin_user, sent)
    assert gettext("km", t.ADDED, count=1, ids="test-new-entry") in preview["text"]
    assert list(buttons(preview)) == [gettext("km", t.PUBLISH), gettext("km", t.CANCEL)]

    admin_user.press(preview, gettext("km", t.PUBLISH))
    reply_to(admin_user, preview["message_id"], lambda m: m.get("text") == gettext(
        "km", t.PUBLISHED, version=store.current_version(redis_client)))
    now = store.load_current(redis_client)
    assert now.number > live.number and now.entries[-1].answer["en"] == NEW_ANSWER


def test_cancel_changes_nothing_and_the_buttons_work_once(live, member, redis_client):
    admin_user = member(language_code="th")
    entries, _ = edited(live.entries)
    sent = admin_user.send_document("kb.yaml", files.dump(entries, "kb.yml"))
    preview = reply_to(admin_user, sent)
    assert pending_uploads(redis_client)
    admin_user.press(preview, gettext("th", t.CANCEL))
    reply_to(admin_user, preview["message_id"],
             lambda m: m.get("text") == gettext("th", t.CANCELLED))
    assert not pending_uploads(redis_client)
    assert store.current_version(redis_client) == live.number
    # A forged or late press of the removed Publish button finds nothing to publish.
    last = admin_user.bot_messages()[-1]["message_id"]
    admin_user.fake.press(ADMIN_CHAT_ID, preview["message_id"], buttons(preview)[
        gettext("th", t.PUBLISH)], admin_user.user)
    reply_to(admin_user, last, lambda m: m.get("text") == gettext("th", t.EXPIRED))
    assert store.current_version(redis_client) == live.number


def test_a_bad_file_is_refused_with_its_problems_and_nothing_changes(live, member, redis_client):
    admin_user = member()
    document = yaml.safe_load(files.dump(live.entries, "kb.yml"))
    entries = document["entries"] if isinstance(document, dict) else document
    for entry in entries[:12]:
        entry["last_reviewed"] = "25/11/2026"  # twelve errors: more than the bot lists
    del entries[0]["answer"]["th"]
    bad = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    assert not validate_file(bad.encode(), "kb.yml").ok

    preview = reply_to(admin_user, admin_user.send_document("kb.yml", bad))
    lines = preview["text"].splitlines()
    assert lines[0] == gettext("en", t.REFUSED)
    problems = [line for line in lines if line.startswith("• ")]
    assert len(problems) == admin.MAX_PROBLEMS
    assert "last_reviewed" in preview["text"] and f"'{entries[0]['id']}'" in problems[0]
    assert lines[-1] == gettext("en", t.MORE, count=13 - admin.MAX_PROBLEMS)
    assert not buttons(preview) and not pending_uploads(redis_client)
    assert store.current_version(redis_client) == live.number

    # Not UTF-8 at all: one line says so.
    sent = admin_user.send_document("kb.csv", "id;topic\n".encode("utf-16"))
    preview = reply_to(admin_user, sent)
    assert preview["text"].startswith(gettext("en", t.REFUSED)) and "UTF-8" in preview["text"]
    assert store.current_version(redis_client) == live.number


def test_a_non_member_can_neither_publish_nor_roll_back(live, member, redis_client, telegram):
    admin_user, outsider = member(), member(status=None)
    entries, _ = edited(live.entries)
    sent = admin_user.send_document("kb.yml", files.dump(entries, "kb.yml"))
    preview = reply_to(admin_user, sent)

    query = outsider.press(preview, "Publish")
    telegram.wait_until(lambda: telegram.callback_queries[query]["answered"])
    assert telegram.callback_queries[query]["answered"]["text"] == gettext("en", t.NOT_ADMIN)
    assert buttons(telegram.messages[(ADMIN_CHAT_ID, preview["message_id"])])
    assert pending_uploads(redis_client)
    assert audit(redis_client)[-1] == {**audit(redis_client)[-1],
                                       "who": outsider.user["id"], "action": "refused publish"}

    sent = outsider.say("/faq_rollback")
    assert reply_to(outsider, sent)["text"] == gettext("en", t.NOT_ADMIN)
    sent = outsider.send_document("kb.yml", files.dump(entries, "kb.yml"))
    assert reply_to(outsider, sent)["text"] == gettext("en", t.NOT_ADMIN)
    sent = outsider.say("/faq_export")
    assert reply_to(outsider, sent)["text"] == gettext("en", t.NOT_ADMIN)
    assert [e["action"] for e in audit(redis_client)[-3:]] == [
        "refused rollback", "refused upload", "refused export"]
    assert store.current_version(redis_client) == live.number

    admin_user.press(preview, "Cancel")
    reply_to(admin_user, preview["message_id"],
             lambda m: m.get("text") == gettext("en", t.CANCELLED))
    assert store.current_version(redis_client) == live.number


def test_export_sends_the_live_version_as_a_file(live, member, telegram):
    admin_user = member()
    sent = admin_user.say("/faq_export")
    message = admin_user.fake.wait_until(lambda: [
        m for m in telegram.transcript(ADMIN_CHAT_ID)
        if m["message_id"] > sent and m.get("document")])[-1]
    assert message["caption"] == gettext("en", t.EXPORTED, version=live.number)
    assert message["document"]["file_name"] == f"knowledge-base-v{live.number}.yml"
    report = validate_file(telegram.file_content(message["document"]["file_id"]), "kb.yml")
    assert report.ok and report.entries == live.entries


# -- Without the stack ------------------------------------------------------------------
@pytest.mark.parametrize("code, expected", [
    ("km", "km"), ("th-TH", "th"), ("en-US", "en"), ("fr", None), (None, None)])
def test_the_admin_reads_their_telegram_language_else_the_default(code, expected):
    from telegram import User

    from mitra.config import settings
    user = User(1, "Dara", False, language_code=code)
    assert admin.language_of(user, settings) == (expected or settings.default_language)


def test_a_long_preview_still_fits_a_telegram_message():
    from actions.knowledge.admin import Preview
    from actions.knowledge.diff import Diff
    from actions.knowledge.validate import Report

    ids = [f"entry-{n:03d}-" + "x" * 30 for n in range(300)]
    changed = {i: ["answer.km"] * 9 for i in ids}
    checked = Preview(Report(), Diff(added=ids, removed=ids, changed=changed), 7, "kb.csv")
    for language in ("km", "th", "en"):
        text = admin.changes(checked, language)
        assert len(text) <= 4096 and text.count("entry-") == 3 * admin.MAX_IDS
        assert f"… +{300 - admin.MAX_IDS}" in text


def answer_of(action_url, token, question):
    """What an action server answers to a rights question (Rasa SDK's webhook)."""
    tracker = {"sender_id": "kb-live", "slots": {"language": "en"}, "events": [],
               "latest_message": {"text": question, "intent": {"name": "ask_rights"},
                                  "entities": []},
               "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    reply = httpx.post(f"{action_url}/webhook", params={"token": token}, timeout=30,
                       json={"next_action": "action_answer_question", "sender_id": "kb-live",
                             "tracker": tracker, "domain": {}, "version": "3.6.21"})
    reply.raise_for_status()
    return " ".join(r.get("text") or "" for r in reply.json()["responses"])


def test_an_upload_goes_live_on_a_second_action_server_within_five_seconds(
        stack, live, member):
    from scripts.stack import APP_PYTHON, free_port, wait_http
    port = free_port()
    second = stack._spawn("actions-second", [str(APP_PYTHON), "-m", "actions.server",
                                             "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/health", 120, second)
        question = "what is the minimum wage in bangkok per day?"
        deadline = time.monotonic() + 120  # the second server loads the model, then the base
        while NEW_ANSWER in answer_of(url, stack.action_token, question) or not answer_of(
                url, stack.action_token, question):
            assert time.monotonic() < deadline
            time.sleep(1)
        admin_user = member()
        entries, _ = edited(live.entries)
        preview = reply_to(admin_user, admin_user.send_document("kb.yml", files.dump(entries, "kb.yml")))
        admin_user.press(preview, "Publish")
        reply_to(admin_user, preview["message_id"], lambda m: "is live" in (m.get("text") or ""))
        published = time.monotonic()
        while NEW_ANSWER not in answer_of(url, stack.action_token, question):
            assert time.monotonic() - published < 5.0, "the second action server is still on the old version"
            time.sleep(0.2)
    finally:
        stack.stop_process("actions-second")
