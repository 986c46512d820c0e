"""Danger now, from three signals, tuned for recall (see docs/safety-check.md).

Runs after DIET on every message and can only ever raise an alarm, never silence one:
- DIET's confidence for `danger_now` (it also learned the look-alike questions, "what if
  I lose my passport?", as `ask_rights`);
- the curated lexicon with negation and hypothetical cues (`nlu/danger_lexicon.py`);
- similarity by e5 embeddings to the danger examples of the training data, against the
  nearest ordinary examples (k nearest neighbours, a margin), which carries paraphrases
  and phrasings no word list has.
When the signals say danger, the intent becomes `danger_now` (confidence 1.0, the original
ranking kept below it) and the message carries `danger` = {"signals": [...], ...}, so every
rule and form treats it as danger now, whatever else was going on.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import danger_lexicon
from nlu.e5_featurizer import embed

logger = logging.getLogger(__name__)
DANGER = "danger"
EMBEDDINGS_FILE = "embeddings.npz"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class MitraDangerDetector(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent": "danger_now",
            # DIET alone: its danger confidence at or above this is danger.
            "intent_threshold": 0.35,
            # Embeddings: mean similarity of the k nearest danger examples minus that of
            # the k nearest ordinary ones.
            "knn_k": 5,
            "knn_margin": 0.02,
            # Weaker signals that count together: DIET above `weak_intent` and a kNN
            # margin above `weak_margin`.
            "weak_intent": 0.10,
            "weak_margin": 0.0,
            "use_lexicon": True,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 danger: Optional[np.ndarray] = None, ordinary: Optional[np.ndarray] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.danger = danger
        self.ordinary = ordinary

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "MitraDangerDetector":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "MitraDangerDetector":
        try:
            with model_storage.read_from(resource) as directory:
                arrays = np.load(directory / EMBEDDINGS_FILE)
                return cls(config, model_storage, resource, arrays["danger"], arrays["ordinary"])
        except (ValueError, FileNotFoundError):
            logger.warning("danger detector has no embeddings; lexicon and DIET only")
            return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        intent = self.config["intent"]
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        danger = [m for m in examples if m.get(INTENT) == intent]
        ordinary = [m for m in examples if m.get(INTENT) != intent]
        self.danger = self.ordinary = np.zeros((0, 384), dtype=np.float32)  # dimension for _vectors
        self.danger = np.vstack(self._vectors(danger))
        self.ordinary = np.vstack(self._vectors(ordinary))
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / EMBEDDINGS_FILE, danger=self.danger, ordinary=self.ordinary)
        return self._resource

    def _knn_margin(self, vector: np.ndarray) -> Optional[float]:
        if self.danger is None or not len(self.danger):
            return None
        k = self.config["knn_k"]
        top = lambda sims: float(np.mean(np.sort(sims)[-k:]))
        return top(self.danger @ vector) - top(self.ordinary @ vector)

    def signals(self, text: str, ranking: List[Dict[str, Any]], vector: Optional[np.ndarray]) -> Dict[str, Any]:
        intent = self.config["intent"]
        confidence = next((r["confidence"] for r in ranking if r["name"] == intent), 0.0)
        margin = self._knn_margin(vector) if vector is not None else None
        phrase = danger_lexicon.signal(text) if self.config["use_lexicon"] else None
        fired = []
        if confidence >= self.config["intent_threshold"]:
            fired.append("intent")
        if phrase:
            fired.append("lexicon")
        if margin is not None and margin >= self.config["knn_margin"]:
            fired.append("similarity")
        if (not fired and margin is not None and confidence >= self.config["weak_intent"]
                and margin >= self.config["weak_margin"]):
            fired.append("intent+similarity")
        return {"signals": fired, "intent_confidence": round(confidence, 3),
                "knn_margin": None if margin is None else round(margin, 4), "phrase": phrase}

    def _vectors(self, messages: List[Message]) -> List[Optional[np.ndarray]]:
        """e5 vectors: those the E5SentenceFeaturizer already put on the message (so the
        model runs once per message), else computed here."""
        if self.danger is None:
            return [None] * len(messages)
        dim = self.danger.shape[1]
        vectors: List[Optional[np.ndarray]] = []
        missing = []
        for i, message in enumerate(messages):
            _, sentence = message.get_dense_features(TEXT)
            found = None
            if sentence is not None and sentence.features.shape[-1] >= dim:
                found = np.asarray(sentence.features).reshape(-1)[-dim:]
            vectors.append(found)
            if found is None:
                missing.append(i)
        if missing:
            for i, vector in zip(missing, embed([messages[i].get(TEXT) for i in missing])):
                vectors[i] = vector
        return vectors

    def process(self, messages: List[Message]) -> List[Message]:
        messages_with_text = [m for m in messages if m.get(TEXT)]
        for message, vector in zip(messages_with_text, self._vectors(messages_with_text)):
            ranking = message.get(INTENT_RANKING_KEY) or []
            found = self.signals(message.get(TEXT), ranking, vector)
            message.set(DANGER, found, add_to_output=True)
            if found["signals"] and (message.get(INTENT) or {}).get("name") != self.config["intent"]:
                top = {"name": self.config["intent"], "confidence": 1.0}
                rest = [r for r in ranking if r["name"] != self.config["intent"]]
                message.set(INTENT, top, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [top] + rest, add_to_output=True)
        return messages
