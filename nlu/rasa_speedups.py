"""Work Rasa 3.6 repeats on every turn and need not: done once instead.

Rasa checks every answer of the action server (custom actions and the NLG endpoint, so
several times a turn) with `jsonschema.validate`. That function first validates the
schema itself against JSON Schema's meta-schema and builds a new validator: about 27 ms a
call on this machine for Rasa's large event schema, against 0.4 ms for checking the
answer alone, and about a quarter of Rasa's CPU per message. The schemas are constants
rebuilt as new dicts on each call, so we keep one validator per distinct schema (by its
JSON text) and check answers exactly as before: the same errors, the same exceptions.
"""
from __future__ import annotations

import json
import logging
import threading
from typing import Any, Dict

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


# One message per script, so that the first person to write in each does not wait for
# what a process loads on first use: khmer-nltk's CRF model and PyThaiNLP's dictionary
# trie (about 0.9 s each), the e5 weights, the first TensorFlow calls of DIET.
WARM_UP = ("សួស្តី ខ្ញុំចង់សួរ", "สวัสดีครับ อยากถามหน่อย", "hello, a question")


def warm_up(app) -> None:
    """Parses WARM_UP as soon as the server is up with its model loaded."""

    async def parse_once(app_, _loop) -> None:
        from rasa.core.channels.channel import UserMessage

        agent = getattr(app_.ctx, "agent", None)
        if agent is None or not agent.is_ready():
            return
        processor = agent.processor
        # Rasa's own parse, not the one mitra/metrics_rasa.py wraps: no person wrote these.
        parse = getattr(type(processor).parse_message, "__wrapped__", type(processor).parse_message)
        try:
            for text in WARM_UP:
                await parse(processor, UserMessage(text))
        except Exception:  # warming up is an optimisation: never stop Rasa for it
            logging.getLogger("mitra.rasa").warning("warm-up failed", exc_info=True)

    async def after_start(app_, loop) -> None:
        # Later, from the running loop, not inside this listener: Sanic only acts on a
        # SIGTERM once its loop runs forever; one that came during a listener was lost.
        loop.call_later(0.1, lambda: loop.create_task(parse_once(app_, loop)))

    app.register_listener(after_start, "after_server_start")
