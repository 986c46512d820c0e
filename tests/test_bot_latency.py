"""End-to-end reply latency through the fake Bot API: from the moment an update is
available to the bot's long poll until the fake receives the bot's first sendMessage for
it (getUpdates, Redis inbox, Rasa NLU and dialogue, action server NLG, sendMessage), and
until Rasa's answer (the first reply is the bot's own "cannot answer right now" when Rasa
takes longer than 1.2 s).
50 messages in three languages, one at a time; the figures go to results/bot_latency.json.
The same 50 messages sent straight to Rasa's REST channel first give the baseline, so the
bot's own share shows even on a busy machine. The test asserts that every message is
answered by Rasa, not how fast."""
import json
import os
import statistics
import time
from pathlib import Path

import httpx

from bot import texts

RESULTS = Path(__file__).resolve().parents[1] / "results" / "bot_latency.json"
MESSAGES = [
    "សួស្តីបង", "ថៅកែយកលិខិតឆ្លងដែនខ្ញុំ", "អរគុណច្រើនបង", "ប្រាក់ឈ្នួលអប្បបរមាប៉ុន្មាន", "លាហើយ",
    "สวัสดีครับ", "นายจ้างไม่จ่ายเงินเดือน", "ขอบคุณมากครับ", "ค่าแรงขั้นต่ำเท่าไหร่", "บาย",
    "hello there", "my boss keeps my passport", "thank you very much", "minimum wage?", "bye",
    "sousdey bong", "orkun bong", "knhom chong suor", "luy khe", "lea hoy",
]
NOTICES = {texts.cannot_answer_now(lang) for lang in ("km", "th", "en")}


def summary(seconds):
    seconds = sorted(seconds)
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(seconds[int(0.95 * len(seconds)) - 1] * 1000, 1),
        "max_ms": round(seconds[-1] * 1000, 1),
    }


def rasa_alone(stack):
    seconds = []
    for i in range(50):
        start = time.monotonic()
        httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=30, json={
            "sender": f"latency-baseline-{i % 10}", "message": MESSAGES[i % len(MESSAGES)]})
        seconds.append(time.monotonic() - start)
    return summary(seconds)


def test_fifty_messages_are_answered_and_latency_is_reported(stack, person, telegram):
    baseline = rasa_alone(stack)
    seconds, answers, notices = [], [], 0
    people = [person() for _ in range(10)]
    for i in range(50):
        me = people[i % 10]  # five messages each: under the rate limit
        text = MESSAGES[i % len(MESSAGES)]
        already = len(telegram.calls_of("sendMessage", chat_id=me.chat_id))
        start = time.monotonic()
        sent = me.say(text)
        # Rasa's own answer, not only the bot's "cannot answer right now".
        me.wait_for(lambda ms: any(m["text"] not in NOTICES for m in ms), after=sent)
        sent_now = telegram.calls_of("sendMessage", chat_id=me.chat_id)[already:]
        seconds.append(sent_now[0].at - start)
        answers.append(next(c.at for c in sent_now if c.params["text"] not in NOTICES) - start)
        notices += sent_now[0].params["text"] in NOTICES
    report = {
        "messages": len(seconds),
        "first_reply_through_the_bot": summary(seconds),
        "rasa_answer_through_the_bot": summary(answers),
        "rasa_rest_alone": baseline,
        "slow_notices": notices,  # first replies that were "cannot answer right now"
        "load_average": os.getloadavg(),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(f"\nbot reply latency: {report}")
    assert report["messages"] == 50
