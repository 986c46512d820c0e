"""One log format for every Mitra process (bot, action server, Rasa), with nothing personal
in it.

Logs end up in collectors that many people can read and that keep them for long, so a line
must never carry what a person wrote, their name or username, a chat id or Telegram user id,
the bot's token or an API token. Our own log calls avoid them at the source (cases are named
by number, people not at all); what libraries log is caught here as a safety net:
- tokens in URLs (`…/bot<token>/getUpdates` from httpx and python-telegram-bot, `?token=…`
  from Sanic's access and error logs), and the values of our secret settings wherever they
  appear;
- the person's pseudonymous id (`tg-…`, an HMAC of the chat id): it ties every line about
  one person together, which logs do not need;
- Rasa's structured events (structlog) lose the fields Rasa itself marks as personal
  (`text`, `user_text`, slots, …).

MITRA_LOG_FORMAT: `json` (default: one object a line with time, level, logger, service,
message and the fields a caller passes with `extra=`) or `text`. MITRA_LOG_LEVEL: INFO by
default; DEBUG lets libraries log more, Rasa the person's text among it: never in production.

Rasa's environment (Python 3.10) imports this module too: standard library only.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
from typing import Any, Dict, Iterable, List, Optional, Pattern, Tuple

FORMAT_ENV = "MITRA_LOG_FORMAT"
LEVEL_ENV = "MITRA_LOG_LEVEL"

# Settings whose values are secrets: wherever a value shows up in a line, it is hidden.
SECRET_SETTINGS = (
    "TELEGRAM_BOT_TOKEN", "RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "MITRA_ID_KEY",
    "TELEGRAM_WEBHOOK_SECRET", "MITRA_DATA_KEYS",
)
HIDDEN = "<redacted>"
PATTERNS: List[Tuple[Pattern[str], str]] = [
    # Bot API URLs carry the token: https://api.telegram.org/bot123:abc/sendMessage
    (re.compile(r"bot\d+:[A-Za-z0-9_-]+"), "bot" + HIDDEN),
    # A bare Telegram token (35 characters after the colon).
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"), HIDDEN),
    # Query strings and headers with credentials (Rasa sends the action server's as ?token=).
    (re.compile(r"((?:token|auth_token|secret|key|password)=)[^&\s\"'\\#]+", re.IGNORECASE),
     r"\1" + HIDDEN),
    (re.compile(r"(Bearer\s+)[^\s\"'\\]+", re.IGNORECASE), r"\1" + HIDDEN),
    (re.compile(r"(redis(?:s)?://[^:/@\s]*:)[^@\s]+@"), r"\1" + HIDDEN + "@"),
    # The person's id in Rasa and Redis (mitra/keys.py).
    (re.compile(r"tg-[0-9a-f]{32}"), "tg-" + HIDDEN),
]
# Fields of Rasa's structured events that hold a person's words or data (Rasa's own
# anonymization list, rasa/utils/log_utils.py, and a few more), and fields that no line of
# ours may carry whoever passes them.
PERSONAL_FIELDS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text",
    "parse_data_entities", "prediction_events", "tracker_latest_message", "prefilled_slots",
    "message", "response", "slot_candidates", "rasa_event", "rasa_events", "tracker_states",
    "current_states", "old_states", "successes", "current_entity", "next_entity", "states",
    "entity", "token_text", "user_message", "json_message", "sender_id", "conversation_id",
    "chat_id", "user_id", "username", "first_name", "last_name", "name", "metadata",
})
# Attributes every LogRecord has: anything else on a record came with `extra=`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName",
}
# Libraries that log what must not be logged at INFO: httpx writes every request URL, and
# the Bot API's hold the token.
QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING}

_handler: Optional[logging.Handler] = None


class Redactor:
    """Hides secrets and identifiers in a piece of text (see the module's docstring)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so that a secret containing another is hidden whole; short values
        # (an empty or toy setting) would hide ordinary words.
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    @classmethod
    def from_environment(cls) -> "Redactor":
        values = []
        for name in SECRET_SETTINGS:
            values += [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]
        return cls(values)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, HIDDEN)
        for pattern, replacement in PATTERNS:
            text = pattern.sub(replacement, text)
        return text


def _structured(message: str) -> Optional[Dict[str, Any]]:
    """Rasa's structlog events arrive as one JSON object in the message."""
    if not (message.startswith("{") and message.endswith("}")):
        return None
    try:
        data = json.loads(message)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "event" in data else None


def _message_and_fields(record: logging.LogRecord) -> Tuple[str, Dict[str, Any]]:
    """The record's message and its extra fields, Rasa's structured events unpacked, and
    without any field that holds personal data."""
    message = record.getMessage()
    fields = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}
    event = _structured(message)
    if event is not None:
        message = str(event.pop("event"))
        for key in ("level", "log_level", "timestamp", "logger"):
            event.pop(key, None)
        fields.update(event)
    return message, {k: v for k, v in fields.items() if k not in PERSONAL_FIELDS}


