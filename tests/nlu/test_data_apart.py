"""The evaluation and development sets stay apart from the training data: no message of
tests/danger_eval, tests/danger_dev or tests/nlu_heldout is trained on, however it is
spelled, spaced or punctuated. Otherwise `make eval` would measure memory, not
understanding."""
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ["danger_eval", "danger_dev", "nlu_heldout"]


def normal(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    # Letters, digits and combining marks (Khmer and Thai vowels) only.
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)
    return " ".join(kept.split())


def nlu_examples(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in data.get("nlu") or []:
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                # Entity annotations: [text](entity) and [text]{...} keep their text.
                yield re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line[2:])


def held_out_messages(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "nlu" in data:
        yield from nlu_examples(path)
    for key in ("danger", "ordinary"):
        yield from data.get(key) or []


def training():
    return {normal(t) for path in (ROOT / "data").rglob("*.yml") for t in nlu_examples(path)}


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
