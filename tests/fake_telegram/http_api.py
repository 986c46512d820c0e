"""HTTP for the fake Bot API: parameters as form fields (python-telegram-bot sends each
non-string value JSON-encoded), multipart or a JSON body; answers and errors as Telegram's.
Other paths go to the local chat page when it is enabled."""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any, Dict
from urllib.parse import parse_qs, urlparse

# Parameters whose value is a plain string; every other one is JSON-decoded.
_STRING_PARAMS = {
    "text", "caption", "callback_query_id", "url", "secret_token", "action", "language_code",
    "parse_mode", "description", "short_description", "name", "emoji",
}
_INT_PARAMS = {"chat_id", "from_chat_id", "message_id", "user_id", "offset", "limit", "timeout"}


class ApiError(Exception):
    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.code = code


def _decode(params: Dict[str, str]) -> Dict[str, Any]:
    decoded: Dict[str, Any] = {}
    for key, value in params.items():
        if key in _STRING_PARAMS or not isinstance(value, str):
            decoded[key] = value
            continue
        try:
            decoded[key] = json.loads(value)
        except ValueError:
            decoded[key] = value
        if key in _INT_PARAMS and isinstance(decoded[key], str) and decoded[key].lstrip("-").isdigit():
            decoded[key] = int(decoded[key])
    return decoded


def _read_params(handler: BaseHTTPRequestHandler) -> Dict[str, Any]:
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else b""
    kind = (handler.headers.get("Content-Type") or "").split(";")[0].strip()
    query = {k: v[-1] for k, v in parse_qs(urlparse(handler.path).query).items()}
    if kind == "application/json" and body:
        return {**_decode(query), **json.loads(body)}
    if kind == "multipart/form-data":
        import email.parser
        raw = b"Content-Type: " + handler.headers["Content-Type"].encode() + b"\r\n\r\n" + body
        message = email.parser.BytesParser().parsebytes(raw)
        form = {part.get_param("name", header="content-disposition"): _form_value(part)
                for part in message.get_payload()}
        return _decode({**query, **form})
    form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
    return _decode({**query, **form})


def _form_value(part) -> Any:
    """A form field's text, or an uploaded file as {filename, content, content_type}."""
    content = part.get_payload(decode=True)
    if part.get_filename() is None:
        return content.decode("utf-8", "replace")
    return {"filename": part.get_filename(), "content": content,
            "content_type": part.get_content_type()}


def handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY, as real servers do: the handler writes the headers and the body
        # separately, and with Nagle's algorithm the body waited for the client's delayed
        # ACK, about 40 ms, before every answer to a long-polling getUpdates.
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:  # quiet: tests read the call record
            pass

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bot stopped while waiting for updates

        def _handle(self) -> None:
            path = urlparse(self.path).path
            if path.startswith("/file/bot"):  # downloads (tests/fake_telegram/files.py)
                content = fake.download(path)
                if content is None:
                    return self._send(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
                return self._send(200, content, "application/octet-stream")
            if fake.local_chat and not path.startswith("/bot"):
                from tests.fake_telegram import local_chat
                status, content_type, body = local_chat.handle(fake, self.command, self.path,
                                                               self)
                return self._send(status, body, content_type)
            parts = path.split("/")
            if len(parts) != 3 or not parts[1].startswith("bot"):
                return self._send(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
            method = parts[2]
            try:
                params = _read_params(self)
                result = fake.call(method, params)
                body = {"ok": True, "result": result}
                status = 200
            except ApiError as error:
                body = {"ok": False, "error_code": error.code, "description": error.description}
                status = error.code
            except (TypeError, KeyError, ValueError) as error:
                body = {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
                status = 400
            self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"))

        do_GET = _handle
        do_POST = _handle

    return Handler
