"""Runs the fake Bot API on its own, with the local chat page: the offline stand-in for
Telegram that `make run` uses without TELEGRAM_BOT_TOKEN.

Usage: python -m tests.fake_telegram [--host 127.0.0.1] [--port 8088] [--staff-chat-id -100…]
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from tests.fake_telegram import local_chat
from tests.fake_telegram.server import FakeTelegram


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--staff-chat-id", type=int, default=None)
    args = parser.parse_args()
    fake = FakeTelegram(args.host, args.port, local_chat=True)
    if args.staff_chat_id:
        fake.staff_chat_id = args.staff_chat_id
        fake.add_chat(local_chat.staff_group(args.staff_chat_id))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    fake.start()
    print(f"[mitra] local chat at http://{args.host}:{fake.port}/ "
          f"(Bot API stand-in at {fake.url})", flush=True)
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
