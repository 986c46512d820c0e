"""`make eval`: per-language NLU figures on the held-out sets in tests/nlu_heldout/.

Those messages were written apart from the training data and are never trained on. For
each language: intent accuracy, macro precision / recall / F1, danger_now recall, the
share sent to the fallback, and language-detection accuracy; then F1 per intent, danger
detection on tests/danger_eval and tests/danger_fresh, false alarms on the everyday
messages of tests/everyday_heldout, and a sweep of the fallback threshold.

Usage: python -m nlu.evaluate --model models/mitra.tar.gz
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import time
from pathlib import Path
from typing import Dict, List, Tuple

from sklearn.metrics import f1_score, precision_recall_fscore_support

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "nlu_heldout"
DANGER_EVAL = Path(__file__).resolve().parents[1] / "tests" / "danger_eval"
# Written later (session 12), apart from everything, mostly hard look-alikes; no lexicon
# phrase or weight has been drawn from it (tests/danger_fresh/README.md).
DANGER_FRESH = DANGER_EVAL.parent / "danger_fresh"
# Everyday work complaints and life messages, no danger in any (session 14): how often a
# plain complaint raises an alarm (tests/everyday_heldout/README.md).
EVERYDAY = DANGER_EVAL.parent / "everyday_heldout"
DANGER_SETS = ["km", "km_latn", "th", "en", "mixed"]
FALLBACK = "nlu_fallback"
SETS = [("km", "km"), ("km_latn", "km"), ("th", "th"), ("en", "en")]


def load_examples(path: Path) -> List[Tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def top_real_intent(parse: Dict) -> Tuple[str, float]:
    for candidate in parse.get("intent_ranking") or []:
        if candidate["name"] != FALLBACK:
            return candidate["name"], candidate["confidence"]
    return FALLBACK, 0.0


async def parse_all(agent, examples):
    return [await agent.parse_message(text) for text, _ in examples]


def row(cells, widths):
    return " | ".join(str(c).ljust(w) for c, w in zip(cells, widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/mitra.tar.gz")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    # Rasa's structured log would otherwise print every parse, evaluation texts included.
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    from rasa.core.agent import Agent

    started = time.monotonic()
    agent = Agent.load(args.model)
    print(f"model loaded in {time.monotonic() - started:.1f}s")

    results = {}
    for name, code in SETS:
        examples = load_examples(HELDOUT / f"{name}.yml")
        t0 = time.monotonic()
        parses = asyncio.run(parse_all(agent, examples))
        per_message_ms = 1000 * (time.monotonic() - t0) / len(examples)
        results[name] = (code, examples, parses, per_message_ms)

    widths = [8, 4, 6, 6, 6, 6, 9, 9, 9, 7]
    print()
    print(row(["set", "n", "acc", "P", "R", "F1", "danger R", "fallback", "lang acc", "ms/msg"], widths))
    print("-" * 90)
    intents = sorted({i for _, (_, ex, _, _) in results.items() for _, i in ex})
    per_intent = {}
    for name, (code, examples, parses, ms) in results.items():
        gold = [i for _, i in examples]
        predicted = [p["intent"]["name"] for p in parses]
        labels = sorted(set(gold))
        p, r, f, _ = precision_recall_fscore_support(gold, predicted, labels=labels, average="macro", zero_division=0)
        acc = sum(g == q for g, q in zip(gold, predicted)) / len(gold)
        danger = [q == "danger_now" for g, q in zip(gold, predicted) if g == "danger_now"]
        fallback = sum(q == FALLBACK for q in predicted) / len(predicted)
        lang_ok = [((pp.get("language") or {}).get("code") or code) == code for pp in parses]
        print(row([name, len(gold), f"{acc:.3f}", f"{p:.3f}", f"{r:.3f}", f"{f:.3f}",
                   f"{sum(danger)/len(danger):.3f}", f"{fallback:.3f}",
                   f"{sum(lang_ok)/len(lang_ok):.3f}", f"{ms:.0f}"], widths))
        per_intent[name] = dict(zip(labels, f1_score(gold, predicted, labels=labels, average=None, zero_division=0)))

    print("\nF1 per intent")
    names = list(results)
    print(row(["intent"] + names, [20] + [8] * len(names)))
    for intent in intents:
        print(row([intent] + [f"{per_intent[n].get(intent, 0):.3f}" for n in names], [20] + [8] * len(names)))

    danger_report(agent)
    danger_report(agent, DANGER_FRESH)
    everyday_report(agent)

    print("\nfallback threshold sweep (all sets): share sent to fallback / accuracy of the rest")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        sent = kept = right = 0
        for code, examples, parses, _ in results.values():
            for (_, gold), parse in zip(examples, parses):
                intent, confidence = top_real_intent(parse)
                if confidence < threshold:
                    sent += 1
                else:
                    kept += 1
                    right += intent == gold
        total = sent + kept
        print(f"  {threshold:.1f}: fallback {sent/total:.3f}, accuracy of answered {right/max(kept,1):.3f}")


def load_danger_set(name: str, folder: Path = DANGER_EVAL) -> List[Tuple[str, bool]]:
    import yaml

    data = yaml.safe_load((folder / f"{name}.yml").read_text(encoding="utf-8"))
    return [(t, True) for t in data["danger"]] + [(t, False) for t in data["ordinary"]]


def danger_report(agent, folder: Path = DANGER_EVAL) -> Dict[str, Tuple[float, float, int, int]]:
    """Recall and false-alarm rate of danger detection per language."""
    print(f"\ndanger detection on tests/{folder.name} (written apart from the training data)")
    widths = [8, 7, 9, 7, 9, 12]
    print(row(["set", "danger", "recall", "ordinary", "false al.", "misses"], widths))
    print("-" * 70)
    report = {}
    for name in DANGER_SETS:
        if not (folder / f"{name}.yml").exists():
            continue
        examples = load_danger_set(name, folder)
        parses = asyncio.run(parse_all(agent, examples))
        alarms = [p["intent"]["name"] == "danger_now" for p in parses]
        danger = [a for a, (_, d) in zip(alarms, examples) if d]
        ordinary = [a for a, (_, d) in zip(alarms, examples) if not d]
        recall = sum(danger) / len(danger)
        false_alarm = sum(ordinary) / len(ordinary)
        report[name] = (recall, false_alarm, len(danger), len(ordinary))
        print(row([name, len(danger), f"{recall:.3f}", len(ordinary), f"{false_alarm:.3f}",
                   len(danger) - sum(danger)], widths))
    return report


def everyday_report(agent, folder: Path = EVERYDAY) -> Dict[str, Tuple[float, float, int]]:
    """False alarms on everyday messages (none is danger), and how many get their intent:
    a work complaint should get the rights answer, not an alarm."""
    print(f"\neveryday messages of tests/{folder.name} (no danger in any)")
    widths = [8, 9, 11, 11]
    print(row(["set", "messages", "false al.", "intent acc"], widths))
    print("-" * 45)
    report = {}
    for name in DANGER_SETS:
        path = folder / f"{name}.yml"
        if not path.exists():
            continue
        examples = load_examples(path)
        parses = asyncio.run(parse_all(agent, examples))
        predicted = [p["intent"]["name"] for p in parses]
        false_alarm = sum(q == "danger_now" for q in predicted) / len(predicted)
        accuracy = sum(q == gold for q, (_, gold) in zip(predicted, examples)) / len(predicted)
        report[name] = (false_alarm, accuracy, len(predicted))
        print(row([name, len(predicted), f"{false_alarm:.3f}", f"{accuracy:.3f}"], widths))
    return report


if __name__ == "__main__":
    main()
