"""One spelling for text people type and text admins write, before matching.

Khmer has interchangeable spellings that look the same on screen: ឲ្យ and ឱ្យ ("give",
"let"), the subscripts ្ដ and ្ត, and the deprecated independent vowels ឣ and ឤ; Khmer
typists also put zero-width spaces between words. Matching should not depend on which
keyboard or habit wrote the question.
"""
from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_KHMER_VARIANTS = str.maketrans({"\u17b2": "\u17b1", "\u17a3": "\u17a2"})


def normalize(text: str) -> str:
    text = _INVISIBLE.sub(" ", unicodedata.normalize("NFC", text or ""))
    text = text.translate(_KHMER_VARIANTS)
    text = text.replace("\u17d2\u178a", "\u17d2\u178f").replace("\u17a4", "\u17a2\u17b6")
    return " ".join(text.split())
