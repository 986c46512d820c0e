"""Who the simulated people are and what each of them writes (`bench/messages.yml`).

A person writes in one language and follows a script like the ones we see: a greeting
(or Telegram's /start), a rights question or two, sometimes the safety check (/check and a
few button answers), rarely an urgent message (a case for the staff group), often thanks
at the end. Scripts come from a seeded random generator, so Mitra and the reference bot
get the same messages in the same order.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = Path(__file__).resolve().parent / "messages.yml"

# Button answers in the safety check, as their payloads (mitra/responses.py), with how
# often people press each: most answers are "no". The first question is the country.
ANSWERS = {"/deny": 0.6, "/affirm": 0.15, "/dont_know": 0.15, "/skip_question": 0.1}
COUNTRIES = {'/inform{"country":"TH"}': 0.8, '/inform{"country":"KH"}': 0.2}
# The button titles (English source texts, translated by mitra.i18n) for the reference
# bot, which has no buttons and gets the title as text instead.
TITLES = {"/deny": "No", "/affirm": "Yes", "/dont_know": "Don't know",
          "/skip_question": "Skip", '/inform{"country":"TH"}': "Thailand",
          '/inform{"country":"KH"}': "Cambodia"}

# How often a script has each part.
START_COMMAND = 0.3
SECOND_QUESTION = 0.5
SAFETY_CHECK = 0.25
URGENT = 0.05
THANKS = 0.7


@dataclass(frozen=True)
class Step:
    kind: str  # "say" (text or /command) or "press" (a button, by its payload)
    text: str

    def as_text(self, language: str) -> str:
        """What the reference bot gets for this step: the text, a command without its
        slash, a button's title."""
        if self.kind == "press":
            from mitra.i18n import gettext
            return gettext(language, TITLES[self.text])
        return self.text.lstrip("/")


@dataclass(frozen=True)
class Script:
    language: str  # km, km_latn, th, en
    telegram_language: Optional[str]
    steps: List[Step]

    @property
    def reply_language(self) -> str:
        return "km" if self.language == "km_latn" else self.language


def load_messages(path: Path = MESSAGES) -> Dict[str, dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _pick(rng: random.Random, weights: Dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def script(rng: random.Random, messages: Dict[str, dict]) -> Script:
    language = _pick(rng, {name: group["share"] for name, group in messages.items()})
    group = messages[language]
    steps: List[Step] = []
    if rng.random() < START_COMMAND:
        steps.append(Step("say", "/start"))
    else:
        steps.append(Step("say", rng.choice(group["greetings"])))
    if rng.random() < URGENT:
        steps.append(Step("say", rng.choice(group["urgent"])))
    questions = rng.sample(group["questions"], 2 if rng.random() < SECOND_QUESTION else 1)
    steps += [Step("say", q) for q in questions]
    if rng.random() < SAFETY_CHECK:
        steps.append(Step("say", "/check"))
        steps.append(Step("press", _pick(rng, COUNTRIES)))
        steps += [Step("press", _pick(rng, ANSWERS)) for _ in range(rng.randint(2, 4))]
    if rng.random() < THANKS:
        steps.append(Step("say", rng.choice(group["closings"])))
    return Script(language, rng.choice(group["telegram_language"]), steps)


def scripts(seed: int, messages: Optional[Dict[str, dict]] = None) -> Iterator[Script]:
    """An endless, reproducible stream of scripts."""
    rng = random.Random(seed)
    messages = messages or load_messages()
    while True:
        yield script(rng, messages)


def long_conversation(turns: int, language: str = "km",
                      messages: Optional[Dict[str, dict]] = None) -> Script:
    """One person, `turns` messages: the same cycle of ten (greetings, questions, /help,
    thanks) over and over, so that turns 1-10 and 191-200 ask the same things."""
    group = (messages or load_messages())[language]
    q, g, c = group["questions"], group["greetings"], group["closings"]
    cycle = [g[0], q[0], c[0], q[1], "/help", q[2], g[1], q[3], c[1], q[4]]
    steps = [Step("say", cycle[i % len(cycle)]) for i in range(turns)]
    return Script(language, None, steps)


def _normal(text: str) -> str:
    return re.sub(r"[\s,.?!]+", " ", text.lower()).strip()


def copied_lines(messages: Optional[Dict[str, dict]] = None) -> List[str]:
    """Bench messages that also appear in training data or evaluation sets: there must be
    none, or the benchmark would time answers the model has learnt by heart."""
    sources = [*ROOT.glob("data/**/*.yml"), *ROOT.glob("tests/nlu_heldout/*.yml"),
               *ROOT.glob("tests/danger_eval/*.yml"), ROOT / "tests" / "kb_heldout.yml",
               ROOT / "actions" / "knowledge" / "seed.yml"]
    known = _normal("\n".join(p.read_text(encoding="utf-8") for p in sources if p.exists()))
    lines = [text for group in (messages or load_messages()).values()
             for key in ("greetings", "questions", "urgent", "closings") for text in group[key]]
    return [text for text in lines if _normal(text) in known]
