"""The evaluation and development sets stay apart from the training data: no message of
tests/danger_eval, tests/danger_dev, tests/danger_fresh, tests/nlu_heldout or
tests/everyday_heldout is trained on (in data/nlu or among the danger detector's own
examples), however it is spelled, spaced or punctuated. Otherwise `make eval` would
measure memory, not understanding."""
import unicodedata
from pathlib import Path

import pytest
import yaml

from nlu import danger_examples
from nlu.evaluate import load_examples

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ["danger_eval", "danger_dev", "danger_fresh", "nlu_heldout", "everyday_heldout"]


def normal(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    # Letters, digits and combining marks (Khmer and Thai vowels) only.
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)
    return " ".join(kept.split())


def held_out_messages(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "nlu" in data:  # Rasa's format (tests/nlu_heldout): Rasa's loader strips annotations
        return [text for text, _ in load_examples(path)]
    return [m for key in ("danger", "ordinary") for m in data.get(key) or []]


def training():
    """What the model learns from: data/nlu, and the danger detector's own examples."""
    danger, ordinary = danger_examples.load()
    return ({normal(text) for text, _ in load_examples(ROOT / "data" / "nlu")}
            | {normal(text) for text in danger + ordinary})


def test_the_training_data_is_read():
    assert len(training()) > 3000


@pytest.mark.parametrize("folder", HELD_OUT)
def test_no_held_out_message_is_trained_on(folder):
    trained = training()
    files = sorted((ROOT / "tests" / folder).glob("*.yml"))
    assert files
    messages = [(f.name, m) for f in files for m in held_out_messages(f) if isinstance(m, str)]
    assert len(messages) > 100
    both = [(name, m) for name, m in messages if normal(m) in trained]
    assert not both, both[:10]
