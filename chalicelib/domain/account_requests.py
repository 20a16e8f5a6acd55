"""Reading money requests deterministically: a customer asking for their hisaab or to stop/start reminders, and the
owner's WhatsApp payment desk ("paid 9812345678 5000 upi 4321", "जमा 9812345678 5000 नकद").

The owner's grammar, one payment a message:  VERB PHONE AMOUNT [MODE] [REFERENCE…] [INVOICE]
  VERB       paid | received | payment | jama | जमा | mila | मिला | prapt | प्राप्त
  PHONE      10 digits (India, 91 is added) or 12 digits starting 91; spaces, + and - inside are ignored
  AMOUNT     5000 | 5,000.50 | ₹5000 | rs 5000 (Devanagari digits too)
  MODE       upi | gpay | phonepe | paytm | cash | nakad | नकद | cheque | check | चेक | neft | imps | rtgs | bank
             (cash when none is given)
  INVOICE    a token like BB/26-27/00001 (the invoice to settle first)
  REFERENCE  everything else (UTR, cheque number)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.ledger import InvalidAmount, parse_amount

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_PUNCTUATION = re.compile(r"[?!.,।|'\"]+")

STATEMENT = "statement"
STOP = "stop"
START = "start"

_STOP = {"stop", "band karo", "reminder band karo", "reminders band karo", "बंद करो", "रिमाइंडर बंद करो", "stop reminders"}
_START = {"start", "chalu karo", "reminder chalu karo", "शुरू करो", "चालू करो", "start reminders"}
_STATEMENT_EXACT = {
    "statement",
    "hisaab",
    "hisab",
    "hisaab bhejo",
    "mera hisaab",
    "mera hisab",
    "mera balance",
    "balance",
    "khata",
    "mera khata",
    "kitna baaki hai",
    "kitna baki hai",
    "बकाया कितना है",
    "मेरा बकाया",
    "हिसाब",
    "मेरा हिसाब",
    "हिसाब भेजो",
}
_STATEMENT_STARTS = ("hisaab", "hisab", "statement", "mera balance", "mera hisaab", "बकाया कितना", "हिसाब", "मेरा हिसाब")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").translate(_DEVANAGARI_DIGITS).lower()
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def customer_request(text: str | None) -> str | None:
    """'statement', 'stop' or 'start' when a customer's whole message asks for that; None otherwise (an order, a
    question: the conversation engine's business)."""
    words = normalise(text or "")
    if not words:
        return None
    if words in _STOP:
        return STOP
    if words in _START:
        return START
    if words in _STATEMENT_EXACT or words.startswith(_STATEMENT_STARTS):
        return STATEMENT
    return None


# --- the owner's payment desk --------------------------------------------------------------------------------------

_VERBS = {"paid", "received", "payment", "jama", "जमा", "mila", "मिला", "prapt", "प्राप्त", "recd", "rcvd"}
_MODES = {
    "upi": "upi",
    "gpay": "upi",
    "phonepe": "upi",
    "paytm": "upi",
    "cash": "cash",
    "nakad": "cash",
    "naqad": "cash",
    "नकद": "cash",
    "नक़द": "cash",
    "cheque": "cheque",
    "check": "cheque",
    "chq": "cheque",
    "चेक": "cheque",
    "neft": "neft",
    "imps": "neft",
    "rtgs": "neft",
    "bank": "neft",
    "other": "other",
}
_INVOICE = re.compile(r"^[a-z]{1,4}/\d{2}-\d{2}/\d{1,6}$", re.IGNORECASE)
_AMOUNT = re.compile(r"^(?:₹|rs\.?|inr)?(\d[\d,]*(?:\.\d{1,2})?)$", re.IGNORECASE)


class NotAPayment(BadRequest):
    """The owner's message is not a payment in the desk's grammar; the reason says what to fix."""


@dataclass(frozen=True)
class OwnerPayment:
    phone: str
    amount: str  # rupees, as the owner wrote them, validated
    mode: str
    reference: str
    invoice: str | None = None


def owner_payment(text: str | None) -> OwnerPayment:
    """The payment in the owner's message; raises NotAPayment (saying why) when it is not one."""
    raw = unicodedata.normalize("NFC", text or "").translate(_DEVANAGARI_DIGITS).strip()
    tokens = raw.split()
    if not tokens or tokens[0].lower() not in _VERBS:
        raise NotAPayment("not a payment")
    rest = tokens[1:]
    phone_digits, index = "", 0
    # The phone may be written in groups ("98123 45678", "+91 98123-45678"): take digit groups until 10 or 12.
    while index < len(rest):
        digits = re.sub(r"[+\-()]", "", rest[index])
        if not digits.isdigit() or len(phone_digits) + len(digits) > 12:
            break
        phone_digits += digits
        index += 1
        if len(phone_digits) in (10, 12):
            break
    if len(phone_digits) == 10:
        phone = "91" + phone_digits
    elif len(phone_digits) == 12 and phone_digits.startswith("91"):
        phone = phone_digits
    else:
        raise NotAPayment("write the customer's 10-digit mobile number after 'paid'")
    rest = rest[index:]
    if not rest:
        raise NotAPayment("write the amount after the number")
    amount_token = rest[0]
    if amount_token.lower() in ("rs", "rs.", "₹", "inr") and len(rest) > 1:
        rest = rest[1:]
        amount_token = rest[0]
    match = _AMOUNT.match(amount_token)
    if not match:
        raise NotAPayment(f"{amount_token!r} is not an amount")
    try:
        amount = parse_amount(match.group(1))
    except InvalidAmount as exc:
        raise NotAPayment(str(exc)) from None
    mode, invoice, reference = None, None, []
    for token in rest[1:]:
        low = token.lower()
        if mode is None and low in _MODES:
            mode = _MODES[low]
        elif invoice is None and _INVOICE.match(token):
            invoice = token.upper()
        else:
            reference.append(token)
    return OwnerPayment(phone, f"{amount}", mode or "cash", " ".join(reference), invoice)
