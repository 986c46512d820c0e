"""What the bot says by itself: when Rasa cannot answer, for media it cannot read, for
rate limits, unknown commands and /forget. English source strings for Babel, translated
into the person's language when sent (the language comes from `bot.language`).

Keep them short and plain: people read on small phones, with little data.
"""
from __future__ import annotations

from mitra.i18n import N_, gettext

CANNOT_ANSWER_NOW = N_(
    "Sorry, I cannot answer right now. I will reply to your message as soon as I can."
)
# The numbers are confirmed in ../shared/docs/DOMAIN.md: Cambodia's police 117, Thailand's
# police 191 and the help centre 1300 that serves foreigners too.
DANGER_NUMBERS = N_(
    "In danger? Call the police: 117 in Cambodia, 191 in Thailand. Help centre in "
    "Thailand: 1300."
)
RATE_LIMITED = N_("You are sending many messages. Please wait a minute, then write again.")
TOO_LONG = N_(
    "Your message is very long, so I read only the beginning. Short messages work best."
)
UNKNOWN_COMMAND = N_("I do not know that command. You can use:")
BUTTON_EXPIRED = N_("This button no longer works. Please write your message.")

FORGET_CONFIRM = N_(
    "Delete everything I keep about you, and our messages from the last 48 hours? "
    "Older messages you must delete yourself."
)
FORGET_YES = N_("Yes, delete")
FORGET_NO = N_("No")
FORGET_DONE = N_(
    "Done. I deleted everything I kept about you and our messages from the last 48 "
    "hours. Please delete older messages yourself."
)
FORGET_CANCELLED = N_("OK, nothing was deleted.")

# Kind answers to what the bot cannot read yet (during a hand-off these go to staff).
MEDIA = {
    "voice": N_("I cannot listen to voice messages yet. Please write your message in a few words."),
    "picture": N_("I cannot see pictures or videos yet. Please tell me in words what you need."),
    "sticker": N_("Thank you! Write your question in your own words any time."),
    "document": N_("I cannot open files. Please write your question in a few words."),
    "location": N_("Thank you. I cannot send anyone to you myself. Send /human to talk to a person."),
    "contact": N_("I do not keep phone numbers. Please tell me in words what you need."),
    "other": N_("I can only read text. Please write your question in a few words."),
}


def cannot_answer_now(language: str) -> str:
    return f"{gettext(language, CANNOT_ANSWER_NOW)}\n\n{gettext(language, DANGER_NUMBERS)}"


def media(kind: str, language: str) -> str:
    text = gettext(language, MEDIA.get(kind, MEDIA["other"]))
    if kind == "location":
        # Someone who sends where they are may be in danger: the numbers come with it.
        text = f"{text}\n\n{gettext(language, DANGER_NUMBERS)}"
    return text
