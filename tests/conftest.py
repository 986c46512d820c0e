"""The real stack for end-to-end tests: our own Redis, the action server, Rasa with the
trained model. Started once per test session on free ports; logs go to results/logs."""
from pathlib import Path

import pytest
import redis

from scripts.stack import Stack, free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def stack():
    redis_port = free_port()
    stack = Stack(
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        rasa_port=free_port(),
        action_port=free_port(),
        log_dir=ROOT / "results" / "logs",
    )
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def redis_client(stack):
    return redis.Redis.from_url(stack.redis_url, decode_responses=True)
