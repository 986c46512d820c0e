"""Rasa's Redis tracker store with every tracker encrypted at rest (`mitra/crypto.py`).

A tracker holds everything a person wrote; a copy of Redis without MITRA_DATA_KEYS shows
none of it. Configured in endpoints.yml (`type: nlu.tracker_store.EncryptedRedisTrackerStore`);
everything else, keys, expiry and locking, is Rasa's own RedisTrackerStore.
"""
from __future__ import annotations

import json
from typing import Optional, Text, Union

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from mitra import crypto


class EncryptedRedisTrackerStore(RedisTrackerStore):
    def __init__(self, domain=None, host: Text = "localhost", port=6379, db=0, **kwargs) -> None:
        # Values from endpoints.yml's ${...} arrive as text.
        super().__init__(domain, host=host or "localhost", port=int(port or 6379),
                         db=int(db or 0), **kwargs)

    def serialise_tracker(self, tracker: DialogueStateTracker) -> Text:  # type: ignore[override]
        return crypto.encrypt(json.dumps(tracker.as_dialogue().as_dict()))

    def deserialise_tracker(
        self, sender_id: Text, serialised_tracker: Union[Text, bytes]
    ) -> Optional[DialogueStateTracker]:
        return super().deserialise_tracker(sender_id, crypto.decrypt(serialised_tracker))
