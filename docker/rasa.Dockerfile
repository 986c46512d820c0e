# Rasa 3.6.21 (Python 3.10) with Mitra's NLU components, serving the trained model.
# Build from the repository root, after `make model` (the model and the e5 network it
# embeds with, models/e5-small-onnx, are copied, not made here):
#   make model && docker build -f docker/rasa.Dockerfile -t mitra-rasa .
# No secret is baked in: REDIS_URL, ACTION_SERVER_URL, ACTION_SERVER_TOKEN, RASA_AUTH_TOKEN
# and MITRA_DATA_KEYS come from the environment at run time (docker/compose.yml).
FROM python:3.10.18-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    MITRA_LOCALES_DIR=/app/locales \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1

WORKDIR /app

# Every dependency has a manylinux or pure-Python wheel: no compiler, no apt-get.
COPY requirements/rasa.txt requirements/rasa.lock requirements/
RUN pip install --no-cache-dir -r requirements/rasa.txt -c requirements/rasa.lock

# What `python -m nlu.serve` needs at run time: our components and the e5 network they
# embed with (mitra/e5_onnx.py, mitra/vectors.py), Rasa's configuration
# (endpoints.yml reads ${MITRA_*} that nlu/serve.py derives from the environment), the
# encryption of trackers (mitra/crypto.py), logs and /metrics (mitra/logs.py,
# mitra/metrics*.py), the replies and their catalogs (mitra/nlg_rasa.py renders them), the
# language and country slots with the statistics they count (mitra/slots_rasa.py) and the
# trained model. data/ is not needed.
COPY nlu/ nlu/
COPY mitra/__init__.py mitra/config.py mitra/country.py mitra/crypto.py mitra/e5_onnx.py \
     mitra/emergency.py mitra/i18n.py mitra/keys.py mitra/language_slot.py mitra/logs.py \
     mitra/metrics.py mitra/metrics_rasa.py mitra/nlg.py mitra/nlg_rasa.py mitra/responses.py \
     mitra/slots_rasa.py mitra/stats.py mitra/stats_chart.py mitra/stats_texts.py \
     mitra/vectors.py mitra/
COPY locales/ locales/
# The compiled catalogs (.mo) are built here from the .po files (they are not in git).
RUN pybabel compile -d locales -D messages
COPY config.yml domain.yml endpoints.yml credentials.yml ./
COPY models/mitra.tar.gz models/mitra.tar.gz
# e5 as ONNX (nlu/e5_featurizer.py): the network the model was trained with, made with it.
COPY models/e5-small-onnx/model.onnx models/e5-small-onnx/tokenizer.json models/e5-small-onnx/

RUN groupadd --system --gid 10001 mitra \
    && useradd --system --no-log-init --uid 10001 --gid 10001 --create-home --home-dir /home/mitra mitra \
    && mkdir -p /app/.rasa \
    && chown mitra /app/.rasa
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001

EXPOSE 5005
# Rasa answers "Hello from Rasa" on / once the model is loaded (it takes a minute or two).
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"]

ENTRYPOINT ["python", "-m", "nlu.serve", "--model", "/app/models/mitra.tar.gz", "--port", "5005"]
