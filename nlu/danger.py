"""Danger now, from several signals weighed together, tuned for recall (docs/safety-check.md).

Runs after DIET and the FallbackClassifier on every message, and has the last word on
`danger_now`. The signals:
- DIET's confidence for `danger_now` (it also learned the look-alike questions, "what if
  I lose my passport?", as `ask_rights`);
- the curated lexicon with negation and hypothetical cues (`nlu/danger_lexicon.py`): a
  danger phrase that counts, and whether the message carries a hypothetical, past or
  joking cue ("what if", "10 years ago", "haha") at all;
- similarity by e5 embeddings to the danger examples of the training data, against the
  nearest ordinary examples (k nearest neighbours, a margin), which carries paraphrases
  and phrasings no word list has;
- a classifier of its own (logistic regression on character n-grams and the e5 vector,
  `nlu/danger_classifier.py`) trained on danger examples against every other example,
  the hard look-alikes included.
The similarity and the classifier learn from the training data and from minimal pairs
of danger messages and look-alikes kept for them alone (`nlu/danger_examples.py`).
`decide()` weighs them with a logistic regression fitted on the dev sets by
`nlu/tune_danger.py` (the weights are in config.yml), and a message that is only a call
for help ("sos", "ជួយផងៗ") is an alarm whatever they say. When the signals say danger,
the intent becomes `danger_now` (confidence 1.0, the original ranking kept below it) and
the message carries `danger` = {"signals": [...], "score": ...}; when they do not and DIET
still put `danger_now` first, it steps down for the next intent, because DIET alone is
often certain and wrong on ordinary complaints ("the food in the camp is bad"). When the
next intent is unsure too, the message becomes a rights question (`ask_rights`): what
DIET took for danger is nearly always a hardship at work, which the knowledge base answers,
or else offers a person and the safety check; "not understood" would leave the person
with nothing.
"""
from __future__ import annotations

import logging
import math
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
from nlu import danger_examples, danger_lexicon
from nlu.danger_classifier import DangerClassifier

logger = logging.getLogger(__name__)
DANGER = "danger"
EMBEDDINGS_FILE = "embeddings.npz"
CLASSIFIER_FILE = "classifier.pkl"
# The signals that are weighed, in the order of the weights in config.yml.
FEATURES = ("intent", "classifier", "similarity", "lexicon", "hypothetical")
# Probabilities are read as log-odds, clipped: DIET's 1.0 and 0.999 say the same.
_CLIP = 1e-3
# The kNN margin lives within about +-0.05; this brings it to the others' scale.
_MARGIN_SCALE = 50.0


def _logit(p: float) -> float:
    p = min(max(p, _CLIP), 1 - _CLIP)
    return math.log(p / (1 - p))


def features(signals: Dict[str, Any]) -> Dict[str, float]:
    """The numbers the weights apply to (a signal the model lacks counts as 0)."""
    p, m = signals.get("classifier"), signals.get("knn_margin")
    return {"intent": _logit(signals["intent_confidence"]),
            "classifier": 0.0 if p is None else _logit(p),
            "similarity": 0.0 if m is None else _MARGIN_SCALE * m,
            "lexicon": 1.0 if signals.get("phrase") else 0.0,
            "hypothetical": 1.0 if signals.get("hypothetical") else 0.0}


def _pushes(signals: Dict[str, Any], config: Dict[str, Any]) -> Dict[str, float]:
    """What each signal adds to the log-odds of danger."""
    return {k: config["weights"][k] * v for k, v in features(signals).items()}


def _probability(pushes: Dict[str, float], config: Dict[str, Any]) -> float:
    return 1.0 / (1.0 + math.exp(-(config["bias"] + sum(pushes.values()))))


def score(signals: Dict[str, Any], config: Dict[str, Any]) -> float:
    """Probability of danger now, as the dev sets taught the weights."""
    return _probability(_pushes(signals, config), config)


