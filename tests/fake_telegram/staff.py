"""A hotline staff member in the staff group, as tests see and drive them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

from tests.fake_telegram import updates as make

if TYPE_CHECKING:
    from tests.fake_telegram.server import FakeTelegram


class StaffMember:
    def __init__(self, fake: FakeTelegram, group_id: int, user_id: int, first_name: str,
                 member: bool = True) -> None:
        self.fake = fake
        self.group_id = group_id
        self.user = make.user(user_id, first_name)
        self.name = first_name
        fake.members[(group_id, user_id)] = "member" if member else "left"

    @property
    def chat(self) -> Dict[str, Any]:
        return self.fake.chats[self.group_id]

    def say(self, text: str, thread: Optional[int] = None,
            reply_to: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        fields: Dict[str, Any] = {"text": text}
        entities = make.command_entities(text)
        if entities:
            fields["entities"] = entities
        if thread:
            fields.update(message_thread_id=thread, is_topic_message=True)
        if reply_to:
            fields["reply_to_message"] = reply_to
        return self.fake.post_message(self.chat, self.user, fields)

    def press(self, message: Dict[str, Any], title: str) -> str:
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        data = next(b["callback_data"] for b in buttons if b["text"] == title)
        return self.fake.press(self.group_id, message["message_id"], data, self.user)

    def answer_to(self, query_id: str, timeout: float = 30.0) -> Dict[str, Any]:
        """What the bot answered to a button press (the toast staff see)."""
        return self.fake.wait_until(
            lambda: self.fake.callback_queries[query_id]["answered"], timeout)


def group_messages(fake: FakeTelegram, group_id: int, after: int = 0) -> List[Dict[str, Any]]:
    return [m for m in fake.transcript(group_id) if m["message_id"] > after
            and m.get("from", {}).get("is_bot")]
