"""Work Rasa 3.6 repeats on every turn and need not: done once instead.

Connections to the action server: Rasa opens a new aiohttp session, and with it a new TCP
connection, for every call (each custom action, each reply through the NLG endpoint), and
the action server accepts a new one each time. `keep_connections` keeps one session per
event loop and endpoint, whose idle connections close after KEEPALIVE_SECONDS, before the
action server closes them (rasa_sdk's Sanic: 120 s; proxies often 5 s or more), so a request
seldom goes out on a connection the other side is closing. One that still does (the action
server restarted, or closed the idle connection as we wrote on it) is sent once more on a
new connection, but only if it went out on a kept one: there, the server's close almost
always came before our request. A request on a new connection is never sent twice, because
the action (a hand-off, say) may have run before the server went away.

JSON schemas:
Rasa checks every answer of the action server (custom actions and the NLG endpoint, so
several times a turn) with `jsonschema.validate`. That function first validates the
schema itself against JSON Schema's meta-schema and builds a new validator: about 27 ms a
call on this machine for Rasa's large event schema, against 0.4 ms for checking the
answer alone, and about a quarter of Rasa's CPU per message. The schemas are constants
rebuilt as new dicts on each call, so we keep one validator per distinct schema (by its
JSON text) and check answers exactly as before: the same errors, the same exceptions.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
from typing import Any, Dict, Tuple

_validators: Dict[str, Any] = {}
_lock = threading.Lock()
# Rasa has two schemas; a bound keeps any unexpected caller from growing this forever.
MAX_SCHEMAS = 32


def _key(schema: Any, cls: Any, args: tuple, kwargs: dict) -> str:
    return json.dumps([schema, repr(cls), repr(args), repr(sorted(kwargs.items()))],
                      sort_keys=True, default=repr)


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """`jsonschema.validate` with the schema checked and the validator built once."""
    from jsonschema import exceptions, validators

    key = _key(schema, cls, args, kwargs)
    validator = _validators.get(key)
    if validator is None:
        kind = cls or validators.validator_for(schema)
        kind.check_schema(schema)  # raises SchemaError, as jsonschema.validate does
        validator = kind(schema, *args, **kwargs)
        with _lock:
            if len(_validators) < MAX_SCHEMAS:
                _validators[key] = validator
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def install() -> None:
    """Rasa imports `validate` from jsonschema inside each function, at call time, so
    replacing the module's attribute reaches every call."""
    import jsonschema

    jsonschema.validate = validate
    keep_connections()
    keep_minimal_schemas()


# A loaded model's graph is run for a few sets of targets (parsing, predicting); the bound
# only keeps an unexpected caller from growing the table forever.
MAX_TARGET_SETS = 32


def keep_minimal_schemas() -> None:
    """Rasa's graph runner asks its schema for the part of the graph a run needs on every
    run (each message is parsed by one run and each action predicted by another), and
    `GraphSchema.minimal_graph_schema` finds it by walking every path of the graph again,
    without remembering nodes it has seen: about 3% of Rasa's CPU per message. The schema
    of a loaded model does not change, so the answer is kept per schema and targets; a
    schema whose node table was replaced or resized is walked again."""
    from rasa.engine.graph import GraphSchema

    original = GraphSchema.minimal_graph_schema
    if getattr(original, "_mitra_kept", False):
        return

    @functools.wraps(original)
    def minimal_graph_schema(self, targets=None):
        nodes = self.nodes
        key = (tuple(targets) if targets else None, id(nodes), len(nodes))
        kept = self.__dict__.setdefault("_mitra_minimal", {})
        if key not in kept:
            if len(kept) >= MAX_TARGET_SETS:
                kept.clear()
            kept[key] = original(self, targets)
        return kept[key]

    minimal_graph_schema._mitra_kept = True  # type: ignore[attr-defined]
    GraphSchema.minimal_graph_schema = minimal_graph_schema


# Below the idle timeouts of the action server and of common proxies (5 s and more).
KEEPALIVE_SECONDS = 2.0
# One session per event loop (a Rasa worker has one) and endpoint settings: a few. Beyond
# the bound, a call gets a session of its own that Rasa closes after it, as stock Rasa does.
MAX_SESSIONS = 16
_sessions: Dict[Tuple[int, str], Any] = {}


