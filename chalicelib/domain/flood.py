"""Customer flood control: a customer who sends more than the shop's limit of messages in a minute gets one polite
"please wait", and the rest of that minute's messages are acknowledged without being read (no interpreter, no
Gemini call), which protects the shop's Gemini bill and Meta's per-user pair rate limit.

The window is the calendar minute (UTC): simple to count with one conditional counter per customer and minute,
and a burst that straddles two minutes gets at most twice the limit read, which is still bounded.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

# The one wording of the notice, per language (en, hinglish, hi) as the replies choose it.
PLEASE_WAIT = {
    "en": "You are sending messages faster than I can read them 🙏 Please wait a minute, then send your order "
    "again in one message.",
    "hinglish": "Aap bahut jaldi jaldi message bhej rahe hain 🙏 Ek minute ruk kar apna order ek hi message mein "
    "bhejiye.",
    "hi": "आप बहुत जल्दी-जल्दी संदेश भेज रहे हैं 🙏 कृपया एक मिनट रुककर अपना ऑर्डर एक ही संदेश में भेजें।",
}


class Verdict(StrEnum):
    READ = "read"  # within the limit: the conversation handles it
    WARN = "warn"  # the first message over the limit: acknowledged, answered "please wait"
    DROP = "drop"  # later ones in the same minute: acknowledged, not answered


def window(at: datetime) -> str:
    """The counting window of a message received at ``at``: its minute, '202612021647'."""
    return at.strftime("%Y%m%d%H%M")


def verdict(count: int, limit: int) -> Verdict:
    """What to do with the ``count``-th message of a customer's minute."""
    if count <= limit:
        return Verdict.READ
    return Verdict.WARN if count == limit + 1 else Verdict.DROP


def please_wait(language: str | None) -> str:
    return PLEASE_WAIT.get(language or "en", PLEASE_WAIT["en"])
