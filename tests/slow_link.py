"""A TCP relay that holds back every piece of data for a while, both ways: a process that
connects through it is that much farther from its server (another zone, a busy node).

The scale-out test puts one bot replica this far from Redis: replicas that are not equally
fast must still keep each person's messages in order. Runs in a thread of the test
process, on asyncio.
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator

from tests.background_server import BackgroundServer


class SlowLink(BackgroundServer):
    """`SlowLink(target_port, delay).start()`; connect to `.port` instead of the target."""

    what = "slow link"

    def __init__(self, target_port: int, delay: float) -> None:
        super().__init__()
        self.target_port = target_port
        self.delay = delay
        self.port = 0

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[None]:
        server = await asyncio.start_server(self._connect, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        async with server:
            yield

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                await asyncio.sleep(self.delay)
                writer.write(data)
                await writer.drain()
        writer.close()
