"""What an admin does with the knowledge base, for the Telegram admin chat and the CLI:

    p = preview(client, file_bytes, "kb.csv")   # validate, and diff against the live version
    if p.ok: show p.diff.summary(); on confirm: publish(client, p, author="...")
    else:    show p.report.summary()            # nothing changes
    rollback(client)                            # the version live before the current one
    export(client, "kb.csv")                    # the live version as a file

Light on purpose (PyYAML and redis only): the bot imports it without loading the model.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import redis

from actions.knowledge import files, store
from actions.knowledge.diff import Diff, diff
from actions.knowledge.validate import Report, validate_file


@dataclass
class Preview:
    report: Report
    diff: Optional[Diff]   # None when the file has errors
    base: Optional[int]    # the version the diff was made against (None: empty store)
    filename: str

    @property
    def ok(self) -> bool:
        return self.report.ok

    def summary(self) -> str:
        if not self.ok:
            return "Not published: fix these and send the file again.\n" + self.report.summary()
        warnings = "\n".join(str(w) for w in self.report.warnings)
        against = f"version {self.base}" if self.base is not None else "an empty knowledge base"
        text = f"Compared with {against}:\n{self.diff.summary()}"
        return f"{text}\n{warnings}" if warnings else text


def preview(client: redis.Redis, data: bytes, filename: str) -> Preview:
    report = validate_file(data, filename)
    live = store.load_current(client)
    base = live.number if live else None
    if not report.ok:
        return Preview(report, None, base, filename)
    return Preview(report, diff(live.entries if live else [], report.entries), base, filename)


def publish(client: redis.Redis, checked: Preview, author: str = "") -> int:
    """Publishes a previewed file; raises store.Conflict if another version went live
    after the preview (preview again), ValueError if the file had errors."""
    if not checked.ok:
        raise ValueError("a file with errors cannot be published")
    return store.publish(client, checked.report.entries, base=checked.base,
                         source=checked.filename, author=author)


def rollback(client: redis.Redis, to: Optional[int] = None) -> int:
    return store.rollback(client, to)


def export(client: redis.Redis, filename: str, version: Optional[int] = None) -> bytes:
    chosen = store.load(client, version) if version is not None else store.load_current(client)
    if chosen is None:
        raise LookupError("the knowledge base is empty")
    return files.dump(chosen.entries, filename, chosen.number)
