# The Telegram bot (Python 3.11), `python -m bot`: polling without TELEGRAM_WEBHOOK_URL,
# webhook (on TELEGRAM_WEBHOOK_PORT) with it. Build from the repository root:
#   docker build -f docker/bot.Dockerfile -t mitra-bot .
# requirements/bot.txt is the part of app.txt the bot imports (no torch, no
# sentence-transformers, no Rasa SDK), installed against the same app.lock.
# No secret is baked in: TELEGRAM_BOT_TOKEN, MITRA_ID_KEY, MITRA_DATA_KEYS, RASA_AUTH_TOKEN
# and TELEGRAM_WEBHOOK_SECRET come from the environment at run time (docker/compose.yml).
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    MITRA_LOCALES_DIR=/app/locales \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
COPY requirements/bot.txt requirements/app.lock requirements/
RUN pip install --no-cache-dir -r requirements/bot.txt -c requirements/app.lock

# bot/ imports mitra/, nlu/language.py (language of a message, with nlu/resources/) and
# the light part of actions/knowledge/ (admin uploads: validate, diff, store).
COPY bot/ bot/
COPY mitra/ mitra/
COPY nlu/ nlu/
COPY actions/__init__.py actions/
COPY actions/knowledge/ actions/knowledge/
COPY locales/ locales/
# Compiled catalogs (.mo) from the .po files (they are not in git); then the user.
RUN pybabel compile -d locales -D messages \
    && groupadd --system --gid 10001 mitra \
    && useradd --system --no-log-init --uid 10001 --gid 10001 --create-home --home-dir /home/mitra mitra
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001

EXPOSE 8443
# In webhook mode (TELEGRAM_WEBHOOK_URL set) this asks the webhook server for any page:
# an HTTP answer, even 404 or 405, means its event loop is serving. In polling mode there
# is no port to ask, and the check passes as long as the process runs: it proves no more
# than that (a stuck poller is not detected).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.error, urllib.request\nif not os.environ.get('TELEGRAM_WEBHOOK_URL', '').strip(): sys.exit(0)\nhost = os.environ.get('TELEGRAM_WEBHOOK_LISTEN', '').strip()\nhost = '127.0.0.1' if host in ('', '0.0.0.0', '::') else host\nport = os.environ.get('TELEGRAM_WEBHOOK_PORT', '').strip() or '8443'\ntry:\n    urllib.request.urlopen(f'http://{host}:{port}/', timeout=4)\nexcept urllib.error.HTTPError:\n    pass"]

ENTRYPOINT ["python", "-m", "bot"]
