"""A redis-server of our own on a free port, for tests and tools that need a Redis nobody
else writes to, or one they can kill and restart: nothing on disk unless `appendonly`,
stopped by its PID. Standard library and redis-py only: Rasa's environment imports it too.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from typing import Optional

import redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, appendonly: bool = False) -> None:
        self.port = free_port()
        self.appendonly = appendonly
        # With the append-only file on, a restart (start() after kill()) reads it back.
        self.dir = tempfile.mkdtemp(prefix="mitra-redis-")
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        persistence = (["--appendonly", "yes", "--appendfsync", "always"] if self.appendonly
                       else ["--appendonly", "no"])
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--dir", self.dir, *persistence],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis.Redis(port=self.port, socket_timeout=1).ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.kill()
                    raise RuntimeError(f"redis-server on port {self.port} did not start")
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: nothing is saved beyond what the append-only file already holds."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)
