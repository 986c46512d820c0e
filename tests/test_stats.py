"""Anonymous statistics (mitra/stats.py, bot/stats.py, docs/statistics.md).

Unit tests count a scripted set of events in a Redis of our own and check the export's
small-count rule; the end-to-end test drives people through the real bot, Rasa, action
server and Redis, then an admin sends /stats and gets a chart and a CSV whose counts match.
The session's Redis is shared with other tests, so that test compares before and after."""
import asyncio
import csv
import io
import time

import pytest
import redis
import redis.asyncio as redis_async

from bot import staff_texts as staff_t
from bot import stats as bot_stats
from mitra import cases, keys, stats, stats_chart
from mitra import stats_texts as t
from mitra.config import settings
from mitra.i18n import gettext
from tests.conftest import ADMIN_CHAT_ID, STAFF_CHAT_ID, _chat_ids, sender_of
from tests.fake_telegram.staff import group_messages
from tests.kb_support import client, redis_url  # noqa: F401 (fixtures)

PNG = b"\x89PNG\r\n\x1a\n"
# 2026-03-15 12:00 in Cambodia (UTC+7), and the same day a month later.
MARCH = 1773550800.0
APRIL = MARCH + 31 * 86400


def parse(data: bytes):
    """{(measure, item): {month: cell}} from an export's CSV."""
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return {(r["measure"], r["item"]): r for r in reader}


# -- Months -------------------------------------------------------------------------------
def test_months_are_cambodian_and_ranges_are_checked():
    assert stats.month_of(MARCH) == "2026-03"
    # 2026-03-31 20:00 UTC is already April in Phnom Penh.
    assert stats.month_of(1774987200.0) == "2026-04"
    assert stats.month_of(1774987200.0 - 4 * 3600) == "2026-03"
    assert stats.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01",
                                                          "2026-02"]
    assert stats.last_months(3, now=MARCH) == ["2026-01", "2026-02", "2026-03"]
    for bad in (("2026-13", "2026-14"), ("2026-05", "2026-01"), ("2020-01", "2026-01"),
                ("march", "april")):
        with pytest.raises(ValueError):
            stats.months_between(*bad)


def test_the_admin_command_reads_a_range_or_one_month():
    assert bot_stats.months_asked(["2026-01..2026-03"]) == ["2026-01", "2026-02", "2026-03"]
    assert bot_stats.months_asked(["2026-01", "..", "2026-02"]) == ["2026-01", "2026-02"]
    assert bot_stats.months_asked(["2026-05"]) == ["2026-05"]
    assert bot_stats.months_asked([]) == stats.last_months()
    assert bot_stats.months_asked(["last", "year"]) is None
    assert bot_stats.months_asked(["2024-01..2026-06"]) is None  # more than 24 months


# -- Counting a scripted set of events ---------------------------------------------------------
def scripted_events(client):  # noqa: F811 (the fixture)
    """What a month of the hotline could look like, through the same calls as the servers."""
    for i in range(7):
        stats.conversation(f"tg-km-{i}", "km", client, now=MARCH)
    for i in range(3):
        stats.conversation(f"tg-th-{i}", "th", client, now=MARCH)
    stats.conversation("tg-km-0", "km", client, now=MARCH + 3600)  # the same person again
    stats.conversation("tg-km-0", "en", client, now=MARCH + 7200)  # ... in another language
    stats.conversation("tg-nobody", None, client, now=MARCH)      # language not known yet
    stats.conversation("tg-km-0", "km", client, now=APRIL)        # a new month
    for _ in range(6):
        stats.safety_check_started(client, now=MARCH)
    for level, indicators, country in [("low", [], "KH"), ("medium", ["deception"], "TH"),
                                       ("high", ["debt_bondage", "deception"], "TH"),
                                       ("high", ["isolation", "isolation"], None)]:
        stats.safety_check_finished(level, indicators, country, client, now=MARCH)
    stats.knowledge_question("answer", "unpaid-wages", client, now=MARCH)
    stats.knowledge_question("answer", "unpaid-wages", client, now=MARCH)
    stats.knowledge_question("suggest", "documents", client, now=MARCH)
    stats.knowledge_question("none", None, client, now=MARCH)


