"""Knowledge-base files: what is accepted, and that every problem names row, id and field."""
import copy
import csv
import io
from datetime import date

import pytest
import yaml

from actions.knowledge import files
from actions.knowledge.diff import diff
from actions.knowledge.validate import markup_problems, validate_file
from tests.kb_support import SEED, seed_entries  # noqa: F401 (fixture)

TODAY = date(2026, 11, 25)


def good_entry(entry_id="minimum-wage-test"):
    return {
        "id": entry_id, "topic": "wages", "country": "TH",
        "source": "Ministry of Labour (DOMAIN.md)", "last_reviewed": "2026-11-01",
        "questions": {
            "km": ["ប្រាក់ឈ្នួលអប្បបរមាប៉ុន្មាន?", "មួយថ្ងៃបានប៉ុន្មានបាត?", "ថៅកែបើកតិចពេក"],
            "th": ["ค่าแรงขั้นต่ำเท่าไหร่", "วันละกี่บาท", "นายจ้างจ่ายน้อยไป"],
            "en": ["what is the minimum wage", "how much per day", "boss pays too little"],
        },
        "answer": {
            "km": "ប្រាក់ឈ្នួលអប្បបរមានៅថៃ គឺ 337 ដល់ 400 បាតក្នុងមួយថ្ងៃ។",
            "th": "ค่าแรงขั้นต่ำในไทย วันละ 337 ถึง 400 บาท",
            "en": "The minimum wage in Thailand is 337 to 400 baht a day.",
        },
    }


def check(entries, today=TODAY):
    data = yaml.safe_dump({"entries": entries}, allow_unicode=True).encode()
    return validate_file(data, "kb.yml", today=today)


def messages(report):
    return [str(p) for p in report.errors]


def test_the_seed_is_valid_with_at_least_40_entries():
    report = validate_file(SEED.read_bytes(), SEED.name)
    assert report.ok, report.summary()
    assert len(report.entries) >= 40


def test_a_good_entry_passes():
    report = check([good_entry()])
    assert report.ok and not report.warnings, report.summary()
    assert report.entries[0].country == "TH"


@pytest.mark.parametrize("change, field, words", [
    (lambda e: e["answer"].pop("th"), "answer.th", "missing the Thai answer"),
    (lambda e: e["questions"].pop("km"), "questions.km", "0 Khmer question(s)"),
    (lambda e: e["questions"]["en"].pop(), "questions.en", "at least 3"),
    (lambda e: e.update(topic="weather"), "topic", "unknown topic 'weather'"),
    (lambda e: e.update(country="VN"), "country", "unknown country 'VN'"),
    (lambda e: e.update(id="Minimum Wage"), "id", "lowercase"),
    (lambda e: e.update(id="x" * 41), "id", "longer than 40"),
    (lambda e: e.update(source=""), "source", "missing source"),
    (lambda e: e.update(last_reviewed="25/11/2026"), "last_reviewed", "YYYY-MM-DD"),
    (lambda e: e.update(last_reviewed="2027-01-01"), "last_reviewed", "in the future"),
    (lambda e: e["answer"].update(en="x " * 400), "answer.en", "fits a phone screen"),
    (lambda e: e["answer"].update(km=e["answer"]["en"]), "answer.km", "not written in Khmer"),
    (lambda e: e["answer"].update(th=e["answer"]["km"]), "answer.th", "not written in Thai"),
    (lambda e: e["answer"].update(en=e["answer"]["th"]), "answer.en", "does not look like English"),
    (lambda e: e["questions"]["en"].append("What is the minimum wage"), "questions.en[4]", "twice"),
    (lambda e: e["questions"]["th"].append("ถาม " * 60), "questions.th[4]", "wrong column"),
    (lambda e: e["answer"].update(en="Call <b>1546</b> for help with your wages."),
     "answer.en", "HTML tags"),
    (lambda e: e["answer"].update(en="Read **this now for help with your wages."),
     "answer.en", "unbalanced Markdown '**'"),
    (lambda e: e["answer"].update(en="See [the rules for your wages](https://example.org"),
     "answer.en", "broken Markdown link"),
    (lambda e: e["answer"].update(en="See [the rules for your wages at the office."),
     "answer.en", "unbalanced [ ] brackets"),
    (lambda e: e["answer"].update(en="Forms at ftp://files.example.org/wage.pdf today."),
     "answer.en", "only http:// or https://"),
    (lambda e: e["answer"].update(en="Click javascript:alert(1) to learn about wages."),
     "answer.en", "links are not allowed"),
    (lambda e: e["answer"].update(en="See https://localhost/x for the minimum wage."),
     "answer.en", "broken link"),
    (lambda e: e["answer"].update(en="See https//example.org for the minimum wage."),
     "answer.en", "broken link"),
])
def test_each_problem_names_the_entry_and_field(change, field, words):
    entry = good_entry()
    change(entry)
    report = check([entry])
    assert not report.ok and report.entries == []
    relevant = [p for p in report.errors if p.field == field]
    assert relevant, report.summary()
    assert any(words in p.message for p in relevant), report.summary()
    assert all(p.where == "entry 1" for p in relevant)
    if field != "id":
        assert relevant[0].entry_id == entry["id"]
        assert f"entry 1, id '{entry['id']}', {field}:" in str(relevant[0])


