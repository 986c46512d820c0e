"""Knowledge-base files: YAML (as seed.yml) and CSV (one row per entry, for spreadsheets).

Reading gives raw rows (plain dicts, each with where it came from) for `validate.py`;
nothing here decides whether an entry is good. Writing gives files that read back into
the same entries, so an admin can export, edit in a spreadsheet and import again.

CSV layout, one row per entry, a header row with these columns in any order:
    id, topic, country, source, last_reviewed,
    questions_km, questions_th, questions_en,   one question per line in the cell
                                                (Alt+Enter in a spreadsheet) or separated by |
    answer_km, answer_th, answer_en
UTF-8 (with or without the BOM that spreadsheets add); comma, semicolon or tab separated.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Sequence

import yaml

from actions.knowledge.schema import LANGUAGES, Entry

CSV_COLUMNS = (
    ["id", "topic", "country", "source", "last_reviewed"]
    + [f"questions_{lang}" for lang in LANGUAGES]
    + [f"answer_{lang}" for lang in LANGUAGES]
)
# A spreadsheet export of a few hundred entries is well under this; more is a wrong file.
MAX_FILE_BYTES = 5 * 1024 * 1024
QUESTION_SPLIT = re.compile(r"\s*(?:\r?\n|\|)\s*")


class FileError(ValueError):
    """The file as a whole cannot be read (not an entry's fault)."""


@dataclass
class RawEntry:
    data: Dict[str, Any]
    where: str  # "row 3" (CSV, counting the header as row 1) or "entry 3" (YAML)
    unknown_fields: List[str] = field(default_factory=list)


@dataclass
class Parsed:
    rows: List[RawEntry]
    notes: List[str] = field(default_factory=list)  # about the whole file, not one entry


def kind_of(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in (".yml", ".yaml"):
        return "yaml"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    raise FileError(f"{filename}: unknown file type; send a .csv or a .yml file")


def read(data: bytes, filename: str) -> Parsed:
    if len(data) > MAX_FILE_BYTES:
        raise FileError(f"{filename}: the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
            f"{filename}: not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8' or UTF-8 YAML"
        ) from None
    return read_yaml(text) if kind_of(filename) == "yaml" else read_csv(text)


def read_path(path: str | Path) -> Parsed:
    path = Path(path)
    return read(path.read_bytes(), path.name)


# -- YAML ---------------------------------------------------------------------------------

_YAML_FIELDS = {"id", "topic", "country", "source", "last_reviewed", "questions", "answer"}


def read_yaml(text: str) -> Parsed:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise FileError(f"the YAML cannot be read{where}: {getattr(error, 'problem', error)}") from None
    if isinstance(document, dict):
        document = document.get("entries")
    if not isinstance(document, list):
        raise FileError("the YAML must hold a list of entries under 'entries:'")
    rows = []
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            item = {"_not_a_mapping": item}
        unknown = sorted(str(k) for k in item if k not in _YAML_FIELDS and k != "_not_a_mapping")
        rows.append(RawEntry(dict(item), f"entry {number}", unknown))
    return Parsed(rows)


def dump_yaml(entries: Sequence[Entry], version: int | None = None) -> str:
    header = (
        "# Mitra knowledge base. Edit, then: python -m actions.knowledge import FILE\n"
        "# Each entry: id, topic, country (KH, TH or both), source, last_reviewed,\n"
        "# at least 3 questions and one answer in each of km, th, en.\n"
    )
    document: Dict[str, Any] = {}
    if version is not None:
        document["version"] = version
    document["entries"] = [_yaml_ready(e.to_dict()) for e in entries]
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100000)
    return header + body


def _yaml_ready(entry: Dict[str, Any]) -> Dict[str, Any]:
    # A real date in YAML (2026-11-25, unquoted), as admins write it by hand.
    return {**entry, "last_reviewed": date.fromisoformat(entry["last_reviewed"])}


# -- CSV ----------------------------------------------------------------------------------

def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_csv(text: str) -> Parsed:
    if not text.strip():
        raise FileError("the CSV file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as error:
        raise FileError(f"the CSV cannot be read: {error}") from None
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise FileError(
            "the CSV lacks the column(s) " + ", ".join(missing)
            + "; the first row must name: " + ", ".join(CSV_COLUMNS)
        )
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    rows = []
    try:
        # Numbered as a spreadsheet shows them: the header is row 1, blank rows count, and
        # a cell with line breaks is still one row.
        for row_number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            values = dict(zip(header, cells))
            rows.append(RawEntry(_entry_from_cells(values), f"row {row_number}"))
    except csv.Error as error:
        raise FileError(f"the CSV cannot be read near line {reader.line_num}: {error}") from None
    notes = [f"column '{name}' is not used" for name in unknown]
    return Parsed(rows, notes)


def _entry_from_cells(values: Dict[str, str]) -> Dict[str, Any]:
    def cell(name: str) -> str:
        return (values.get(name) or "").strip()

    return {
        "id": cell("id"),
        "topic": cell("topic"),
        "country": cell("country"),
        "source": cell("source"),
        "last_reviewed": cell("last_reviewed"),
        "questions": {
            lang: [q for q in QUESTION_SPLIT.split(cell(f"questions_{lang}")) if q]
            for lang in LANGUAGES
        },
        "answer": {lang: cell(f"answer_{lang}") for lang in LANGUAGES},
    }


def dump_csv(entries: Sequence[Entry]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            [entry.id, entry.topic, entry.country, entry.source, entry.last_reviewed.isoformat()]
            + ["\n".join(entry.questions[lang]) for lang in LANGUAGES]
            + [entry.answer[lang] for lang in LANGUAGES]
        )
    return out.getvalue()


def dump(entries: Sequence[Entry], filename: str, version: int | None = None) -> bytes:
    """File bytes for `filename`'s type; CSV gets a BOM so spreadsheets read it as UTF-8."""
    if kind_of(filename) == "yaml":
        return dump_yaml(entries, version).encode("utf-8")
    return dump_csv(entries).encode("utf-8-sig")
