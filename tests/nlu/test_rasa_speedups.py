"""The validator Rasa uses on action-server answers, built once, judges as before."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.shared.exceptions import RasaException

from nlu import rasa_speedups

GOOD = {"events": [{"event": "slot", "name": "country", "value": "th", "timestamp": None}],
        "responses": [{"text": "hello"}]}
BAD = {"events": [{"event": "slot"}], "responses": []}


@pytest.fixture
def installed(monkeypatch):
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)  # undone after the test
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
