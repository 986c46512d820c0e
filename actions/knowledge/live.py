"""The knowledge base as every action server sees it: the store's current version,
embedded and ready, replaced without a restart when admins publish or roll back.

A daemon thread polls `mitra:kb:current` every MITRA_KB_POLL_SECONDS (default 1 s); when
it changes, the thread loads that version, builds a new Index beside the old one (only
new or changed texts are embedded, the rest comes from the embedder's cache) and then
swaps one reference. Questions meanwhile go to the old index; none waits for the build.
A version goes live on every server within the poll interval plus the build: about 1-2 s
for an edit, longer only when most texts are new (13-30 ms a text on one core).

If Redis is unreachable the last index keeps answering, and the error is logged once.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable, Optional

import redis

from actions.knowledge import store
from actions.knowledge.decision import Decision, Thresholds, decide
from actions.knowledge.embedder import Embedder, shared
from actions.knowledge.retrieval import Index
from actions.knowledge.schema import Entry

logger = logging.getLogger(__name__)


def poll_seconds() -> float:
    try:
        return min(2.0, max(0.1, float(os.environ.get("MITRA_KB_POLL_SECONDS", "1"))))
    except ValueError:
        return 1.0


def seed_path() -> Optional[Path]:
    """MITRA_KB_SEED: the file published when the store is empty ('' to never seed)."""
    value = os.environ.get("MITRA_KB_SEED")
    if value is None:
        return store.SEED
    return Path(value) if value.strip() else None


class LiveKnowledgeBase:
    def __init__(
        self, client: redis.Redis, embedder: Optional[Callable[[], Embedder]] = None,
        poll: Optional[float] = None, seed: Optional[Path] = store.SEED,
        thresholds: Thresholds = Thresholds(),
    ) -> None:
        self.client = client
        self._embedder = embedder or shared
        self.poll = poll if poll is not None else poll_seconds()
        self.seed = seed
        self.thresholds = thresholds
        self._index: Optional[Index] = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._failing = False

    @classmethod
    def from_environment(cls) -> "LiveKnowledgeBase":
        from mitra.config import settings

        client = redis.Redis.from_url(settings.redis_url, socket_timeout=3, socket_connect_timeout=3)
        return cls(client, seed=seed_path())

    # -- reading ----------------------------------------------------------------------------
    @property
    def index(self) -> Optional[Index]:
        return self._index

    @property
    def version(self) -> Optional[int]:
        index = self._index
        return index.version if index else None

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    def decide(self, text: str, country: Optional[str] = None,
               packed_vector: Optional[str] = None) -> Optional[Decision]:
        """None until the first version is loaded. `packed_vector`: Rasa's e5 vector of the
        text, used when it is the one our model would give (Embedder.reuse)."""
        index = self._index  # one read: the whole question uses one version
        if index is None:
            return None
        vector = index.embedder.reuse(text, packed_vector)
        decision = decide(index, text, country, self.thresholds, vector)
        decision.rasa_vector = vector is not None
        return decision

    def entry(self, entry_id: str) -> Optional[Entry]:
        index = self._index
        return index.by_id.get(entry_id) if index else None

    # -- keeping up with the store ---------------------------------------------------------
    def start(self) -> "LiveKnowledgeBase":
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="kb-live", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def refresh(self) -> bool:
        """One poll: loads and swaps in the current version if it changed. True if swapped."""
        if self._index is None and self.seed is not None:
            store.ensure_seeded(self.client, self.seed)
        number = store.current_version(self.client)
        if number is None or number == self.version:
            return False
        version = store.load(self.client, number)
        started = time.monotonic()
        index = Index(version.entries, self._embedder(), version.number)
        self._index = index  # the swap: readers see the old index or the new one
        self._ready.set()
        logger.info("knowledge base version %s live (%d entries, built in %.1fs)",
                    number, len(index), time.monotonic() - started)
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
                if self._failing:
                    logger.info("knowledge base store reachable again")
                self._failing = False
            except (redis.RedisError, OSError) as error:
                if not self._failing:
                    logger.error("knowledge base store unreachable, keeping version %s: %s",
                                 self.version, error)
                self._failing = True
            except Exception:  # a bad version must not stop the polling for good
                logger.exception("could not load knowledge base version; retrying")
            self._stop.wait(self.poll)
