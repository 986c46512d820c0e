"""Time from an urgent message to the case card in the staff group, through the whole
stack: the fake Bot API, the real bot, Rasa, action server and Redis (`make eval`).

Each message comes from a new person (a new case), in turn, from the danger messages of
the evaluation set in every language; only messages the detector catches are timed (the
rest are counted as missed: recall is reported by `nlu.evaluate`). The clock starts when
the fake Telegram makes the message available to the bot and stops when the bot sends the
card.
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import time
from pathlib import Path

import yaml

from scripts.stack import Stack, free_port
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.updates import group_chat

ROOT = Path(__file__).resolve().parent.parent
STAFF = -1003000000003
LANGUAGES = ("km", "km_latn", "th", "en")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-language", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()

    fake = FakeTelegram().start()
    fake.add_chat(group_chat(STAFF, "staff"))
    stack = Stack(redis_url=f"redis://127.0.0.1:{free_port()}/0", rasa_port=free_port(),
                  action_port=free_port(), log_dir=ROOT / "results" / "logs")
    chats = itertools.count(70_000_000)
    results = {}
    try:
        stack.start()
        stack.start_bot({"TELEGRAM_BOT_TOKEN": "1:eval", "TELEGRAM_API_URL": fake.url,
                         "TELEGRAM_STAFF_CHAT_ID": str(STAFF), "TELEGRAM_WEBHOOK_URL": ""},
                        name="bot-eval")
        fake.wait_until(lambda: fake.calls_of("getUpdates"), 60)
        warm = fake.person(next(chats))
        warm.say("hello")
        fake.wait_until(lambda: warm.bot_messages(), 120)
        for language in LANGUAGES:
            data = yaml.safe_load((ROOT / "tests" / "danger_eval" / f"{language}.yml").read_text())
            delays, missed = [], 0
            for text in data["danger"][: args.per_language]:
                cards_before = len(fake.calls_of("sendMessage", chat_id=STAFF))
                person = fake.person(next(chats))
                start = time.monotonic()
                person.say(text)
                try:
                    fake.wait_until(lambda: len(fake.calls_of("sendMessage", chat_id=STAFF))
                                    > cards_before, args.timeout)
                except TimeoutError:
                    missed += 1
                    continue
                card = fake.calls_of("sendMessage", chat_id=STAFF)[cards_before]
                delays.append(card.at - start)
            results[language] = (delays, missed)
    finally:
        stack.stop()
        fake.stop()

    print("\nUrgent message → case card in the staff group (seconds)")
    print(f"{'set':10} {'n':>3} {'missed':>6} {'median':>7} {'p95':>7} {'max':>7}")
    everything = []
    for language, (delays, missed) in results.items():
        everything += delays
        if delays:
            print(f"{language:10} {len(delays):3d} {missed:6d} {statistics.median(delays):7.2f} "
                  f"{percentile(delays, 0.95):7.2f} {max(delays):7.2f}")
    if everything:
        print(f"{'all':10} {len(everything):3d} {'':6} {statistics.median(everything):7.2f} "
              f"{percentile(everything, 0.95):7.2f} {max(everything):7.2f}")


if __name__ == "__main__":
    main()
