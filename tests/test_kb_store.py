"""Versions in Redis: publish, diff preview, conflicts, rollback, seeding, and the CLI."""
import threading
from dataclasses import replace

import pytest

from actions.knowledge import admin, files, store
from actions.knowledge.__main__ import main as cli
from tests.kb_support import SEED, client, redis_url, seed_entries  # noqa: F401 (fixtures)


def edited(entries, answer_en="Changed answer for the test, in English."):
    first = replace(entries[0], answer={**entries[0].answer, "en": answer_en})
    return [first] + list(entries[1:])


def test_every_key_is_prefixed_and_none_expires_by_design(client, seed_entries):
    store.publish(client, seed_entries, source="seed.yml")
    keys = set(client.keys("*"))
    assert keys == {store.CURRENT, store.VERSIONS, store.HISTORY, store.COUNTER,
                    store.version_key(1)}
    assert all(k.startswith("mitra:kb:") for k in keys)
    # Content, not personal data: kept until replaced or pruned (store.py says why).
    assert all(client.ttl(k) == -1 for k in keys)


def test_publish_then_rollback_restores_the_previous_version(client, seed_entries):
    first = store.publish(client, seed_entries, base=None)
    second = store.publish(client, edited(seed_entries), base=first)
    assert store.current_version(client) == second
    assert store.load_current(client).entries[0].answer["en"].startswith("Changed")
    assert store.rollback(client) == first
    assert store.load_current(client).entries == seed_entries
    with pytest.raises(store.NothingToRollBack):
        store.rollback(client)
    # The rolled-back version is still kept, and can be chosen explicitly.
    assert store.rollback(client, to=second) == second
    assert store.history(client) == [first, second]


def test_rollback_after_a_rollback_and_a_new_publish_skips_the_bad_version(client, seed_entries):
    v1 = store.publish(client, seed_entries)
    v2 = store.publish(client, edited(seed_entries, "Bad version, rolled back at once."))
    store.rollback(client)
    v3 = store.publish(client, edited(seed_entries, "Good version published after that."))
    assert store.rollback(client) == v1 and v2 not in store.history(client)
    assert v3 in store.kept_versions(client)


def test_a_stale_preview_cannot_publish(client, seed_entries):
    store.publish(client, seed_entries)
    stale = admin.preview(client, files.dump(edited(seed_entries), "kb.yml"), "kb.yml")
    store.publish(client, edited(seed_entries, "Someone else published meanwhile."))
    with pytest.raises(store.Conflict):
        admin.publish(client, stale)
    assert store.current_version(client) == 2


def test_preview_shows_the_diff_and_a_bad_file_changes_nothing(client, seed_entries):
    store.publish(client, seed_entries)
    good = admin.preview(client, files.dump(edited(seed_entries), "kb.csv"), "kb.csv")
    assert good.ok and good.base == 1
    assert good.diff.changed == {seed_entries[0].id: ["answer.en"]}
    assert "Compared with version 1" in good.summary()
    broken = files.dump(edited(seed_entries, "<b>bold</b> text in the English answer"), "kb.csv")
    bad = admin.preview(client, broken, "kb.csv")
    assert not bad.ok and "HTML tags" in bad.summary() and "Not published" in bad.summary()
    with pytest.raises(ValueError):
        admin.publish(client, bad)
    assert store.current_version(client) == 1 and len(store.kept_versions(client)) == 1


def test_seeding_once_when_many_servers_start_together(client):
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.ensure_seeded(client, SEED)))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    published = [r for r in results if r is not None]
    assert len(results) == 6 and len(published) == 1
    # Numbers come from INCR before the race is decided, so the winner's may not be 1.
    assert store.kept_versions(client) == published == [store.current_version(client)]
    assert store.load_current(client).source == "seed.yml"


def test_old_versions_are_pruned(client, seed_entries, monkeypatch):
    monkeypatch.setattr(store, "KEEP", 3)
    for n in range(6):
        store.publish(client, edited(seed_entries, f"Version number {n} of the English answer."))
    assert store.kept_versions(client) == [4, 5, 6]
    assert not client.exists(store.version_key(1))
    assert store.rollback(client) == 5


def test_cli_validate_import_export_rollback(client, redis_url, seed_entries, tmp_path,
                                             monkeypatch, capsys):
    from mitra import config

    monkeypatch.setattr(config, "settings", replace(config.settings, redis_url=redis_url))
    assert cli(["validate", str(SEED)]) == 0
    assert cli(["import", str(SEED), "--yes"]) == 0
    exported = tmp_path / "kb.csv"
    assert cli(["export", str(exported)]) == 0
    assert cli(["import", str(exported), "--yes"]) == 1  # nothing changed
    exported.write_bytes(files.dump(edited(seed_entries), "kb.csv"))
    assert cli(["import", str(exported)]) == 2  # no terminal, no --yes: not confirmed
    assert cli(["import", str(exported), "--yes"]) == 0
    assert store.current_version(client) == 2
    bad = tmp_path / "bad.yml"
    bad.write_text("entries:\n  - id: Bad Id\n")
    assert cli(["import", str(bad), "--yes"]) == 1
    assert cli(["rollback", "--yes"]) == 0
    assert store.current_version(client) == 1
    out = capsys.readouterr().out
    assert "version 2 is live" in out and "version 1 is live again" in out
    assert "entry 1, id 'Bad Id', id:" in out
