"""BM25 over character n-grams: the surface evidence that embeddings blur.

Why characters and not words: Khmer and Thai have no spaces, and people misspell
("pasport", "salery"); 2- to 4-character pieces match across both without a word
segmenter. On the dev split (`python -m actions.knowledge.tune --compare`) this did as
well as word BM25 over PyThaiNLP/khmer-nltk words, without adding those libraries (and
their seconds of start-up) to the action server.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Dict, List, Sequence, Tuple

import numpy as np

from actions.knowledge.text import normalize

NGRAMS = (2, 4)
K1, B = 1.2, 0.75  # the usual BM25 constants; not tuned


def ngrams(text: str) -> List[str]:
    text = " " + normalize(text).casefold() + " "
    return [
        text[i:i + n] for n in range(NGRAMS[0], NGRAMS[1] + 1) for i in range(len(text) - n + 1)
    ]


class CharBM25:
    """One document per entry: its example questions and answers in all languages."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.size = len(documents)
        counts = [Counter(g for text in doc for g in ngrams(text)) for doc in documents]
        lengths = np.array([sum(c.values()) for c in counts], dtype=np.float32)
        average = float(lengths.mean()) if self.size else 1.0
        self._norm = K1 * (1 - B + B * lengths / max(average, 1.0))
        self._postings: Dict[str, List[Tuple[int, int]]] = defaultdict(list)
        for doc, counter in enumerate(counts):
            for gram, tf in counter.items():
                self._postings[gram].append((doc, tf))
        self._idf = {
            gram: math.log(1 + (self.size - len(p) + 0.5) / (len(p) + 0.5))
            for gram, p in self._postings.items()
        }

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        for gram in set(ngrams(query)):
            postings = self._postings.get(gram)
            if not postings:
                continue
            idf = self._idf[gram]
            for doc, tf in postings:
                out[doc] += idf * tf * (K1 + 1) / (tf + self._norm[doc])
        return out