def test_counters_follow_the_events_and_hold_nothing_personal(client):  # noqa: F811
    scripted_events(client)
    march = client.hgetall(stats.counters_key("2026-03"))
    assert {k: int(v) for k, v in march.items()} == {
        "conversations:km": 7, "conversations:th": 3,
        "check:started": 6, "check:finished": 4,
        "risk:low": 1, "risk:medium": 1, "risk:high": 2,
        "indicator:deception": 2, "indicator:debt_bondage": 1, "indicator:isolation": 1,
        "country:KH": 1, "country:TH": 2,
        "kb:answered:unpaid-wages": 2, "kb:unsure:documents": 1, "kb:no_answer": 1,
    }
    assert client.hgetall(stats.counters_key("2026-04")) == {"conversations:km": "1"}
    # The once-a-month set: HMACs only, gone a day after the month ends.
    seen = client.smembers(stats.seen_key("2026-03"))
    assert len(seen) == 10 and not any("tg-" in s for s in seen)
    assert client.smembers(stats.seen_key("2026-04")).isdisjoint(seen)
    left = client.ttl(stats.seen_key("2026-03"))  # counted from the event's time
    assert abs(left - (stats._month_end("2026-03") + 86400 - MARCH)) < 5
    for key in client.keys("mitra:stats:*"):
        assert "tg-" not in key and client.ttl(key) != -2


def test_hand_offs_are_counted_when_a_case_is_new_or_becomes_urgent(client):  # noqa: F811
    def case(sender, urgency):
        return cases.Case(id="", sender=sender, urgency=urgency, reason="asked", language="km",
                          created_at=MARCH)
    cases.open_or_escalate(client, case("tg-a", cases.NORMAL))
    cases.open_or_escalate(client, case("tg-a", cases.NORMAL))   # the same open case
    cases.open_or_escalate(client, case("tg-a", cases.URGENT))   # escalated
    cases.open_or_escalate(client, case("tg-b", cases.URGENT))
    assert client.hgetall(stats.counters_key("2026-03")) == {
        "handoff:normal": "1", "handoff:urgent": "1", "handoff:escalated": "1"}


def test_claims_and_cases_never_claimed(client, redis_url):  # noqa: F811
    async def staff_side():
        bot_redis = redis_async.Redis.from_url(redis_url, decode_responses=True)
        for minutes in (1, 2, 3, 4, 10, 30):
            await stats.claimed(bot_redis, MARCH, MARCH + minutes * 60)
        await stats.claimed(bot_redis, APRIL, APRIL + 60)
        await stats.closed_unclaimed(bot_redis, MARCH)
        await bot_redis.aclose()
    asyncio.run(staff_side())
    # Two cases still open: one unclaimed for hours, one claimed; one too young to count.
    for case_id, status, created in (("90001", "open", MARCH), ("90002", "claimed", MARCH),
                                     ("90003", "open", MARCH + 86400 * 3)):
        client.hset(keys.case(case_id), mapping={"status": status, "created_at": created})
        client.zadd(keys.ACTIVE_CASES, {case_id: created})
    data = stats.read(client, ["2026-03", "2026-04"], now=MARCH + 86400 * 3 + 60)
    assert sorted(data["2026-03"].delays) == [60, 120, 180, 240, 600, 1800]
    assert data["2026-03"].counts["claimed"] == 6
    assert data["2026-03"].counts["unclaimed:open"] == 1
    table = parse(stats.to_csv(stats.rows(data, ["2026-03", "2026-04"]), ["2026-03", "2026-04"]))
    assert table[("claim_minutes", "median")]["2026-03"] == "3"   # nearest rank: 3rd of 6
    assert table[("claim_minutes", "p90")]["2026-03"] == "30"
    assert table[("claim_minutes", "median")]["2026-04"] == stats.FEW_CASES  # one claim only
    assert table[("handoff", "never_claimed")]["2026-03"] == "<5"  # 1 open + 1 closed
    assert table[("handoff", "claimed")]["2026-03"] == "6"