def _safe(value: Any, redact: Redactor) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return redact(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, service, process, message, fields."""

    def __init__(self, service: str, redact: Redactor) -> None:
        super().__init__()
        self.service = service
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        message, fields = _message_and_fields(record)
        line: Dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "service": self.service,
            "pid": record.process,
        }
        line["message"] = self.redact(message)
        for key, value in fields.items():
            if key not in line:
                line[key] = _safe(value, self.redact)
        if record.exc_info:
            line["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            line["traceback"] = self.redact(self.formatException(record.exc_info))
        elif record.stack_info:
            line["stack"] = self.redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The classic one-line format, for a developer's terminal; redacted all the same."""

    def __init__(self, service: str, redact: Redactor) -> None:
        super().__init__(f"%(asctime)s %(levelname)s {service} %(name)s: %(message)s")
        self.redact = redact

    def formatMessage(self, record: logging.LogRecord) -> str:
        message, fields = _message_and_fields(record)
        shown = " ".join(f"{k}={v}" for k, v in fields.items())
        record.message = f"{message} {shown}" if shown else message
        return self.redact(super().formatMessage(record))

    def formatException(self, exc_info) -> str:
        return self.redact(super().formatException(exc_info))


def level_from_environment() -> int:
    name = os.environ.get(LEVEL_ENV, "").strip().upper() or "INFO"
    level = logging.getLevelName(name)
    return level if isinstance(level, int) else logging.INFO


def make_handler(service: str, fmt: Optional[str] = None, stream=None) -> logging.Handler:
    fmt = (fmt or os.environ.get(FORMAT_ENV, "").strip() or "json").lower()
    redact = Redactor.from_environment()
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter = TextFormatter if fmt == "text" else JsonFormatter
    handler.setFormatter(formatter(service, redact))
    return handler


def configure(service: str, level: Optional[int] = None, fmt: Optional[str] = None,
              stream=None) -> logging.Handler:
    """Sends every log record of this process, as one format, through one handler."""
    global _handler
    level = level if level is not None else level_from_environment()
    _handler = make_handler(service, fmt, stream)
    # On the handler too: libraries that set their own loggers to DEBUG (khmer-nltk does)
    # must not log below the level chosen here.
    _handler.setLevel(level)
    root = logging.getLogger()
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)
    # Python's warnings (deprecations of libraries) become log lines too, not raw stderr.
    logging.captureWarnings(True)
    _log_uncaught()
    # Progress bars (model loading in transformers, tqdm) are written straight to stderr,
    # not logged: they would be lines that are not JSON.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    take_over()
    return _handler


def take_over() -> None:
    """Routes every logger with handlers of its own to ours: libraries (Rasa's coloredlogs
    on the root, Sanic, TensorFlow) install their own formats, which would print lines
    that are not JSON and are not redacted. Call again after a library configured logging."""
    if _handler is None:
        return
    _route_new_loggers()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler is not _handler:
            root.removeHandler(handler)
    if _handler not in root.handlers:
        root.addHandler(_handler)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if not isinstance(logger, logging.Logger):
            continue
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        # Without a handler, a logger that does not propagate would fall back to Python's
        # bare "last resort" output (Rasa stops Sanic's loggers from propagating).
        logger.propagate = True


class _Routed:
    """Mixed into the class of loggers created after configure(): a library that attaches
    a handler of its own on first use (khmer-nltk does, when Rasa first reads Khmer) does
    not get one; its records reach ours through the root."""

    def addHandler(self, handler: logging.Handler) -> None:
        if _handler is None:
            super().addHandler(handler)  # type: ignore[misc]


def _route_new_loggers() -> None:
    # A mixin, not a class of our own: structlog (in Rasa) sets a logger class of its own,
    # which must keep working; take_over() applies this again after it did.
    current = logging.getLoggerClass()
    if not issubclass(current, _Routed):
        logging.setLoggerClass(type(f"Routed{current.__name__}", (_Routed, current), {}))


def _log_uncaught() -> None:
    """A crash's traceback as one log line like any other, not raw text on stderr."""
    crash = logging.getLogger("mitra.crash")

    def on_exception(kind, value, traceback) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, traceback)
            return
        crash.critical("uncaught exception", exc_info=(kind, value, traceback))

    def on_thread_exception(args) -> None:
        if args.exc_type is SystemExit:
            return
        crash.critical("uncaught exception in thread %s", args.thread.name if args.thread else "?",
                       exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = on_exception
    threading.excepthook = on_thread_exception
