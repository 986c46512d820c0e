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
        "host": "10.0.0.5", "port": 6380, "db": 2, "password": "secret"}
    assert redis_settings("redis://localhost") == {
        "host": "localhost", "port": 6379, "db": 0, "password": None}


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
