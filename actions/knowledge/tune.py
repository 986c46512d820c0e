"""Measures retrieval on the dev split (devset.py) and proposes fusion weights and
thresholds; the chosen values live as constants in retrieval.py and decision.py.

    python -m actions.knowledge.tune [--seed FILE]     (about 3 minutes on two cores)

Prints: top-1/top-3 per language for evidence combinations (embeddings alone, with
answers, with lexical BM25, the fitted and the chosen weights); the weights a softmax
over entries fits (cross-validated by entry), on all questions and per language; then,
for the chosen weights (per language where `Weights.by_language` has one), how often
answers would be wrong at several confidence thresholds, and the similarity floor.
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Dict, List, Sequence, Union

import numpy as np

from actions.knowledge import devset
from actions.knowledge.decision import ANSWER_CONFIDENCE, SUGGEST_SIMILARITY, confidences
from actions.knowledge.embedder import shared
from actions.knowledge.retrieval import FEATURES, SIMILARITY, WEIGHTS, Index, Weights
from actions.knowledge.store import SEED
from actions.knowledge.validate import validate_file

LANGS = ("km", "th", "en")
# The mix of questions the thresholds are judged on: most questions that reach the
# knowledge base (Rasa's ask_rights intent) are answerable; about one in ten is on a
# topic the base lacks.
UNANSWERABLE_SHARE = 0.1
WRONG_BUDGET = 0.01      # half of the 2 % allowed on held-out questions
KEEP_ANSWERABLE = 0.95   # share of answerable questions that must not go to "nobody"

VARIANTS: Dict[str, Union[Sequence[float], Weights]] = {
    "embeddings, questions only": (1, 1, 1, 0, 0, 0, 0),
    "+ answers": (1 / 3, 1 / 3, 1 / 3, 1.5, 0, 0, 0),
    "+ answers + lexical (char BM25)": (1 / 3, 1 / 3, 1 / 3, 1.5, 0, 0.5, 0),
    "lexical only": (0, 0, 0, 0, 0, 1, 0),
    "WEIGHTS.coefficients for all": WEIGHTS.coefficients,
    "chosen (+ WEIGHTS.by_language)": WEIGHTS,
}


def _vector(weights, case: devset.Case) -> np.ndarray:
    """A case's coefficients: per language for `Weights`, else the same for all."""
    if isinstance(weights, Weights):
        return weights.vector(case.language)
    return np.asarray(weights, dtype=np.float32)


def top_k(cases: List[devset.Case], weights, k: int) -> float:
    if not cases:
        return float("nan")
    hits = 0
    for case in cases:
        order = np.argsort(-(case.features @ _vector(weights, case)))[:k]
        hits += case.expected in [case.ids[i] for i in order]
    return hits / len(cases)


def fit(cases: List[devset.Case], l2: float = 0.01) -> np.ndarray:
    """Weights maximising the softmax probability of the right entry."""
    from scipy.optimize import minimize

    data = [(c.features, c.ids.index(c.expected)) for c in cases]
    size = data[0][0].shape[1]

    def loss(w: np.ndarray):
        total, grad = 0.0, np.zeros(size)
        for x, target in data:
            p = confidences(x @ w)
            total -= np.log(p[target] + 1e-12)
            grad -= x[target] - p @ x
        return total / len(data) + l2 * w @ w, grad / len(data) + 2 * l2 * w

    return minimize(loss, np.full(size, 0.3), jac=True, method="L-BFGS-B").x


def cross_validated(cases: List[devset.Case], folds: int = 5) -> float:
    ids = sorted({c.expected for c in cases})
    np.random.default_rng(0).shuffle(ids)
    scores = []
    for fold in range(folds):
        held = set(ids[fold::folds])
        w = fit([c for c in cases if c.expected not in held])
        scores.append(top_k([c for c in cases if c.expected in held], w, 1))
    return float(np.mean(scores))


def outcomes(cases: List[devset.Case], weights) -> List[dict]:
    rows = []
    for c in cases:
        scores = c.features @ _vector(weights, c)
        order = np.argsort(-scores)
        rows.append({
            "kind": c.kind, "lang": c.language,
            "right": c.ids[order[0]] == c.expected,
            "confidence": float(confidences(scores)[order[0]]),
            "similarity": float(c.features[order[0], SIMILARITY]),
        })
    return rows


