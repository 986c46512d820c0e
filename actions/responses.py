"""Every reply Mitra can send, by response name. Texts are English source strings marked
for Babel; `actions.nlg` translates them into the person's language when Rasa asks.

Keep them short: many people read on a small phone, with little data and little literacy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Tuple

from mitra.i18n import N_


@dataclass(frozen=True)
class Button:
    title: str
    payload: str
    translate: bool = True  # language names are shown in their own script, untranslated


@dataclass(frozen=True)
class Response:
    text: str
    buttons: Tuple[Button, ...] = field(default_factory=tuple)
    emergency_card: bool = False


HUMAN = Button(N_("Talk to a person"), "/request_human")
CHECK = Button(N_("Check my situation"), "/start_safety_check")
LANGUAGE_BUTTONS = (
    Button("ខ្មែរ", '/switch_language{"requested_language":"km"}', translate=False),
    Button("ไทย", '/switch_language{"requested_language":"th"}', translate=False),
    Button("English", '/switch_language{"requested_language":"en"}', translate=False),
)

RESPONSES: Dict[str, Response] = {
    "utter_greet": Response(
        N_(
            "Hello, I am Mitra. I help Cambodian migrant workers with questions about "
            "work, rights and safety. Write your question in your own words."
        ),
        (CHECK, HUMAN),
    ),
    "utter_goodbye": Response(
        N_("Take care. You can write to me any time, day or night.")
    ),
    "utter_thanks": Response(
        N_("You are welcome. Write to me any time you have a question.")
    ),
    "utter_iamabot": Response(
        N_(
            "I am Mitra, an automatic assistant of the hotline for Cambodian migrant "
            "workers. I answer questions about your rights and can connect you to "
            "hotline staff."
        ),
        (HUMAN,),
    ),
    "utter_free": Response(
        N_(
            "Yes, it is free. You only use your internet data. Calling the police on "
            "117 in Cambodia is free even without credit."
        )
    ),
    "utter_privacy": Response(
        N_(
            "Your messages are private. Only hotline staff may read them, and we never "
            "tell your employer. They are deleted after {days} days. Send /forget to "
            "delete them now."
        )
    ),
    "utter_rights_help": Response(
        N_(
            "I cannot answer that by myself yet. These free services can: in Thailand, "
            "1546 for wages and complaints, 1694 for work permits and changing "
            "employer; in Cambodia, 1297 Ministry of Labour."
        ),
        (HUMAN, CHECK),
    ),
    "utter_danger": Response(
        N_(
            "You are not alone. If you are in danger now, call the police. If you "
            "cannot call, write to me what is happening and where you are."
        ),
        (HUMAN,),
        emergency_card=True,
    ),
    "utter_human": Response(
        N_(
            "To talk to a person now, call the Issara helpline in Khmer, free, 24 "
            "hours: 1-800-010-181 (in Thailand). In danger, call 191 in Thailand or "
            "117 in Cambodia."
        ),
        emergency_card=True,
    ),
    "utter_check_signs": Response(
        N_(
            "Warning signs: someone keeps your passport; you cannot leave or quit; you "
            "are not paid; you owe a debt you cannot repay; you were hurt or "
            "threatened. If one is true for you, talk to a person."
        ),
        (HUMAN,),
    ),
    "utter_choose_language": Response(
        N_("Choose your language:"), LANGUAGE_BUTTONS
    ),
    "utter_language_switched": Response(N_("OK, I will write in English.")),
    "utter_forget_info": Response(
        N_(
            "Send /forget to delete everything I keep about you. I also delete our "
            "messages from the last 48 hours; older ones you must delete yourself."
        )
    ),
    "utter_out_of_scope": Response(
        N_(
            "Sorry, I can only help with work, migration and safety. Ask me about your "
            "rights, or talk to a person."
        ),
        (CHECK, HUMAN),
    ),
    "utter_default": Response(
        N_("Sorry, I did not understand. Can you say it in other words?"),
        (CHECK, HUMAN),
    ),
    "utter_anything_else": Response(N_("OK. What else can I help you with?")),
}
