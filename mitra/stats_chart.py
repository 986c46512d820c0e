"""The statistics as one tall PNG, readable on a phone (`mitra.stats.export`).

matplotlib with the Agg backend and its object API (no pyplot: the bot draws in a thread).
Labels are in the admin's language; Khmer and Thai use Noto Sans Khmer and Noto Sans Thai
(the fontpkg-noto-sans-* packages) and matplotlib's libraqm layout, which shapes Khmer's
stacked consonants and vowels correctly. Without those fonts the labels fall back to
English rather than showing empty boxes. Counts from 1 to 4 are drawn as "<5" with no bar.
"""
from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from mitra import stats_texts as t  # noqa: E402
from mitra.i18n import gettext  # noqa: E402
from mitra.stats import MIN_COUNT, SUPPRESSED, Row  # noqa: E402

logger = logging.getLogger(__name__)

LATIN = "DejaVu Sans"
FAMILIES = {"km": "Noto Sans Khmer", "th": "Noto Sans Thai"}
COLORS = ["#1f6fb2", "#e08a1e", "#3a9a4a", "#c0392b", "#7d5ba6", "#6b6b6b"]
MAX_TOPICS = 10
_lock = threading.Lock()
_fonts: Optional[Dict[str, bool]] = None


def _font_files() -> List[Path]:
    found = []
    for name in ("fontpkg_noto_sans_khmer", "fontpkg_noto_sans_thai"):
        try:
            package = __import__(name)
        except ImportError:
            logger.warning("%s is not installed: its script falls back to English", name)
            continue
        found += sorted(Path(package.ROOT).glob("files/*.ttf"))
    return found


def fonts() -> Dict[str, bool]:
    """Registers the Noto fonts once; which of km and th can be drawn."""
    global _fonts
    with _lock:
        if _fonts is None:
            for path in _font_files():
                font_manager.fontManager.addfont(str(path))
            names = {f.name for f in font_manager.fontManager.ttflist}
            _fonts = {code: family in names for code, family in FAMILIES.items()}
        return _fonts


def label_language(language: str) -> str:
    """The language labels can be drawn in: English when the script's font is missing."""
    return language if language == "en" or fonts().get(language) else "en"


def _families(language: str) -> List[str]:
    others = [FAMILIES[c] for c in ("km", "th") if c != language and fonts().get(c)]
    first = [FAMILIES[language]] if language in FAMILIES else []
    return first + [LATIN] + others


def _bars(ax, months: Sequence[str], series: List[Row], say) -> None:
    """Grouped bars per month; counts 1-4 drawn as "<5" without a bar."""
    width = 0.8 / max(1, len(series))
    top = max([v or 0 for row in series for v in row.values] + [MIN_COUNT])
    for i, row in enumerate(series):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(months))]
        heights = [0 if (v or 0) < MIN_COUNT else v for v in row.values]
        ax.bar(xs, heights, width, label=say(row.label), color=COLORS[i % len(COLORS)])
        for x, v in zip(xs, row.values):
            v = int(v or 0)
            if not v:
                continue
            text = SUPPRESSED if 0 < v < MIN_COUNT else str(v)
            ax.text(x, (v if v >= MIN_COUNT else 0) + top * 0.02, text, ha="center",
                    va="bottom", fontsize=8)
    ax.set_xticks(range(len(months)), months, fontsize=9)
    ax.set_ylim(0, top * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=9, ncols=min(len(series), 3), loc="upper left", frameon=False)


def _minutes(ax, months: Sequence[str], series: List[Row], say) -> None:
    width = 0.8 / len(series)
    values = [v for row in series for v in row.values if v is not None]
    top = max(values + [1.0])
    for i, row in enumerate(series):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(months))]
        ax.bar(xs, [v or 0 for v in row.values], width, label=say(row.label),
               color=COLORS[i % len(COLORS)])
        for x, v in zip(xs, row.values):
            if v is not None:
                ax.text(x, v + top * 0.02, f"{v:g}", ha="center", va="bottom", fontsize=8)
    for x, v in enumerate(series[0].values):
        if v is None:
            ax.text(x, top * 0.05, say(t.TOO_FEW), ha="center", va="bottom", fontsize=7,
                    rotation=90, color="#6b6b6b")
    ax.set_xticks(range(len(months)), months, fontsize=9)
    ax.set_ylim(0, top * 1.3)
    ax.legend(fontsize=9, ncols=2, loc="upper left", frameon=False)


def _totals(ax, rows: List[Row], say, limit: Optional[int] = None) -> None:
    """Horizontal bars of the period's totals, largest first."""
    totals = [(int(sum(v or 0 for v in r.values)), r) for r in rows]
    totals = [(n, r) for n, r in totals if n > 0] or []
    totals.sort(key=lambda item: -item[0])
    if limit:
        totals = totals[:limit]
    if not totals:
        ax.text(0.5, 0.5, say(t.NOTHING), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    totals.reverse()
    top = max(n for n, _ in totals)
    names = [say(r.label) if r.label else r.item for _, r in totals]
    heights = [n if n >= MIN_COUNT else 0 for n, _ in totals]
    ax.barh(range(len(totals)), heights, color=COLORS[0])
    for y, (n, _) in enumerate(totals):
        text = SUPPRESSED if n < MIN_COUNT else str(n)
        ax.text((n if n >= MIN_COUNT else 0) + max(top, MIN_COUNT) * 0.01, y, text,
                va="center", fontsize=8)
    ax.set_yticks(range(len(totals)), names, fontsize=9)
    ax.set_xlim(0, max(top, MIN_COUNT) * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def draw(table: List[Row], months: Sequence[str], language: str = "en") -> bytes:
    language = label_language(language)

    def say(message: str, **values) -> str:
        return gettext(language, message, **values)

    def pick(measure: str, items: Optional[Sequence[str]] = None) -> List[Row]:
        found = [r for r in table if r.measure == measure]
        if items is None:
            return found
        return [next(r for r in found if r.item == item) for item in items]

    topics = pick("kb_answered")
    panels = [
        (t.CONVERSATIONS, lambda ax: _bars(ax, months, pick("conversations"), say), 1.0),
        (t.CHECKS, lambda ax: _bars(ax, months, pick("safety_check") + pick("risk"), say), 1.0),
        (t.COUNTRY, lambda ax: _bars(ax, months, pick("country"), say), 0.8),
        (t.HANDOFFS, lambda ax: _bars(
            ax, months, pick("handoff", ["urgent", "normal", "never_claimed"]), say), 1.0),
        (t.CLAIM_MINUTES, lambda ax: _minutes(ax, months, pick("claim_minutes"), say), 0.9),
        (t.INDICATORS, lambda ax: _totals(ax, pick("indicator"), say), 1.2),
        (t.TOPICS, lambda ax: _totals(ax, topics + pick("kb_no_answer"), say, MAX_TOPICS), 1.2),
    ]
    with matplotlib.rc_context({"font.family": _families(language), "font.size": 10,
                                "axes.spines.top": False, "axes.spines.right": False}):
        figure = Figure(figsize=(7.2, 2.6 * sum(p[2] for p in panels) + 1.2), dpi=110,
                        layout="constrained")
        FigureCanvasAgg(figure)
        figure.suptitle(say(t.TITLE, start=months[0], end=months[-1]), fontsize=14)
        axes = figure.subplots(len(panels), 1, height_ratios=[p[2] for p in panels])
        for ax, (title, fill, _) in zip(axes, panels):
            ax.set_title(say(title), fontsize=12, loc="left")
            fill(ax)
        figure.supxlabel(say(t.FOOTNOTE), fontsize=9, color="#444444")
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()
