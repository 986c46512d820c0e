"""Tunes the danger detector's thresholds on the dev set (tests/nlu_heldout), never on the
evaluation set (tests/danger_eval). Prints recall and false-alarm rate per language for a
grid of thresholds, from the signals the trained model records on every message.

Usage: python -m nlu.tune_danger --model models/mitra.tar.gz
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
from pathlib import Path

from nlu.evaluate import HELDOUT, SETS, load_examples, parse_all


def decide(s, intent_t, margin_t, weak_i, weak_m, lexicon=True):
    c, m, phrase = s["intent_confidence"], s["knn_margin"], s["phrase"]
    return (c >= intent_t or (lexicon and bool(phrase)) or (m is not None and m >= margin_t)
            or (m is not None and c >= weak_i and m >= weak_m))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/mitra.tar.gz")
    parser.add_argument("--signals", help="JSON file to cache the dev set's signals in")
    parser.add_argument("--max-false-alarms", type=float, default=0.03)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    cache = Path(args.signals) if args.signals else None
    if cache and cache.exists():
        rows = json.loads(cache.read_text())
    else:
        from rasa.core.agent import Agent

        agent = Agent.load(args.model)
        rows = []
        for name, _ in SETS:
            examples = load_examples(HELDOUT / f"{name}.yml")
            parses = asyncio.run(parse_all(agent, examples))
            rows += [(name, gold == "danger_now", p["danger"]) for (_, gold), p in zip(examples, parses)]
        if cache:
            cache.write_text(json.dumps(rows))
    grid = itertools.product([0.2, 0.35, 0.5, 0.7, 0.9], [0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05],
                             [0.02, 0.05, 0.1, 0.2, 1.1], [-0.01, 0.0, 0.01])
    results = []
    for intent_t, margin_t, weak_i, weak_m in grid:
        per = {}
        for name, _ in SETS:
            sub = [(d, decide(s, intent_t, margin_t, weak_i, weak_m)) for n, d, s in rows if n == name]
            danger = [a for d, a in sub if d]
            ordinary = [a for d, a in sub if not d]
            per[name] = (sum(danger) / len(danger), sum(ordinary) / len(ordinary))
        worst_recall = min(r for r, _ in per.values())
        worst_fa = max(f for _, f in per.values())
        results.append((worst_recall, -worst_fa, (intent_t, margin_t, weak_i, weak_m), per))
    # Best recall first among settings within the false-alarm budget; then the rest.
    results.sort(key=lambda r: (-r[1] <= args.max_false_alarms, r[0], r[1]), reverse=True)
    for worst_recall, neg_fa, params, per in results[:15]:
        cells = "  ".join(f"{n}:{r:.3f}/{f:.3f}" for n, (r, f) in per.items())
        print(f"intent>={params[0]} margin>={params[1]} weak {params[2]}/{params[3]}: "
              f"min recall {worst_recall:.3f} max FA {-neg_fa:.3f} | {cells}")


if __name__ == "__main__":
    main()
