"""Runs Mitra's Telegram bot: `python -m bot`.

Long polling when TELEGRAM_WEBHOOK_URL is unset (development, one process); a webhook
with Telegram's secret-token check when it is set (production, any number of replicas
behind the URL). Settings: mitra/config.py and the README's table.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import sys
from urllib.parse import urlparse

from bot import metrics
from bot.app import ALLOWED_UPDATES, build
from mitra import logs
from mitra.config import Settings, settings

logger = logging.getLogger("mitra.bot")


def webhook_secret(config: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from the token and MITRA_ID_KEY, so that
    every replica agrees on it without one more setting."""
    if config.webhook_secret:
        return config.webhook_secret
    digest = hmac.new(config.id_key.encode(), config.telegram_token.encode(), hashlib.sha256)
    return digest.hexdigest()


def main() -> int:
    # JSON lines without personal data; httpx, which logs every request URL with the bot
    # token in it, only from warnings on (mitra/logs.py).
    logs.configure("bot")
    if not settings.telegram_token:
        logger.error("TELEGRAM_BOT_TOKEN is not set (`make run` starts the offline local "
                     "chat without one)")
        return 2
    if settings.id_key_is_default:
        logger.warning("MITRA_ID_KEY is not set: using the development key. Set a secret of "
                       "your own in production, and keep it: a new key starts every "
                       "conversation afresh.")
    app = build(settings)
    metrics.start(settings.metrics_port, settings.metrics_listen, settings.redis_url)
    if settings.webhook_url:
        path = urlparse(settings.webhook_url).path.lstrip("/")
        logger.info("webhook mode on %s:%s/%s", settings.webhook_listen,
                    settings.webhook_port, path)
        app.run_webhook(
            listen=settings.webhook_listen, port=settings.webhook_port, url_path=path,
            webhook_url=settings.webhook_url, secret_token=webhook_secret(settings),
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        logger.info("long polling %s", urlparse(settings.telegram_api_url).netloc)
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
