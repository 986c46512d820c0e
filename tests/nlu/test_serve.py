"""Rasa must not start without Redis: conversations kept in memory would be lost."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from nlu.serve import EXIT_NO_REDIS, redis_settings

ROOT = Path(__file__).resolve().parents[2]


def test_redis_url_is_parsed():
    assert redis_settings("redis://:secret@10.0.0.5:6380/2") == {
        "host": "10.0.0.5", "port": 6380, "db": 2, "password": "secret", "ssl": False}
    assert redis_settings("redis://localhost") == {
        "host": "localhost", "port": 6379, "db": 0, "password": None, "ssl": False}
    assert redis_settings("rediss://redis.internal:6380/1")["ssl"] is True


def _stores(monkeypatch, redis_url):
    """Rasa's own tracker and lock stores, made from endpoints.yml as `rasa run` makes them."""
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import read_endpoints_from_path

    from nlu.serve import export_endpoint_env
    for name in ("MITRA_REDIS_HOST", "MITRA_REDIS_PORT", "MITRA_REDIS_DB",
                 "MITRA_REDIS_PASSWORD", "MITRA_REDIS_SSL"):
        monkeypatch.delenv(name, raising=False)
    export_endpoint_env(redis_url)
    endpoints = read_endpoints_from_path(str(ROOT / "endpoints.yml"))
    return (TrackerStore.create(endpoints.tracker_store), LockStore.create(endpoints.lock_store))


def test_rediss_url_puts_both_of_rasas_redis_stores_on_tls(monkeypatch):
    # No connection is made here: the client is built, its connection class tells.
    tracker, lock = _stores(monkeypatch, "rediss://:pw@redis.internal:6380/1")
    for client in (getattr(tracker, "_tracker_store", tracker).red, lock.red):
        assert client.connection_pool.connection_class.__name__ == "SSLConnection"
        assert client.connection_pool.connection_kwargs["host"] == "redis.internal"
        assert client.connection_pool.connection_kwargs["port"] == 6380
    tracker, lock = _stores(monkeypatch, "redis://127.0.0.1:6379/0")
    for client in (getattr(tracker, "_tracker_store", tracker).red, lock.red):
        assert client.connection_pool.connection_class.__name__ == "Connection"


def test_refuses_to_start_without_redis():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    env = dict(os.environ, REDIS_URL=f"redis://127.0.0.1:{dead_port}/0", PYTHONPATH=str(ROOT))
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "nlu.serve", "--model", "models/mitra.tar.gz"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == EXIT_NO_REDIS
    assert "refusing to start" in result.stderr
    assert time.monotonic() - started < 60


def test_a_token_that_starts_with_a_dash_reaches_rasa_whole(monkeypatch):
    # secrets.token_urlsafe gives one in 64; Rasa's parser once took it for an option.
    from rasa.__main__ import create_argument_parser

    from nlu.serve import api_arguments
    monkeypatch.setenv("RASA_AUTH_TOKEN", "-Xy_token")
    args = create_argument_parser().parse_args(["run", "--model", "m.tar.gz", *api_arguments()])
    assert args.auth_token == "-Xy_token" and args.enable_api


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str = "", body: bytes = None) -> bytes:
    import urllib.request

    request = urllib.request.Request(
        url + (f"?token={token}" if token else ""), data=body,
        headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def _sample(exposition: str, name: str, **labels) -> float:
    total = 0.0
    for line in exposition.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_two_workers_answer_and_count_together():
    """MITRA_RASA_WORKERS=2: two Rasa processes on one port, and /metrics, whichever of
    them answers the scrape, counts the messages of both."""
    import json

    port, token = _free_port(), "worker-test-token"
    env = dict(os.environ, PYTHONPATH=str(ROOT), MITRA_RASA_WORKERS="2", RASA_AUTH_TOKEN=token,
               REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    process = subprocess.Popen(
        [sys.executable, "-m", "nlu.serve", "--model", "models/mitra.tar.gz", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            assert process.poll() is None, "Rasa stopped"
            try:
                _get(url + "/status", token)
                break
            except OSError:
                assert time.monotonic() < deadline, "Rasa did not start"
                time.sleep(2)
        workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(workers) == 2
        texts = ["hello", "សួស្តី", "สวัสดีครับ", "my boss keeps my passport", "thanks", "hi"]
        for text in texts:
            parsed = json.loads(_get(url + "/model/parse", token, json.dumps({"text": text}).encode()))
            assert parsed["intent"]["name"]
        for _ in range(4):  # new connections: either worker may answer
            exposition = _get(url + "/metrics").decode()
            assert _sample(exposition, "mitra_rasa_intents_total") == len(texts)
            assert _sample(exposition, "mitra_rasa_requests_total", route="parse") == len(texts)
    finally:
        process.terminate()
        process.wait(timeout=60)