def report(cases: List[devset.Case]) -> None:
    answerable = [c for c in cases if c.kind == devset.ANSWERABLE]
    print(f"dev split: {len(answerable)} answerable (leave one question group out), "
          f"{sum(c.kind == devset.NEAR for c in cases)} near (leave one entry out), "
          f"{sum(c.kind == devset.FAR for c in cases)} far (dev_offtopic.yml)\n")
    print(f"{'evidence':36s} top-1   km    th    en   top-3")
    for name, w in VARIANTS.items():
        per = [top_k([c for c in answerable if c.language == lang], w, 1) for lang in LANGS]
        print(f"{name:36s} {top_k(answerable, w, 1):.3f} " + " ".join(f"{p:.3f}" for p in per)
              + f" {top_k(answerable, w, 3):.3f}")
    fitted = fit(answerable)
    print("\nfitted weights (" + ", ".join(FEATURES) + "):")
    print("  " + " ".join(f"{x:.2f}" for x in fitted)
          + f"   cross-validated top-1 {cross_validated(answerable):.3f}")
    for lang in LANGS:
        own = [c for c in answerable if c.language == lang]
        print(f"  {lang} only: " + " ".join(f"{x:.2f}" for x in fit(own))
              + f"   cross-validated top-1 ({lang}) {cross_validated(own):.3f}")

    rows = outcomes(cases, WEIGHTS)
    print("\nchosen weights; answer when the best entry's confidence >= t "
          f"(and similarity >= {SUGGEST_SIMILARITY}):")
    print("   t    answered  right  wrong | near answered | far answered | mixed wrong")
    for t in (0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.96, 0.97, 0.99):
        line = _at(rows, t, SUGGEST_SIMILARITY)
        mark = "  <- decision.ANSWER_CONFIDENCE" if abs(t - ANSWER_CONFIDENCE) < 1e-9 else ""
        print(f"  {t:.2f}   {line['answered']:.3f}   {line['right']:.3f}  {line['wrong']:.3f} |"
              f"     {line['near']:.3f}     |    {line['far']:.3f}     |   {line['mixed']:.4f}{mark}")
    lowest = next((round(float(t), 2) for t in np.arange(0.5, 1.0, 0.01)
                   if _at(rows, t, SUGGEST_SIMILARITY)["mixed"] <= WRONG_BUDGET), None)
    print(f"lowest t with mixed wrong <= {WRONG_BUDGET:.0%} "
          f"({1 - UNANSWERABLE_SHARE:.0%} answerable, {UNANSWERABLE_SHARE:.0%} near): {lowest}")
    sims = np.array([r["similarity"] for r in rows if r["kind"] == devset.ANSWERABLE])
    floor = float(np.quantile(sims, 1 - KEEP_ANSWERABLE))
    far = np.array([r["similarity"] for r in rows if r["kind"] == devset.FAR])
    print(f"similarity floor keeping {KEEP_ANSWERABLE:.0%} of answerable questions: {floor:.3f} "
          f"(decision.SUGGEST_SIMILARITY {SUGGEST_SIMILARITY}; far questions below it: "
          f"{np.mean(far < SUGGEST_SIMILARITY):.2f})")
    for lang in LANGS:
        own = [r for r in rows if r["lang"] == lang]
        line = _at(own, ANSWER_CONFIDENCE, SUGGEST_SIMILARITY)
        lowest = next((round(float(t), 2) for t in np.arange(0.5, 1.0, 0.01)
                       if _at(own, t, SUGGEST_SIMILARITY)["mixed"] <= WRONG_BUDGET), None)
        print(f"  {lang}: answered {line['answered']:.3f}, wrong {line['wrong']:.3f}, "
              f"near answered {line['near']:.3f}, far answered {line['far']:.3f}, "
              f"mixed wrong {line['mixed']:.4f} (lowest t within budget: {lowest})")


def _at(rows: List[dict], t: float, floor: float) -> Dict[str, float]:
    def share(kind: str, condition) -> float:
        group = [r for r in rows if r["kind"] == kind]
        return sum(1 for r in group if condition(r)) / max(len(group), 1)

    answered = lambda r: r["confidence"] >= t and r["similarity"] >= floor  # noqa: E731
    wrong = share(devset.ANSWERABLE, lambda r: answered(r) and not r["right"])
    near = share(devset.NEAR, answered)
    return {
        "answered": share(devset.ANSWERABLE, answered),
        "right": share(devset.ANSWERABLE, lambda r: answered(r) and r["right"]),
        "wrong": wrong, "near": near, "far": share(devset.FAR, answered),
        "mixed": (1 - UNANSWERABLE_SHARE) * wrong + UNANSWERABLE_SHARE * near,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=Path, default=SEED)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    entries = validate_file(args.seed.read_bytes(), args.seed.name).entries
    embedder = shared()
    cases = list(devset.cases(entries, lambda subset: Index(subset, embedder)))
    report(cases)


if __name__ == "__main__":
    main()
