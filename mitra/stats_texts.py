"""What admins read in the statistics: the chart's labels and the bot's replies to /stats
(`mitra/stats.py`, `mitra/stats_chart.py`, `bot/stats.py`). English source strings for Babel.

Knowledge-base topic ids ("unpaid-wages") stay as they are: they are the ids admins use in
the knowledge-base files. "<5" is a symbol, not a sentence, and is not translated.
"""
from __future__ import annotations

from mitra.i18n import N_

# The bot's replies in the admin chat.
NOT_ADMIN = N_("Only admins can do this.")
USAGE = N_("Use /stats for the last 6 months, or /stats 2026-01..2026-06 (at most 24 months).")
CAPTION = N_("Anonymous statistics, {start} to {end}. Counts under 5 show as <5.")
FAILED = N_("Something went wrong; no statistics were sent. Please try again in a minute.")

# The chart.
TITLE = N_("Mitra statistics, {start} to {end}")
FOOTNOTE = N_("Anonymous counts. Counts under 5 show as <5.")
CONVERSATIONS = N_("People who wrote, by language")
CHECKS = N_("Safety checks and risk")
STARTED = N_("Started")
FINISHED = N_("Finished")
LOW = N_("Low risk")
MEDIUM = N_("Medium risk")
HIGH = N_("High risk")
COUNTRY = N_("Where people are (safety check)")
CAMBODIA = N_("Cambodia")
THAILAND = N_("Thailand")
HANDOFFS = N_("Hand-offs to staff")
URGENT = N_("Urgent")
NORMAL = N_("Not urgent")
NEVER_CLAIMED = N_("Never claimed")
CLAIM_MINUTES = N_("Minutes until staff claimed a case")
MEDIAN = N_("Half within")
P90 = N_("9 in 10 within")
TOO_FEW = N_("fewer than 5 cases")
INDICATORS = N_("Signs of forced labour seen (ILO indicators)")
TOPICS = N_("Questions by topic")
NO_ANSWER = N_("No confident answer")
NOTHING = N_("Nothing yet")

from mitra.i18n import LANGUAGE_NAMES  # noqa: E402,F401 (part of these texts)

INDICATOR_NAMES = {
    "deception": N_("Deception"),
    "debt_bondage": N_("Debt bondage"),
    "retention_of_documents": N_("Documents taken"),
    "restriction_of_movement": N_("Cannot leave"),
    "withholding_of_wages": N_("Wages withheld"),
    "physical_and_sexual_violence": N_("Violence"),
    "intimidation_and_threats": N_("Threats"),
    "isolation": N_("Isolation"),
    "excessive_overtime": N_("Excessive overtime"),
    "abusive_working_and_living_conditions": N_("Abusive conditions"),
    "abuse_of_vulnerability": N_("Abuse of vulnerability"),
}
