"""Message catalogs: every sentence a person reads comes from `locales/{km,th,en}`.

Source strings in Python are English and marked with `N_()` so that `pybabel extract`
finds them; they are translated at the moment a reply is rendered, in the person's language.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

from babel.support import NullTranslations, Translations

from mitra.config import settings

LANGUAGES = ("km", "th", "en")
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, per person."""
    return message


# The languages' own names, in English for the catalogs (staff cards, statistics).
LANGUAGE_NAMES = {"km": N_("Khmer"), "th": N_("Thai"), "en": N_("English")}


def normalize(code: Optional[str]) -> str:
    code = (code or "").strip().lower().replace("_", "-")
    base = code.split("-")[0]
    return base if base in LANGUAGES else settings.default_language


@lru_cache(maxsize=None)
def translations(language: str, locales_dir: Optional[Path] = None) -> NullTranslations:
    directory = locales_dir or settings.locales_dir
    loaded = Translations.load(str(directory), [language], domain=DOMAIN)
    if language != "en" and not isinstance(loaded, Translations):
        raise FileNotFoundError(
            f"No compiled catalog for '{language}' in {directory}: run `make catalogs`."
        )
    return loaded


def gettext(language: str, message: str, **values: object) -> str:
    text = translations(normalize(language)).gettext(message)
    return text.format(**values) if values else text
