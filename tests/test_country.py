"""Where the person is, from what they wrote (mitra/country.py)."""
import pytest

from mitra.country import infer_country


@pytest.mark.parametrize("text,country", [
    ("i work in a factory in Rayong", "TH"),
    ("boss pay me 300 baht only", "TH"),
    ("ខ្ញុំនៅបាងកក", "TH"),
    ("ผมอยู่ชลบุรี", "TH"),
    ("I am back in Phnom Penh now", "KH"),
    ("ខ្ញុំនៅភ្នំពេញ", "KH"),
    ("hello", None),
    ("I want to go home to Cambodia", None),
    ("from Poipet to Bangkok", None),
])
def test_infer_country(text, country):
    assert infer_country(text) == country
