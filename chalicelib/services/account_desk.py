"""Use case: WhatsApp messages about money, answered before (and instead of) the order conversation.

- From OWNER_PHONE: the payment desk. "paid 9812345678 5000 upi 4321" is read deterministically and shown back
  with Confirm / Cancel buttons; only Confirm records it (through PaymentService, so it is idempotent: the draft's
  reference is the message's own when the owner gave none, and a second tap finds the payment recorded). The
  owner's other messages get the desk's help; none of them enters the customer conversation engine.
- From a customer: "hisaab" / "statement" / "mera balance" / "बकाया कितना है" get the statement; "STOP" /
  "band karo" / "बंद करो" opt out of payment reminders, "START" opts back in.
"""

from __future__ import annotations

import base64
import hashlib
import json

from chalicelib.domain.account_requests import STATEMENT, STOP, NotAPayment, customer_request, owner_payment
from chalicelib.domain.errors import NotFound
from chalicelib.domain.webhook import InboundMessage
from chalicelib.services.ledger_ports import AccountStorePort
from chalicelib.services.ports import MessageSenderPort

BUTTON_PREFIX = "paydesk:"
OWNER_HELP = (
    "To record a payment, write: paid <customer's mobile> <amount> [upi|cash|cheque|neft] [reference]\n"
    "e.g. paid 9812345678 5000 upi 4321  ·  जमा 9812345678 5000 नकद\n"
    "I will show it back with Confirm and Cancel; nothing is recorded until you press Confirm."
)


class AccountDesk:
    def __init__(
        self,
        *,
        owner_phone: str,
        payments,
        statements,
        accounts: AccountStorePort,
        sender: MessageSenderPort,
        shop_name: str,
        credit_days_default: int = 30,
    ):
        self._owner = owner_phone
        self._payments = payments
        self._statements = statements
        self._accounts = accounts
        self._sender = sender
        self._shop = shop_name
        self._credit_days = credit_days_default

    def takes(self, message: InboundMessage) -> bool:
        """Whether this message is the desk's (the owner's, or a customer's statement / STOP / START)."""
        if self._owner and message.phone == self._owner:
            return True
        return message.type == "text" and customer_request(message.text) is not None

    def handle(self, message: InboundMessage) -> None:
        if self._owner and message.phone == self._owner:
            self._owner_message(message)
            return
        request = customer_request(message.text)
        if request == STATEMENT:
            self._statements.reply(message.phone, message.wamid)
        elif request is not None:
            self._reminders(message, off=request == STOP)

    # --- customers ---------------------------------------------------------------------------------------------
    def _reminders(self, message: InboundMessage, *, off: bool) -> None:
        from chalicelib.domain import ledger_words as words
        from chalicelib.domain.messages import OutboundMessage

        self._accounts.set_reminders(message.phone, off)
        language = _language_of(message.text or "")
        text = words.say("opted_out" if off else "opted_in", language, shop=self._shop)
        self._sender.send(OutboundMessage(to=message.phone, text=text), idempotency_key=f"reminders#{message.wamid}")

    # --- the owner ---------------------------------------------------------------------------------------------
    def _owner_message(self, message: InboundMessage) -> None:
        if message.type == "tap" and (message.reply_id or "").startswith(BUTTON_PREFIX):
            self._owner_tap(message)
            return
        if message.type != "text":
            self._tell_owner(OWNER_HELP, message.wamid)
            return
        try:
            draft = owner_payment(message.text)
        except NotAPayment as exc:
            reason = "" if str(exc) == "not a payment" else f"⚠️ {exc}.\n\n"
            self._tell_owner(reason + OWNER_HELP, message.wamid)
            return
        try:
            account = self._payments.account(draft.phone)
        except NotFound:
            self._tell_owner(f"⚠️ +{draft.phone} is not a customer yet; nothing recorded.", message.wamid)
            return
        reference = draft.reference or f"WA-{hashlib.sha256(message.wamid.encode()).hexdigest()[:8].upper()}"
        payload = {"p": draft.phone, "a": draft.amount, "m": draft.mode, "r": reference, "i": draft.invoice}
        self._confirm(account, payload, message.wamid)

    def _confirm(self, account, payload: dict, wamid: str) -> None:
        from chalicelib.domain.ledger import from_paise, parse_amount, to_paise
        from chalicelib.domain.messages import Button, OutboundMessage
        from chalicelib.domain.money import format_inr

        amount = parse_amount(payload["a"])
        after = account.balance_paise - to_paise(amount)
        shown_ref = "" if payload["r"].startswith("WA-") else f", ref {payload['r']}"
        invoice = f", invoice {payload['i']}" if payload["i"] else ""
        text = (
            f"Record this payment?\n{format_inr(amount)} from {account.name or 'customer'} (+{account.phone}) "
            f"by {payload['m'].upper()}{shown_ref}{invoice}\n"
            f"Balance {format_inr(from_paise(account.balance_paise))} → {format_inr(from_paise(after))}"
        )
        token = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
        buttons = (
            Button(id=f"{BUTTON_PREFIX}ok:{token}", title="Confirm"),
            Button(id=f"{BUTTON_PREFIX}no:{token}", title="Cancel"),
        )
        self._sender.send(
            OutboundMessage(to=self._owner, text=text, buttons=buttons), idempotency_key=f"paydesk#{wamid}"
        )

    def _owner_tap(self, message: InboundMessage) -> None:
        from chalicelib.domain.money import format_inr

        action, _, token = message.reply_id[len(BUTTON_PREFIX) :].partition(":")
        try:
            payload = json.loads(base64.urlsafe_b64decode(token.encode()))
        except ValueError:
            self._tell_owner("⚠️ That button is not one of mine; nothing recorded.", message.wamid)
            return
        if action != "ok":
            self._tell_owner("Cancelled; nothing was recorded.", message.wamid)
            return
        body = {"amount": payload["a"], "mode": payload["m"], "reference": payload["r"], "invoice": payload["i"]}
        try:
            payment, created = self._payments.record(payload["p"], body)
        except (ValueError, NotFound) as exc:
            self._tell_owner(f"⚠️ Not recorded: {exc}", message.wamid)
            return
        said = "✅ Recorded" if created else "Already recorded"
        self._tell_owner(
            f"{said}: {format_inr(payment['amount'])} from +{payload['p']} ({payment['payment_id']}). "
            f"Balance now {format_inr(payment['balance_after'])}.",
            message.wamid,
        )

    def _tell_owner(self, text: str, wamid: str) -> None:
        from chalicelib.domain.messages import OutboundMessage

        self._sender.send(OutboundMessage(to=self._owner, text=text), idempotency_key=f"paydesk#{wamid}")


def _language_of(text: str) -> str:
    """The language a customer wrote this short request in (the reply follows it)."""
    if any("\u0900" <= ch <= "\u097f" for ch in text):
        return "hi"
    words = set(text.lower().split())
    return "hinglish" if words & {"karo", "band", "chalu", "mera", "hisaab", "hisab", "bhejo", "kitna"} else "en"
