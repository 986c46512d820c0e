"""Tunes the danger detector's thresholds on the dev sets, never on the evaluation set.

Dev sets: `tests/danger_dev/` (hard: complaints, rights questions with alarming words,
past, negated and third-party mentions, danger phrased without keywords) and the danger
and ordinary messages of `tests/nlu_heldout/`. The final figures come from
`tests/danger_eval/` through `make eval`, which this never reads.

The trained model records every signal on each message (`danger` in the parse); this
script replays `nlu.danger.decide` over a grid of thresholds and prints, per language,
recall and false-alarm rate of the best settings: the highest worst-language recall
within the false-alarm budget, then the fewest false alarms.

`--refit` trains the classifier signal here from `data/` (seconds, not the model's
minutes), to try its settings before retraining the model.

Usage: python -m nlu.tune_danger --model models/mitra.tar.gz [--signals cache.json] [--refit]
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from nlu.evaluate import HELDOUT, SETS, load_examples, parse_all

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "danger_dev"
DEV_SETS = ["km", "km_latn", "th", "en", "mixed"]
GRID = {
    "intent_threshold": [0.99, 1.1],
    "knn_margin": [0.02, 1.0],
    "classifier_threshold": [0.6, 0.7, 0.8, 0.9, 1.1],
    "weak_intent": [1.1],
    "weak_margin": [0.0],
    "weak_classifier": [0.0],
    "use_lexicon": [True, False],
    "lexicon_support": [0.0, 0.2, 0.4],
    "vote_intent": [0.2, 0.5, 0.9],
    "vote_classifier": [0.2, 0.3, 0.4, 0.5],
    "vote_margin": [-0.01, 0.0, 0.005, 1.0],
    "votes_needed": [2],
}


def dev_examples() -> List[Tuple[str, str, bool]]:
    """(set, text, is danger) for every dev message."""
    rows = []
    for name in DEV_SETS:
        path = DEV / f"{name}.yml"
        if path.exists():
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            rows += [(name, t, True) for t in data["danger"]]
            rows += [(name, t, False) for t in data["ordinary"]]
    for name, _ in SETS:
        rows += [(f"heldout_{name}", text, gold == "danger_now")
                 for text, gold in load_examples(HELDOUT / f"{name}.yml")]
    return rows


def parse_signals(model: str, rows) -> List[Dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    parses = asyncio.run(parse_all(agent, [(text, None) for _, text, _ in rows]))
    return [p["danger"] for p in parses]


def refit_classifier(rows, signals) -> None:
    """Replaces the classifier probability with one trained here from data/."""
    import numpy as np
    from rasa.shared.nlu.training_data.loading import load_data

    from nlu.danger_classifier import DangerClassifier
    from mitra.e5_onnx import embed

    data = load_data(str(ROOT / "data" / "nlu"))
    examples = [m for m in data.intent_examples if m.get("text")]
    texts = [m.get("text") for m in examples]
    labels = [int(m.get("intent") == "danger_now") for m in examples]
    classifier = DangerClassifier.fit(texts, embed(texts), labels)
    dev_texts = [text for _, text, _ in rows]
    for s, p in zip(signals, classifier.probabilities(dev_texts, embed(dev_texts))):
        s["classifier"] = float(p)
    print(f"classifier refit on {len(texts)} examples ({sum(labels)} danger)")


def score(rows, signals, config) -> Dict[str, Tuple[float, float]]:
    from nlu.danger import decide

    per: Dict[str, List[List[bool]]] = {}
    for (name, _, danger), s in zip(rows, signals):
        per.setdefault(name, [[], []])[0 if danger else 1].append(bool(decide(s, config)))
    return {n: (sum(d) / max(len(d), 1), sum(o) / max(len(o), 1)) for n, (d, o) in per.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/mitra.tar.gz")
    parser.add_argument("--signals", help="JSON file to cache the dev sets' signals in")
    parser.add_argument("--refit", action="store_true", help="train the classifier signal here")
    parser.add_argument("--max-false-alarms", type=float, default=0.03)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    # Rasa's structured log would otherwise print every parse, evaluation texts included.
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    rows = dev_examples()
    cache = Path(args.signals) if args.signals else None
    if cache and cache.exists():
        signals = json.loads(cache.read_text())
    else:
        signals = parse_signals(args.model, rows)
        if cache:
            cache.write_text(json.dumps(signals))
    if args.refit:
        refit_classifier(rows, signals)
    if all(s.get("classifier") is None for s in signals):
        GRID["classifier_threshold"] = [1.1]
        GRID["weak_classifier"] = [0.0]
        GRID["lexicon_support"] = [0.0]
        GRID["vote_classifier"] = [1.1]

    results = []
    for values in itertools.product(*GRID.values()):
        config = dict(zip(GRID, values))
        per = score(rows, signals, config)
        worst_recall = min(r for r, _ in per.values())
        worst_fa = max(f for _, f in per.values())
        mean_fa = sum(f for _, f in per.values()) / len(per)
        results.append((worst_fa <= args.max_false_alarms, worst_recall, -mean_fa, config, per))
    results.sort(key=lambda r: r[:3], reverse=True)
    for within, worst_recall, neg_fa, config, per in results[: args.top]:
        cells = "  ".join(f"{n}:{r:.2f}/{f:.3f}" for n, (r, f) in per.items())
        print(f"{config}\n   min recall {worst_recall:.3f} mean FA {-neg_fa:.3f} | {cells}")


if __name__ == "__main__":
    main()
