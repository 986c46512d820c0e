"""The safety check's score (documented in docs/safety-check.md).

Each question is one ILO indicator of forced labour. An answer that shows the indicator
adds its weight; "don't know" adds half. Some indicators are grave on their own: violence,
being locked in, and threats make the risk high whatever else is answered. A child (under
18) with any indicator is high risk too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

LOW, MEDIUM, HIGH = "low", "medium", "high"
YES, NO, UNSURE, SKIPPED = "yes", "no", "unsure", "skipped"


@dataclass(frozen=True)
class Question:
    slot: str
    indicator: str  # ILO indicator (ILO 2012 numbering in docs/safety-check.md)
    weight: float
    bad_answer: str  # the answer that shows the indicator: YES, or NO for "can you ...?"
    grave: bool = False


QUESTIONS: Tuple[Question, ...] = (
    Question("sc_deception", "deception", 1, YES),
    Question("sc_debt", "debt_bondage", 2, YES),
    Question("sc_documents", "retention_of_documents", 2, YES),
    Question("sc_leave", "restriction_of_movement", 2, NO),
    Question("sc_locked", "restriction_of_movement", 3, YES, grave=True),
    Question("sc_wages", "withholding_of_wages", 2, NO),
    Question("sc_violence", "physical_and_sexual_violence", 3, YES, grave=True),
    Question("sc_threats", "intimidation_and_threats", 3, YES, grave=True),
    Question("sc_isolation", "isolation", 1, NO),
    Question("sc_overtime", "excessive_overtime", 1, YES),
    Question("sc_conditions", "abusive_working_and_living_conditions", 1, YES),
    Question("sc_vulnerability", "abuse_of_vulnerability", 1, YES),
)
MINOR_SLOT = "sc_minor"
COUNTRY_SLOT = "sc_country"
MEDIUM_FROM = 2.0
HIGH_FROM = 6.0


def score(answers: Dict[str, Optional[str]]) -> Tuple[str, float, List[str]]:
    """Returns (risk level, points, indicators seen) for the answers by slot name."""
    points = 0.0
    seen: List[str] = []
    grave = False
    for q in QUESTIONS:
        answer = answers.get(q.slot)
        if answer == q.bad_answer:
            points += q.weight
            grave = grave or q.grave
            if q.indicator not in seen:
                seen.append(q.indicator)
        elif answer == UNSURE:
            points += q.weight / 2
    minor = answers.get(MINOR_SLOT) == YES
    if minor and seen and "abuse_of_vulnerability" not in seen:
        seen.append("abuse_of_vulnerability")
    if grave or points >= HIGH_FROM or (minor and seen):
        level = HIGH
    elif points >= MEDIUM_FROM:
        level = MEDIUM
    else:
        level = LOW
    return level, points, seen
