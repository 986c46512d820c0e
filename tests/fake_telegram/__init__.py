"""A fake Telegram Bot API server for tests and for the offline local chat.

It implements the methods Mitra's bot calls, with Telegram's checks that matter (text
length, callback data size, known chats, the 48-hour limit on deleting, "message is not
modified"), records every call, lets tests inject updates as a person would send them,
delivers them by long polling or to a webhook with the secret-token header, and keeps
each chat's transcript as a person would see it.
"""
from tests.fake_telegram.person import Person
from tests.fake_telegram.server import FakeTelegram

__all__ = ["FakeTelegram", "Person"]
