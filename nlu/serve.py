"""Starts Rasa's server for Mitra: Redis-backed, or not at all.

Rasa reads `endpoints.yml` with ${...} values from the environment; we derive them from
REDIS_URL and the action server's address. Rasa would quietly keep conversations in
memory when Redis fails (its FailSafeTrackerStore), which loses them on restart and splits
them between replicas: we check Redis before starting, refuse to start with any other
tracker or lock store, and let a failing Redis fail the request instead, so that the bot
answers with its own fallback and retries.

It also adds what Rasa lacks for operations: GET /metrics (mitra/metrics_rasa.py) and our
log format (mitra/logs.py: JSON lines, at INFO, without the person's text, which Rasa logs
only at DEBUG; `--debug` is never passed by default).

Usage: python -m nlu.serve --model models/ [--port 5005] [extra `rasa run` arguments]
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from urllib.parse import urlparse

logger = logging.getLogger("mitra.rasa")

EXIT_NO_REDIS = 3


def redis_settings(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        raise ValueError(f"REDIS_URL must start with redis:// (got {parsed.scheme!r})")
    db = (parsed.path or "/0").lstrip("/") or "0"
    return {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 6379,
        "db": int(db),
        "password": parsed.password or None,
    }


def export_endpoint_env(redis_url: str) -> dict:
    """Sets the variables endpoints.yml refers to; returns the Redis settings."""
    redis = redis_settings(redis_url)
    actions = os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055").rstrip("/")
    days = int(os.environ.get("TRACKER_EXPIRY_DAYS", "30") or 30)
    os.environ.update(
        {
            "MITRA_REDIS_HOST": redis["host"],
            "MITRA_REDIS_PORT": str(redis["port"]),
            "MITRA_REDIS_DB": str(redis["db"]),
            # Rasa's env substitution has no "unset"; an empty password means none.
            "MITRA_REDIS_PASSWORD": redis["password"] or "",
            "MITRA_ACTION_URL": f"{actions}/webhook",
            "MITRA_NLG_URL": f"{actions}/nlg",
            # The action server refuses requests without it when it is set.
            "MITRA_ACTION_TOKEN": os.environ.get("ACTION_SERVER_TOKEN", ""),
            "MITRA_TRACKER_EXPIRY_SECONDS": str(days * 86400),
        }
    )
    return redis


def check_redis(redis: dict) -> None:
    import redis as redis_lib

    client = redis_lib.Redis(
        host=redis["host"], port=redis["port"], db=redis["db"],
        password=redis["password"], socket_connect_timeout=3, socket_timeout=3,
    )
    client.ping()


def insist_on_redis() -> None:
    """Patches Rasa's agent so that only Redis stores are accepted, without fallback."""
    from rasa.core import agent
    from rasa.core.lock_store import RedisLockStore
    from rasa.core.tracker_store import AwaitableTrackerStore, RedisTrackerStore

    def strict_tracker_store(store, domain):
        inner = getattr(store, "_tracker_store", store)
        if not isinstance(inner, RedisTrackerStore):
            logger.critical("tracker store is %s, not Redis: refusing to start",
                            type(inner).__name__)
            os._exit(EXIT_NO_REDIS)
        store.domain = domain
        # No FailSafeTrackerStore: a Redis error fails the request instead of moving
        # the conversation into this process's memory.
        return store if isinstance(store, AwaitableTrackerStore) else AwaitableTrackerStore(store)

    def strict_lock_store(store):
        if not isinstance(store, RedisLockStore):
            logger.critical("lock store is %s, not Redis: refusing to start",
                            type(store).__name__)
            os._exit(EXIT_NO_REDIS)
        return store

    agent.Agent._create_tracker_store = staticmethod(strict_tracker_store)
    agent.Agent._create_lock_store = staticmethod(strict_lock_store)


def api_arguments() -> list:
    """Rasa's HTTP API (tracker events: pause and resume around a hand-off) only with a
    token: without RASA_AUTH_TOKEN the API stays off and only the REST channel answers."""
    token = os.environ.get("RASA_AUTH_TOKEN", "").strip()
    # One argument, "--auth-token=…": a token that starts with "-" (token_urlsafe makes
    # one in 64) would otherwise be read as an option and Rasa would not start.
    return ["--enable-api", f"--auth-token={token}"] if token else []


def observe() -> None:
    """Adds /metrics and request timing to the app Rasa builds, counts intents, and takes
    logging back from Rasa, which configures its own (coloredlogs, structlog, Sanic's)
    after we did."""
    from rasa.core import run

    from mitra import logs, metrics_rasa

    configure_app = run.configure_app

    def observed_app(*args, **kwargs):
        app = configure_app(*args, **kwargs)
        metrics_rasa.install(app)
        logs.take_over()

        async def take_over_logs(_app, _loop) -> None:
            # Rasa routes Sanic's loggers elsewhere after building the app.
            logs.take_over()

        app.register_listener(take_over_logs, "before_server_start")
        app.register_listener(take_over_logs, "after_server_start")
        return app

    run.configure_app = observed_app
    metrics_rasa.count_intents()


def log_settings() -> None:
    """Our log format and level for Rasa too (MITRA_LOG_FORMAT, MITRA_LOG_LEVEL)."""
    from mitra import logs

    logs.configure("rasa")
    # Rasa's own level (the `rasa` loggers) follows ours unless LOG_LEVEL says otherwise.
    os.environ.setdefault("LOG_LEVEL", logging.getLevelName(logs.level_from_environment()))
    # Rasa's structured events as JSON even in a terminal, so that mitra/logs.py can drop
    # their personal fields; TensorFlow's C++ messages (not Python logging) stay quiet.
    os.environ.setdefault("FORCE_JSON_LOGGING", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models")
    parser.add_argument("--port", default=os.environ.get("RASA_PORT", "5005"))
    args, rest = parser.parse_known_args(argv)
    log_settings()

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    redis = export_endpoint_env(redis_url)
    try:
        check_redis(redis)
    except Exception as error:  # any failure to reach Redis means: do not start
        logger.critical("Redis at %s:%s is unreachable (%s): refusing to start",
                        redis["host"], redis["port"], error)
        sys.exit(EXIT_NO_REDIS)
    insist_on_redis()
    observe()

    from rasa.__main__ import main as rasa_main

    sys.argv = [
        "rasa", "run", "--model", args.model, "--port", str(args.port),
        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
        *api_arguments(), *rest,
    ]
    rasa_main()


if __name__ == "__main__":
    main()
