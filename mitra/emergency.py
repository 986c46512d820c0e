"""Emergency numbers by country (sources and status in ../shared/docs/DOMAIN.md)."""
from __future__ import annotations

from typing import Dict, List, Optional

from mitra.i18n import N_

KH, TH = "KH", "TH"

# (number, label); labels are translated when rendered.
NUMBERS: Dict[str, List[tuple]] = {
    KH: [("117", N_("Police, free without credit"))],
    TH: [
        ("191", N_("Police")),
        ("1300", N_("Help centre for foreigners too")),
        ("1-800-010-181", N_("Issara helpline in Khmer, 24 hours")),
    ],
}

COUNTRY_NAMES = {KH: N_("Cambodia"), TH: N_("Thailand")}


def countries_for(country: Optional[str]) -> List[str]:
    """The person's country first if known; both when we do not know where they are."""
    if country in NUMBERS:
        return [country]
    return [TH, KH]
