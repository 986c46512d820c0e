"""A binary danger-now classifier: logistic regression on character n-grams and e5.

One of the danger detector's signals (`nlu/danger.py`). Character n-grams (2 to 4, within
words, case-folded) need no word splitting, so they read Khmer, Thai, romanized Khmer
and misspellings alike; the e5 sentence vector carries meaning across languages. The
classes are weighted by their size, so the few danger examples count as much as all the
ordinary ones together: the probability leans towards danger, which suits a detector
tuned for recall. Inputs too short to say anything still get a probability.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.scripts import blank_invisible

# How much the e5 vector weighs against the n-grams (both are L2-normalised).
E5_WEIGHT = 1.0
# Regularisation: smaller is smoother. Chosen on the dev set (nlu/tune_danger.py).
C = 4.0


def _clean(text: str) -> str:
    return " ".join(blank_invisible(text or "").lower().split())


class DangerClassifier:
    def __init__(self, vectorizer: TfidfVectorizer, model: LogisticRegression) -> None:
        self.vectorizer = vectorizer
        self.model = model

    @classmethod
    def fit(cls, texts: Sequence[str], vectors: np.ndarray, labels: Sequence[int]) -> "DangerClassifier":
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                                     min_df=2, max_features=60000)
        grams = vectorizer.fit_transform([_clean(t) for t in texts])
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
        model.fit(cls._features(grams, vectors), np.asarray(labels))
        return cls(vectorizer, model)

    @staticmethod
    def _features(grams, vectors: np.ndarray):
        return sparse.hstack([grams, sparse.csr_matrix(E5_WEIGHT * np.atleast_2d(vectors))]).tocsr()

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray) -> List[float]:
        grams = self.vectorizer.transform([_clean(t) for t in texts])
        return list(self.model.predict_proba(self._features(grams, vectors))[:, 1])

    def probability(self, text: str, vector: np.ndarray) -> float:
        return float(self.probabilities([text], np.atleast_2d(vector))[0])

    def save(self, path: Path) -> None:
        path.write_bytes(pickle.dumps((self.vectorizer, self.model)))

    @classmethod
    def load(cls, path: Path) -> Optional["DangerClassifier"]:
        # Only ever our own file inside a model we trained (model archives are trusted
        # like code: Rasa's own components pickle too).
        if not path.exists():
            return None
        vectorizer, model = pickle.loads(path.read_bytes())
        return cls(vectorizer, model)
