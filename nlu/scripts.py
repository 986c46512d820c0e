"""Unicode script classes for the three languages Mitra reads.

Khmer and Thai are written without spaces between words, so the tokenizer and the language
detector both need to know, character by character, which script they are looking at.
"""
from __future__ import annotations

import re
from typing import Iterator, Tuple

KHMER = "Khmr"
THAI = "Thai"
OTHER = "Other"

# Khmer block and Khmer Symbols block.
_KHMER_RANGES = ((0x1780, 0x17FF), (0x19E0, 0x19FF))
_THAI_RANGES = ((0x0E00, 0x0E7F),)

# Characters that separate words without being visible: zero-width space/joiners, BOM, soft
# hyphen. Khmer typists use U+200B between words; we treat all of them as whitespace.
INVISIBLE_SEPARATORS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def _in(ranges: Tuple[Tuple[int, int], ...], ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in ranges)


def script_of(ch: str) -> str:
    if _in(_KHMER_RANGES, ch):
        return KHMER
    if _in(_THAI_RANGES, ch):
        return THAI
    return OTHER


def is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and ord(ch) < 0x0250


def script_runs(text: str) -> Iterator[Tuple[str, int, int]]:
    """Yields (script, start, end) for maximal runs of one script class."""
    start = 0
    current = None
    for i, ch in enumerate(text):
        s = script_of(ch)
        if s != current:
            if current is not None:
                yield current, start, i
            current, start = s, i
    if current is not None:
        yield current, start, len(text)


_SEPARATOR_RE = re.compile(f"[{INVISIBLE_SEPARATORS}]")


def blank_invisible(text: str) -> str:
    """Replaces invisible separators with spaces, keeping every offset unchanged."""
    return _SEPARATOR_RE.sub(" ", text)
