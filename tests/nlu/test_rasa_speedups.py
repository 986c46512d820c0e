"""The validator Rasa uses on action-server answers, built once, judges as before; calls
to the action server share connections and survive one that the server closed; the part
of the graph a run needs is found once."""
import asyncio

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.engine.graph import GraphComponent, GraphSchema, SchemaNode
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from nlu import rasa_speedups

GOOD = {"events": [{"event": "slot", "name": "country", "value": "th", "timestamp": None}],
        "responses": [{"text": "hello"}]}
BAD = {"events": [{"event": "slot"}], "responses": []}


@pytest.fixture
def installed(monkeypatch):
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)  # undone after the test
    monkeypatch.setattr(EndpointConfig, "request", EndpointConfig.request)
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    monkeypatch.setattr(GraphSchema, "minimal_graph_schema", GraphSchema.minimal_graph_schema)
    rasa_speedups.install()
    assert jsonschema.validate is rasa_speedups.validate


def test_action_answers_judged_as_rasa_does(installed):
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(GOOD)
    assert action._validate_action_result(GOOD)  # the second time from the kept validator
    with pytest.raises(jsonschema.ValidationError) as caught:
        action._validate_action_result(BAD)
    assert "Failed to validate Action server response" in caught.value.message


def test_nlg_answers_judged_as_rasa_does(installed):
    assert CallbackNaturalLanguageGenerator.validate_response({"text": "hi", "buttons": []})
    with pytest.raises(RasaException):
        CallbackNaturalLanguageGenerator.validate_response({"text": 3})


def test_an_invalid_schema_is_still_refused():
    with pytest.raises(jsonschema.SchemaError):
        rasa_speedups.validate({}, {"type": "no such type"})


async def _action_server(close_after: float = 0.0):
    """A real HTTP server on a free port that answers like an action server and counts
    the TCP connections it accepted; with `close_after`, it closes each connection that
    long after answering, as a restarted action server or a proxy's idle timeout does."""
    from aiohttp import web

    connections = []

    async def webhook(request):
        if request.transport not in connections:
            connections.append(request.transport)
        if close_after:
            asyncio.get_running_loop().call_later(close_after, request.transport.close)
        return web.json_response({"events": [], "responses": [{"text": request.query.get("token", "")}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/webhook", connections


def test_calls_to_the_action_server_share_one_connection(installed):
    async def scenario():
        runner, url, connections = await _action_server()
        try:
            endpoint = EndpointConfig(url, token="secret")
            for _ in range(3):  # Rasa's own request(), as for each custom action
                answer = await endpoint.request(json={"next_action": "action_x"}, method="post")
                assert answer["responses"] == [{"text": "secret"}]
            copy = endpoint.copy()  # Rasa copies endpoint configs; still the same session
            await copy.request(json={}, method="post")
            return len(connections)
        finally:
            await rasa_speedups.close_sessions()
            await runner.cleanup()

    assert asyncio.run(scenario()) == 1


def test_a_connection_the_server_closed_is_replaced_without_an_error(installed):
    # The client would keep it 2 s; this server closes it 0.05 s after each answer (one
    # event loop for both, so the close always comes before the next request).
    async def scenario():
        runner, url, connections = await _action_server(close_after=0.05)
        try:
            endpoint = EndpointConfig(url, token="t")
            answers = []
            for _ in range(3):
                answers.append(await endpoint.request(json={}, method="post"))
                await asyncio.sleep(0.3)
            return answers, len(connections)
        finally:
            await rasa_speedups.close_sessions()
            await runner.cleanup()

    answers, connections = asyncio.run(scenario())
    assert answers == [{"events": [], "responses": [{"text": "t"}]}] * 3
    assert connections == 3


async def _dropping_server(answers_per_connection: int):
    """A bare HTTP server that answers the first `answers_per_connection` requests on each
    connection and then reads the next one and closes the connection without an answer:
    an action server that restarts, or closes an idle connection as the request arrives.
    It counts the requests it read."""
    received = []

    async def serve(reader, writer):
        answered = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                received.append(answered)
                if answered == answers_per_connection:
                    break
                answered += 1
                body = b'{"events": [], "responses": [{"text": "ok"}]}'
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/webhook", received


def test_a_request_dropped_on_a_kept_connection_is_sent_again(installed):
    async def scenario():
        server, url, received = await _dropping_server(answers_per_connection=1)
        try:
            endpoint = EndpointConfig(url)
            first = await endpoint.request(json={}, method="post")
            second = await endpoint.request(json={}, method="post")  # kept one: dropped
            return first, second, len(received)
        finally:
            await rasa_speedups.close_sessions()
            server.close()

    first, second, received = asyncio.run(scenario())
    assert first == second == {"events": [], "responses": [{"text": "ok"}]}
    assert received == 3  # answered, dropped, answered on a new connection


def test_a_request_dropped_on_a_new_connection_is_not_sent_twice(installed):
    # The action (a hand-off) may have run before the server went away: better one error
    # than a second case.
    async def scenario():
        server, url, received = await _dropping_server(answers_per_connection=0)
        try:
            with pytest.raises(Exception) as caught:
                await EndpointConfig(url).request(json={}, method="post")
            return caught.value, len(received)
        finally:
            await rasa_speedups.close_sessions()
            server.close()

    error, received = asyncio.run(scenario())
    assert received == 1
    assert "disconnect" in type(error).__name__.lower() + str(error).lower()


def test_beyond_the_bound_each_call_has_a_session_of_its_own(installed, monkeypatch):
    monkeypatch.setattr(rasa_speedups, "MAX_SESSIONS", 0)

    async def scenario():
        runner, url, connections = await _action_server()
        try:
            for _ in range(2):
                await EndpointConfig(url).request(json={}, method="post")
            return len(connections), len(rasa_speedups._sessions)
        finally:
            await runner.cleanup()

    assert asyncio.run(scenario()) == (2, 0)


def _schema():
    """A diamond: two parsers need the tokenizer, the classifier needs both."""
    def node(*needs, target=False):
        return SchemaNode(needs={f"i{n}": need for n, need in enumerate(needs)},
                          uses=GraphComponent, constructor_name="create", fn="process",
                          config={}, is_target=target)
    return GraphSchema({"tokens": node("__message__"), "a": node("tokens"), "b": node("tokens"),
                        "classify": node("a", "b", target=True), "other": node("tokens")})


def test_the_part_of_the_graph_a_run_needs_is_found_once_and_is_rasas(installed):
    rasas = GraphSchema.minimal_graph_schema.__wrapped__(_schema(), ["classify"])
    schema = _schema()
    first = schema.minimal_graph_schema(["classify"])
    assert first == rasas and set(first.nodes) == {"tokens", "a", "b", "classify"}
    assert schema.minimal_graph_schema(["classify"]) is first  # kept
    assert set(schema.minimal_graph_schema(["other"]).nodes) == {"tokens", "other"}
    assert schema.minimal_graph_schema() == rasas  # the targets by default
    # A schema whose nodes were replaced is walked again.
    schema.nodes = {name: n for name, n in schema.nodes.items() if name != "b"}
    schema.nodes["classify"] = _schema().nodes["a"]
    assert set(schema.minimal_graph_schema(["classify"]).nodes) == {"tokens", "classify"}
