"""nlu.compare_danger, the tool that step tables in docs/safety-check.md come from: it
reads every set, and counts a missed danger message and a false alarm where they are."""
from nlu.compare_danger import all_rows, tally

SETTINGS = {"weights": {"intent": 0.0, "classifier": 1.0, "similarity": 0.0, "lexicon": 0.0,
                        "hypothetical": 0.0}, "bias": 0.0, "threshold": 0.5}


def recorded(classifier):
    return {"intent_confidence": 0.0, "knn_margin": 0.0, "classifier": classifier}


def test_every_set_is_read_and_the_dev_everyday_messages_are_all_ordinary():
    rows = all_rows()
    groups = {group for group, _, _ in rows}
    assert groups == {"dev", "dev_everyday", "dev_quiet", "danger_eval", "danger_fresh",
                      "everyday"}
    everyday = [danger for group, _, danger in rows if group == "dev_everyday"]
    assert len(everyday) > 700 and not any(everyday)
    quiet = [danger for group, _, danger in rows if group == "dev_quiet"]
    assert sum(quiet) == 300 and len(quiet) == 500


def test_by_language_each_group_is_split_and_nothing_is_lost():
    rows, split = all_rows(), all_rows(by_language=True)
    assert [(t, d) for _, t, d in split] == [(t, d) for _, t, d in rows]
    groups = {group for group, _, _ in split}
    assert {"danger_eval/km_latn", "danger_fresh/th", "everyday/mixed", "dev/en",
            "dev_everyday/km", "dev_quiet/km_latn"} <= groups
    assert all(group.split("/")[1] in {"km", "km_latn", "th", "en", "mixed"} for group in groups)


def test_misses_and_false_alarms_are_counted_per_group():
    rows = [("dev", "the boss locks us in", True), ("dev", "where do I renew my pink card", False),
            ("everyday", "my tooth hurts", False), ("everyday", "lunch was good", False)]
    signals = [recorded(0.1), recorded(0.9), recorded(0.9), recorded(0.1)]
    counts = tally(rows, signals, SETTINGS)
    assert counts["dev"][:4] == [1, 1, 1, 1]  # one danger, missed; one ordinary, alarmed
    assert counts["everyday"][:4] == [0, 0, 2, 1]
    assert counts["everyday"][4] == ["FA   my tooth hurts"]
