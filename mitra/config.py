"""Every setting of Mitra's Python 3.11 processes, read from the environment.

The README's configuration table lists the same names; defaults suit one laptop.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent

# Only for development: a deployment sets its own MITRA_ID_KEY (the bot warns at start).
DEV_ID_KEY = "mitra-development-only-id-key"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _int(name: str, default: int) -> int:
    try:
        return int(_env(name, str(default)))
    except ValueError:
        return default


def _float(name: str, default: float) -> float:
    try:
        return float(_env(name, str(default)))
    except ValueError:
        return default


def _optional_int(name: str) -> Optional[int]:
    try:
        return int(_env(name, ""))
    except ValueError:
        return None


@dataclass(frozen=True)
class Settings:
    redis_url: str
    rasa_url: str
    action_host: str
    action_port: int
    default_language: str
    tracker_expiry_days: int
    locales_dir: Path
    # Telegram bridge (bot/).
    telegram_token: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    staff_chat_id: Optional[int] = None
    admin_chat_id: Optional[int] = None
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    id_key: str = DEV_ID_KEY
    # How long the bot waits for Rasa before it answers on its own (the person must hear
    # something within two seconds), and how long it waits at most.
    fallback_after_seconds: float = 1.2
    rasa_timeout_seconds: float = 60.0
    retry_seconds: float = 3.0
    rate_limit: int = 20
    rate_window_seconds: int = 60
    max_text_chars: int = 1000
    rasa_auth_token: str = ""
    # Staff: the language of case cards, and how often an unclaimed urgent case is
    # announced again.
    staff_language: str = "km"
    reannounce_seconds: float = 180.0
    # The bot's Prometheus endpoint (bot/metrics.py); 0 turns it off.
    metrics_port: int = 9102
    metrics_listen: str = "0.0.0.0"

    @property
    def id_key_is_default(self) -> bool:
        return self.id_key == DEV_ID_KEY


def load() -> Settings:
    return Settings(
        redis_url=_env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        rasa_url=_env("RASA_URL", "http://127.0.0.1:5005"),
        action_host=_env("ACTION_SERVER_HOST", "127.0.0.1"),
        action_port=_int("ACTION_SERVER_PORT", 5055),
        default_language=_env("MITRA_DEFAULT_LANGUAGE", "km"),
        tracker_expiry_days=_int("TRACKER_EXPIRY_DAYS", 30),
        locales_dir=Path(_env("MITRA_LOCALES_DIR", str(ROOT / "locales"))),
        telegram_token=_env("TELEGRAM_BOT_TOKEN", ""),
        telegram_api_url=_env("TELEGRAM_API_URL", "https://api.telegram.org/bot"),
        telegram_file_url=_env("TELEGRAM_FILE_URL", "https://api.telegram.org/file/bot"),
        staff_chat_id=_optional_int("TELEGRAM_STAFF_CHAT_ID"),
        admin_chat_id=_optional_int("TELEGRAM_ADMIN_CHAT_ID"),
        webhook_url=_env("TELEGRAM_WEBHOOK_URL", ""),
        webhook_secret=_env("TELEGRAM_WEBHOOK_SECRET", ""),
        webhook_listen=_env("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0"),
        webhook_port=_int("TELEGRAM_WEBHOOK_PORT", 8443),
        id_key=_env("MITRA_ID_KEY", DEV_ID_KEY),
        fallback_after_seconds=_float("MITRA_FALLBACK_AFTER_SECONDS", 1.2),
        rasa_timeout_seconds=_float("MITRA_RASA_TIMEOUT_SECONDS", 60.0),
        retry_seconds=_float("MITRA_RETRY_SECONDS", 3.0),
        rate_limit=_int("MITRA_RATE_LIMIT", 20),
        rate_window_seconds=_int("MITRA_RATE_WINDOW_SECONDS", 60),
        max_text_chars=_int("MITRA_MAX_TEXT_CHARS", 1000),
        rasa_auth_token=_env("RASA_AUTH_TOKEN", ""),
        staff_language=_env("MITRA_STAFF_LANGUAGE", "km"),
        reannounce_seconds=_float("MITRA_REANNOUNCE_SECONDS", 180.0),
        metrics_port=_int("MITRA_METRICS_PORT", 9102),
        metrics_listen=_env("MITRA_METRICS_LISTEN", "0.0.0.0"),
    )


settings = load()
