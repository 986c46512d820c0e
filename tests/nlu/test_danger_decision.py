"""How the danger detector's signals combine (nlu.danger.decide) with the settings we ship
in config.yml, and the classifier signal's own life cycle (fit, save, load)."""
from pathlib import Path

import numpy as np
import pytest
import yaml

from nlu.danger import MitraDangerDetector, decide, score
from nlu.danger_classifier import DangerClassifier

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped():
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    settings = next(c for c in pipeline if c["name"] == "nlu.danger.MitraDangerDetector")
    return {**MitraDangerDetector.get_default_config(), **settings}


def signals(intent=0.0, margin=-0.02, classifier=0.05, phrase=None, alarm=None,
            hypothetical=False):
    return {"intent_confidence": intent, "knn_margin": margin, "classifier": classifier,
            "phrase": phrase, "alarm": alarm, "hypothetical": hypothetical}


def test_ordinary_message_raises_nothing(shipped):
    assert decide(signals(), shipped) == []


def test_a_call_for_help_alone_raises_one_whatever_the_classifier_says(shipped):
    # "sos" alone: the classifier has next to nothing to read (it gave 0.02).
    assert decide(signals(classifier=0.02, alarm="en:alarm:sos"), shipped)[0] == "alarm"


def test_diet_alone_is_not_enough(shipped):
    # DIET is often certain and wrong on complaints it has never seen ("my contract says
    # 350 baht a day but they pay me 300" got 1.0): certainty alone raises no alarm.
    assert decide(signals(intent=1.0, classifier=0.1), shipped) == []


def test_a_confident_classifier_raises_one_and_says_so(shipped):
    assert decide(signals(classifier=0.95, margin=0.0), shipped)[0] == "classifier"


def test_signals_that_agree_weakly_raise_one_together(shipped):
    # Each alone too weak; DIET, the classifier and the similarity together are not.
    assert decide(signals(classifier=0.12, margin=0.0), shipped) == []
    fired = decide(signals(intent=0.95, classifier=0.12, margin=0.01), shipped)
    assert {"intent", "similarity"} <= set(fired)


def test_a_lexicon_phrase_tips_a_doubtful_message(shipped):
    doubtful = signals(classifier=0.12, margin=0.0)
    assert decide(doubtful, shipped) == []
    assert "lexicon" in decide({**doubtful, "phrase": "en:lock us in"}, shipped)


def test_a_hypothetical_cue_counts_against(shipped):
    # "what if they lock me in", "haha", "10 years ago": the classifier reads the words.
    worried = signals(classifier=0.8, margin=0.0)
    assert decide(worried, shipped)
    assert decide({**worried, "hypothetical": True}, shipped) == []


def test_the_score_rises_with_each_signal(shipped):
    base = signals(classifier=0.5, margin=0.0)
    for more in (dict(intent_confidence=0.9), dict(classifier=0.7), dict(knn_margin=0.01),
                 dict(phrase="en:lock us in")):
        assert score({**base, **more}, shipped) > score(base, shipped), more


def test_without_a_classifier_diet_and_the_lexicon_still_work(shipped):
    # A model trained without embeddings has neither classifier nor similarity.
    assert decide(signals(classifier=None, margin=None), shipped) == []
    assert decide(signals(intent=0.9, classifier=None, margin=None), shipped) == ["intent"]
    assert decide(signals(phrase="en:lock us in", classifier=None, margin=None), shipped) == ["lexicon"]


def _detector(shipped):
    return MitraDangerDetector(shipped, model_storage=None, resource=None)


def test_an_alarm_puts_danger_first(shipped):
    ranking = [{"name": "ask_wages", "confidence": 0.8}, {"name": "danger_now", "confidence": 0.1}]
    ranked = _detector(shipped)._ranked(["classifier"], "ask_wages", ranking)
    assert ranked[0] == {"name": "danger_now", "confidence": 1.0}
    assert [r["name"] for r in ranked[1:]] == ["ask_wages"]


def test_without_an_alarm_diets_danger_steps_down_for_the_next_intent(shipped):
    ranking = [{"name": "danger_now", "confidence": 0.55}, {"name": "ask_wages", "confidence": 0.42},
               {"name": "greet", "confidence": 0.03}]
    ranked = _detector(shipped)._ranked([], "danger_now", ranking)
    assert [r["name"] for r in ranked] == ["ask_wages", "greet"]


def test_without_an_alarm_and_no_sure_second_the_message_is_a_rights_question(shipped):
    # What DIET took for danger is a hardship at work: the knowledge base answers it, or
    # offers a person and the safety check, rather than "not understood".
    ranking = [{"name": "danger_now", "confidence": 0.9}, {"name": "greet", "confidence": 0.05},
               {"name": "ask_rights", "confidence": 0.04}]
    ranked = _detector(shipped)._ranked([], "danger_now", ranking)
    assert ranked[0] == {"name": "ask_rights", "confidence": 0.4}
    assert [r["name"] for r in ranked[1:]] == ["greet"]


def test_a_decision_that_agrees_with_the_top_intent_changes_nothing(shipped):
    ranking = [{"name": "ask_wages", "confidence": 0.9}]
    assert _detector(shipped)._ranked([], "ask_wages", ranking) is None
    assert _detector(shipped)._ranked(["intent"], "danger_now", [{"name": "danger_now", "confidence": 1.0}]) is None


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