def test_the_export_shows_counts_under_5_as_fewer_than_5(client):  # noqa: F811
    scripted_events(client)
    data, png = stats.export(client, ["2026-02", "2026-03"], "en")
    table = parse(data)
    assert list(next(iter(table.values())).keys()) == ["measure", "item", "label", "2026-02",
                                                       "2026-03"]
    assert table[("conversations", "km")]["2026-03"] == "7"
    assert table[("conversations", "th")]["2026-03"] == "<5"
    assert table[("conversations", "en")]["2026-03"] == "0"
    assert table[("safety_check", "started")]["2026-03"] == "6"
    assert table[("safety_check", "finished")]["2026-03"] == "<5"
    assert table[("kb_answered", "unpaid-wages")]["2026-03"] == "<5"
    assert table[("kb_no_answer", "all")]["label"] == "No confident answer"
    for row in table.values():
        for month in ("2026-02", "2026-03"):
            cell = row[month]
            assert cell in ("<5", stats.FEW_CASES) or cell == "0" or float(cell) >= 5 \
                or row["measure"] == "claim_minutes"
    assert png.startswith(PNG)
    assert stats.shown(0) == "0" and stats.shown(4) == "<5" and stats.shown(5) == "5"


def test_labels_follow_the_admin_language_and_fall_back_to_english(client, monkeypatch):  # noqa: F811
    scripted_events(client)
    data, png = stats.export(client, ["2026-03"], "km")
    assert parse(data)[("risk", "high")]["label"] == gettext("km", t.HIGH) != t.HIGH
    assert png.startswith(PNG)
    assert stats_chart.label_language("th") == "th"  # Noto Sans Thai is installed
    monkeypatch.setattr(stats_chart, "_fonts", {"km": False, "th": True})
    assert stats_chart.label_language("km") == "en"  # no boxes instead of Khmer letters


