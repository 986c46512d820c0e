"""Rasa's Redis tracker store, encrypted at rest, that keeps every tracker short.

Encrypted: a tracker holds everything a person wrote; a copy of Redis without
MITRA_DATA_KEYS shows none of it (`mitra/crypto.py`). Configured in endpoints.yml
(`type: nlu.tracker_store.EncryptedRedisTrackerStore`); keys, expiry and locking are Rasa's
own RedisTrackerStore's.

Short: Rasa's RedisTrackerStore reads, merges and rewrites the whole tracker on every turn,
Rasa replays all of it for every prediction, and sends all of it to the action server with
every custom action. Each turn costs more the longer the conversation
(`make bench`, docs/benchmarks.md). So once a tracker has more than MITRA_TRACKER_MAX_EVENTS
events it is stored compacted (`compact`): a session start that carries the state at the
cut (slots that differ from their initial value, the active form, a pause during a
hand-off), followed by the last MITRA_TRACKER_KEEP_TURNS turns as they were (while a form
runs, from a little before it started). The policies look back four turns (config.yml's
max_history) and the hand-off's transcript the last six texts (actions/handoff.py): both
still find what they need, and the older turns, which nothing reads, are no longer kept
anywhere, which is also less of a person's words at rest.

The store saves the tracker it is given, without first reading and merging the stored one
as Rasa's does: Rasa saves only a tracker it retrieved and extended while holding the
conversation's lock, so the stored copy has nothing the new one lacks except sessions
before the latest, which we do not keep (slots carry over to a new session, domain.yml).
"""
from __future__ import annotations

