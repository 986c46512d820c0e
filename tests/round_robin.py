"""A round-robin HTTP proxy for the scale-out test: each request goes to the next of N
upstreams, as a plain load balancer (or a Kubernetes Service) spreads requests over
replicas.

It forwards the method, path, query, headers (Telegram's secret-token header too) and body,
and returns the upstream's answer. It knows nothing about sessions or conversations, so a
test through it shows that any replica can serve any request. It counts the requests each
upstream answered, so that a test can check that every replica really served traffic. An
upstream that cannot be reached is not skipped: the caller gets 502 and has to cope, as it
would behind a balancer that has not noticed yet.

It runs in a thread of the test process, on asyncio (tornado server, httpx client), so
requests are forwarded concurrently, never one after another.
"""
from __future__ import annotations

import contextlib
import itertools
from typing import AsyncIterator, Sequence

import httpx
import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web

from tests.background_server import BackgroundServer

# Headers that describe one connection, not the message (RFC 9110 section 7.6.1), and
# lengths and encodings that httpx recomputes or has already undone.
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host", "content-length", "content-encoding",
}
UPSTREAM_TIMEOUT = 120.0  # Rasa on a busy machine can be slow; the caller has its own


class RoundRobin(BackgroundServer):
    """`RoundRobin([url1, url2]).start()`; `.url` is where to send requests; `.served[i]`
    counts the requests upstream i answered, `.failed[i]` those it could not."""

    what = "round-robin proxy"

    def __init__(self, upstreams: Sequence[str]) -> None:
        super().__init__()
        self.upstreams = [u.rstrip("/") for u in upstreams]
        self.served = [0] * len(self.upstreams)
        self.failed = [0] * len(self.upstreams)
        self._turn = itertools.count()
        self._sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")

    @property
    def port(self) -> int:
        return self._sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def next_upstream(self) -> int:
        # Only the proxy's event loop thread calls this, so the counter needs no lock.
        return next(self._turn) % len(self.upstreams)

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=UPSTREAM_TIMEOUT, follow_redirects=False,
                                     limits=httpx.Limits(max_connections=200)) as client:
            app = tornado.web.Application([(r"/.*", _Forward, {"proxy": self, "client": client})])
            server = tornado.httpserver.HTTPServer(app)
            server.add_sockets(self._sockets)
            yield
            server.stop()
            await server.close_all_connections()


class _Forward(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    def initialize(self, proxy: RoundRobin, client: httpx.AsyncClient) -> None:
        self.proxy = proxy
        self.client = client

    async def _forward(self) -> None:
        index = self.proxy.next_upstream()
        request = self.request
        headers = [(k, v) for k, v in request.headers.get_all() if k.lower() not in HOP_BY_HOP]
        try:
            response = await self.client.request(
                request.method, self.proxy.upstreams[index] + request.uri, headers=headers,
                content=request.body or None)
        except httpx.HTTPError as error:
            self.proxy.failed[index] += 1
            self.set_status(502)
            self.finish(f"upstream {index} failed: {type(error).__name__}")
            return
        self.proxy.served[index] += 1
        self.set_status(response.status_code, response.reason_phrase or "Unknown")
        self.clear_header("Content-Type")
        for name, value in response.headers.multi_items():
            if name.lower() not in HOP_BY_HOP:
                self.add_header(name, value)
        # Tornado refuses a body with these, as HTTP does.
        self.finish(None if response.status_code in (204, 304) else response.content)

    get = head = post = put = patch = delete = options = _forward  # type: ignore[assignment]

    def log_exception(self, typ, value, tb) -> None:  # a client that went away: not ours
        if not isinstance(value, tornado.iostream.StreamClosedError):
            super().log_exception(typ, value, tb)
