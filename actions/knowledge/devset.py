"""The dev split for tuning, derived from the knowledge base's own example questions.

tests/kb_heldout.yml is never used here: it is for reporting only.

- answerable: leave one question group out. The examples of an entry are parallel across
  languages (km[i], th[i] and en[i] ask the same thing), so the i-th question of every
  language is removed together and each of them is asked: the index then holds no
  translation of the question either, as with a real new question.
- unanswerable, near: leave one entry out and ask its questions: neighbouring topics
  are there, the right answer is not. The hardest case for "never answer from a weak
  match".
- unanswerable, far: dev_offtopic.yml, small talk and other subjects.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Sequence

import yaml

import numpy as np

from actions.knowledge.retrieval import Index
from actions.knowledge.schema import LANGUAGES, Entry

OFFTOPIC = Path(__file__).with_name("dev_offtopic.yml")
NEAR, FAR, ANSWERABLE = "near", "far", "answerable"


@dataclass
class Case:
    text: str
    language: str
    expected: Optional[str]  # entry id; None: nothing should be answered
    kind: str                # ANSWERABLE, NEAR or FAR
    ids: List[str]           # the entries of the index it was asked of...
    features: np.ndarray     # ...and their evidence (retrieval.FEATURES), one row each


def _case(index: Index, text: str, lang: str, expected: Optional[str], kind: str) -> Case:
    vector = index.embedder.many([text])[0]  # cached: tuning runs ask the same texts often
    return Case(text, lang, expected, kind, [e.id for e in index.entries],
                index.features(text, vector))


def _without_group(entry: Entry, group: int) -> Optional[Entry]:
    questions = {
        lang: tuple(q for i, q in enumerate(entry.questions[lang]) if i != group)
        for lang in LANGUAGES
    }
    if any(not questions[lang] for lang in LANGUAGES):
        return None
    return replace(entry, questions=questions)


def cases(entries: Sequence[Entry], build: Callable[[Sequence[Entry]], Index]) -> Iterator[Case]:
    for number, entry in enumerate(entries):
        groups = max(len(entry.questions[lang]) for lang in LANGUAGES)
        for group in range(groups):
            reduced = _without_group(entry, group)
            if reduced is None:
                continue
            index = build(list(entries[:number]) + [reduced] + list(entries[number + 1:]))
            for lang in LANGUAGES:
                if group < len(entry.questions[lang]):
                    text = entry.questions[lang][group]
                    yield _case(index, text, lang, entry.id, ANSWERABLE)
    for number, entry in enumerate(entries):
        index = build(list(entries[:number]) + list(entries[number + 1:]))
        for lang in LANGUAGES:
            for text in entry.questions[lang]:
                yield _case(index, text, lang, None, NEAR)
    index = build(entries)
    offtopic = yaml.safe_load(OFFTOPIC.read_text(encoding="utf-8"))
    for lang in LANGUAGES:
        for text in offtopic.get(lang, []):
            yield _case(index, text, lang, None, FAR)
