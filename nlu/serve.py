"""Starts Rasa's server for Mitra: Redis-backed, or not at all.

Rasa reads `endpoints.yml` with ${...} values from the environment; we derive them from
REDIS_URL and the action server's address. Rasa would quietly keep conversations in
memory when Redis fails (its FailSafeTrackerStore), which loses them on restart and splits
them between replicas: we check Redis before starting, refuse to start with any other
tracker or lock store, and let a failing Redis fail the request instead, so that the bot
answers with its own fallback and retries.

It also adds what Rasa lacks for operations: GET /metrics (mitra/metrics_rasa.py) and our
log format (mitra/logs.py: JSON lines, at INFO, without the person's text, which Rasa logs
only at DEBUG; `--debug` is never passed by default), and it skips work Rasa repeats on
every turn (nlu/rasa_speedups.py), and sets the language and country slots itself after
each message (mitra/slots_rasa.py) instead of asking the action server.

Usage: python -m nlu.serve --model models/ [--port 5005] [extra `rasa run` arguments]
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from urllib.parse import urlparse

from nlu import rasa_speedups

logger = logging.getLogger("mitra.rasa")

# One thread per numerical library, unless the operator says otherwise; before NumPy loads.
# OpenBLAS (NumPy, scikit-learn) otherwise starts a thread per core that spins between the
# danger detector's small products: twice the CPU per message (154 ms against 81), taken
# from the bot and the action server on the same cores. Rasa serves a message at a time
# per process anyway; more cores are for more workers (MITRA_RASA_WORKERS). TensorFlow
# (DIET), read by Rasa at start: its thread pools otherwise hand each small step of DIET to
# other threads; one thread took Rasa from 37 to 33 ms of CPU a message at 10 people, and the
# median reply from 52 to 45 ms (docs/benchmarks.md, session 8).
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "TF_INTER_OP_PARALLELISM_THREADS", "TF_INTRA_OP_PARALLELISM_THREADS"):
    os.environ.setdefault(_variable, "1")

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
        # rediss:// is Redis over TLS, for the tracker and lock stores as for the bot.
        "ssl": parsed.scheme == "rediss",
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
            # Substituted as text: empty is false, anything else true.
            "MITRA_REDIS_SSL": "1" if redis["ssl"] else "",
            "MITRA_ACTION_URL": f"{actions}/webhook",
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
        password=redis["password"], ssl=redis["ssl"], socket_connect_timeout=3, socket_timeout=3,
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

    from mitra import logs, metrics_rasa, slots_rasa

    configure_app = run.configure_app

    def observed_app(*args, **kwargs):
        app = configure_app(*args, **kwargs)
        metrics_rasa.install(app)
        rasa_speedups.warm_up(app)
        rasa_speedups.close_on_stop(app)
        logs.take_over()

        async def take_over_logs(_app, _loop) -> None:
            # Rasa routes Sanic's loggers elsewhere after building the app.
            logs.take_over()

        app.register_listener(exit_on_sigterm_while_loading, "before_server_start")
        app.register_listener(take_over_logs, "before_server_start")
        app.register_listener(take_over_logs, "after_server_start")
        return app

    run.configure_app = observed_app
    metrics_rasa.count_intents()
    # The language and country slots, decided here rather than by a round trip to the
    # action server on every message (mitra/slots_rasa.py).
    slots_rasa.install()


async def exit_on_sigterm_while_loading(_app, _loop) -> None:
    """In a worker process (MITRA_RASA_WORKERS > 1), a SIGTERM before Sanic's own handler
    is in place (while the model loads: a minute) met the handler inherited from the
    parent, which does not stop the worker; the parent then waited for it for ever. Nothing
    is served yet at that point, so the worker may just leave; Sanic's handler replaces
    this one once the server runs."""
    import signal

    if int(os.environ.get("SANIC_WORKERS", "1") or 1) > 1:
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))


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


def rasa_workers() -> int:
    """MITRA_RASA_WORKERS: Rasa processes on one port (Sanic workers), default 1.

    Rasa handles a message on one Python event loop, so one process uses one core. More
    workers use more cores of one machine, each with its own copy of the model (about
    2.4 GB); Redis's lock store keeps each conversation to one worker at a time. Their
    metrics are added up through a directory of prometheus_client's multiprocess mode."""
    try:
        workers = int(os.environ.get("MITRA_RASA_WORKERS", "1") or 1)
    except ValueError:
        logger.warning("MITRA_RASA_WORKERS is not a number: one worker")
        return 1
    return max(1, workers)


def share_workers(workers: int) -> None:
    """Before prometheus_client is imported: it reads the directory at import."""
    os.environ["SANIC_WORKERS"] = str(workers)  # ours decides, not a stray SANIC_WORKERS
    if workers <= 1:
        return
    import atexit
    import shutil
    import tempfile

    directory = tempfile.mkdtemp(prefix="mitra-rasa-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # as mitra/metrics.py reads it
    main_pid = os.getpid()
    # Only the process that made it removes it (workers are forked and exit too).
    atexit.register(lambda: os.getpid() == main_pid and shutil.rmtree(directory, ignore_errors=True))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models")
    parser.add_argument("--port", default=os.environ.get("RASA_PORT", "5005"))
    args, rest = parser.parse_known_args(argv)
    share_workers(rasa_workers())
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
    rasa_speedups.install()

    from rasa.__main__ import main as rasa_main

    sys.argv = [
        "rasa", "run", "--model", args.model, "--port", str(args.port),
        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
        *api_arguments(), *rest,
    ]
    rasa_main()


if __name__ == "__main__":
    main()
