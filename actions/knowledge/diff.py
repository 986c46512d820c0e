"""What publishing a new version would change: the admin's preview before confirming."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Sequence

from actions.knowledge.schema import LANGUAGES, Entry

FIELDS = ("topic", "country", "source", "last_reviewed")


@dataclass
class Diff:
    added: List[str] = field(default_factory=list)
    removed: List[str] = field(default_factory=list)
    changed: Dict[str, List[str]] = field(default_factory=dict)  # id -> changed fields
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self, limit: int = 30) -> str:
        """Plain lines for a chat message or a terminal; long lists are cut at `limit`."""
        if self.empty:
            return f"No changes ({self.unchanged} entries are the same)."
        lines = [
            f"{len(self.added)} added, {len(self.removed)} removed, "
            f"{len(self.changed)} changed, {self.unchanged} unchanged"
        ]
        rows = [f"+ {i}" for i in self.added] + [f"- {i}" for i in self.removed]
        rows += [f"~ {i}: {', '.join(fields)}" for i, fields in self.changed.items()]
        lines += rows[:limit]
        if len(rows) > limit:
            lines.append(f"... and {len(rows) - limit} more")
        return "\n".join(lines)


def diff(old: Sequence[Entry], new: Sequence[Entry]) -> Diff:
    before = {e.id: e for e in old}
    after = {e.id: e for e in new}
    result = Diff(
        added=[i for i in after if i not in before],
        removed=[i for i in before if i not in after],
    )
    for entry_id, entry in after.items():
        previous = before.get(entry_id)
        if previous is None:
            continue
        fields = changed_fields(previous, entry)
        if fields:
            result.changed[entry_id] = fields
        else:
            result.unchanged += 1
    return result


def changed_fields(old: Entry, new: Entry) -> List[str]:
    fields = [name for name in FIELDS if getattr(old, name) != getattr(new, name)]
    for lang in LANGUAGES:
        before, after = set(old.questions[lang]), set(new.questions[lang])
        if before != after:
            fields.append(
                f"questions.{lang} (+{len(after - before)} -{len(before - after)})"
            )
        elif old.questions[lang] != new.questions[lang]:
            fields.append(f"questions.{lang} (order)")
    fields += [f"answer.{lang}" for lang in LANGUAGES if old.answer[lang] != new.answer[lang]]
    return fields
