"""What customers and the owner are told about money (payments, balances, statements, reminders, credit notes), in
English, Hinglish and Hindi. Kept as data in one block so the shared wording home can absorb it as it is."""

from __future__ import annotations

import datetime as dt

from chalicelib.domain.ledger import from_paise
from chalicelib.domain.money import format_inr

LANGUAGES = ("en", "hinglish", "hi")

# --- customer-facing texts -----------------------------------------------------------------------------------------
TEXTS: dict[str, dict[str, str]] = {
    "payment_received": {
        "en": "✅ Payment received: {amount} ({mode}{reference}), {date}. Thank you!\nYour balance now: {balance}.",
        "hinglish": "✅ {amount} ka payment mila ({mode}{reference}), {date}. Dhanyavaad!\nAb aapka baaki: {balance}.",
        "hi": "✅ {amount} का भुगतान मिल गया ({mode}{reference}), {date}। धन्यवाद!\nअब आपका बकाया: {balance}।",
    },
    "payment_reversed": {
        "en": "A payment of {amount} ({mode}{reference}) was reversed by the shop. Your balance now: {balance}.",
        "hinglish": "{amount} ka payment ({mode}{reference}) dukaan ne wapas liya. Ab aapka baaki: {balance}.",
        "hi": "{amount} का भुगतान ({mode}{reference}) दुकान ने वापस लिया। अब आपका बकाया: {balance}।",
    },
    "balance_line": {
        "en": "Your balance with {shop}: {balance}",
        "hinglish": "{shop} mein aapka baaki: {balance}",
        "hi": "{shop} में आपका बकाया: {balance}",
    },
    "in_credit": {
        "en": "{amount} in your favour",
        "hinglish": "{amount} aapke khate mein jama",
        "hi": "{amount} आपके खाते में जमा",
    },
    "open_invoices": {
        "en": "Open invoices:",
        "hinglish": "Baaki bills:",
        "hi": "बाकी बिल:",
    },
    "invoice_row": {
        "en": "• {number} of {date}: {due} due by {due_on} ({status})",
        "hinglish": "• {number} ({date}): {due} baaki, {due_on} tak ({status})",
        "hi": "• {number} ({date}): {due} बाकी, {due_on} तक ({status})",
    },
    "no_open_invoices": {
        "en": "No open invoices. 🙏",
        "hinglish": "Koi bill baaki nahi. 🙏",
        "hi": "कोई बिल बाकी नहीं। 🙏",
    },
    "last_entries": {
        "en": "Last entries:",
        "hinglish": "Pichhli entries:",
        "hi": "पिछली एंट्री:",
    },
    "entry_row": {
        "en": "• {date} {what}: {amount} → {balance}",
        "hinglish": "• {date} {what}: {amount} → {balance}",
        "hi": "• {date} {what}: {amount} → {balance}",
    },
    "pay_by_upi": {
        "en": "Pay by UPI: {link}",
        "hinglish": "UPI se payment: {link}",
        "hi": "UPI से भुगतान: {link}",
    },
    "statement_caption": {
        "en": "Statement of account, {shop}",
        "hinglish": "Khata statement, {shop}",
        "hi": "खाते का विवरण, {shop}",
    },
    "reminder_head": {
        "en": "Namaste {name}! A reminder from {shop}:",
        "hinglish": "Namaste {name}! {shop} se yaad dilana tha:",
        "hi": "नमस्ते {name}! {shop} की ओर से याद दिलाना था:",
    },
    "reminder_row": {
        "en": "• Invoice {number}: {due} {when}",
        "hinglish": "• Bill {number}: {due} {when}",
        "hi": "• बिल {number}: {due} {when}",
    },
    "due_in": {"en": "due on {due_on}", "hinglish": "{due_on} tak dena hai", "hi": "{due_on} तक देना है"},
    "due_today": {"en": "due today", "hinglish": "aaj dena hai", "hi": "आज देना है"},
    "overdue_by": {
        "en": "overdue by {days} days",
        "hinglish": "{days} din se baaki",
        "hi": "{days} दिन से बकाया",
    },
    "reminder_foot": {
        "en": "Reply STOP to stop reminders. Thank you!",
        "hinglish": "Reminder band karne ke liye 'band karo' likhein. Dhanyavaad!",
        "hi": "याद दिलाना बंद करने के लिए 'बंद करो' लिखें। धन्यवाद!",
    },
    "opted_out": {
        "en": "Done: {shop} will send you no more payment reminders. Write START to get them again.",
        "hinglish": "Theek hai: {shop} ab payment reminder nahi bhejega. Dobara chahiye to START likhein.",
        "hi": "ठीक है: {shop} अब भुगतान की याद नहीं भेजेगा। फिर से चाहिए तो START लिखें।",
    },
    "opted_in": {
        "en": "Done: payment reminders from {shop} are on again.",
        "hinglish": "Theek hai: {shop} ke payment reminder fir se chalu.",
        "hi": "ठीक है: {shop} की भुगतान याद फिर से चालू।",
    },
    "credit_note": {
        "en": "Credit note {number} for your return against invoice {invoice}: {amount}. Your balance now: {balance}.",
        "hinglish": "Aapke return ka credit note {number} (bill {invoice}): {amount}. Ab aapka baaki: {balance}.",
        "hi": "आपकी वापसी का क्रेडिट नोट {number} (बिल {invoice}): {amount}। अब आपका बकाया: {balance}।",
    },
}

