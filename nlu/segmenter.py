"""Word segmentation for mixed Khmer, Thai and Latin text, with exact character offsets.

Thai runs go to PyThaiNLP's `newmm`, Khmer runs to khmer-nltk's CRF segmenter, everything
else is split into word characters. Each word is returned with its start offset in the
original text, so entity annotations and extracted entities line up with what was typed.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import List, Tuple

from nlu.scripts import KHMER, THAI, blank_invisible, script_runs

logger = logging.getLogger(__name__)

# Words in Latin (and any other space-delimited) text: letters/digits, allowing inner
# apostrophes, dots, hyphens and slashes ("don't", "1.5", "e-mail", "24/7").
_OTHER_WORD_RE = re.compile(r"[^\W_]+(?:['’.\-/][^\W_]+)*")
# Khmer punctuation (khan, bariyoosan, ...) is not a word.
_KHMER_PUNCT = set("\u17d4\u17d5\u17d6\u17d7\u17d8\u17d9\u17da")
# Thai punctuation-like signs that newmm may return on their own.
_THAI_PUNCT = set("\u0e2f\u0e46\u0e4f\u0e5a\u0e5b")

Word = Tuple[str, int]


@lru_cache(maxsize=1)
def _thai_tokenize():
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


@lru_cache(maxsize=1)
def _khmer_tokenize():
    # khmer-nltk logs at INFO on first load; keep our logs quiet.
    logging.getLogger("khmer-nltk").setLevel(logging.WARNING)
    from khmernltk import word_tokenize

    return word_tokenize


def _align(pieces: List[str], run: str, offset: int, punct: set) -> List[Word]:
    """Maps segmenter output back onto the run; falls back to the whole rest of the run
    as one word if a segmenter normalised characters and a piece cannot be found."""
    words: List[Word] = []
    pos = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = run.find(piece, pos)
        if found < 0 or run[pos:found].strip():
            rest = run[pos:].strip()
            if rest:
                start = run.index(rest, pos)
                words.append((rest, offset + start))
            return words
        pos = found + len(piece)
        if all(ch in punct for ch in piece):
            continue
        words.append((piece, offset + found))
    return words


def _split_thai(run: str, offset: int) -> List[Word]:
    pieces = _thai_tokenize()(run, engine="newmm", keep_whitespace=False)
    return _align(pieces, run, offset, _THAI_PUNCT)


def _split_khmer(run: str, offset: int) -> List[Word]:
    pieces = _khmer_tokenize()(run, return_tokens=True)
    return _align(pieces, run, offset, _KHMER_PUNCT)


def _split_other(run: str, offset: int) -> List[Word]:
    return [(m.group(), offset + m.start()) for m in _OTHER_WORD_RE.finditer(run)]


def segment(text: str) -> List[Word]:
    """Splits text into (word, start) pairs; `text[start:start+len(word)] == word`."""
    if not text:
        return []
    cleaned = blank_invisible(text)
    words: List[Word] = []
    for script, start, end in script_runs(cleaned):
        run = cleaned[start:end]
        if script == THAI:
            words.extend(_split_thai(run, start))
        elif script == KHMER:
            words.extend(_split_khmer(run, start))
        else:
            words.extend(_split_other(run, start))
    return words
