"""What the bot says about hand-offs: to staff in the staff group (in MITRA_STAFF_LANGUAGE)
and to the person whose case it is (in the case's language). English source strings for
Babel, like `bot/texts.py`."""
from __future__ import annotations

from mitra.i18n import N_

# -- To staff ---------------------------------------------------------------------------
URGENT = N_("URGENT")
NORMAL = N_("normal")
CARD_TITLE = N_("Case {number} · {urgency}")
LANGUAGE_LINE = N_("Language: {name}")
COUNTRY_LINE = N_("Country: {country}")
RISK_LINE = N_("Safety check risk: {risk}")
SIGNS_LINE = N_("Signs: {signs}")
REASON_LINE = N_("Why: {reason}")
LAST_MESSAGES = N_("Last messages:")
CLAIMED_BY = N_("Claimed by {name}. Reply here to write to the person.")
CLOSED_BY = N_("Closed by {name}.")
CLAIM = N_("Claim")
CLOSE = N_("Close")
ESCALATED = N_("Case {number} is now URGENT.")
STILL_UNCLAIMED = N_("Case {number} is URGENT and nobody has claimed it for {minutes} min.")
NOT_STAFF = N_("Only hotline staff can do this.")
ALREADY_CLAIMED = N_("{name} has already claimed this case.")
ALREADY_CLOSED = N_("This case is closed.")
CASE_GONE = N_("This case no longer exists.")
CLAIM_FIRST = N_("Not sent: only the staff member who claimed this case writes to the person.")
NOT_DELIVERED = N_("Not delivered: the person cannot be reached.")
NO_CASES = N_("No open cases.")
CASES_TITLE = N_("Open cases:")
CASE_ROW_OPEN = N_("{number} · {urgency} · waiting {minutes} min")
CASE_ROW_CLAIMED = N_("{number} · {urgency} · with {name}")
FEEDBACK_HELPED = N_("The person says they got help.")
FEEDBACK_NOT_HELPED = N_("The person says they did NOT get help.")

REASONS = {
    "danger": N_("a message about danger now"),
    "safety_check": N_("high risk in the safety check"),
    "asked": N_("the person asked for a human"),
}
from mitra.i18n import LANGUAGE_NAMES  # noqa: E402,F401 (part of these texts)
COUNTRY_NAMES = {"KH": N_("Cambodia"), "TH": N_("Thailand")}
RISK_NAMES = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
# ILO indicators of forced labour (actions/risk.py).
SIGNS = {
    "deception": N_("deceived about the job"),
    "debt_bondage": N_("debt"),
    "retention_of_documents": N_("documents kept"),
    "restriction_of_movement": N_("cannot leave"),
    "withholding_of_wages": N_("wages withheld"),
    "physical_and_sexual_violence": N_("violence"),
    "intimidation_and_threats": N_("threats"),
    "isolation": N_("isolated"),
    "excessive_overtime": N_("excessive overtime"),
    "abusive_working_and_living_conditions": N_("abusive conditions"),
    "abuse_of_vulnerability": N_("vulnerability abused"),
}

# -- To the person ----------------------------------------------------------------------
STAFF_JOINED = N_(
    "A hotline worker is with you now. Write here: they read your messages, voice notes, "
    "photos and location."
)
STAFF_LEFT = N_(
    "The hotline worker has closed this conversation. I am here if you need me again. "
    "Did you get the help you needed?"
)
YES_HELPED = N_("Yes")
NOT_HELPED = N_("No")
THANKS_HELPED = N_("Thank you. Stay safe.")
THANKS_NOT_HELPED = N_("Thank you for telling us. Send /human to talk to a person again.")
