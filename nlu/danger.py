"""Danger now, from three signals, tuned for recall (see docs/safety-check.md).

Runs after DIET on every message and can only ever raise an alarm, never silence one:
- DIET's confidence for `danger_now` (it also learned the look-alike questions, "what if
  I lose my passport?", as `ask_rights`);
- the curated lexicon with negation and hypothetical cues (`nlu/danger_lexicon.py`);
- similarity by e5 embeddings to the danger examples of the training data, against the
  nearest ordinary examples (k nearest neighbours, a margin), which carries paraphrases
  and phrasings no word list has;
- a classifier of its own (logistic regression on character n-grams and the e5 vector,
  `nlu/danger_classifier.py`) trained on danger examples against every other example,
  the hard look-alikes included. DIET shares its capacity with a dozen intents and is
  often certain and wrong on ordinary complaints; this one only learns the one question
  and gives a probability that can be thresholded.
How the signals combine is `decide()`, shared with `nlu/tune_danger.py`.
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

from mitra.e5_onnx import embed
from nlu import danger_lexicon
from nlu.danger_classifier import DangerClassifier

logger = logging.getLogger(__name__)
DANGER = "danger"
EMBEDDINGS_FILE = "embeddings.npz"
CLASSIFIER_FILE = "classifier.pkl"


def decide(signals: Dict[str, Any], config: Dict[str, Any]) -> List[str]:
    """Which signals call this message danger now (none: not danger).

    Each signal alone with its own threshold; a threshold above what the signal can reach
    turns it off. Then the weaker evidence: enough of DIET, the classifier and the
    similarity margin each past a lower threshold (votes), and the older pair rule of DIET
    and similarity."""
    c = signals["intent_confidence"]
    m = signals["knn_margin"]
    p = signals.get("classifier")
    fired = []
    # A message that is only a call for help ("sos", "ជួយផងៗ"): nothing else to weigh.
    if config["use_lexicon"] and signals.get("alarm"):
        fired.append("alarm")
    if c >= config["intent_threshold"]:
        fired.append("intent")
    if config["use_lexicon"] and signals["phrase"] and (p is None or p >= config["lexicon_support"]):
        fired.append("lexicon")
    if m is not None and m >= config["knn_margin"]:
        fired.append("similarity")
    if p is not None and p >= config["classifier_threshold"]:
        fired.append("classifier")
    votes = ((c >= config["vote_intent"]) + (p is not None and p >= config["vote_classifier"])
             + (m is not None and m >= config["vote_margin"]))
    if not fired and votes >= config["votes_needed"]:
        fired.append("votes")
    if (not fired and m is not None and c >= config["weak_intent"]
            and m >= config["weak_margin"]
            and (p is None or p >= config["weak_classifier"])):
        fired.append("intent+similarity")
    return fired


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
            # ... and, when the classifier exists, its probability above `weak_classifier`.
            "weak_classifier": 0.0,
            # The classifier alone: its probability of danger at or above this.
            "classifier_threshold": 0.5,
            "use_lexicon": True,
            # A lexicon phrase counts when the classifier gives at least this (0: always).
            "lexicon_support": 0.0,
            # Votes: DIET, the classifier and the kNN margin each past these; danger when
            # at least `votes_needed` agree (4: off).
            "vote_intent": 0.5,
            "vote_classifier": 0.5,
            "vote_margin": 0.0,
            "votes_needed": 4,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 danger: Optional[np.ndarray] = None, ordinary: Optional[np.ndarray] = None,
                 classifier: Optional[DangerClassifier] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.danger = danger
        self.ordinary = ordinary
        self.classifier = classifier

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "MitraDangerDetector":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "MitraDangerDetector":
        try:
            with model_storage.read_from(resource) as directory:
                arrays = np.load(directory / EMBEDDINGS_FILE)
                classifier = DangerClassifier.load(directory / CLASSIFIER_FILE)
                return cls(config, model_storage, resource, arrays["danger"], arrays["ordinary"],
                           classifier)
        except (ValueError, FileNotFoundError):
            logger.warning("danger detector has no embeddings; lexicon and DIET only")
            return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        intent = self.config["intent"]
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        danger = [m for m in examples if m.get(INTENT) == intent]
        ordinary = [m for m in examples if m.get(INTENT) != intent]
        self.danger = self.ordinary = np.zeros((0, 384), dtype=np.float32)  # dimension for _vectors
        danger_vectors = np.vstack(self._vectors(danger))
        ordinary_vectors = np.vstack(self._vectors(ordinary))
        self.danger, self.ordinary = danger_vectors, ordinary_vectors
        self.classifier = DangerClassifier.fit(
            [m.get(TEXT) for m in danger + ordinary],
            np.vstack([danger_vectors, ordinary_vectors]),
            [1] * len(danger) + [0] * len(ordinary))
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / EMBEDDINGS_FILE, danger=self.danger, ordinary=self.ordinary)
            self.classifier.save(directory / CLASSIFIER_FILE)
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
        probability = (self.classifier.probability(text, vector)
                       if self.classifier is not None and vector is not None else None)
        found = {"intent_confidence": round(confidence, 3),
                 "knn_margin": None if margin is None else round(margin, 4),
                 "classifier": None if probability is None else round(probability, 4),
                 "phrase": danger_lexicon.signal(text),
                 "alarm": danger_lexicon.alarm(text)}
        return {"signals": decide(found, self.config), **found}

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
