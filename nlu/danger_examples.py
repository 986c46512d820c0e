"""Examples the danger detector learns from besides `data/nlu`: danger messages and their
ordinary look-alikes, in minimal pairs (`nlu/resources/danger_examples/`, README there).

They feed only the detector's own signals (the classifier and the e5 similarity of
`nlu/danger.py`), not DIET: given to DIET, look-alikes of this kind cost intent accuracy
(docs/safety-check.md, session 10), while the detector's signals gain from every one.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import List, Tuple

import yaml

FOLDER = Path(__file__).parent / "resources" / "danger_examples"


def files(folder: Path = FOLDER) -> List[Path]:
    return sorted(folder.glob("*.yml"))


def load(folder: Path = FOLDER) -> Tuple[List[str], List[str]]:
    """(danger messages, ordinary messages) of every file in the folder: each group's
    danger message and its look-alikes, and the ordinary messages that stand alone."""
    danger: List[str] = []
    ordinary: List[str] = []
    for path in files(folder):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for group in data.get("groups") or []:
            danger.append(group["danger"])
            ordinary += group.get("ordinary") or []
        ordinary += data.get("ordinary") or []
    return danger, ordinary


def digest(folder: Path = FOLDER) -> str:
    """sha256 over the files: Rasa's training cache does not see files a component reads
    itself, so the detector adds this to its fingerprint and retrains when they change."""
    sha = hashlib.sha256()
    for path in files(folder):
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()
