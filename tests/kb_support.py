"""Fixtures for the knowledge-base tests: a Redis of our own and the embedding model.

Imported by tests/test_kb_*.py (`from tests.kb_support import ...`), so that these tests
need neither the whole stack nor each other.
"""
import os
from pathlib import Path

import pytest
import redis

from actions.knowledge.embedder import model_name
from scripts.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "actions" / "knowledge" / "seed.yml"


@pytest.fixture(scope="session")
def redis_url():
    """A throw-away redis-server on a free port, nothing on disk, stopped by its PID."""
    server = RedisServer().start()
    yield server.url
    server.stop()


@pytest.fixture
def client(redis_url):
    """A clean database for each test."""
    connection = redis.Redis.from_url(redis_url, decode_responses=True)
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture(scope="session")
def embedder():
    """The real model (MITRA_EMBEDDING_MODEL, default models/e5-small-st)."""
    name = model_name()
    if not Path(name).exists() and not os.environ.get("MITRA_EMBEDDING_MODEL"):
        pytest.fail("no embedding model at models/e5-small-st: `make embeddings` builds it")
    from actions.knowledge.embedder import shared

    return shared()


@pytest.fixture(scope="session")
def seed_entries():
    from actions.knowledge.validate import validate_file

    report = validate_file(SEED.read_bytes(), SEED.name)
    assert report.ok, report.summary()
    return report.entries


@pytest.fixture(scope="session")
def seed_index(embedder, seed_entries):
    from actions.knowledge.retrieval import Index

    return Index(seed_entries, embedder, version=0)
