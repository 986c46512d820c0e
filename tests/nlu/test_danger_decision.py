"""How the danger detector's signals combine (nlu.danger.decide) with the settings we ship
in config.yml, and the classifier signal's own life cycle (fit, save, load)."""
from pathlib import Path

import numpy as np
import pytest
import yaml

from nlu.danger import MitraDangerDetector, decide
from nlu.danger_classifier import DangerClassifier

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped():
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    settings = next(c for c in pipeline if c["name"] == "nlu.danger.MitraDangerDetector")
    return {**MitraDangerDetector.get_default_config(), **settings}


def signals(intent=0.0, margin=-0.05, classifier=0.0, phrase=None, alarm=None):
    return {"intent_confidence": intent, "knn_margin": margin, "classifier": classifier,
            "phrase": phrase, "alarm": alarm}


def test_ordinary_message_raises_nothing(shipped):
    assert decide(signals(), shipped) == []


def test_a_call_for_help_alone_raises_one_whatever_the_classifier_says(shipped):
    # "sos" alone: the classifier has next to nothing to read (it gave 0.02).
    assert decide(signals(classifier=0.02, alarm="en:alarm:sos"), shipped) == ["alarm"]


def test_diet_alone_raises_an_alarm_only_when_near_certain(shipped):
    # DIET can be sure and wrong on complaints it has never seen: alone, only at 0.99+
    # (re-tuned on the dev sets for session 7's model, with its look-alike data).
    assert decide(signals(intent=0.95, classifier=0.05), shipped) == []
    assert decide(signals(intent=0.995, classifier=0.05), shipped) == ["intent"]


def test_diet_and_classifier_agreeing_raise_one(shipped):
    assert decide(signals(intent=0.9, classifier=0.4), shipped) == ["votes"]


def test_a_confident_classifier_alone_raises_one(shipped):
    assert "classifier" in decide(signals(classifier=0.95), shipped)


def test_a_lexicon_phrase_raises_an_alarm_on_its_own(shipped):
    # Negations, hypotheticals and jokes are the lexicon's own business (danger_lexicon):
    # a phrase it reports stands alone, recall first.
    assert decide(signals(phrase="en:lock us in", classifier=0.01), shipped) == ["lexicon"]


def test_a_clear_similarity_margin_alone_raises_one(shipped):
    assert decide(signals(margin=0.05), shipped) == ["similarity"]


def test_without_a_classifier_the_other_signals_still_work(shipped):
    # A model trained before the classifier existed loads without one.
    assert decide(signals(margin=0.05, classifier=None), shipped) == ["similarity"]
    assert decide(signals(phrase="en:lock us in", classifier=None), shipped) == ["lexicon"]


def test_classifier_learns_saves_and_loads(tmp_path):
    rng = np.random.default_rng(0)
    danger = ["they lock us in the room", "boss beat me every day", "come get me please",
              "captain not let us go to land", "they sold me to another boat"] * 4
    ordinary = ["what is minimum wage", "how to extend my visa", "hello how are you",
                "thank you very much", "where can i send money home"] * 4
    texts = danger + ordinary
    vectors = rng.normal(size=(len(texts), 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    classifier = DangerClassifier.fit(texts, vectors, [1] * len(danger) + [0] * len(ordinary))
    path = tmp_path / "classifier.pkl"
    classifier.save(path)
    loaded = DangerClassifier.load(path)
    probe = np.zeros(8)
    assert loaded.probability("they lock us in the room at night", probe) > 0.5
    assert loaded.probability("what is the minimum wage in bangkok", probe) < 0.5
    assert DangerClassifier.load(tmp_path / "missing.pkl") is None
