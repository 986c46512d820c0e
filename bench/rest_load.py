"""The same simulated people, straight to a Rasa REST channel (the reference bot).

Same scripts, same closed loop and think time as `bench.telegram_load`; a button press is
sent as the button's title, since the reference bot has no buttons. Latency is the HTTP
round trip; a message without a reply (an error, an empty answer, no answer within
`LOST_AFTER` seconds) is lost.
"""
from __future__ import annotations

import itertools
import random
import threading
import time
from typing import Iterator, List, Optional

import httpx

from bench.people import Script, Step
from bench.telegram_load import LOST_AFTER, CpuClock, Outcome, cpu_between, run_all


class RestPeople:
    def __init__(self, rasa_url: str, prefix: str = "ref") -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.prefix = prefix
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()

    def _next_sender(self) -> str:
        with self._ids_lock:
            return f"{self.prefix}-{next(self._ids)}"

    def run_level(self, people: int, seconds: float, scripts: Iterator[Script],
                  think: tuple, seed: int) -> List[Outcome]:
        outcomes: List[Outcome] = []
        stop_at = time.monotonic() + seconds
        lock = threading.Lock()

        def worker(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            time.sleep(rng.uniform(0, think[1]))
            with httpx.Client(timeout=LOST_AFTER) as client:
                while time.monotonic() < stop_at:
                    with lock:
                        script = next(scripts)
                    mine = self.converse(client, script, rng, think, stop_at)
                    with lock:
                        outcomes.extend(mine)

        run_all(worker, people)
        return outcomes

    def converse(self, client: httpx.Client, script: Script, rng: random.Random,
                 think: tuple, stop_at: float = float("inf")) -> List[Outcome]:
        conversation = self.conversation(client, script.reply_language)
        outcomes: List[Outcome] = []
        for step in script.steps:
            if time.monotonic() >= stop_at:
                break
            outcome = conversation.turn(step)
            outcomes.append(outcome)
            if outcome.latency is None:
                break
            time.sleep(rng.uniform(*think))
        return outcomes

    def conversation(self, client: httpx.Client, language: str) -> "RestConversation":
        return RestConversation(client, self.url, self._next_sender(), language)


class RestConversation:
    """One simulated person on the REST channel."""

    def __init__(self, client: httpx.Client, url: str, sender: str, language: str) -> None:
        self.client = client
        self.url = url
        self.sender = sender
        self.language = language

    def turn(self, step: Step, cpu: Optional[CpuClock] = None) -> Outcome:
        before = cpu() if cpu else {}
        sent_at = time.monotonic()
        try:
            response = self.client.post(self.url, json={
                "sender": self.sender, "message": step.as_text(self.language)})
            answered = response.status_code == 200 and bool(response.json())
        except httpx.HTTPError:
            answered = False
        done = time.monotonic()
        used = cpu_between(before, cpu()) if cpu else {}
        if not answered:
            return Outcome(None, sent_at, None, 0, step.kind, used)
        return Outcome(done - sent_at, sent_at, done, 0, step.kind, used)
