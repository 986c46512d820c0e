"""Misses and false alarms of the danger detector on every set at once, for comparing
models and settings (the step tables of docs/safety-check.md).

Each set is parsed once per model and its recorded signals cached (`--cache DIR`, one
file per model, named by the model file's hash); the lexicon's signals are read again
from the text, so a lexicon change needs no parse, and `--weights` weighs the same
signals with other settings. Decisions are made on the dev sets (`tests/danger_dev/`,
its everyday and quiet files and `tests/nlu_heldout/`, the sets `nlu.tune_danger` fits on); the
held-out sets are printed beside them only to report.

Usage: python -m nlu.compare_danger --model models/mitra.tar.gz [--cache /tmp/signals]
         [--weights settings.yml] [--list dev] [--by-language]
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from nlu.evaluate import (DANGER_EVAL, DANGER_FRESH, DANGER_SETS, EVERYDAY, load_danger_set,
                          load_examples)
from nlu.tune_danger import DEV_KINDS, ROOT, dev_examples, language, signals_for

Row = Tuple[str, str, bool]  # (group, text, is danger)


def _named(group: str, language: str, by_language: bool) -> str:
    return f"{group}/{language}" if by_language else group


def everyday_rows(folder: Path, group: str, by_language: bool = False) -> List[Row]:
    return [(_named(group, name, by_language), text, False)
            for name in DANGER_SETS if (folder / f"{name}.yml").exists()
            for text, _ in load_examples(folder / f"{name}.yml")]


def danger_rows(folder: Path, group: str, by_language: bool = False) -> List[Row]:
    return [(_named(group, name, by_language), text, danger)
            for name in DANGER_SETS if (folder / f"{name}.yml").exists()
            for text, danger in load_danger_set(name, folder)]


def all_rows(by_language: bool = False) -> List[Row]:
    """Every set, dev first: the dev sets as "dev" (hard), "dev_everyday" and
    "dev_quiet"; with `by_language`, each group split by language ("danger_eval/km_latn")."""
    dev = []
    for name, text, danger in dev_examples():
        kind = name.split("_", 1)[0]
        group = f"dev_{kind}" if kind in DEV_KINDS else "dev"
        dev.append((_named(group, language(name), by_language), text, danger))
    return (dev + danger_rows(DANGER_EVAL, "danger_eval", by_language)
            + danger_rows(DANGER_FRESH, "danger_fresh", by_language)
            + everyday_rows(EVERYDAY, "everyday", by_language))


def tally(rows: List[Row], signals: List[Dict], settings: Dict) -> Dict[str, List]:
    """Per group: [danger messages, misses, ordinary messages, false alarms, wrong texts]."""
    from nlu.danger import decide, lexicon_signals

    out: Dict[str, List] = {}
    for (group, text, danger), recorded in zip(rows, signals):
        alarm = bool(decide({**recorded, **lexicon_signals(text)}, settings))
        cell = out.setdefault(group, [0, 0, 0, 0, []])
        cell[0 if danger else 2] += 1
        if alarm != danger:
            cell[1 if danger else 3] += 1
            cell[4].append(("MISS " if danger else "FA   ") + text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/mitra.tar.gz")
    parser.add_argument("--cache", help="folder to keep each model's parsed signals in")
    parser.add_argument("--weights", help="YAML with weights, bias, threshold (else config.yml)")
    parser.add_argument("--list", nargs="*", default=[], help="groups whose errors to print")
    parser.add_argument("--by-language", action="store_true", help="each group per language")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    source = Path(args.weights) if args.weights else ROOT / "config.yml"
    settings = yaml.safe_load(source.read_text(encoding="utf-8"))
    if "pipeline" in settings:
        settings = next(c for c in settings["pipeline"] if c["name"].endswith("MitraDangerDetector"))
    rows = all_rows(args.by_language)
    signals = signals_for(args.model, rows, Path(args.cache) if args.cache else None)
    for group, (danger, misses, ordinary, alarms, wrong) in tally(rows, signals, settings).items():
        print(f"{group:21} misses {misses:3} of {danger:4}   false alarms {alarms:3} of {ordinary:4}"
              f" ({alarms / max(ordinary, 1):.3f})")
        if group in args.list:
            print("\n".join("    " + w for w in wrong))


if __name__ == "__main__":
    main()
