"""What a knowledge-base entry is, and the limits an entry must keep.

One entry answers one kind of question: an id, a topic, the country it applies to, a
source, the date it was last reviewed, example questions and one answer in each of Khmer,
Thai and English. Entries are plain, frozen data: the store keeps them as JSON, the files
as YAML or CSV, and `validate.py` is the one place that turns untrusted input into them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, Tuple

LANGUAGES = ("km", "th", "en")
COUNTRIES = ("KH", "TH", "both")

# Topics the /help browser and the statistics group entries by. A new topic is a code
# change on purpose: it needs a place in those menus, not just a new word in a file.
TOPICS = (
    "documents", "recruitment", "fees", "agency-check", "wages", "unpaid-wages",
    "hours", "days-off", "leave", "social-security", "injury", "changing-employer",
    "complaints", "hotlines", "money-home", "going-home", "safety", "trafficking",
    "privacy",
)

# Button payloads carry the id (`/kb_pick{"kb":"<id>"}`, 17 bytes + id) and Telegram
# allows 64 bytes of callback data: 40 leaves room to spare.
MAX_ID_CHARS = 40
# A phone screen, for people with little literacy: DOMAIN's longest answer is ~360
# characters; 600 is where a Khmer answer needs scrolling on a small phone.
MAX_ANSWER_CHARS = 600
MIN_ANSWER_CHARS = 20
# Example questions are what people type: short. Longer ones are usually an answer
# pasted into the wrong column.
MAX_QUESTION_CHARS = 200
MIN_QUESTIONS = 3
MAX_QUESTIONS = 30
MAX_SOURCE_CHARS = 400
MAX_ENTRIES = 1000


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    country: str
    source: str
    last_reviewed: date
    questions: Dict[str, Tuple[str, ...]]
    answer: Dict[str, str]

    def applies_to(self, country: str | None) -> bool:
        return country is None or self.country in ("both", country)

    def to_dict(self) -> Dict[str, Any]:
        """The plain form used in YAML files and in the store (dates as ISO strings)."""
        return {
            "id": self.id,
            "topic": self.topic,
            "country": self.country,
            "source": self.source,
            "last_reviewed": self.last_reviewed.isoformat(),
            "questions": {lang: list(self.questions[lang]) for lang in LANGUAGES},
            "answer": {lang: self.answer[lang] for lang in LANGUAGES},
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Entry":
        """Trusted data only (the store holds validated entries); files go through
        `validate.validate_entries`."""
        reviewed = data["last_reviewed"]
        return cls(
            id=data["id"],
            topic=data["topic"],
            country=data["country"],
            source=data["source"],
            last_reviewed=reviewed if isinstance(reviewed, date) else date.fromisoformat(reviewed),
            questions={lang: tuple(data["questions"][lang]) for lang in LANGUAGES},
            answer={lang: data["answer"][lang] for lang in LANGUAGES},
        )
