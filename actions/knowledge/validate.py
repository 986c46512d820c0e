"""Turns a file's raw rows into entries, or says exactly what is wrong, entry by entry.

Admins fix files in a spreadsheet, often on a phone, so every problem names the row (or
entry number), the entry id and the field, and says what to do. Errors block publishing;
warnings (an old review date, a column nobody reads) are shown but do not.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from actions.knowledge import files
from actions.knowledge.schema import (
    LANGUAGES, MAX_ANSWER_CHARS, MAX_ENTRIES, MAX_ID_CHARS, MAX_QUESTION_CHARS,
    MAX_QUESTIONS, MAX_SOURCE_CHARS, MIN_ANSWER_CHARS, MIN_QUESTIONS, TOPICS, Entry,
)

ERROR, WARNING = "error", "warning"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Reviews older than this are flagged: wages and rules change about once a year.
REVIEW_WARNING_DAYS = 2 * 365
EARLIEST_REVIEW = date(2000, 1, 1)
_COUNTRY_NAMES = {"kh": "KH", "cambodia": "KH", "th": "TH", "thailand": "TH", "both": "both"}
_LANGUAGE_NAMES = {"km": "Khmer", "th": "Thai", "en": "English"}

_KHMER = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LATIN = re.compile(r"[A-Za-z]")
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?\s*>")
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);")
_SCHEME_URL = re.compile(r"\b([A-Za-z][A-Za-z0-9+.\-]*)://[^\s<>\"')\]]*")
_BARE_SCHEME = re.compile(r"(?i)\b(javascript|data|file|mailto|tel|ftp|tg|vbscript):(?!//)")
_BROKEN_HTTP = re.compile(r"(?i)\bhttps?(?::/(?!/)|//|:(?!/))\S*")
_WWW = re.compile(r"(?<![/\w.])www\.[^\s]+")
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)")
_TRAILING_PUNCT = ".,;:!?"


@dataclass(frozen=True)
class Problem:
    severity: str
    where: str            # "row 4", "entry 2", or "file"
    entry_id: Optional[str]
    field: str            # "answer.km", "questions.th[2]", "id", ...
    message: str

    def __str__(self) -> str:
        who = f"{self.where}" + (f", id '{self.entry_id}'" if self.entry_id else "")
        where_field = f"{who}, {self.field}" if self.field else who
        return f"{self.severity.upper()} {where_field}: {self.message}"


@dataclass
class Report:
    entries: List[Entry] = field(default_factory=list)
    problems: List[Problem] = field(default_factory=list)

    @property
    def errors(self) -> List[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> List[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        head = (
            f"{len(self.entries)} entries, {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s)"
        )
        return "\n".join([head] + [str(p) for p in self.problems])


def validate_file(data: bytes, filename: str, today: Optional[date] = None) -> Report:
    """Everything an upload needs: read the file, then check every entry."""
    try:
        parsed = files.read(data, filename)
    except files.FileError as error:
        return Report(problems=[Problem(ERROR, "file", None, "", str(error))])
    report = validate_rows(parsed.rows, today)
    report.problems[:0] = [Problem(WARNING, "file", None, "", note) for note in parsed.notes]
    return report


def validate_rows(rows: Sequence[files.RawEntry], today: Optional[date] = None) -> Report:
    today = today or date.today()
    report = Report()
    if not rows:
        report.problems.append(Problem(ERROR, "file", None, "", "the file has no entries"))
        return report
    if len(rows) > MAX_ENTRIES:
        report.problems.append(
            Problem(ERROR, "file", None, "", f"{len(rows)} entries; at most {MAX_ENTRIES}")
        )
        return report
    seen_ids: Dict[str, str] = {}
    seen_questions: Dict[Tuple[str, str], Tuple[str, str]] = {}
    for row in rows:
        checker = _EntryChecker(row, today)
        entry = checker.check()
        report.problems.extend(checker.problems)
        entry_id = checker.entry_id
        if entry_id:
            if entry_id in seen_ids:
                report.problems.append(Problem(
                    ERROR, row.where, entry_id, "id",
                    f"duplicate id: {seen_ids[entry_id]} has the same id; ids must be unique",
                ))
                entry = None
            else:
                seen_ids[entry_id] = row.where
        if entry is None:
            continue
        duplicate = False
        for lang in LANGUAGES:
            for number, question in enumerate(entry.questions[lang], start=1):
                key = (lang, _fold(question))
                other = seen_questions.get(key)
                if other and other[0] != entry.id:
                    report.problems.append(Problem(
                        ERROR, row.where, entry.id, f"questions.{lang}[{number}]",
                        f"the same question is in entry '{other[0]}' ({other[1]}); "
                        "one question can lead to one answer only",
                    ))
                    duplicate = True
                seen_questions.setdefault(key, (entry.id, row.where))
        if not duplicate:
            report.entries.append(entry)
    if not report.ok:
        report.entries = []  # all or nothing: a file with errors publishes nothing
    return report


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


class _EntryChecker:
    def __init__(self, row: files.RawEntry, today: date) -> None:
        self.row = row
        self.data: Dict[str, Any] = row.data
        self.today = today
        self.problems: List[Problem] = []
        self.entry_id: Optional[str] = None

    def error(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(ERROR, self.row.where, self.entry_id, field_name, message))

    def warn(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(WARNING, self.row.where, self.entry_id, field_name, message))

    def check(self) -> Optional[Entry]:
        if "_not_a_mapping" in self.data:
            self.error("", "not an entry (expected id, topic, country, ... fields)")
            return None
        self.entry_id = self._id()
        for name in self.row.unknown_fields:
            self.warn(name, "unknown field, ignored (check its spelling)")
        topic = self._choice("topic", TOPICS)
        country = self._country()
        source = self._source()
        reviewed = self._date()
        questions = self._questions()
        answer = self._answers()
        if any(p.severity == ERROR for p in self.problems):
            return None
        return Entry(self.entry_id, topic, country, source, reviewed, questions, answer)

    def _text(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return unicodedata.normalize("NFC", str(value)).strip() if isinstance(value, str) else ""

    def _id(self) -> Optional[str]:
        value = self._text(self.data.get("id"))
        self.entry_id = value or None  # named in this entry's messages, even when invalid
        if not value:
            self.error("id", "missing id")
            return None
        if len(value) > MAX_ID_CHARS:
            self.error("id", f"'{value}' is longer than {MAX_ID_CHARS} characters")
        elif not ID_RE.match(value):
            self.error(
                "id", f"'{value}': use lowercase English letters, digits and single hyphens "
                "(e.g. minimum-wage)"
            )
        return value

    def _choice(self, name: str, allowed: Sequence[str]) -> str:
        value = self._text(self.data.get(name)).lower()
        if not value:
            self.error(name, f"missing {name}; one of: {', '.join(allowed)}")
        elif value not in allowed:
            self.error(name, f"unknown {name} '{value}'; one of: {', '.join(allowed)}")
        return value

    def _country(self) -> str:
        raw = self._text(self.data.get("country"))
        value = _COUNTRY_NAMES.get(raw.lower())
        if not raw:
            self.error("country", "missing country; KH (Cambodia), TH (Thailand) or both")
        elif value is None:
            self.error("country", f"unknown country '{raw}'; KH (Cambodia), TH (Thailand) or both")
        return value or raw

    def _source(self) -> str:
        value = self._text(self.data.get("source"))
        if not value:
            self.error("source", "missing source: say where the facts come from")
        elif len(value) > MAX_SOURCE_CHARS:
            self.error("source", f"longer than {MAX_SOURCE_CHARS} characters ({len(value)})")
        else:
            self._markup("source", value)
        return value

    def _date(self) -> date:
        raw = self.data.get("last_reviewed")
        value: Optional[date] = None
        if isinstance(raw, datetime):
            value = raw.date()
        elif isinstance(raw, date):
            value = raw
        else:
            text = self._text(raw)
            for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
                try:
                    value = datetime.strptime(text, fmt).date()
                    break
                except ValueError:
                    continue
            if not text:
                self.error("last_reviewed", "missing date; write it as YYYY-MM-DD, e.g. 2026-11-25")
                return self.today
            if value is None:
                self.error(
                    "last_reviewed", f"'{text}' is not a date as YYYY-MM-DD (e.g. 2026-11-25); "
                    "spreadsheets may change dates: format the column as text"
                )
                return self.today
        if value > self.today + timedelta(days=1):
            self.error("last_reviewed", f"{value.isoformat()} is in the future")
        elif value < EARLIEST_REVIEW:
            self.error("last_reviewed", f"{value.isoformat()} is too early to be a review date")
        elif (self.today - value).days > REVIEW_WARNING_DAYS:
            self.warn("last_reviewed", f"last reviewed {value.isoformat()}: due for a review")
        return value

    def _by_language(self, name: str) -> Dict[str, Any]:
        value = self.data.get(name)
        if not isinstance(value, dict):
            if value is not None:
                self.error(name, f"must have one part per language: {', '.join(LANGUAGES)}")
            return {}
        for key in value:
            if key not in LANGUAGES:
                self.warn(f"{name}.{key}", f"unknown language '{key}', ignored; use km, th, en")
        return value

    def _questions(self) -> Dict[str, Tuple[str, ...]]:
        given = self._by_language("questions")
        result: Dict[str, Tuple[str, ...]] = {}
        for lang in LANGUAGES:
            raw = given.get(lang)
            if isinstance(raw, str):  # one block of text: one question per line
                raw = [q for q in files.QUESTION_SPLIT.split(raw) if q.strip()]
            items = [self._text(q) for q in raw] if isinstance(raw, list) else []
            items = [q for q in items if q]
            field_name = f"questions.{lang}"
            if len(items) < MIN_QUESTIONS:
                self.error(
                    field_name, f"{len(items)} {_LANGUAGE_NAMES[lang]} question(s); "
                    f"write at least {MIN_QUESTIONS}, as people would ask"
                )
            elif len(items) > MAX_QUESTIONS:
                self.error(field_name, f"{len(items)} questions; at most {MAX_QUESTIONS}")
            seen = set()
            for number, question in enumerate(items, start=1):
                where = f"{field_name}[{number}]"
                if len(question) > MAX_QUESTION_CHARS:
                    self.error(where, f"longer than {MAX_QUESTION_CHARS} characters ({len(question)}); "
                               "is it an answer in the wrong column?")
                if _fold(question) in seen:
                    self.error(where, f"the same question twice: '{question}'")
                seen.add(_fold(question))
                self._markup(where, question)
            result[lang] = tuple(items)
        return result

    def _answers(self) -> Dict[str, str]:
        given = self._by_language("answer")
        result: Dict[str, str] = {}
        for lang in LANGUAGES:
            text = self._text(given.get(lang))
            field_name = f"answer.{lang}"
            result[lang] = text
            if not text:
                self.error(field_name, f"missing the {_LANGUAGE_NAMES[lang]} answer")
                continue
            if len(text) > MAX_ANSWER_CHARS:
                self.error(
                    field_name, f"{len(text)} characters; at most {MAX_ANSWER_CHARS} so that it "
                    "fits a phone screen: shorten it"
                )
            elif len(text) < MIN_ANSWER_CHARS:
                self.error(field_name, f"only {len(text)} characters: too short to help")
            self._script(field_name, lang, text)
            self._markup(field_name, text)
        return result

    def _script(self, field_name: str, lang: str, text: str) -> None:
        """Catches answers pasted into the wrong language's column."""
        letters = [c for c in text if c.isalpha() or _KHMER.match(c) or _THAI.match(c)]
        if not letters:
            self.error(field_name, "has no words")
            return
        khmer = sum(1 for c in letters if _KHMER.match(c)) / len(letters)
        thai = sum(1 for c in letters if _THAI.match(c)) / len(letters)
        name = _LANGUAGE_NAMES[lang]
        if lang == "km" and khmer < 0.5:
            self.error(field_name, "is not written in Khmer script; is it in the right column?")
        elif lang == "th" and thai < 0.5:
            self.error(field_name, "is not written in Thai script; is it in the right column?")
        elif lang == "en" and (khmer + thai > 0.2 or not _LATIN.search(text)):
            self.error(field_name, f"does not look like {name}; is it in the right column?")

    def _markup(self, field_name: str, text: str) -> None:
        for message, severity in markup_problems(text):
            (self.error if severity == ERROR else self.warn)(field_name, message)


