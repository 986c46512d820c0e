"""Knowledge-base figures per language on the held-out questions (never tuned on).

    python -m actions.knowledge.evaluate [--kb FILE] [--heldout FILE] [--json OUT]

Per language (km, th, en), over tests/kb_heldout.yml:
- top-1: the best-scored entry is the right one (answerable questions);
- top-3: the right one is among the three best (what the topic buttons can show);
- answered: answerable questions answered confidently; right when answered: precision;
- confident-wrong: questions (all, 'none' ones included) confidently answered with a
  wrong entry, or answered at all when no entry fits: the figure that must stay low;
- suggest / person: what the bot did instead of answering;
- none -> person / suggest / answered: handling of questions no entry answers.
Latency per question (embedding + scoring, one process), median and 95th percentile.
`--rasa-vectors`: each question's vector is the one Rasa passes on in production (its int8
e5, mitra/e5_onnx.py; the entries keep the action server's float vectors), not the action
server's own; latency is then scoring only.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import yaml

from actions.knowledge.decision import ANSWER, NONE, SUGGEST, decide_scores
from actions.knowledge.embedder import shared
from actions.knowledge.retrieval import Index
from actions.knowledge.store import SEED
from actions.knowledge.validate import validate_file

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "kb_heldout.yml"
LANGS = ("km", "th", "en")


def evaluate(index: Index, questions: List[Dict[str, Any]], rasa_vectors: bool = False) -> Dict[str, Any]:
    rows = []
    index.search("warm up")  # the first call pays for lazy set-up, not a person
    vectors = [None] * len(questions)
    if rasa_vectors:
        from mitra import e5_onnx

        vectors = list(e5_onnx.embed([q["text"] for q in questions]))
    for q, vector in zip(questions, vectors):
        started = time.perf_counter()
        hits, shares = index.ranked(q["text"], k=3, vector=vector)  # what decide() does, timed
        decision = decide_scores(hits, shares)
        elapsed = time.perf_counter() - started
        rows.append({
            "lang": q["lang"], "expected": q["id"], "kind": decision.kind,
            "ids": [h.entry.id for h in hits], "picked": decision.entry_ids,
            "seconds": elapsed,
        })
    return summarize(rows)


def summarize(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    grouped = defaultdict(list)
    for row in rows:
        grouped[row["lang"]].append(row)
    grouped["all"] = rows
    for lang, group in grouped.items():
        answerable = [r for r in group if r["expected"] != "none"]
        none = [r for r in group if r["expected"] == "none"]
        answered = [r for r in answerable if r["kind"] == ANSWER]
        wrong = [r for r in group if r["kind"] == ANSWER and r["picked"][0] != r["expected"]]

        def share(part, whole):
            return len(part) / len(whole) if whole else float("nan")

        result[lang] = {
            "questions": len(group),
            "answerable": len(answerable),
            "top1": share([r for r in answerable if r["ids"][0] == r["expected"]], answerable),
            "top3": share([r for r in answerable if r["expected"] in r["ids"]], answerable),
            "answered": share(answered, answerable),
            "precision": share([r for r in answered if r["picked"][0] == r["expected"]], answered),
            "confident_wrong": share(wrong, group),
            "suggested": share([r for r in answerable if r["kind"] == SUGGEST], answerable),
            "suggested_right": share(
                [r for r in answerable if r["kind"] == SUGGEST and r["expected"] in r["picked"]],
                [r for r in answerable if r["kind"] == SUGGEST]),
            "person": share([r for r in answerable if r["kind"] == NONE], answerable),
            "none_questions": len(none),
            "none_to_person": share([r for r in none if r["kind"] == NONE], none),
            "none_to_suggest": share([r for r in none if r["kind"] == SUGGEST], none),
            "none_answered": share([r for r in none if r["kind"] == ANSWER], none),
            "latency_ms_median": 1000 * float(np.median([r["seconds"] for r in group])),
            "latency_ms_p95": 1000 * float(np.percentile([r["seconds"] for r in group], 95)),
        }
    return result


def print_table(result: Dict[str, Any]) -> None:
    columns = [
        ("top1", "top-1"), ("top3", "top-3"), ("answered", "answered"),
        ("precision", "precision"), ("confident_wrong", "conf-wrong"),
        ("suggested", "suggest"), ("suggested_right", "sugg-right"), ("person", "person"),
        ("none_to_person", "none>person"), ("none_to_suggest", "none>sugg"),
        ("none_answered", "none>answer"),
    ]
    print("lang  n    " + " ".join(f"{title:>11s}" for _, title in columns)
          + "   latency ms (median / p95)")
    for lang in LANGS + ("all",):
        if lang not in result:
            continue
        r = result[lang]
        print(f"{lang:4s} {r['questions']:4d} " + " ".join(f"{r[k]:11.3f}" for k, _ in columns)
              + f"   {r['latency_ms_median']:.0f} / {r['latency_ms_p95']:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=SEED, help="knowledge base file (YAML or CSV)")
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--rasa-vectors", action="store_true",
                        help="questions embedded as Rasa embeds them (int8 e5), as in production")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    report = validate_file(args.kb.read_bytes(), args.kb.name)
    if not report.ok:
        raise SystemExit(report.summary())
    questions = yaml.safe_load(args.heldout.read_text(encoding="utf-8"))["questions"]
    index = Index(report.entries, shared())
    result = evaluate(index, questions, args.rasa_vectors)
    print(f"knowledge base: {args.kb} ({len(report.entries)} entries); "
          f"held-out: {args.heldout} ({len(questions)} questions); model: {shared().name}")
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
