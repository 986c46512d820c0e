"""A person in a private chat with the bot, as tests see and drive it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from tests.fake_telegram import updates as make

if TYPE_CHECKING:
    from tests.fake_telegram.server import FakeTelegram


class Person:
    """A person in a private chat with the bot, as tests see them."""

    def __init__(self, fake: FakeTelegram, chat_id: int, language_code: Optional[str],
                 first_name: str) -> None:
        self.fake = fake
        self.chat_id = chat_id
        self.user = make.user(chat_id, first_name, language_code)
        self.chat = make.private_chat(chat_id, first_name)
        # Bot texts this test does not look at (see tests/conftest.py's `person`).
        self.hidden: set = set()

    def say(self, text: str) -> int:
        fields = {"text": text}
        entities = make.command_entities(text)
        if entities:
            fields["entities"] = entities
        return self.fake.post_message(self.chat, self.user, fields)["message_id"]

    def send(self, kind: str, caption: Optional[str] = None) -> int:
        fields = make.media(kind)
        if caption:
            fields["caption"] = caption
        return self.fake.post_message(self.chat, self.user, fields)["message_id"]

    def edit(self, message_id: int, text: str) -> None:
        self.fake.edit_message(self.chat_id, message_id, text)

    def press(self, message: Dict[str, Any], title: Optional[str] = None,
              data: Optional[str] = None) -> str:
        """Presses the button with this title (or sends any `data`, as a forged client)."""
        if data is None:
            buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
            data = next(b["callback_data"] for b in buttons if b["text"] == title)
        return self.fake.press(self.chat_id, message["message_id"], data, self.user)

    def bot_messages(self, after: int = 0) -> List[Dict[str, Any]]:
        """The bot's messages in this chat (still visible), newer than message `after`."""
        return [m for m in self.fake.transcript(self.chat_id)
                if m["message_id"] > after and m.get("from", {}).get("is_bot")
                and m.get("text") not in self.hidden]

    def wait_replies(self, after: int, count: int = 1, timeout: float = 30.0) -> List[Dict[str, Any]]:
        self.fake.wait_until(lambda: len(self.bot_messages(after)) >= count, timeout)
        return self.bot_messages(after)

    def wait_for(self, predicate: Callable[[List[Dict[str, Any]]], Any], after: int = 0,
                 timeout: float = 30.0) -> List[Dict[str, Any]]:
        self.fake.wait_until(lambda: predicate(self.bot_messages(after)), timeout)
        return self.bot_messages(after)
