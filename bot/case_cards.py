"""How a case looks in the staff group: the card (what staff need to decide, nothing
more), its buttons, and the /cases list. Pure functions of the case and the language."""
from __future__ import annotations

import time
from typing import List, Optional

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import staff_texts as t
from bot.cases import StaffCase
from mitra.cases import CLAIMED, CLOSED, URGENT
from mitra.i18n import gettext

CLAIM_DATA = "case:claim:"
CLOSE_DATA = "case:close:"
FEEDBACK_DATA = "case:helped:"  # + "<id>:yes" / "<id>:no", pressed by the person
CARD_CHARS = 3500  # below Telegram's 4096, whatever the messages hold
LINE_CHARS = 300


def number(case: StaffCase) -> str:
    return f"#{case.id}"


def urgency(case: StaffCase, language: str) -> str:
    if case.case.urgency == URGENT:
        return "🔴 " + gettext(language, t.URGENT)
    return gettext(language, t.NORMAL)


def _name(table: dict, code: Optional[str], language: str) -> str:
    return gettext(language, table[code]) if code in table else (code or "?")


def card_text(case: StaffCase, language: str) -> str:
    c = case.case
    lines = [
        gettext(language, t.CARD_TITLE, number=number(case), urgency=urgency(case, language)),
        gettext(language, t.REASON_LINE, reason=_name(t.REASONS, c.reason, language)),
        gettext(language, t.LANGUAGE_LINE, name=_name(t.LANGUAGE_NAMES, c.language, language)),
    ]
    if c.country:
        lines.append(gettext(language, t.COUNTRY_LINE,
                             country=_name(t.COUNTRY_NAMES, c.country, language)))
    if c.risk:
        lines.append(gettext(language, t.RISK_LINE, risk=_name(t.RISK_NAMES, c.risk, language)))
    if c.indicators:
        signs = ", ".join(_name(t.SIGNS, s, language) for s in c.indicators)
        lines.append(gettext(language, t.SIGNS_LINE, signs=signs))
    if c.last_messages:
        lines += ["", gettext(language, t.LAST_MESSAGES)]
        for line in c.last_messages:
            who = "👤" if line.get("from") == "person" else "🤖"
            lines.append(f"{who} {line.get('text', '')[:LINE_CHARS]}")
    if case.status == CLAIMED:
        lines += ["", "✋ " + gettext(language, t.CLAIMED_BY, name=case.claimed_name)]
    elif case.status == CLOSED:
        lines += ["", "✅ " + gettext(language, t.CLOSED_BY, name=case.fields.get("closed_name", ""))]
    return "\n".join(lines)[:CARD_CHARS]


def card_buttons(case: StaffCase, language: str) -> Optional[InlineKeyboardMarkup]:
    if case.status == CLOSED:
        return None
    if case.status == CLAIMED:
        button = InlineKeyboardButton(gettext(language, t.CLOSE), callback_data=CLOSE_DATA + case.id)
    else:
        button = InlineKeyboardButton(gettext(language, t.CLAIM), callback_data=CLAIM_DATA + case.id)
    return InlineKeyboardMarkup([[button]])


def claim_button(case: StaffCase, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        gettext(language, t.CLAIM), callback_data=CLAIM_DATA + case.id)]])


def minutes_since(moment: float, now: Optional[float] = None) -> int:
    return int(((now or time.time()) - moment) // 60)


def case_list(cases: List[StaffCase], language: str) -> str:
    if not cases:
        return gettext(language, t.NO_CASES)
    rows = [gettext(language, t.CASES_TITLE)]
    for case in cases:
        if case.status == CLAIMED:
            rows.append(gettext(language, t.CASE_ROW_CLAIMED, number=number(case),
                                urgency=urgency(case, language), name=case.claimed_name))
        else:
            rows.append(gettext(language, t.CASE_ROW_OPEN, number=number(case),
                                urgency=urgency(case, language),
                                minutes=minutes_since(case.case.created_at)))
    return "\n".join(rows)[:CARD_CHARS]


def feedback_buttons(case_id: str, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(gettext(language, t.YES_HELPED), callback_data=f"{FEEDBACK_DATA}{case_id}:yes"),
        InlineKeyboardButton(gettext(language, t.NOT_HELPED), callback_data=f"{FEEDBACK_DATA}{case_id}:no"),
    ]])