def test_duplicate_ids_and_shared_questions_are_refused():
    first, second, third = good_entry("a"), good_entry("a"), good_entry("b")
    report = check([first, second, third])
    assert any("duplicate id: entry 1 has the same id" in m for m in messages(report))
    assert any("entry 3, id 'b', questions.km[1]" in m and "in entry 'a'" in m
               for m in messages(report))


def test_warnings_do_not_block():
    entry = good_entry()
    entry["last_reviewed"] = "2023-01-01"
    entry["anwser"] = "typo"
    entry["answer"]["en"] += " More on www.example.org."
    report = check([entry])
    assert report.ok, report.summary()
    assert {p.field for p in report.warnings} == {"last_reviewed", "anwser", "answer.en"}


def test_countries_and_dates_are_forgiving_where_unambiguous():
    entry = good_entry()
    entry["country"], entry["last_reviewed"] = "thailand", "2026/11/01"
    report = check([entry])
    assert report.ok, report.summary()
    assert report.entries[0].country == "TH"
    assert report.entries[0].last_reviewed == date(2026, 11, 1)


@pytest.mark.parametrize("text, ok", [
    ("Call 1546 or see https://www.doe.go.th/ for help.", True),
    ("Website: https://example.org/a_b_c (in Thai).", True),
    ("Use <a href='x'>this</a>", False),
    ("A &nbsp; space", False),
    ("Some `code", False),
    ("An _emphasis", False),
    ("Email mailto:someone@example.org", False),
    ("Go to http:/example.org", False),
])
def test_markup(text, ok):
    errors = [m for m, severity in markup_problems(text) if severity == "error"]
    assert (not errors) == ok, errors


def test_file_level_problems():
    assert "not UTF-8" in str(validate_file("id,topic\n".encode("utf-16"), "kb.csv").errors[0])
    assert "lacks the column(s)" in str(validate_file(b"id,topic\nx,wages\n", "kb.csv").errors[0])
    assert "cannot be read at line" in str(validate_file(b"entries: [\n  - {", "kb.yml").errors[0])
    assert "unknown file type" in str(validate_file(b"x", "kb.xlsx").errors[0])
    assert "no entries" in str(validate_file(b"entries: []", "kb.yml").errors[0])


def test_csv_round_trip_keeps_every_entry(seed_entries):
    data = files.dump(seed_entries, "kb.csv")
    assert data.startswith("\ufeff".encode())  # spreadsheets then read it as UTF-8
    report = validate_file(data, "kb.csv", today=TODAY)
    assert report.ok, report.summary()
    assert report.entries == seed_entries
    assert diff(seed_entries, report.entries).empty


def test_yaml_round_trip(seed_entries):
    report = validate_file(files.dump(seed_entries, "kb.yml", version=3), "kb.yml", today=TODAY)
    assert report.ok and report.entries == seed_entries


def test_csv_accepts_pipes_semicolons_and_reports_rows():
    columns = list(files.CSV_COLUMNS)
    good, bad = good_entry("a"), good_entry("b")
    bad["answer"]["km"] = ""

    def row(e):
        return ([e["id"], e["topic"], e["country"], e["source"], e["last_reviewed"]]
                + [" | ".join(e["questions"][l]) for l in ("km", "th", "en")]
                + [e["answer"][l] for l in ("km", "th", "en")])

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows([columns + ["notes"], row(good), [], row(bad)])
    report = validate_file(out.getvalue().encode(), "kb.csv", today=TODAY)
    assert [str(p) for p in report.errors] == [
        "ERROR row 4, id 'b', answer.km: missing the Khmer answer"]
    assert any("column 'notes' is not used" in str(w) for w in report.warnings)


def test_diff_names_added_removed_and_changed_fields(seed_entries):
    new = [copy.deepcopy(e.to_dict()) for e in seed_entries[1:]]
    new[0]["answer"]["km"] += " ថ្មី"
    new[1]["questions"]["en"].append("a brand new way to ask this")
    new.append(good_entry("brand-new"))
    report = check(new)
    assert report.ok, report.summary()
    result = diff(seed_entries, report.entries)
    assert result.added == ["brand-new"]
    assert result.removed == [seed_entries[0].id]
    assert result.changed == {
        seed_entries[1].id: ["answer.km"],
        seed_entries[2].id: ["questions.en (+1 -0)"],
    }
    assert result.unchanged == len(seed_entries) - 3
    assert "1 added, 1 removed, 2 changed" in result.summary()
