"""Fits how the danger detector weighs its signals, on the dev sets, never on the
evaluation set.

Dev sets: `tests/danger_dev/` (hard: complaints, rights questions with alarming words,
past, negated and third-party mentions, danger phrased without keywords; and, since
session 16, `everyday_*.yml`: plain complaints and everyday life, as most people write)
and the danger and ordinary messages of `tests/nlu_heldout/`. The final figures come from
`tests/danger_eval/` through `make eval`, which this never reads.

The trained model records every signal on each message (`danger` in the parse); the
lexicon's are read again here from the text, so that a lexicon change needs no new
parse. A logistic regression over `nlu.danger.features` is fitted on all dev messages
(classes balanced), and its threshold chosen by cross-validation: the highest threshold
whose out-of-fold recall is at least `--min-recall` over all dev danger messages and at
least `--min-language-recall` in each language (the issue's target is per language).
The per-set figures printed are out-of-fold too, so they estimate unseen messages. Paste
the printed settings into config.yml (MitraDangerDetector) and retrain.

`--refit` trains the classifier signal here from `data/` and the detector's own examples
(seconds, not the model's minutes), to try its settings before retraining the model.

Usage: python -m nlu.tune_danger --model models/mitra.tar.gz [--cache DIR] [--refit]
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import yaml

from nlu.evaluate import HELDOUT, SETS, load_examples, parse_all

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "danger_dev"
DEV_SETS = ["km", "km_latn", "th", "en", "mixed"]
# Besides the hard sets: everyday messages (session 16) and danger told in plain everyday
# words with its look-alikes (session 18), each in files named `{kind}_{language}.yml`.
DEV_KINDS = ["everyday", "quiet"]
THRESHOLDS = [round(float(t), 2) for t in np.arange(0.10, 0.91, 0.01)]
FOLDS, REPEATS = 5, 3
# Regularisation of the weights: five numbers and 2,000 messages need little.
C = 1.0


def dev_examples() -> List[Tuple[str, str, bool]]:
    """(set, text, is danger) for every dev message."""
    rows = []
    for name in DEV_SETS + [f"{kind}_{n}" for kind in DEV_KINDS for n in DEV_SETS]:
        path = DEV / f"{name}.yml"
        if path.exists():
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            rows += [(name, t, True) for t in data.get("danger", [])]
            rows += [(name, t, False) for t in data["ordinary"]]
    for name, _ in SETS:
        rows += [(f"heldout_{name}", text, gold == "danger_now")
                 for text, gold in load_examples(HELDOUT / f"{name}.yml")]
    return rows


def signals_for(model: str, rows, cache: Path | None) -> List[Dict]:
    """The recorded signals of each text, parsed once per model and text."""
    known: Dict[str, Dict] = {}
    path = None
    if cache:
        digest = hashlib.sha256(Path(model).read_bytes()).hexdigest()[:16]
        cache.mkdir(parents=True, exist_ok=True)
        path = cache / f"{digest}.json"
        if path.exists():
            known = json.loads(path.read_text(encoding="utf-8"))
    missing = sorted({text for _, text, _ in rows} - known.keys())
    if missing:
        from rasa.core.agent import Agent

        parses = asyncio.run(parse_all(Agent.load(model), [(t, None) for t in missing]))
        known.update({t: p["danger"] for t, p in zip(missing, parses)})
        if path:
            path.write_text(json.dumps(known, ensure_ascii=False), encoding="utf-8")
    return [known[text] for _, text, _ in rows]


def refit_classifier(rows, signals) -> None:
    """Replaces the classifier probability with one trained here from data/ and the
    detector's own examples."""
    import numpy as np
    from rasa.shared.nlu.training_data.loading import load_data

    from nlu import danger_examples
    from nlu.danger_classifier import DangerClassifier
    from mitra.e5_onnx import embed

    data = load_data(str(ROOT / "data" / "nlu"))
    examples = [m for m in data.intent_examples if m.get("text")]
    extra_danger, extra_ordinary = danger_examples.load()
    texts = [m.get("text") for m in examples] + extra_danger + extra_ordinary
    labels = ([int(m.get("intent") == "danger_now") for m in examples]
              + [1] * len(extra_danger) + [0] * len(extra_ordinary))
    classifier = DangerClassifier.fit(texts, embed(texts), labels)
    dev_texts = [text for _, text, _ in rows]
    for s, p in zip(signals, classifier.probabilities(dev_texts, embed(dev_texts))):
        s["classifier"] = float(p)
    print(f"classifier refit on {len(texts)} examples ({sum(labels)} danger)")


