"""Starts Mitra's processes in the foreground and stops them together.

`make run` and the end-to-end tests both use this: Redis (a local one when REDIS_URL does
not answer), the action server (Python 3.11), Rasa (Python 3.10), waiting for each to be
healthy before the next, then the Telegram bot. With TELEGRAM_BOT_TOKEN the bot serves
that Bot API (TELEGRAM_API_URL); without one, `make run` starts the offline local chat: a
local stand-in for the Bot API (tests/fake_telegram) with a web page to chat with the bot
and see the staff group. Ctrl-C or SIGTERM stops everything; if one process dies, the
others are stopped too and the exit code is non-zero.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlparse

import httpx
import redis

ROOT = Path(__file__).resolve().parent.parent
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
MODEL = ROOT / "models" / "mitra.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def wait_http(url: str, timeout: float, process: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


def wait_warm(rasa_url: str, workers: int, timeout: float) -> None:
    """Rasa answers before its workers have warmed up (nlu/rasa_speedups.py); the first
    messages would wait for what they load. Waits for mitra_rasa_warm_workers; gives up
    quietly (an older Rasa without the gauge, or a failed warm-up still serves)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = httpx.get(f"{rasa_url}/metrics", timeout=2).text
            warm = sum(float(line.split()[-1]) for line in text.splitlines()
                       if line.startswith("mitra_rasa_warm_workers"))
            if warm >= workers:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)


@dataclass
class Stack:
    redis_url: str = field(default_factory=lambda: os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    rasa_port: int = int(os.environ.get("RASA_PORT", "5005"))
    action_port: int = int(os.environ.get("ACTION_SERVER_PORT", "5055"))
    model: Path = MODEL
    log_dir: Optional[Path] = None
    # Rasa's HTTP API (the bot pauses and resumes conversations through it) is on only
    # with a token; without one from the environment, each stack makes its own.
    rasa_auth_token: str = field(
        default_factory=lambda: os.environ.get("RASA_AUTH_TOKEN", "").strip() or secrets.token_urlsafe(24))
    # The same for the action server (ACTION_SERVER_TOKEN), which Rasa passes as ?token=.
    action_token: str = field(
        default_factory=lambda: os.environ.get("ACTION_SERVER_TOKEN", "").strip() or secrets.token_urlsafe(24))
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            REDIS_URL=self.redis_url,
            RASA_URL=self.rasa_url,
            RASA_PORT=str(self.rasa_port),
            ACTION_SERVER_PORT=str(self.action_port),
            ACTION_SERVER_URL=self.action_url,
            RASA_AUTH_TOKEN=self.rasa_auth_token,
            ACTION_SERVER_TOKEN=self.action_token,
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
        )
        return env

    def _spawn(self, name: str, args: List[str], env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        out = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            args, cwd=ROOT, env={**self.env(), **(env or {})}, stdout=out,
            stderr=subprocess.STDOUT if out else None,
        )
        self.processes[name] = process
        return process

    def start_redis_if_needed(self) -> None:
        if redis_answers(self.redis_url):
            return
        parsed = urlparse(self.redis_url)
        if parsed.hostname not in ("127.0.0.1", "localhost", "::1") or not shutil.which("redis-server"):
            raise RuntimeError(f"Redis at {self.redis_url} does not answer")
        port = parsed.port or 6379
        print(f"[mitra] no Redis at {self.redis_url}: starting a local one on port {port}")
        data_dir = tempfile.mkdtemp(prefix="mitra-redis-")
        self._spawn("redis", [
            "redis-server", "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", data_dir,
        ])
        deadline = time.monotonic() + 10
        while not redis_answers(self.redis_url):
            if time.monotonic() > deadline:
                raise RuntimeError("local Redis did not start")
            time.sleep(0.1)

    def start_actions(self) -> None:
        process = self._spawn("actions", [str(APP_PYTHON), "-m", "actions.server", "--port", str(self.action_port)])
        wait_http(f"{self.action_url}/health", 60, process)

    def stop_process(self, name: str) -> None:
        """Stops one process (tests use it to take Rasa down and bring it back)."""
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def start_bot(self, env: Optional[Dict[str, str]] = None, name: str = "bot") -> subprocess.Popen:
        """The Telegram bot (`python -m bot`); `env` adds to the stack's environment.
        It has no port to wait on in polling mode: callers wait for its first getUpdates."""
        return self._spawn(name, [str(APP_PYTHON), "-m", "bot"], env)

    def start_local_chat(self, port: int, staff_chat_id: int) -> str:
        """The offline stand-in for Telegram with its web page; returns its Bot API URL."""
        process = self._spawn("local-chat", [
            str(APP_PYTHON), "-m", "tests.fake_telegram", "--port", str(port),
            "--staff-chat-id", str(staff_chat_id),
        ])
        wait_http(f"http://127.0.0.1:{port}/", 30, process)
        return f"http://127.0.0.1:{port}/bot"

    def start_rasa(self) -> None:
        process = self._spawn("rasa", [
            str(RASA_PYTHON), "-m", "nlu.serve", "--model", str(self.model),
            "--port", str(self.rasa_port),
        ])
        wait_http(f"{self.rasa_url}/", 600, process)
        wait_warm(self.rasa_url, int(self.env().get("MITRA_RASA_WORKERS", "1") or 1), 120)

    def start(self) -> "Stack":
        try:
            self.start_redis_if_needed()
            self.start_actions()
            self.start_rasa()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def wait(self) -> int:
        """Blocks until a process exits; returns its exit code."""
        while True:
            for name, process in self.processes.items():
                code = process.poll()
                if code is not None:
                    print(f"[mitra] {name} exited with {code}; stopping the rest", file=sys.stderr)
                    return code or 1
            time.sleep(0.5)


# The offline local chat's stand-in for Telegram: any token works there.
OFFLINE_TOKEN = "0:offline-local-chat"
OFFLINE_STAFF_CHAT_ID = -1000000000001


def start_telegram_side(stack: Stack) -> str:
    """The bot against Telegram (or any Bot API) with a token, else the local chat."""
    if os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        stack.start_bot()
        return f"bot serving {os.environ.get('TELEGRAM_API_URL') or 'Telegram'}"
    port = int(os.environ.get("MITRA_LOCAL_CHAT_PORT", "8088"))
    staff = int(os.environ.get("TELEGRAM_STAFF_CHAT_ID") or OFFLINE_STAFF_CHAT_ID)
    api_url = stack.start_local_chat(port, staff)
    stack.start_bot({
        "TELEGRAM_BOT_TOKEN": OFFLINE_TOKEN, "TELEGRAM_API_URL": api_url,
        "TELEGRAM_FILE_URL": api_url.replace("/bot", "/file/bot"),
        "TELEGRAM_STAFF_CHAT_ID": str(staff), "TELEGRAM_WEBHOOK_URL": "",
    })
    return (f"no TELEGRAM_BOT_TOKEN: offline local chat at http://127.0.0.1:{port}/ "
            f"(open it in a browser)")


def run() -> int:
    stack = Stack()

    def _stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start()
        telegram = start_telegram_side(stack)
        print(f"[mitra] up: Rasa REST channel at {stack.rasa_url}/webhooks/rest/webhook, "
              f"actions at {stack.action_url}; {telegram}. Ctrl-C stops everything.",
              flush=True)
        return stack.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(run())
