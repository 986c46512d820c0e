"""Our components inside Rasa: tokens with offsets, and the language on every message."""
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.language_detector import MitraLanguageDetector
from nlu.tokenizer import MitraTokenizer


def make_tokenizer():
    return MitraTokenizer(MitraTokenizer.get_default_config())


def test_tokens_carry_offsets_for_entities():
    text = "ขอเป็นภาษาเขมรได้ไหม"
    message = Message(data={TEXT: text})
    make_tokenizer().process([message])
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert [t.text for t in tokens] == ["ขอ", "เป็น", "ภาษา", "เขมร", "ได้", "ไหม"]
    assert all(text[t.start:t.end] == t.text for t in tokens)


def test_entity_annotation_survives_training_tokenization():
    text = "speak khmer please"
    message = Message(data={TEXT: text, "intent": "switch_language", "entities": [
        {"start": 6, "end": 11, "value": "km", "entity": "requested_language"}]})
    make_tokenizer().process_training_data(TrainingData([message]))
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert any(t.start == 6 and t.end == 11 for t in tokens)


def test_emoji_only_message_gets_one_token():
    message = Message(data={TEXT: "🙏🙏"})
    make_tokenizer().process([message])
    assert len(message.get(TOKENS_NAMES[TEXT])) == 1


def test_language_is_an_output_property():
    message = Message(data={TEXT: "knhom jong sour bong"})
    MitraLanguageDetector().process([message])
    output = message.as_dict(only_output_properties=True)
    assert output["language"]["code"] == "km"
    assert output["language"]["script"] == "Latn"


def test_the_e5_vector_is_an_output_property_for_the_action_server():
    from mitra import vectors
    from nlu.e5_featurizer import E5SentenceFeaturizer

    message = Message(data={TEXT: "  my boss keeps my passport  "})
    featurizer = E5SentenceFeaturizer(E5SentenceFeaturizer.get_default_config(), "e5")
    featurizer.process([message])
    _, features = message.get_dense_features(TEXT, [])
    output = message.as_dict(only_output_properties=True)
    vector = vectors.unpack(output[vectors.FIELD], 384)
    assert vector is not None and len(output[vectors.FIELD]) < 1100
    assert float(vector @ features.features[0]) > 0.9999