def with_lexicon(rows, signals) -> List[Dict]:
    from nlu.danger import lexicon_signals

    return [{**s, **lexicon_signals(text)} for (_, text, _), s in zip(rows, signals)]


def fit(signals, labels, indices) -> Dict:
    """Weights and bias fitted on the given messages, as decide() reads them."""
    from sklearn.linear_model import LogisticRegression

    from nlu.danger import FEATURES, features

    x = np.array([[features(signals[i])[f] for f in FEATURES] for i in indices])
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
    model.fit(x, np.asarray(labels)[indices])
    return {"weights": {f: round(float(w), 3) for f, w in zip(FEATURES, model.coef_[0])},
            "bias": round(float(model.intercept_[0]), 3)}


def out_of_fold(signals, labels) -> List[Dict]:
    """For each repeat of the cross-validation, each message's weights from the folds
    that did not see it."""
    from sklearn.model_selection import StratifiedKFold

    repeats = []
    for seed in range(REPEATS):
        weights: List[Dict] = [{}] * len(labels)
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
        for train, test in folds.split(np.zeros(len(labels)), labels):
            fitted = fit(signals, labels, train)
            for i in test:
                weights[i] = fitted
        repeats.append(weights)
    return repeats


def language(set_name: str) -> str:
    """The language of a dev set: "heldout_km_latn" and "everyday_km_latn" are km_latn."""
    prefixes = tuple(f"{kind}_" for kind in ["heldout"] + DEV_KINDS)
    return set_name.split("_", 1)[1] if set_name.startswith(prefixes) else set_name


def figures(rows, signals, repeats, threshold) -> Dict[str, Tuple[float, float]]:
    """Recall and false-alarm rate per set, per language ("lang:km") and for "all",
    out-of-fold, averaged over the repeats."""
    from nlu.danger import decide

    per: Dict[str, List[List[float]]] = {}
    for (name, _, danger), s, *fitted in zip(rows, signals, *repeats):
        alarm = sum(bool(decide(s, {**w, "threshold": threshold})) for w in fitted) / len(fitted)
        for key in (name, f"lang:{language(name)}", "all"):
            per.setdefault(key, [[], []])[0 if danger else 1].append(alarm)
    return {n: (sum(d) / max(len(d), 1), sum(o) / max(len(o), 1)) for n, (d, o) in per.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/mitra.tar.gz")
    parser.add_argument("--cache", help="folder to keep each model's parsed signals in "
                        "(the same as nlu.compare_danger's)")
    parser.add_argument("--refit", action="store_true", help="train the classifier signal here")
    parser.add_argument("--min-recall", type=float, default=0.99)
    parser.add_argument("--min-language-recall", type=float, default=0.98)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    # Rasa's structured log would otherwise print every parse, evaluation texts included.
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    rows = dev_examples()
    signals = signals_for(args.model, rows, Path(args.cache) if args.cache else None)
    if args.refit:
        refit_classifier(rows, signals)
    signals = with_lexicon(rows, signals)
    labels = [int(danger) for _, _, danger in rows]
    repeats = out_of_fold(signals, labels)
    chosen = float(THRESHOLDS[0])
    for threshold in THRESHOLDS:
        per = figures(rows, signals, repeats, threshold)
        cells = "  ".join(f"{n}:{r:.2f}/{f:.3f}" for n, (r, f) in per.items() if n != "all")
        print(f"threshold {threshold:.2f}: recall {per['all'][0]:.3f} false alarms "
              f"{per['all'][1]:.3f} | {cells}")
        languages = [r for n, (r, _) in per.items() if n.startswith("lang:")]
        if per["all"][0] >= args.min_recall and min(languages) >= args.min_language_recall:
            chosen = float(threshold)
    settings = {**fit(signals, labels, np.arange(len(labels))), "threshold": chosen}
    print("\nsettings for config.yml (fitted on all dev messages):")
    print(yaml.safe_dump(settings, sort_keys=False))


if __name__ == "__main__":
    main()