class _Kept:
    """`async with` over a kept session: Rasa's request() closes what it enters."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: Any) -> bool:
        return False


def _session_key(endpoint: Any) -> Tuple[int, str]:
    # By loop (a session belongs to one) and by what Rasa's session() configures, not by
    # object: Rasa copies endpoint configs.
    return (id(asyncio.get_running_loop()),
            json.dumps([endpoint.headers, endpoint.basic_auth], sort_keys=True, default=repr))


async def _on_reused(_session: Any, context: Any, _params: Any) -> None:
    # Marks a request (its trace_request_ctx, see keep_connections) as sent on a kept
    # connection.
    if isinstance(context.trace_request_ctx, dict):
        context.trace_request_ctx["reused"] = True


def _new_session(endpoint: Any, kept: bool) -> Any:
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
            if endpoint.basic_auth else None)
    tracing = aiohttp.TraceConfig()
    tracing.on_connection_reuseconn.append(_on_reused)
    connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS) if kept else None
    return aiohttp.ClientSession(
        headers=endpoint.headers, auth=auth, connector=connector, trace_configs=[tracing],
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))


def kept_session(endpoint: Any) -> Any:
    """What Rasa's EndpointConfig.session() returns: a kept session, wrapped so that Rasa's
    `async with` does not close it."""
    key = _session_key(endpoint)
    session = _sessions.get(key)
    if session is None or session.closed:
        if key not in _sessions and len(_sessions) >= MAX_SESSIONS:
            return _new_session(endpoint, kept=False)  # closed by Rasa after this call
        session = _sessions[key] = _new_session(endpoint, kept=True)
    return _Kept(session)


async def close_sessions() -> None:
    """Closes the kept sessions of the running loop (when the server stops)."""
    loop_id = id(asyncio.get_running_loop())
    for key in [k for k in _sessions if k[0] == loop_id]:
        await _sessions.pop(key).close()


def close_on_stop(app) -> None:
    async def close(_app, _loop) -> None:
        await close_sessions()

    app.register_listener(close, "after_server_stop")


def keep_connections() -> None:
    import aiohttp
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig.request, "_mitra_kept", False):
        return
    original = EndpointConfig.request

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        # Rasa passes extra arguments on to aiohttp's session.request.
        sent: Dict[str, bool] = {"reused": False}
        try:
            return await original(self, *args, trace_request_ctx=sent, **kwargs)
        except aiohttp.ServerDisconnectedError:
            if not sent["reused"]:
                raise  # a new connection: the server may have acted on it (module docstring)
            return await original(self, *args, **kwargs)

    request._mitra_kept = True  # type: ignore[attr-defined]
    EndpointConfig.session = kept_session
    EndpointConfig.request = request


# One message per script, so that the first person to write in each does not wait for
# what a process loads on first use: khmer-nltk's CRF model and PyThaiNLP's dictionary
# trie (about 0.9 s each), the e5 weights, the first TensorFlow calls of DIET.
WARM_UP = ("សួស្តី ខ្ញុំចង់សួរ", "สวัสดีครับ อยากถามหน่อย", "hello, a question")


def warm_up(app) -> None:
    """Parses WARM_UP as soon as the server is up with its model loaded."""

    async def parse_once(app_, _loop) -> None:
        from rasa.core.channels.channel import UserMessage

        from mitra.metrics_rasa import WARM_WORKERS

        try:
            agent = getattr(app_.ctx, "agent", None)
            if agent is not None and agent.is_ready():
                processor = agent.processor
                # Rasa's own parse, not the one mitra/metrics_rasa.py wraps: no person
                # wrote these.
                parse = getattr(type(processor).parse_message, "__wrapped__",
                                type(processor).parse_message)
                for text in WARM_UP:
                    await parse(processor, UserMessage(text))
        except Exception:  # warming up is an optimisation: never stop Rasa for it
            logging.getLogger("mitra.rasa").warning("warm-up failed", exc_info=True)
        finally:
            WARM_WORKERS.inc()  # readiness (scripts/stack.py): this worker serves now

    async def after_start(app_, loop) -> None:
        # Later, from the running loop, not inside this listener: Sanic only acts on a
        # SIGTERM once its loop runs forever; one that came during a listener was lost.
        loop.call_later(0.1, lambda: loop.create_task(parse_once(app_, loop)))

    app.register_listener(after_start, "after_server_start")
