"""Simulated people talking to the real bot through our fake Bot API.

Closed loop: each simulated person sends a message, waits for the bot's whole answer,
thinks for a moment and sends the next; a level of N keeps N people talking, each
followed by a new person when their script ends. A closed loop is how a chat works (one
waits for the answer before writing again), and it cannot hide a slow server behind a
fixed send rate: when replies slow down, so does the load, and the latency shows it.

A reply's latency runs from the moment the message is available to the bot (the fake
Telegram queues the update) until the bot's last reply to it reaches the fake Telegram.
The bot answers a message completely before it takes it out of the person's inbox in Redis
(`bot/relay.py`), so a message is answered once a reply came and the inbox is empty. A
message without an answer after `LOST_AFTER` seconds is lost; that person stops there.
"Cannot answer right now" notices (the bot's own, when Rasa takes more than 1.2 s) are
counted, not taken for the answer.
"""
from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Set

import redis

from bench.people import Script, Step
from mitra import keys
from tests.fake_telegram import FakeTelegram

LOST_AFTER = 30.0
POLL_SECONDS = 0.02


def run_all(worker: Callable[[int], None], people: int) -> None:
    """Runs worker(0) ... worker(people - 1), one thread each, until all have ended."""
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@dataclass
class Outcome:
    """One message: how long its answer took (None: lost), how many notices came."""
    latency: Optional[float]
    sent_at: float
    answered_at: Optional[float]
    notices: int = 0
    kind: str = "say"
    cpu: Dict[str, float] = field(default_factory=dict)  # CPU seconds per process, if asked


# Returns CPU seconds used so far, per process (bench.processes.ProcessMonitor.cpu).
CpuClock = Callable[[], Dict[str, float]]


def cpu_between(before: Dict[str, float], after: Dict[str, float]) -> Dict[str, float]:
    return {name: after[name] - before.get(name, 0.0) for name in after}


@dataclass
class _Chat:
    """The bot's messages in one private chat, with when they arrived."""
    cond: threading.Condition = field(default_factory=threading.Condition)
    messages: List[tuple] = field(default_factory=list)  # (monotonic time, message)


class RecordingTelegram(FakeTelegram):
    """The fake Bot API that also files each bot message under its chat with its time,
    so that each simulated person waits on their own chat, not on every call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chats: Dict[int, _Chat] = {}
        self._chats_lock = threading.Lock()

    def chat(self, chat_id: int) -> _Chat:
        with self._chats_lock:
            return self._chats.setdefault(chat_id, _Chat())

    def forget_chat(self, chat_id: int) -> None:
        with self._chats_lock:
            self._chats.pop(chat_id, None)

    def api_sendMessage(self, chat_id: Any, **params: Any) -> Dict[str, Any]:
        message = super().api_sendMessage(chat_id, **params)
        with self._chats_lock:
            chat = self._chats.get(chat_id)
        if chat is not None:
            with chat.cond:
                chat.messages.append((time.monotonic(), message))
                chat.cond.notify_all()
        return message


class TelegramPeople:
    """Runs scripts of simulated people against the bot; one thread per person."""

    def __init__(self, fake: RecordingTelegram, redis_url: str, id_key: str,
                 notices: Set[str], first_chat_id: int = 60_000_000) -> None:
        self.fake = fake
        self.redis = redis.Redis.from_url(redis_url)
        self.id_key = id_key
        self.notices = notices
        self._chat_ids = itertools.count(first_chat_id)
        self._ids_lock = threading.Lock()

    def _next_chat_id(self) -> int:
        with self._ids_lock:
            return next(self._chat_ids)

    def run_level(self, people: int, seconds: float, scripts: Iterator[Script],
                  think: tuple, seed: int) -> List[Outcome]:
        """`people` talking at once for `seconds` (no message is sent after that; those
        under way are waited for)."""
        outcomes: List[Outcome] = []
        stop_at = time.monotonic() + seconds
        lock = threading.Lock()

        def next_script() -> Script:
            with lock:
                return next(scripts)

        def worker(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            # Start spread over one think time, as people do not all write at once.
            time.sleep(rng.uniform(0, think[1]))
            while time.monotonic() < stop_at:
                mine = self.converse(next_script(), rng, think, stop_at)
                with lock:
                    outcomes.extend(mine)

        run_all(worker, people)
        return outcomes

    def conversation(self, telegram_language: Optional[str] = None,
                     chat_id: Optional[int] = None) -> "Conversation":
        return Conversation(self, chat_id or self._next_chat_id(), telegram_language)

    def converse(self, script: Script, rng: random.Random, think: tuple,
                 stop_at: float = float("inf")) -> List[Outcome]:
        """One person's script, turn by turn, until it ends, a message is lost or the
        level's time is up."""
        conversation = self.conversation(script.telegram_language)
        outcomes: List[Outcome] = []
        try:
            for step in script.steps:
                if time.monotonic() >= stop_at:
                    break
                outcome = conversation.turn(step)
                if outcome is None:
                    break  # a button that is not there: the form went elsewhere
                outcomes.append(outcome)
                if outcome.latency is None:
                    break
                time.sleep(rng.uniform(*think))
        finally:
            conversation.close()
        return outcomes


