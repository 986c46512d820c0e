"""The threshold rule of nlu.tune_danger counts recall per language, across the dev sets."""
from nlu.tune_danger import DEV_SETS, dev_examples, language


def test_every_dev_set_is_read_as_one_of_the_five_languages():
    assert language("km_latn") == "km_latn"
    assert language("everyday_km_latn") == "km_latn"
    assert language("heldout_th") == "th"
    assert language("quiet_mixed") == "mixed"
    assert {language(name) for name, _, _ in dev_examples()} == set(DEV_SETS)
