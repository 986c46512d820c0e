"""Sentence embeddings from multilingual-e5-small as dense features for DIET.

Count vectors only know the words seen in training; e5 places paraphrases and other
languages' phrasings near each other, which matters for short, misspelled, mixed-language
messages. The model runs in onnxruntime (Rasa's Python 3.10 has no PyTorch), in int8:
mitra/e5_onnx.py.
"""
from __future__ import annotations

import os
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

from mitra import e5_onnx, vectors


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(),
                "threads": int(os.environ.get("MITRA_E5_THREADS", "1")),
                # Which network: a new export must not reuse features cached from the old.
                "network": e5_onnx.fingerprint()}

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
        found = e5_onnx.embed([m.get(TEXT) for m in messages], self.threads)
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
