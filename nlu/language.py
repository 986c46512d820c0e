"""Which language a message is written in: Khmer (also romanized), Thai or English.

Script decides first: any Khmer or Thai letters settle it. Text in Latin letters is either
English or Khmer typed in Latin letters ("knhom jong sour"); there we weigh each word
against two word lists (`resources/`) and, for words in neither, against a character
trigram model built from those lists, so that unseen spellings ("knyom", "jomreap") still
count. The result says how strong the evidence is; the dialogue only lets strong evidence
override a language the person already uses or chose.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, Optional, Set

from nlu.scripts import KHMER, THAI, is_latin_letter, script_of

RESOURCES = Path(__file__).parent / "resources"

KM, TH, EN = "km", "th", "en"
LATIN = "Latn"

# Evidence needed (in "word units") before Latin text counts at all, and before it is
# strong enough to move a conversation to the other language.
MIN_LATIN_SCORE = 0.5
STRONG_LATIN_SCORE = 1.5
# Unknown words weigh less than words found in a list.
NGRAM_WEIGHT = 0.6

_WORD_RE = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Detection:
    code: Optional[str]  # "km", "th", "en" or None when nothing can be told
    script: str  # "Khmr", "Thai", "Latn" or "Other"
    score: float  # evidence: share of letters for scripts, word units for Latin
    strong: bool  # strong enough to switch an ongoing conversation

    def as_dict(self) -> Dict[str, object]:
        return asdict(self)


def _load_words(name: str) -> Set[str]:
    words = set()
    for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        line = line.strip().lower()
        if line and not line.startswith("#"):
            words.update(_WORD_RE.findall(line))
    return words


class _TrigramModel:
    """Add-one smoothed character trigram model over boundary-padded words."""

    def __init__(self, words: Iterable[str]) -> None:
        self.counts: Counter = Counter()
        self.context: Counter = Counter()
        for word in words:
            padded = f"^^{word}$"
            for i in range(len(padded) - 2):
                self.counts[padded[i : i + 3]] += 1
                self.context[padded[i : i + 2]] += 1
        self.vocab = 28

    def logprob(self, word: str) -> float:
        padded = f"^^{word}$"
        total = 0.0
        for i in range(len(padded) - 2):
            tri, ctx = padded[i : i + 3], padded[i : i + 2]
            total += math.log((self.counts[tri] + 1) / (self.context[ctx] + self.vocab))
        return total


@lru_cache(maxsize=1)
def _models():
    km_words = _load_words("km_latn_words.txt")
    markers = _load_words("km_latn_markers.txt")
    en_words = _load_words("en_words.txt") - markers
    km_words |= markers
    return km_words, en_words, _TrigramModel(km_words), _TrigramModel(en_words)


def _squeeze(word: str) -> str:
    """'helloooo' -> 'hello', 'orkunnn' -> 'orkun': chat elongation is not spelling."""
    return re.sub(r"(.)\1{2,}", r"\1", word)


def _word_score(word: str) -> float:
    """Positive for romanized Khmer, negative for English."""
    km_words, en_words, km_model, en_model = _models()
    candidates = {word, _squeeze(word), re.sub(r"(.)\1+", r"\1", word)}
    in_km = any(w in km_words for w in candidates)
    in_en = any(w in en_words for w in candidates)
    if in_km and not in_en:
        return 1.0
    if in_en and not in_km:
        return -1.0
    if in_km and in_en:
        return 0.0
    if len(word) < 3:
        return 0.0
    llr = (km_model.logprob(word) - en_model.logprob(word)) / len(word)
    return NGRAM_WEIGHT * max(-1.0, min(1.0, llr))


def _latin_detection(text: str) -> Detection:
    words = _WORD_RE.findall(text.lower())
    score = sum(_word_score(w) for w in words)
    if abs(score) < MIN_LATIN_SCORE:
        return Detection(None, LATIN, round(score, 3), False)
    code = KM if score > 0 else EN
    return Detection(code, LATIN, round(score, 3), abs(score) >= STRONG_LATIN_SCORE)


def detect(text: str) -> Detection:
    khmer = thai = latin = 0
    for ch in text or "":
        script = script_of(ch)
        if script == KHMER:
            khmer += ch.isalpha() or ch.isdigit() or 0x17B6 <= ord(ch) <= 0x17D3
        elif script == THAI:
            thai += 1
        elif is_latin_letter(ch):
            latin += 1
    if khmer or thai:
        # Anyone typing Khmer or Thai script reads it; Latin words beside it are loans.
        code, script, count = (KM, KHMER, khmer) if khmer >= thai else (TH, THAI, thai)
        share = count / (khmer + thai + latin)
        return Detection(code, script, round(share, 3), count >= 2)
    if latin:
        return _latin_detection(text)
    return Detection(None, "Other", 0.0, False)