class Conversation:
    """One simulated person's private chat with the bot."""

    def __init__(self, people: TelegramPeople, chat_id: int,
                 telegram_language: Optional[str]) -> None:
        self.fake = people.fake
        self.redis = people.redis
        self.notices = people.notices
        self.chat_id = chat_id
        self.person = people.fake.person(chat_id, telegram_language)
        self.chat = people.fake.chat(chat_id)
        self.sender = keys.sender_id(chat_id, key=people.id_key)

    def close(self) -> None:
        self.fake.forget_chat(self.chat_id)

    def turn(self, step: Step, cpu: Optional[CpuClock] = None) -> Optional[Outcome]:
        """Sends one message (or presses a button) and waits for the whole answer; None
        when the button is not there. With `cpu`, the outcome has the CPU time each
        process used meanwhile (meaningful for one person alone on the stack)."""
        chat = self.chat
        with chat.cond:
            seen = len(chat.messages)
            keyboard = _with_button(chat.messages, step.text) if step.kind == "press" else None
        if step.kind == "press" and keyboard is None:
            return None
        before = cpu() if cpu else {}
        sent_at = time.monotonic()
        if keyboard is not None:
            self.person.press(keyboard, data=step.text)
        else:
            self.person.say(step.text)
        answered = self._wait_answer(seen, sent_at + LOST_AFTER)
        used = cpu_between(before, cpu()) if cpu else {}
        with chat.cond:
            replies = chat.messages[seen:]
        notices = sum(1 for _, m in replies if m.get("text") in self.notices)
        if not answered:
            return Outcome(None, sent_at, None, notices, step.kind, used)
        last = max(t for t, m in replies if m.get("text") not in self.notices)
        return Outcome(last - sent_at, sent_at, last, notices, step.kind, used)

    def _wait_answer(self, seen: int, deadline: float) -> bool:
        """A reply has come and the person's inbox is empty (all replies are sent)."""
        chat = self.chat
        with chat.cond:
            if not chat.cond.wait_for(
                    lambda: any(m.get("text") not in self.notices
                                for _, m in chat.messages[seen:]),
                    timeout=max(0.0, deadline - time.monotonic())):
                return False
        while self.redis.llen(keys.inbox(self.sender)):
            if time.monotonic() > deadline:
                return False
            time.sleep(POLL_SECONDS)
        return True


def _with_button(messages: List[tuple], payload: str) -> Optional[Dict[str, Any]]:
    """The latest bot message with a button carrying `payload`."""
    for _, message in reversed(messages):
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        if any(button.get("callback_data") == payload for row in rows for button in row):
            return message
        if rows:
            return None  # the latest keyboard does not have it
    return None
