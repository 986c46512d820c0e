"""A curated lexicon of danger-now phrases in Khmer, romanized Khmer, Thai and English,
with negation ("nobody hits me") and hypothetical cues ("what if", "last year", "on TV").

One of the danger detector's signals (`nlu/danger.py`). Latin phrases match on word
boundaries, case-insensitively. Khmer and Thai phrases match in the text with spaces
removed, because those scripts do not separate words, but only where a match starts and
ends on a word boundary found by our segmenter: Thai "อด" (starve) must not fire inside
"ปลอดภัย" (safe). A phrase counts when no negation cue stands just before it and the
message carries no hypothetical cue.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Tuple

import yaml

from nlu.scripts import blank_invisible
from nlu.segmenter import segment

LEXICON = Path(__file__).parent / "resources" / "danger_lexicon.yml"
LATIN_LANGUAGES = ("en", "km_latn")
# How far before a phrase a negation cue still negates it.
LATIN_NEGATION_WINDOW = 24  # characters, about three words
SCRIPT_NEGATION_WINDOW = 6


@dataclass(frozen=True)
class Hit:
    language: str
    phrase: str
    negated: bool


@dataclass(frozen=True)
class _Language:
    danger: List[Tuple[str, Pattern]]
    negation: List[Pattern]
    hypothetical: List[Pattern]
    latin: bool
    alarm: List[Tuple[str, Pattern]] = ()  # longest first: "please help me" before "help me"


def _compile(pattern: str, latin: bool) -> Pattern:
    if latin:
        return re.compile(rf"(?<![\w]){pattern}(?![\w])", re.IGNORECASE)
    return re.compile(pattern.replace(" ", ""))


def _compile_alarm(pattern: str, latin: bool) -> Pattern:
    # Digits may touch a Latin call ("juoy phong2": twice), letters may not.
    if latin:
        return re.compile(rf"(?<![^\W\d_]){pattern}(?![^\W\d_])", re.IGNORECASE)
    return re.compile(pattern.replace(" ", ""))


@lru_cache(maxsize=1)
def load(path: Path = LEXICON) -> Dict[str, _Language]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    languages = {}
    for code, entry in data["languages"].items():
        latin = code in LATIN_LANGUAGES
        languages[code] = _Language(
            danger=[(p, _compile(p, latin)) for p in entry.get("danger") or []],
            negation=[_compile(p, latin) for p in entry.get("negation") or []],
            hypothetical=[_compile(p, latin) for p in entry.get("hypothetical") or []],
            latin=latin,
            alarm=[(p, _compile_alarm(p, latin))
                   for p in sorted(entry.get("alarm") or [], key=len, reverse=True)],
        )
    return languages


@dataclass(frozen=True)
class _Prepared:
    latin: str
    joined: str  # words without spaces, for Khmer and Thai phrases
    boundaries: frozenset  # offsets in `joined` where a word starts or ends


def _prepare(text: str) -> _Prepared:
    cleaned = blank_invisible(text)
    latin = re.sub(r"\s+", " ", cleaned.lower())
    joined, boundaries = "", {0}
    for word, _ in segment(cleaned):
        joined += word
        boundaries.add(len(joined))
    # khmer-nltk keeps Khmer digits with the word after them ("១០ឆ្នាំ", ten years):
    # where digits meet letters is a word boundary too, so "ឆ្នាំមុន" (years ago) counts.
    boundaries.update(i for i in range(1, len(joined))
                      if joined[i - 1].isdigit() != joined[i].isdigit())
    return _Prepared(latin, joined, frozenset(boundaries))


def _matches(lang: _Language, pattern: Pattern, prepared: _Prepared):
    if lang.latin:
        yield from ((m, prepared.latin) for m in pattern.finditer(prepared.latin))
        return
    for m in pattern.finditer(prepared.joined):
        if m.start() in prepared.boundaries and m.end() in prepared.boundaries:
            yield m, prepared.joined


def _negated(lang: _Language, text: str, start: int, end: int) -> bool:
    """A negation cue that starts shortly before the phrase; it may run into it ("doesnt
    lock" before "lock us in", "ไม่ได้โดน" before "โดนขัง"). A cue that starts where the
    phrase starts is the phrase's own negative verb, not a negation of it."""
    window = LATIN_NEGATION_WINDOW if lang.latin else SCRIPT_NEGATION_WINDOW
    low = max(0, start - window)
    around = text[low:end]
    return any(m.start() < start - low for p in lang.negation for m in p.finditer(around))


def hits(text: str, prepared: Optional[_Prepared] = None) -> List[Hit]:
    prepared = prepared or _prepare(text)
    found = []
    for code, lang in load().items():
        for phrase, pattern in lang.danger:
            for match, haystack in _matches(lang, pattern, prepared):
                found.append(Hit(code, phrase, _negated(lang, haystack, match.start(), match.end())))
    return found


def hypothetical(text: str, prepared: Optional[_Prepared] = None) -> bool:
    prepared = prepared or _prepare(text)
    return any(
        next(_matches(lang, p, prepared), None) is not None
        for lang in load().values()
        for p in lang.hypothetical
    )


# What may be left of a message that is only calls for help: punctuation, symbols and
# emoji, digits ("juoy phong2"), spaces and the Khmer repetition sign ៗ; no letter and no
# vowel or tone mark (Thai "ช่วยที่" is not "ช่วยที").
_AROUND_ALARM = {"P", "S", "N", "Z"}
_KHMER_REPETITION = "\u17d7"


def _only_around_alarm(rest: str) -> bool:
    return all(c.isspace() or c == _KHMER_REPETITION
               or unicodedata.category(c)[0] in _AROUND_ALARM for c in rest)


def alarm(text: str) -> Optional[str]:
    """The first call for help, when calls for help are the whole message, else None."""
    rest = blank_invisible(text).lower()
    found: List[str] = []
    languages = load().items()
    # Latin calls on the text with its spaces, then Khmer and Thai ones without them.
    for latin in (True, False):
        if not latin:
            rest = re.sub(r"\s+", "", rest)
        for code, lang in languages:
            if lang.latin != latin:
                continue
            for phrase, pattern in lang.alarm:
                rest, count = pattern.subn(" " if latin else "", rest)
                if count:
                    found.append(f"{code}:alarm:{phrase}")
    return found[0] if found and _only_around_alarm(rest) else None


# "SOS" inside a longer message counts only in capitals: romanized Khmer writes "sos"
# (សោះ, "at all") in everyday complaints ("ot chhnganh sos": not tasty at all). A message
# that is only "sos" is an alarm() in any case.
_CAPITAL_SOS = re.compile(r"(?<![^\W\d_])S\.?O\.?S(?![^\W\d_])")


def signal(text: str) -> Optional[str]:
    """The first danger phrase that counts, or None."""
    return read(text)[0]


def read(text: str) -> Tuple[Optional[str], bool]:
    """The first danger phrase that counts (or None), and whether the message carries a
    hypothetical cue: the lexicon's two signals, from one segmentation."""
    prepared = _prepare(text)
    if hypothetical(text, prepared):
        return None, True
    if _CAPITAL_SOS.search(blank_invisible(text)):
        return "en:SOS", False
    for hit in hits(text, prepared):
        if not hit.negated:
            return f"{hit.language}:{hit.phrase}", False
    return None, False
