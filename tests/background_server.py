"""A server of the test process that runs on an event loop in a thread of its own:
`start()` returns once it listens, `stop()` ends it. Subclasses write `serving()`, an async
context manager that listens while it is entered (tests/round_robin.py, tests/slow_link.py).
"""
from __future__ import annotations

import asyncio
import threading
from typing import AsyncContextManager, Optional


class BackgroundServer:
    what = "server"  # for the error when it does not start

    def __init__(self) -> None:
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stopped: Optional[asyncio.Event] = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def serving(self) -> AsyncContextManager[None]:
        raise NotImplementedError

    def start(self):
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"the {self.what} did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(10)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        async with self.serving():
            self._ready.set()
            await self._stopped.wait()