def markup_problems(text: str) -> List[Tuple[str, str]]:
    """Links and markup that would show broken on Telegram, where Mitra sends plain text."""
    found: List[Tuple[str, str]] = []
    tag = _HTML_TAG.search(text)
    if tag:
        found.append((f"HTML tags are not allowed ('{tag.group()}'): write plain text", ERROR))
    entity = _HTML_ENTITY.search(text)
    if entity:
        found.append((f"HTML entity '{entity.group()}': write the character itself", ERROR))
    for match in _BROKEN_HTTP.finditer(text):
        found.append((f"broken link '{match.group()}': write https://...", ERROR))
    for match in _BARE_SCHEME.finditer(text):
        found.append((f"'{match.group()}' links are not allowed; only http:// or https://", ERROR))
    rest = text
    for match in _MD_LINK.finditer(text):
        label, url = match.groups()
        if not label.strip():
            found.append((f"link without text '{match.group()}'", ERROR))
        if not url:
            found.append((f"link without address '{match.group()}'", ERROR))
        else:
            found.append(("Markdown links show as typed (Mitra sends plain text): "
                          "write the address alone", WARNING))
    rest = _MD_LINK.sub(lambda m: f" {m.group(1)} {m.group(2)} ", rest)
    for match in _SCHEME_URL.finditer(rest):
        url = match.group().rstrip(_TRAILING_PUNCT)
        scheme = match.group(1).lower()
        if scheme not in ("http", "https"):
            found.append((f"'{url}': only http:// or https:// links are allowed", ERROR))
        elif not _good_http_url(url):
            found.append((f"broken link '{url}'", ERROR))
    for match in _WWW.finditer(rest):
        found.append((f"'{match.group().rstrip(_TRAILING_PUNCT)}': start links with https://",
                      WARNING))
    if "](" in rest:
        found.append(("broken Markdown link: '](' without a closing ')'", ERROR))
    plain = _SCHEME_URL.sub(" ", rest)
    if plain.count("[") != plain.count("]"):
        found.append(("unbalanced [ ] brackets", ERROR))
    for mark, name in (("**", "**"), ("__", "__"), ("`", "`")):
        if plain.count(mark) % 2:
            found.append((f"unbalanced Markdown '{name}'", ERROR))
    single_star = plain.replace("**", "")
    if single_star.count("*") % 2:
        found.append(("unbalanced Markdown '*'", ERROR))
    elif single_star.count("*") or plain.count("**"):
        found.append(("Markdown shows as typed (Mitra sends plain text): remove the *", WARNING))
    underscores = re.sub(r"\w_\w", "", plain.replace("__", ""))
    if underscores.count("_") % 2:
        found.append(("unbalanced Markdown '_'", ERROR))
    return found


def _good_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    labels = host.split(".")
    return (
        parts.scheme in ("http", "https")
        and len(labels) >= 2
        and all(labels)
        and re.fullmatch(r"[a-z]{2,63}|xn--[a-z0-9\-]+", labels[-1]) is not None
        and all(re.fullmatch(r"[a-z0-9\-]+", label) for label in labels)
        and " " not in url
    )
