"""The danger detector's own examples (nlu/resources/danger_examples/): every language has
them, each message has one label, and the trained model has learned from all of them."""
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from nlu import danger_examples
from nlu.evaluate import load_examples
from tests.nlu.test_data_apart import normal

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "mitra.tar.gz"
LANGUAGES = ["km", "km_latn", "th", "en", "mixed"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_pairs_of_danger_and_look_alikes(language):
    data = yaml.safe_load((danger_examples.FOLDER / f"{language}.yml").read_text(encoding="utf-8"))
    groups = data["groups"]
    assert len(groups) >= 200
    # Most danger messages come with the look-alikes they are told apart from.
    assert sum(1 for g in groups if len(g["ordinary"]) >= 2) >= 0.9 * len(groups)
    assert all(isinstance(t, str) and t.strip() for g in groups for t in [g["danger"], *g["ordinary"]])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_everyday_messages(language):
    # Plain complaints and everyday life, which the detector once took for danger
    # (docs/safety-check.md, session 14): ordinary messages only, no pairs.
    path = danger_examples.FOLDER / f"everyday_{language}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) == {"ordinary"}
    assert len(set(data["ordinary"])) >= 150


def test_no_message_is_both_danger_and_ordinary():
    danger, ordinary = danger_examples.load()
    assert not {normal(t) for t in danger} & {normal(t) for t in ordinary}


def test_a_changed_file_changes_the_fingerprint(tmp_path):
    (tmp_path / "en.yml").write_text('groups:\n  - danger: "they lock us in"\n    ordinary: []\n')
    before = danger_examples.digest(tmp_path)
    assert danger_examples.load(tmp_path) == (["they lock us in"], [])
    (tmp_path / "en.yml").write_text('groups:\n  - danger: "they locked us in"\n    ordinary: []\n')
    assert danger_examples.digest(tmp_path) != before


def test_the_trained_detector_learned_from_them():
    with tarfile.open(MODEL) as tar:
        member = next(m for m in tar.getmembers()
                      if "MitraDangerDetector" in m.name and m.name.endswith("embeddings.npz"))
        arrays = np.load(io.BytesIO(tar.extractfile(member).read()))
    trained = [gold for _, gold in load_examples(ROOT / "data" / "nlu")]
    danger, ordinary = danger_examples.load()
    assert len(arrays["danger"]) == trained.count("danger_now") + len(danger)
    assert len(arrays["ordinary"]) == len(trained) - trained.count("danger_now") + len(ordinary)
