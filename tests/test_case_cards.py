"""Case cards carry what staff need and fit Telegram, whatever the case holds."""
from bot import case_cards, staff_texts as t
from bot.cases import StaffCase
from mitra.cases import Case, URGENT
from mitra.i18n import LANGUAGES, gettext


def staff_case(**kw):
    case = Case(id="00042", sender="tg-abc", urgency=URGENT, reason="safety_check", language="km",
                country="TH", risk="high", indicators=["retention_of_documents", "isolation"],
                last_messages=[{"from": "person", "text": "ខ្ញុំត្រូវការជំនួយ"}], **kw)
    return StaffCase(case, {"status": case.status})


def test_the_card_shows_number_urgency_language_country_risk_signs_and_messages():
    for language in LANGUAGES:
        text = case_cards.card_text(staff_case(), language)
        for expected in ("#00042", gettext(language, t.URGENT), gettext(language, "Khmer"),
                         gettext(language, "Thailand"), gettext(language, "high"),
                         gettext(language, "documents kept"), gettext(language, "isolated"),
                         "ខ្ញុំត្រូវការជំនួយ"):
            assert expected in text, (language, expected)
        assert "tg-abc" not in text  # the person's id is not staff's business


def test_a_card_with_huge_messages_still_fits_one_telegram_message():
    case = staff_case()
    case.case.last_messages = [{"from": "person", "text": "ក" * 3000}] * 6
    assert len(case_cards.card_text(case, "km")) <= case_cards.CARD_CHARS < 4096


def test_an_open_card_offers_claim_and_callback_data_fits_telegram():
    markup = case_cards.card_buttons(staff_case(), "en")
    [[button]] = markup.inline_keyboard
    assert button.text == "Claim" and len(button.callback_data.encode()) <= 64
    assert len(case_cards.feedback_buttons("99999", "km").inline_keyboard[0][1].callback_data) <= 64
