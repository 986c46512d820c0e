"""Figures from a level's outcomes: throughput, latency percentiles, lost replies."""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import List, Optional, Sequence

from bench.telegram_load import Outcome


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Summary:
    messages: int
    answered: int
    lost: int
    notices: int
    throughput: float  # answered messages per second
    median: float
    p95: float
    p99: float

    @classmethod
    def of(cls, outcomes: List[Outcome]) -> "Summary":
        latencies = [o.latency for o in outcomes if o.latency is not None]
        lost = len(outcomes) - len(latencies)
        span = 0.0
        if latencies:
            start = min(o.sent_at for o in outcomes)
            end = max(o.answered_at for o in outcomes if o.answered_at is not None)
            span = max(end - start, 1e-9)
        return cls(
            messages=len(outcomes), answered=len(latencies), lost=lost,
            notices=sum(o.notices for o in outcomes),
            throughput=len(latencies) / span if span else 0.0,
            median=statistics.median(latencies) if latencies else float("nan"),
            p95=percentile(latencies, 0.95), p99=percentile(latencies, 0.99),
        )


def ratio(ours: float, reference: float) -> Optional[float]:
    return ours / reference if reference and reference == reference else None