import bisect
import json
import os
from typing import Any, Dict, List, Optional, Text, Union

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.events import (
    ActionExecuted, ActiveLoop, ConversationPaused, Event, SessionStarted, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from mitra import crypto, vectors

# A turn of ours is about six events (message, language slot, action, reply, listen; more
# in the safety check). Each stored event adds about 2 ms of CPU to every turn (read,
# replayed for each prediction, sent to the action server with each custom action; `make
# bench` with whole trackers: 0.3 s at the 1st turn, 2.6 s at the 200th), so it stays as short
# as in a conversation's first ten turns: six turns kept (the policies need four, the
# hand-off's transcript three), compacted again once it passes 80 events, which happens
# every few turns and costs a replay of those few dozen events.
MAX_EVENTS = 80
KEEP_TURNS = 6

# While a form runs, Rasa folds its turns into its first one when it predicts (the form's
# "happy path"), so the policies see the turns before the form started: those are kept
# (the start and two turns before it), unless the form has run for longer than this.
LOOP_CONTEXT_TURNS = 2
LOOP_TURNS = 30


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _without_vectors(dialogue: Dict[str, Any]) -> Dict[str, Any]:
    """Rasa's e5 vector of each message (mitra/vectors.py) serves only its own turn: not
    stored (a kilobyte a message, and nothing to keep about a person)."""
    for event in dialogue.get("events") or []:
        parse_data = event.get("parse_data")
        if isinstance(parse_data, dict) and vectors.FIELD in parse_data:
            # A copy: the event may share this dict with the tracker still in use.
            event["parse_data"] = {k: v for k, v in parse_data.items() if k != vectors.FIELD}
    return dialogue


def _turn_starts(events: List[Event]) -> List[int]:
    """Where each turn starts: the `action_listen` before a person's message, or the
    message itself when there is none (while paused, Rasa only logs what is said)."""
    starts = []
    for i, event in enumerate(events):
        if isinstance(event, UserUttered):
            before = events[i - 1] if i else None
            listened = isinstance(before, ActionExecuted) and before.action_name == ACTION_LISTEN_NAME
            starts.append(i - 1 if listened else i)
    return starts


def _first_kept_turn(events: List[Event], starts: List[int], keep_turns: int,
                     loop: Optional[Text]) -> int:
    """The index (in `starts`) of the first turn to keep."""
    first = len(starts) - keep_turns
    activations = [i for i, e in enumerate(events) if isinstance(e, ActiveLoop) and e.name == loop]
    if loop and activations:
        started = bisect.bisect_right(starts, activations[-1]) - 1
        earliest = max(0, started - LOOP_CONTEXT_TURNS)
        if len(starts) - earliest <= LOOP_TURNS:
            first = min(first, earliest)
    return first


def _state_at(tracker: DialogueStateTracker, events: List[Event]) -> DialogueStateTracker:
    """The conversation's state after `events`, as Rasa rebuilds it from a stored tracker
    (reverted events undone): slots, active form, pause."""
    state = tracker.init_copy()
    state.recreate_from_dialogue(Dialogue(tracker.sender_id, events))
    return state


def _session_start(state: DialogueStateTracker, timestamp: float, listen: bool) -> List[Event]:
    """A session start that leaves a tracker in `state`, as Rasa's own session start does
    for slots (`ActionSessionStart` with carry_over_slots)."""
    def at(event: Event) -> Event:
        event.timestamp = timestamp
        return event

    head: List[Event] = [at(ActionExecuted(ACTION_SESSION_START_NAME)), at(SessionStarted())]
    for name, slot in state.slots.items():
        if slot.value != slot.initial_value:
            head.append(at(SlotSet(name, slot.value)))
    loop = state.active_loop_name
    if loop:
        # A form older than LOOP_TURNS: it runs on from here.
        head += [at(ActionExecuted(loop)), at(ActiveLoop(loop))]
    if listen:
        head.append(at(ActionExecuted(ACTION_LISTEN_NAME)))
    if state.is_paused():
        head.append(at(ConversationPaused()))
    return head


def compact(tracker: DialogueStateTracker, keep_turns: int) -> List[Event]:
    """The tracker's events with all but the last `keep_turns` turns (more while a form
    runs) folded into a session start carrying their state; all of them when there is
    nothing to fold."""
    events = list(tracker.events)
    starts = _turn_starts(events)
    first = _first_kept_turn(events, starts, keep_turns, tracker.active_loop_name)
    if first <= 0:
        return events
    cut = starts[first]
    tail = events[cut:]
    listens = isinstance(tail[0], ActionExecuted) and tail[0].action_name == ACTION_LISTEN_NAME
    # Timestamps stay in order: Rasa reads time from them (sessions expire).
    head = _session_start(_state_at(tracker, events[:cut]), events[cut - 1].timestamp,
                          listen=not listens)
    return head + tail


class EncryptedRedisTrackerStore(RedisTrackerStore):
    def __init__(self, domain=None, host: Text = "localhost", port=6379, db=0,
                 max_events: Optional[int] = None, keep_turns: Optional[int] = None,
                 use_ssl: Any = False, **kwargs: Any) -> None:
        # Values from endpoints.yml's ${...} arrive as text (use_ssl: "" or "1").
        super().__init__(domain, host=host or "localhost", port=int(port or 6379),
                         db=int(db or 0), use_ssl=bool(use_ssl), **kwargs)
        # 0 keeps whole trackers, saved as Rasa saves them (to measure the difference).
        self.max_events = int(max_events if max_events is not None
                              else _env_int("MITRA_TRACKER_MAX_EVENTS", MAX_EVENTS))
        self.keep_turns = max(1, int(keep_turns if keep_turns is not None
                                     else _env_int("MITRA_TRACKER_KEEP_TURNS", KEEP_TURNS)))

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        if not self.max_events:
            await super().save(tracker, timeout)
            return
        await self.stream_events(tracker)
        events = list(tracker.events)
        if len(events) > self.max_events:
            events = compact(tracker, self.keep_turns)
        self.red.set(self.key_prefix + tracker.sender_id,
                     self._encrypt(Dialogue(tracker.sender_id, events)),
                     ex=timeout or self.record_exp)

    @staticmethod
    def _encrypt(dialogue: Dialogue) -> Text:
        return crypto.encrypt(json.dumps(_without_vectors(dialogue.as_dict())))

    def serialise_tracker(self, tracker: DialogueStateTracker) -> Text:  # type: ignore[override]
        return self._encrypt(tracker.as_dialogue())

    def deserialise_tracker(
        self, sender_id: Text, serialised_tracker: Union[Text, bytes]
    ) -> Optional[DialogueStateTracker]:
        return super().deserialise_tracker(sender_id, crypto.decrypt(serialised_tracker))
