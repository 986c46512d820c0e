"""The reference bot's action server: Rasa SDK's app in one process, as Mitra's own
(`actions/server.py`) runs, so that both pay the same for the server itself.

Usage: python -m bench.reference.server --port 5056
"""
from __future__ import annotations

import argparse

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5056)
    args = parser.parse_args()
    executor = ActionExecutor()
    executor.register_package("bench.reference.actions")
    app = create_app(executor, cors_origins=[])
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
