"""Every sentence exists in Khmer, Thai and English, and the catalogs match the code."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from mitra.responses import RESPONSES
from mitra.i18n import LANGUAGES, gettext

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def catalog(language):
    with open(LOCALES / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=language)


def template():
    with open(LOCALES / "messages.pot", "rb") as f:
        return read_po(f)


def source_ids():
    return {m.id for m in template() if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_in_every_catalog(language):
    po = catalog(language)
    missing = [i for i in source_ids() if i not in po or po[i].fuzzy]
    assert not missing, f"{language} lacks: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    po = catalog(language)
    untranslated = [i for i in source_ids() if not po[i].string]
    assert not untranslated, f"{language} untranslated: {untranslated}"


@pytest.mark.parametrize("language", ["km", "th"])
def test_translations_are_in_their_script_and_keep_placeholders(language):
    script = {"km": r"[\u1780-\u17ff]", "th": r"[\u0e00-\u0e7f]"}[language]
    for message in catalog(language):
        if not message.id:
            continue
        assert re.search(script, message.string), (language, message.id)
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
            PLACEHOLDER.findall(message.id)), (language, message.id)
        for command in re.findall(r"/[a-z_]+", message.id):
            assert command in message.string, (language, message.id, command)


def test_template_is_up_to_date_with_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "--no-location", "--omit-header", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    assert extracted == source_ids(), "run `make i18n` and translate the new strings"


def test_every_domain_response_has_a_text_and_vice_versa():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    utterances = {a for a in domain["actions"] if a.startswith("utter_")}
    assert utterances == set(RESPONSES)


@pytest.mark.parametrize("language", ["km", "th"])
def test_compiled_catalogs_translate(language):
    source = RESPONSES["utter_greet"].text
    assert gettext(language, source) != source
