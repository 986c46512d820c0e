"""Rasa tokenizer for Khmer, Thai and Latin text (see `nlu.segmenter`)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.segmenter import segment


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class MitraTokenizer(Tokenizer):
    """Splits Thai with PyThaiNLP (newmm), Khmer with khmer-nltk, the rest on words."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MitraTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        words = segment(text)
        if not words:
            # Emoji-only or punctuation-only messages still need one token for the
            # featurizers; Rasa's own WhitespaceTokenizer does the same.
            stripped = text.strip()
            if not stripped:
                return []
            words = [(stripped, text.index(stripped))]
        tokens = [Token(word, start) for word, start in words]
        return self._apply_token_pattern(tokens)
