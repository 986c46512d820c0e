"""The tracker store keeps long conversations short without changing what Rasa decides.

Against a real Redis (a redis-server of its own) and the real domain: a long tracker is
stored as a session start carrying its state plus its last turns; what the policies see
(slots, the active form, a pause, the last states), the time of the last message and the
hand-off's transcript stay as they were, and the older turns are gone from Redis.
"""
from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path

import pytest
import redis
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, ActiveLoop, BotUttered, ConversationPaused, ConversationResumed,
    DefinePrevUserUtteredFeaturization, SessionStarted, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from mitra import crypto
from scripts.redis_server import RedisServer
from nlu.tracker_store import EncryptedRedisTrackerStore

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
MAX_EVENTS, KEEP_TURNS = 80, 6
FORM = "safety_check_form"
QUESTIONS = ["sc_country", "sc_deception", "sc_debt", "sc_documents", "sc_leave", "sc_locked"]


@pytest.fixture(scope="module")
def redis_url():
    server = RedisServer().start()
    yield server.url
    server.stop()


@pytest.fixture
def store(redis_url):
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    return EncryptedRedisTrackerStore(DOMAIN, host="127.0.0.1", port=port, db=0,
                                      key_prefix="mitra", max_events=MAX_EVENTS,
                                      keep_turns=KEEP_TURNS)


_senders = itertools.count()


class Conversation:
    """Events as Rasa logs them for a conversation, with times one second apart."""

    def __init__(self, language: str = "th") -> None:
        self.sender = f"tg-test-{next(_senders)}"
        self.language = language
        self.clock = itertools.count(1_700_000_000)
        self.events = self.at([ActionExecuted("action_session_start"), SessionStarted(),
                               ActionExecuted("action_listen")])

    def at(self, events):
        for event in events:
            event.timestamp = float(next(self.clock))
        return events

    def says(self, text: str, intent: str, *actions_and_events, listen: bool = True):
        """The person says `text`; then each action name runs (with its reply), or each
        event is logged; then Rasa listens again."""
        events = [UserUttered(text, {"name": intent, "confidence": 0.9},
                              parse_data={"text": text, "intent": {"name": intent},
                                          "language": self.language}),
                  SlotSet("language", self.language),
                  DefinePrevUserUtteredFeaturization(False)]
        for item in actions_and_events:
            if isinstance(item, str):
                events += [ActionExecuted(item), BotUttered(f"reply of {item} to {text}")]
            else:
                events.append(item)
        if listen:
            events.append(ActionExecuted("action_listen"))
        self.events += self.at(events)
        return self

    def chat(self, turns: int, start: int = 0):
        for i in range(start, start + turns):
            self.says(f"question {i}", "ask_rights", "action_answer_question")
        return self

    def start_form(self):
        return self.says("/start_safety_check", "start_safety_check", "utter_check_intro",
                         ActionExecuted(FORM), ActiveLoop(FORM),
                         SlotSet("requested_slot", QUESTIONS[0]),
                         BotUttered("where are you now?"))

    def answer(self, number: int, value: str):
        slot, following = QUESTIONS[number], QUESTIONS[number + 1]
        return self.says(f"/answer{number}", "affirm", ActionExecuted(FORM),
                         SlotSet(slot, value), SlotSet("requested_slot", following),
                         BotUttered(f"question about {following}"))

    def tracker(self) -> DialogueStateTracker:
        """The tracker as Rasa holds it after reading it from a store (happy paths of
        forms folded, reverted events undone)."""
        tracker = DialogueStateTracker(self.sender, DOMAIN.slots)
        tracker.recreate_from_dialogue(Dialogue(self.sender, list(self.events)))
        return tracker


def save(store, tracker):
    asyncio.run(store.save(tracker))


def retrieve(store, sender):
    return asyncio.run(store.retrieve(sender))


def stored(redis_url, sender):
    raw = redis.Redis.from_url(redis_url).get(f"mitra:tracker:{sender}")
    return crypto.decrypt(raw)


