"""Every running reader picks up a new version within five seconds, without a restart."""
import time
from dataclasses import replace

import redis

from actions.knowledge import store
from actions.knowledge.decision import ANSWER
from actions.knowledge.live import LiveKnowledgeBase
from actions.knowledge.schema import Entry
from tests.kb_support import client, embedder, redis_url, seed_entries  # noqa: F401 (fixtures)

LIVE_WITHIN = 5.0

NEW_ENTRY = Entry.from_dict({
    "id": "bus-to-the-border", "topic": "going-home", "country": "TH",
    "source": "test entry", "last_reviewed": "2026-11-20",
    "questions": {
        "km": ["ឡានក្រុងទៅព្រំដែនប៉ោយប៉ែតចេញពីណា?", "ជិះឡានពីបាងកកទៅប៉ោយប៉ែតយ៉ាងម៉េច?",
               "សំបុត្រឡានទៅព្រំដែនថ្លៃប៉ុន្មាន?"],
        "th": ["รถไปด่านปอยเปตขึ้นที่ไหน", "นั่งรถจากกรุงเทพไปอรัญประเทศยังไง", "ตั๋วรถไปชายแดนราคาเท่าไหร่"],
        "en": ["where do buses to the poipet border leave from", "how to get from bangkok to aranyaprathet by bus",
               "how much is a bus ticket to the border"],
    },
    "answer": {
        "km": "ឡានក្រុងទៅអរញ្ញប្រាធេត ចេញពីស្ថានីយ៍ម៉ូជិត នៅបាងកក។ ពីទីនោះ ដើរឆ្លងព្រំដែនទៅប៉ោយប៉ែត។",
        "th": "รถไปอรัญประเทศออกจากสถานีขนส่งหมอชิต กรุงเทพ จากนั้นเดินข้ามด่านไปปอยเปต",
        "en": "Buses to Aranyaprathet leave from Mo Chit bus terminal in Bangkok. From there, walk across the border to Poipet.",
    },
})


def wait_for(readers, number, started):
    while time.monotonic() - started < LIVE_WITHIN + 5:
        if all(r.version == number for r in readers):
            return time.monotonic() - started
        time.sleep(0.05)
    return float("inf")


def test_publish_and_rollback_reach_two_readers_within_five_seconds(client, redis_url, embedder, seed_entries):
    first = store.publish(client, seed_entries, source="seed.yml")
    readers = [
        LiveKnowledgeBase(redis.Redis.from_url(redis_url), embedder=lambda: embedder, seed=None).start()
        for _ in range(2)
    ]
    try:
        assert all(r.wait_ready(300) for r in readers)
        assert [r.version for r in readers] == [first, first]

        changed = [replace(e, answer={**e.answer, "en": "The minimum wage changed: test."})
                   if e.id == "minimum-wage" else e for e in seed_entries] + [NEW_ENTRY]
        started = time.monotonic()
        second = store.publish(client, changed, base=first, source="test")
        elapsed = wait_for(readers, second, started)
        assert elapsed < LIVE_WITHIN, f"new version live after {elapsed:.1f}s"
        for reader in readers:
            assert reader.entry("minimum-wage").answer["en"] == "The minimum wage changed: test."
            decision = reader.decide("bus from bangkok to the poipet border, where do i take it")
            assert decision.entry_ids[0] == NEW_ENTRY.id and decision.version == second

        started = time.monotonic()
        store.rollback(client)
        elapsed = wait_for(readers, first, started)
        assert elapsed < LIVE_WITHIN, f"rollback live after {elapsed:.1f}s"
        assert all(r.entry(NEW_ENTRY.id) is None for r in readers)
        assert readers[0].decide("minimum wage in bangkok per day").kind == ANSWER
    finally:
        for reader in readers:
            reader.stop()


def test_the_first_reader_seeds_an_empty_store(client, redis_url, embedder):
    reader = LiveKnowledgeBase(redis.Redis.from_url(redis_url), embedder=lambda: embedder, seed=store.SEED)
    assert reader.refresh() and reader.version == store.current_version(client) == 1
    assert not reader.refresh()  # nothing new


def test_an_unreachable_store_keeps_the_last_version(client, redis_url, embedder, seed_entries):
    store.publish(client, seed_entries)
    reader = LiveKnowledgeBase(redis.Redis.from_url(redis_url), embedder=lambda: embedder, seed=None)
    reader.refresh()
    reader.client = redis.Redis(port=1, socket_connect_timeout=0.2)  # nothing listens there
    reader.poll = 0.1
    reader.start()
    time.sleep(0.5)
    reader.stop()
    assert reader.version == 1 and reader.decide("delete my data").entry_ids == ["forget-delete"]
