"""Every reply Mitra can send, by response name. Texts are English source strings marked
for Babel; `mitra.nlg` translates them into the person's language when Rasa asks.

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

LANGUAGE = Button(N_("Language"), "/switch_language")
ANSWER_BUTTONS = (
    Button(N_("Yes"), "/affirm"),
    Button(N_("No"), "/deny"),
    Button(N_("Don't know"), "/dont_know"),
    Button(N_("Skip"), "/skip_question"),
)
COUNTRY_BUTTONS = (
    Button(N_("Cambodia"), '/inform{"country":"KH"}'),
    Button(N_("Thailand"), '/inform{"country":"TH"}'),
    Button(N_("Another country"), '/inform{"country":"other"}'),
    Button(N_("Skip"), "/skip_question"),
)


def question(text: str) -> Response:
    return Response(text, ANSWER_BUTTONS)


RESPONSES: Dict[str, Response] = {
    # /start: three short messages rather than one wall of text.
    "utter_welcome": Response(
        N_(
            "Welcome to Mitra, a free helpline for Cambodian migrant workers. Ask me "
            "about work and your rights, check if your job is safe, or talk to hotline "
            "staff."
        )
    ),
    "utter_privacy_notice": Response(
        N_(
            "Privacy: I keep your messages for {days} days so I can help you. Only "
            "hotline staff can read them, and only when you ask for a person or are in "
            "danger. Send /forget to delete everything."
        )
    ),
    "utter_help_topics": Response(
        N_(
            "You can ask me about: passports and documents, wages and overtime, days "
            "off and leave, changing employer, recruitment fees, injury and social "
            "security, going home safely. Write your question in your own words."
        ),
        (CHECK, HUMAN, LANGUAGE),
    ),
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

    # The safety check (actions/safety_check.py, scored by actions/risk.py).
    "utter_check_intro": Response(
        N_(
            "I will ask you a few short questions about your work. Answer with the "
            "buttons; you can skip any question. Your answers stay private."
        )
    ),
    "utter_ask_sc_country": Response(N_("First, where are you now?"), COUNTRY_BUTTONS),
    "utter_ask_sc_deception": question(N_("Is your job different from the job you were promised?")),
    "utter_ask_sc_debt": question(
        N_("Do you owe money to your employer or broker that you cannot pay back?")
    ),
    "utter_ask_sc_documents": question(
        N_("Does your employer or someone else keep your passport or ID card?")
    ),
    "utter_ask_sc_leave": question(N_("Could you leave this job if you wanted to?")),
    "utter_ask_sc_locked": question(
        N_("Are you locked in, or watched so that you cannot go out?")
    ),
    "utter_ask_sc_wages": question(N_("Are you paid in full and on time?")),
    "utter_ask_sc_violence": question(
        N_("Has anyone at work hit you, hurt you or touched you against your will?")
    ),
    "utter_ask_sc_threats": question(
        N_("Has anyone threatened you or your family, or threatened to call the police on you?")
    ),
    "utter_ask_sc_isolation": question(N_("Can you contact your family when you want to?")),
    "utter_ask_sc_overtime": question(
        N_("Do you often work more than 12 hours a day, or without a day off each week?")
    ),
    "utter_ask_sc_conditions": question(
        N_("Do you need permission to eat, sleep or go to the toilet?")
    ),
    "utter_ask_sc_vulnerability": question(
        N_("Does your employer decide where you live, so you could lose your home if you complain?")
    ),
    "utter_ask_sc_minor": question(N_("Last question, you may skip it: are you under 18?")),
    "utter_check_use_buttons": Response(
        N_("Please answer with the buttons below, or press Skip.")
    ),
    "utter_check_high": Response(
        N_(
            "Thank you for telling me. Your answers show serious signs of forced labour. "
            "This is not your fault, and you have rights."
        )
    ),
    "utter_check_medium": Response(
        N_(
            "Thank you. Some of your answers are warning signs. A person from the "
            "hotline can talk with you about what you can do. Do you want that?"
        ),
        (HUMAN, Button(N_("No, thanks"), "/deny")),
    ),
    "utter_check_low": Response(
        N_(
            "Thank you. Your answers show no strong warning signs. If something "
            "changes, do the check again with /check, or ask me any question."
        )
    ),
    # Hand-off to hotline staff (actions/handoff.py).
    "utter_handoff_urgent": Response(
        N_(
            "I have alerted the hotline staff. A person will write to you here as soon "
            "as possible. If you can, tell me where you are."
        )
    ),
    "utter_handoff_requested": Response(
        N_(
            "I have asked the hotline staff to talk with you. A person will write to "
            "you here. If you are in danger, call the police."
        )
    ),
    "utter_handoff_failed": Response(
        N_(
            "I could not reach the hotline staff just now. Please call one of these "
            "numbers, or send /human again in a minute."
        ),
        emergency_card=True,
    ),
    # Knowledge base (actions/knowledge_actions.py). The answers themselves are the
    # admins' content, in three languages, not catalog strings. The action adds the topic
    # buttons and a person button to the suggestion.
    "utter_kb_suggest": Response(N_("I am not sure I understood. Did you mean:")),
    "utter_kb_no_answer": Response(
        N_("I don't have an answer to that. Do you want to talk to a person?"),
        # Also what a complaint DIET took for danger gets when no topic fits
        # (nlu/danger.py): the safety check is offered wherever exploitation may be.
        (HUMAN, CHECK),
    ),
}