def user_texts(tracker):
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def same_state(full: DialogueStateTracker, short: DialogueStateTracker,
               states: bool = True) -> None:
    assert short.current_slot_values() == full.current_slot_values()
    assert short.active_loop_name == full.active_loop_name
    assert short.is_paused() == full.is_paused()
    assert short.latest_message.text == full.latest_message.text
    assert short.latest_action_name == full.latest_action_name
    if states:
        # What the policies featurize (config.yml: max_history 4; rules a few more).
        assert short.past_states(DOMAIN)[-6:] == full.past_states(DOMAIN)[-6:]


def test_a_short_tracker_is_stored_as_it_is(store):
    conversation = Conversation().chat(5)
    save(store, conversation.tracker())
    back = retrieve(store, conversation.sender)
    assert [e.as_dict() for e in back.events] == [e.as_dict() for e in conversation.events]


def test_a_long_tracker_keeps_its_last_turns_and_its_state(store, redis_url):
    conversation = Conversation().says("I am in Thailand", "inform", SlotSet("country", "TH"))
    conversation.chat(30).start_form()
    for number, value in enumerate(["TH", "yes", "no", "yes", "unsure"]):
        conversation.answer(number, value)
    full = conversation.tracker()
    save(store, full)

    back = retrieve(store, conversation.sender)
    assert len(back.events) <= MAX_EVENTS
    same_state(full, back)
    assert back.get_slot("language") == "th" and back.get_slot("country") == "TH"
    assert back.active_loop_name == FORM and back.get_slot("sc_deception") == "yes"
    # The last turns as they were (the hand-off's transcript takes the last six texts):
    # while the form runs, from two turns before it started.
    assert user_texts(back) == ["question 28", "question 29", "/start_safety_check",
                                *[f"/answer{n}" for n in range(5)]]
    # Older words are no longer kept anywhere.
    assert "I am in Thailand" not in stored(redis_url, conversation.sender)
    assert "question 0" not in stored(redis_url, conversation.sender)


def test_a_form_goes_on_after_compaction_as_it_would_have(store):
    conversation = Conversation().chat(20).start_form()
    for number, value in enumerate(["TH", "yes", "no", "yes", "unsure"]):
        conversation.answer(number, value)
    full = conversation.tracker()
    save(store, full)
    short = retrieve(store, conversation.sender)
    same_state(full, short)
    # The next answer lands on both the same way: the form's progress was carried over.
    more = conversation.at([UserUttered("/affirm", {"name": "affirm"}),
                            ActionExecuted(FORM), SlotSet(QUESTIONS[5], "yes"),
                            ActiveLoop(None), SlotSet("requested_slot", None),
                            ActionExecuted("action_safety_check_result")])
    for event in more:
        full.update(event)
        short.update(event)
    same_state(full, short)
    assert short.active_loop_name is None
    assert [short.get_slot(q) for q in QUESTIONS] == ["TH", "yes", "no", "yes", "unsure", "yes"]


def test_a_pause_for_staff_outlives_compaction(store, redis_url):
    conversation = Conversation().chat(10)
    conversation.events += conversation.at([ConversationPaused()])
    # While paused, Rasa only logs what the person says: no actions, no listening.
    for i in range(100):
        conversation.events += conversation.at([UserUttered(f"to staff {i}")])
    full = conversation.tracker()
    save(store, full)
    back = retrieve(store, conversation.sender)
    assert back.is_paused()
    assert len(back.events) <= MAX_EVENTS
    # (Resumed, the policies see a session start before the last messages, not the turns
    # before the hand-off.)
    same_state(full, back, states=False)
    assert user_texts(back) == [f"to staff {i}" for i in range(94, 100)]
    assert "to staff 0" not in stored(redis_url, conversation.sender)

    # Staff close the case: Rasa is resumed and answers again.
    back.update(ConversationResumed())
    save(store, back)
    assert not retrieve(store, conversation.sender).is_paused()


