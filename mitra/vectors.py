"""A sentence vector as text, so that it can travel in a message's parse data.

Rasa embeds every message with e5 (nlu/e5_featurizer.py) and puts the vector in the parse
data as `e5`; the knowledge base's action uses it instead of embedding the same text a
second time with the same model (actions/knowledge_actions.py). float16, little-endian,
base64: about 1 KB for e5-small's 384 dimensions, within 0.0001 in cosine of the vector
itself. Trackers are stored without it (nlu/tracker_store.py): it is needed only in the
turn of its message.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any, Optional

import numpy as np

FIELD = "e5"
_DTYPE = np.dtype("<f2")


def embedded_text(text: str) -> str:
    """The text as Rasa's featurizer embeds it: a vector in the parse data stands for this."""
    return text.replace("\x00", " ").strip() or "."


def pack(vector: Any) -> str:
    return base64.b64encode(np.asarray(vector, dtype=_DTYPE).tobytes()).decode("ascii")


def unpack(text: Any, dimension: int) -> Optional[np.ndarray]:
    """The unit vector packed in `text`, or None if it is not one of `dimension`."""
    if not isinstance(text, str) or len(text) > 4 * dimension:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != dimension * _DTYPE.itemsize:
        return None
    vector = np.frombuffer(raw, dtype=_DTYPE).astype(np.float32)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm < 0.5:
        return None
    return vector / norm
