"""Mitra's Telegram bridge: carries each private chat to Rasa's REST channel and back.

It keeps no conversation state in its own memory: a person's waiting messages, the
language of the latest reply, rate limits and the ids of messages `/forget` may delete all
live in Redis (names in `mitra/keys.py`), so several replicas can run behind a webhook.
Start it with `python -m bot`; see ARCHITECTURE.md for how a message travels.
"""
