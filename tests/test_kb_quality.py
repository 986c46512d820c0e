"""The held-out questions (tests/kb_heldout.yml, never tuned on): confident answers must
almost never be wrong.

Why 2 %: it is the issue's target for confident-wrong answers, per language; a wrong
answer stated with confidence is worse than "did you mean" buttons or a person, because
a migrant may act on it. The thresholds were set on the dev split for 1 % (tune.py), so
the test leaves room for the difference between dev and held-out questions, but not for
a change to weights, thresholds or model that makes confident answers careless.
"""
import yaml

from actions.knowledge.evaluate import HELDOUT, LANGS, evaluate
from tests.kb_support import embedder, seed_entries, seed_index  # noqa: F401 (fixtures)

MAX_CONFIDENT_WRONG = 0.02


def test_confident_wrong_answers_stay_under_two_percent_in_every_language(seed_index):
    questions = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["questions"]
    result = evaluate(seed_index, questions)
    for lang in LANGS:
        figures = result[lang]
        assert figures["questions"] >= 150
        assert figures["confident_wrong"] <= MAX_CONFIDENT_WRONG, (lang, figures)
        # The right entry is almost always on the buttons when not answered outright.
        assert figures["top3"] >= 0.9, (lang, figures)
