"""Every setting of Mitra's Python 3.11 processes, read from the environment.

The README's configuration table lists the same names; defaults suit one laptop.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _int(name: str, default: int) -> int:
    try:
        return int(_env(name, str(default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    redis_url: str
    rasa_url: str
    action_host: str
    action_port: int
    default_language: str
    tracker_expiry_days: int
    locales_dir: Path


def load() -> Settings:
    return Settings(
        redis_url=_env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        rasa_url=_env("RASA_URL", "http://127.0.0.1:5005"),
        action_host=_env("ACTION_SERVER_HOST", "127.0.0.1"),
        action_port=_int("ACTION_SERVER_PORT", 5055),
        default_language=_env("MITRA_DEFAULT_LANGUAGE", "km"),
        tracker_expiry_days=_int("TRACKER_EXPIRY_DAYS", 30),
        locales_dir=Path(_env("MITRA_LOCALES_DIR", str(ROOT / "locales"))),
    )


settings = load()