def test_counting_never_raises_when_redis_is_down():
    dead = redis.Redis(port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    stats.conversation("tg-x", "km", dead)
    stats.safety_check_started(dead)
    stats.safety_check_finished("high", ["deception"], "TH", dead)
    stats.knowledge_question("answer", "wages", dead)
    stats.handoff("urgent", time.time(), redis_client=dead)
    asyncio.run(stats.claimed(redis_async.Redis(port=1, socket_connect_timeout=0.2),
                              time.time() - 60, time.time()))


def test_the_command_line_writes_csv_and_chart(client, redis_url, tmp_path):  # noqa: F811
    scripted_events(client)
    out_csv, out_png = tmp_path / "out.csv", tmp_path / "out.png"
    assert stats.main(["export", "--from", "2026-01", "--to", "2026-03", "--csv", str(out_csv),
                       "--chart", str(out_png), "--redis-url", redis_url]) == 0
    assert parse(out_csv.read_bytes())[("conversations", "km")]["2026-03"] == "7"
    assert out_png.read_bytes().startswith(PNG)


# -- End to end: people, staff and an admin on the fake Telegram ------------------------------
def wait_keyboard(me, after):
    """The newest bot message with buttons after message `after`."""
    found = me.wait_for(lambda ms: [m for m in ms if m.get("reply_markup")], after=after,
                        timeout=60)
    return [m for m in found if m.get("reply_markup")][-1]


MEDIUM_CHECK = ['/inform{"country":"TH"}', "/affirm", "/affirm", "/deny", "/affirm", "/deny",
                "/affirm", "/deny", "/deny", "/affirm", "/deny", "/deny", "/deny", "/deny"]


def counters(redis_client, month):
    return {k: int(v) for k, v in redis_client.hgetall(stats.counters_key(month)).items()}


def test_stats_count_real_conversations_and_reach_the_admin(
        stack, bot, telegram, person, staff_member, redis_client):
    def claim_button(case_id):
        for message in group_messages(telegram, STAFF_CHAT_ID):
            if any(b["callback_data"].endswith(f":{case_id}") for row in message.get(
                    "reply_markup", {}).get("inline_keyboard", []) for b in row):
                return message

    month = stats.month_of()
    # So that the language counts can be read in the CSV rather than "<5".
    redis_client.hincrby(stats.counters_key(month), "conversations:km", stats.MIN_COUNT)
    before = counters(redis_client, month)

    km, th = person("km"), person()
    km.wait_replies(km.say("សួស្តីបង"))
    th.wait_replies(th.say("สวัสดีครับ"))

    checker = person("en")
    checker.wait_replies(checker.say("hello"))
    last = checker.say("/check")
    for payload in MEDIUM_CHECK:
        question = wait_keyboard(checker, last)
        last = question["message_id"]
        # 16 messages in a minute: more than the test bot's rate limit (conftest).
        redis_client.delete(keys.rate(sender_of(checker)))
        checker.press(question, data=payload)
    checker.wait_for(lambda ms: len(ms) >= 1, after=last, timeout=60)

    asker = person("en")
    asker.wait_replies(asker.say("What is the minimum wage in Bangkok?"))

    in_danger = person("en")
    in_danger.wait_replies(in_danger.say("the captain beats us and we cannot get off the boat"),
                           count=2)
    case_id = telegram.wait_until(
        lambda: redis_client.get(keys.open_case(sender_of(in_danger))), 30)
    card = telegram.wait_until(lambda: claim_button(case_id), 30)
    dara = staff_member("Dara")
    dara.answer_to(dara.press(card, gettext(settings.staff_language, staff_t.CLAIM)))
    telegram.wait_until(lambda: redis_client.hget(keys.case(case_id), "status") == "claimed")

    def added():
        after = counters(redis_client, month)
        return {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)
                if after.get(k, 0) != before.get(k, 0)}

    expected = {"conversations:km": 1, "conversations:th": 1, "conversations:en": 3,
                "check:started": 1, "check:finished": 1, "risk:medium": 1,
                "indicator:deception": 1, "indicator:debt_bondage": 1, "country:TH": 1,
                "handoff:urgent": 1, "claimed": 1}
    telegram.wait_until(lambda: all(added().get(k) == v for k, v in expected.items()), 30)
    diff = added()
    kb = {k: v for k, v in diff.items() if k.startswith("kb:")}
    assert sum(kb.values()) == 1 and next(iter(kb)).startswith(("kb:answered:", "kb:unsure:")), kb
    assert {k: v for k, v in diff.items() if not k.startswith("kb:")} == expected

    # Someone outside the admin chat gets nothing.
    outsider = telegram.member(ADMIN_CHAT_ID, next(_chat_ids), None, "en")
    sent = outsider.say("/stats")
    telegram.wait_until(lambda: [m for m in telegram.transcript(ADMIN_CHAT_ID)
                                 if m["message_id"] > sent and m.get("text") == gettext(
                                     "en", t.NOT_ADMIN)], 30)

    # An admin: a chart and a CSV, in their language.
    admin = telegram.member(ADMIN_CHAT_ID, next(_chat_ids), "member", "km")
    sent = admin.say("/stats")

    def answers():
        found = [m for m in telegram.transcript(ADMIN_CHAT_ID) if m["message_id"] > sent
                 and m.get("from", {}).get("is_bot")]
        return found if any("document" in m for m in found) else None
    photo, document = [m for m in telegram.wait_until(answers, 90)
                       if "photo" in m or "document" in m]
    months = stats.last_months()
    assert photo["caption"] == gettext("km", t.CAPTION, start=months[0], end=months[-1])
    assert telegram.file_content(photo["photo"][-1]["file_id"]).startswith(PNG)
    assert document["document"]["file_name"].endswith(".csv")
    data = telegram.file_content(document["document"]["file_id"])
    table = parse(data)
    now = counters(redis_client, month)
    for (measure, item), field in [(("conversations", "km"), "conversations:km"),
                                   (("conversations", "th"), "conversations:th"),
                                   (("conversations", "en"), "conversations:en"),
                                   (("risk", "medium"), "risk:medium"),
                                   (("handoff", "urgent"), "handoff:urgent"),
                                   (("safety_check", "finished"), "check:finished")]:
        assert table[(measure, item)][month] == stats.shown(now.get(field, 0)), (measure, item)
    assert int(table[("conversations", "km")][month]) >= stats.MIN_COUNT + 1
    # Nothing about a person: no sender id, no chat id.
    text = data.decode("utf-8-sig")
    assert "tg-" not in text
    for someone in (km, th, checker, asker, in_danger):
        assert str(someone.chat_id) not in text