STATUS = {
    "unpaid": {"en": "unpaid", "hinglish": "unpaid", "hi": "बकाया"},
    "partly paid": {"en": "partly paid", "hinglish": "thoda chukaya", "hi": "आंशिक भुगतान"},
    "paid": {"en": "paid", "hinglish": "chuka diya", "hi": "चुकता"},
    "overdue": {"en": "overdue", "hinglish": "der ho gayi", "hi": "समय निकल गया"},
}

ENTRY_KINDS = {
    "invoice": {"en": "Invoice {reference}", "hinglish": "Bill {reference}", "hi": "बिल {reference}"},
    "payment": {"en": "Payment {reference}", "hinglish": "Payment {reference}", "hi": "भुगतान {reference}"},
    "reversal": {"en": "Reversal {reference}", "hinglish": "Reversal {reference}", "hi": "वापसी {reference}"},
    "credit_note": {
        "en": "Credit note {reference}",
        "hinglish": "Credit note {reference}",
        "hi": "क्रेडिट नोट {reference}",
    },
}

MODE_NAMES = {
    "upi": {"en": "UPI", "hinglish": "UPI", "hi": "UPI"},
    "cash": {"en": "cash", "hinglish": "cash", "hi": "नकद"},
    "cheque": {"en": "cheque", "hinglish": "cheque", "hi": "चेक"},
    "neft": {"en": "bank transfer", "hinglish": "bank transfer", "hi": "बैंक ट्रांसफर"},
    "other": {"en": "other", "hinglish": "other", "hi": "अन्य"},
}


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "en"


def say(key: str, language: str | None, **values) -> str:
    return TEXTS[key][language_of(language)].format(**values)


def balance_text(balance_paise: int, language: str | None) -> str:
    """'₹1,250.00', or '₹500.00 in your favour' when the customer paid in advance."""
    if balance_paise < 0:
        return say("in_credit", language, amount=format_inr(from_paise(-balance_paise)))
    return format_inr(from_paise(balance_paise))


def day(on: dt.date) -> str:
    return on.strftime("%d-%m-%Y")


def mode_name(mode: str, language: str | None) -> str:
    return MODE_NAMES.get(mode, MODE_NAMES["other"])[language_of(language)]


def status_name(status: str, language: str | None) -> str:
    return STATUS[status][language_of(language)]


def entry_name(kind: str, reference: str, language: str | None) -> str:
    return ENTRY_KINDS.get(kind, ENTRY_KINDS["invoice"])[language_of(language)].format(reference=reference)