def test_a_form_older_than_thirty_turns_runs_on_from_the_session_start(store):
    conversation = Conversation().chat(3).start_form().answer(0, "TH")
    # Questions in the middle of the check (an unhappy path each), for a long time.
    for i in range(35):
        conversation.says(f"aside {i}", "ask_rights", "action_answer_question",
                          ActionExecuted(FORM), BotUttered("back to the question"))
    full = conversation.tracker()
    save(store, full)
    back = retrieve(store, conversation.sender)
    assert len(back.events) <= MAX_EVENTS
    same_state(full, back, states=False)
    assert back.active_loop_name == FORM and back.get_slot("sc_country") == "TH"
    conversation_goes_on = conversation.at([ActionExecuted("action_listen"),
                                            UserUttered("/affirm", {"name": "affirm"}),
                                            ActionExecuted(FORM), SlotSet("sc_deception", "yes")])
    for event in conversation_goes_on:
        back.update(event)
    assert back.active_loop_name == FORM and back.get_slot("sc_deception") == "yes"


def test_cleared_slots_stay_cleared(store):
    conversation = Conversation().chat(3).start_form().answer(0, "KH").answer(1, "yes")
    # The check ends: its answers are cleared, its result kept.
    conversation.says("/deny", "deny", ActiveLoop(None), SlotSet("requested_slot", None),
                      *[SlotSet(q, None) for q in QUESTIONS], SlotSet("risk_level", "low"),
                      "action_safety_check_result")
    conversation.chat(20)
    full = conversation.tracker()
    save(store, full)
    back = retrieve(store, conversation.sender)
    same_state(full, back)
    assert back.get_slot("sc_deception") is None and back.get_slot("risk_level") == "low"
    assert back.active_loop_name is None


def test_time_runs_forward_so_sessions_expire_as_before(store):
    conversation = Conversation().chat(40)
    full = conversation.tracker()
    save(store, full)
    back = retrieve(store, conversation.sender)
    times = [e.timestamp for e in back.events]
    assert times == sorted(times)
    # Rasa starts a new session from the time of the person's last message.
    assert (back.get_last_event_for(UserUttered).timestamp
            == full.get_last_event_for(UserUttered).timestamp)


def test_turn_after_turn_the_tracker_stays_short(store):
    """Rasa's cycle for every message: retrieve, add the turn, save."""
    conversation = Conversation().says("hi", "greet", SlotSet("country", "KH"), "utter_greet")
    save(store, conversation.tracker())
    sizes = []
    for i in range(200):
        tracker = retrieve(store, conversation.sender)
        for event in conversation.at(Conversation().says(f"q{i}", "ask_rights",
                                                          "action_answer_question").events[3:]):
            tracker.update(event)
        save(store, tracker)
        sizes.append(len(retrieve(store, conversation.sender).events))
    assert max(sizes) <= MAX_EVENTS
    final = retrieve(store, conversation.sender)
    assert final.get_slot("country") == "KH" and final.get_slot("language") == "th"
    assert user_texts(final)[-1] == "q199"
    # One session: Rasa does not see a new conversation in a compacted one.
    assert sum(isinstance(e, SessionStarted) for e in final.events) == 1


def test_without_a_limit_trackers_are_kept_whole(redis_url):
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    whole = EncryptedRedisTrackerStore(DOMAIN, host="127.0.0.1", port=port, key_prefix="mitra",
                                       max_events=0)
    conversation = Conversation().chat(40)
    save(whole, conversation.tracker())
    assert len(retrieve(whole, conversation.sender).events) == len(conversation.events)
    assert json.loads(stored(redis_url, conversation.sender))["events"][3]["text"] == "question 0"


def test_the_e5_vector_of_a_message_is_not_stored(store, redis_url):
    conversation = Conversation().chat(2)
    tracker = conversation.tracker()
    message = tracker.latest_message
    message.parse_data["e5"] = "AAAA" * 192
    save(store, tracker)
    assert "e5" not in stored(redis_url, conversation.sender)
    assert "e5" in tracker.latest_message.parse_data  # the turn under way still has it
    back = retrieve(store, conversation.sender)
    assert back.latest_message.text == message.text
    assert back.latest_message.parse_data["intent"] == message.parse_data["intent"]