def decide(signals: Dict[str, Any], config: Dict[str, Any]) -> List[str]:
    """Which signals call this message danger now (none: not danger): for an alarm, the
    signals that pushed the score up, strongest first, so staff and logs see why."""
    fired = ["alarm"] if signals.get("alarm") else []
    if signals.get("classifier") is None:
        # A model trained without embeddings has no classifier and no similarity, which
        # the weights were fitted with: DIET and the lexicon alone, each enough.
        fired += [k for k, ok in (("intent", signals["intent_confidence"] >= 0.5),
                                  ("lexicon", signals.get("phrase"))) if ok]
        return fired
    pushes = _pushes(signals, config)
    if _probability(pushes, config) >= config["threshold"]:
        fired += [k for k, push in sorted(pushes.items(), key=lambda kv: -kv[1]) if push > 0]
        fired = fired or ["score"]
    return fired


def lexicon_signals(text: str) -> Dict[str, Any]:
    """The lexicon's signals: a call for help alone, a danger phrase that counts, and a
    hypothetical cue (also read by nlu/tune_danger.py, so a lexicon change needs no parse)."""
    phrase, hypothetical = danger_lexicon.read(text)
    return {"alarm": danger_lexicon.alarm(text), "phrase": phrase, "hypothetical": hypothetical}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class MitraDangerDetector(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent": "danger_now",
            # Embeddings: mean similarity of the k nearest danger examples minus that of
            # the k nearest ordinary ones.
            "knn_k": 5,
            # Log-odds of danger = bias + the weights times features(); config.yml holds
            # those fitted by nlu/tune_danger.py. These defaults trust the classifier and
            # the lexicon, and let a hypothetical cue count against.
            "weights": {"intent": 0.1, "classifier": 1.0, "similarity": 1.0, "lexicon": 2.0,
                        "hypothetical": -2.0},
            "bias": 0.0,
            # An alarm from this probability up.
            "threshold": 0.5,
            # When DIET's `danger_now` steps down, the next intent keeps its place only
            # from this confidence (the FallbackClassifier's threshold), else the message
            # goes to `step_down_to` with that confidence.
            "fallback_threshold": 0.4,
            "step_down_to": "ask_rights",
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
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        return danger_examples.digest()

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
        extra_danger, extra_ordinary = danger_examples.load()
        self.danger = self.ordinary = np.zeros((0, 384), dtype=np.float32)  # dimension for _vectors
        danger_vectors = np.vstack(self._vectors(danger) + self._embedded(extra_danger))
        ordinary_vectors = np.vstack(self._vectors(ordinary) + self._embedded(extra_ordinary))
        self.danger, self.ordinary = danger_vectors, ordinary_vectors
        texts = ([m.get(TEXT) for m in danger] + extra_danger
                 + [m.get(TEXT) for m in ordinary] + extra_ordinary)
        self.classifier = DangerClassifier.fit(
            texts, np.vstack([danger_vectors, ordinary_vectors]),
            [1] * len(danger_vectors) + [0] * len(ordinary_vectors))
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / EMBEDDINGS_FILE, danger=self.danger, ordinary=self.ordinary)
            self.classifier.save(directory / CLASSIFIER_FILE)
        return self._resource

    @staticmethod
    def _embedded(texts: List[str]) -> List[np.ndarray]:
        return list(embed(texts)) if texts else []

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
                 **lexicon_signals(text)}
        fired = decide(found, self.config)
        return {"signals": fired, "score": round(score(found, self.config), 4), **found}

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
            ranking = self._ranked(found["signals"], (message.get(INTENT) or {}).get("name"), ranking)
            if ranking is not None:
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _ranked(self, fired: List[str], top: Optional[str],
                ranking: List[Dict[str, Any]]) -> Optional[List[Dict[str, Any]]]:
        """The new ranking when the decision overrules the top intent, else None: danger
        first on an alarm; without one, DIET's `danger_now` steps down for the next
        intent, or for a rights question (`step_down_to`) when the next is too unsure."""
        intent = self.config["intent"]
        rest = [r for r in ranking if r["name"] != intent]
        if fired:
            return None if top == intent else [{"name": intent, "confidence": 1.0}] + rest
        if top != intent:
            return None
        # The FallbackClassifier added no nlu_fallback: it only does when it overrules the top.
        if rest and rest[0]["confidence"] >= self.config["fallback_threshold"]:
            return rest
        to = self.config["step_down_to"]
        return ([{"name": to, "confidence": self.config["fallback_threshold"]}]
                + [r for r in rest if r["name"] != to])
