"""The reference bot's processes: a Redis of its own, its action server, `rasa run`.

Built on `scripts.stack.Stack` (the same start, wait and stop), with the reference's own
action server and Rasa started without our launcher: plain Rasa, as anyone would run it,
with Rasa's own Redis tracker and lock stores (bench/reference/endpoints.yml).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict

from scripts.stack import APP_PYTHON, ROOT, Stack, wait_http

HERE = Path(__file__).resolve().parent
MODEL = ROOT / "models" / "reference.tar.gz"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"


@dataclass
class ReferenceStack(Stack):
    model: Path = MODEL

    def env(self) -> Dict[str, str]:
        env = super().env()
        redis_port = self.redis_url.rsplit(":", 1)[1].split("/")[0]
        env.update(REFERENCE_ACTION_URL=f"{self.action_url}/webhook",
                   REFERENCE_REDIS_HOST="127.0.0.1", REFERENCE_REDIS_PORT=redis_port)
        return env

    def start_actions(self) -> None:
        process = self._spawn("actions", [str(APP_PYTHON), "-m", "bench.reference.server",
                                          "--port", str(self.action_port)])
        wait_http(f"{self.action_url}/health", 60, process)

    def start_rasa(self) -> None:
        process = self._spawn("rasa", [
            str(RASA), "run", "--model", str(self.model), "--port", str(self.rasa_port),
            "--endpoints", str(HERE / "endpoints.yml"),
            "--credentials", str(ROOT / "credentials.yml"),
        ])
        wait_http(f"{self.rasa_url}/", 600, process)
