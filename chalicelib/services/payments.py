"""Use cases of a customer's account: record a payment (idempotent by mode + reference), reverse one, set credit
terms, and read the account with its open invoices.

Recording a payment is one transaction (see AccountStorePort.record_payment): the payment record (first writer
wins, so the same mode + reference twice is one payment), the ledger credit, the balance B -> B - amount
(condition: still B) and the allocation to invoices (condition: each invoice settled as read). If anything moved
between reading and writing, the account is read again and the allocation redone. After the commit the customer is
told, in their language, through the outbox (a retry never tells twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from chalicelib.domain.errors import AlreadyReversed, DuplicatePayment, NotFound, StaleAccount
from chalicelib.domain.ledger import (
    DEFAULT_CREDIT_DAYS,
    MAX_CREDIT_DAYS,
    Account,
    InvalidPayment,
    allocate,
    from_paise,
    parse_amount,
    parse_payment,
    payment_id,
    to_paise,
    today_in_india,
)
from chalicelib.services.ledger_ports import AccountStorePort
from chalicelib.services.ports import MessageSenderPort

MAX_ATTEMPTS = 6
MAX_CREDIT_LIMIT = Decimal("1000000000.00")  # ₹100 crore


class PaymentService:
    def __init__(
        self,
        *,
        accounts: AccountStorePort,
        sender: MessageSenderPort | None,
        shop_name: str,
        clock: Callable[[], dt.datetime],
        credit_days_default: int = DEFAULT_CREDIT_DAYS,
        upi_vpa: str | None = None,
        logger=None,
    ):
        self._accounts = accounts
        self._sender = sender
        self._shop = shop_name
        self._clock = clock
        self._credit_days = credit_days_default
        self._upi_vpa = upi_vpa
        self._logger = logger

    # --- reading -----------------------------------------------------------------------------------------------
    def account(self, phone: str) -> Account:
        """The customer's account; raises NotFound for a number that is not a customer."""
        account = self._accounts.load(phone, self._credit_days)
        if account is None:
            raise NotFound(f"no customer {phone}")
        return account

    def summary(self, phone: str) -> dict:
        """Balance, terms and open invoices with due dates, amounts due and status (the owner's customer view)."""
        account = self._accounts.load(phone, self._credit_days)
        if account is None:
            return {"open_invoices": [], "credit_limit": None, "credit_days": None}
        today = today_in_india(self._clock())
        return {
            "credit_limit": str(from_paise(account.credit_limit_paise)) if account.credit_limit_paise else None,
            "credit_days": account.credit_days,
            "effective_credit_days": self._credit_days if account.credit_days is None else account.credit_days,
            "reminders_off": account.reminders_off,
            "last_payment_on": account.last_payment_on.isoformat() if account.last_payment_on else None,
            "open_invoices": [
                {
                    "number": i.number,
                    "date": i.issued_on.isoformat(),
                    "due_on": i.due_on.isoformat(),
                    "total": str(from_paise(i.total_paise)),
                    "paid": str(from_paise(i.paid_paise)),
                    "credited": str(from_paise(i.credited_paise)),
                    "due": str(from_paise(i.due_paise)),
                    "status": i.status(today),
                    "days_overdue": i.days_overdue(today),
                }
                for i in account.open_invoices
            ],
        }

    # --- payments ----------------------------------------------------------------------------------------------
    def record(self, phone: str, body: object) -> tuple[dict, bool]:
        """Record the payment in ``body``; returns (the payment with the new balance, created). The same mode and
        reference again returns the first payment with created False. Raises InvalidAmount / InvalidPayment
        (a ValueError: 400) or NotFound; nothing is written then."""
        now = self._clock()
        command = parse_payment(body, today_in_india(now))
        pid = payment_id(phone, command.mode, command.reference)
        existing = self._accounts.payment(pid)
        if existing is not None:
            return self._view(existing), False
        for _ in range(MAX_ATTEMPTS):
            account = self.account(phone)
            allocations = allocate(account.invoices, command.amount_paise, command.invoice)
            payment = {
                "payment_id": pid,
                "phone": phone,
                "amount_paise": command.amount_paise,
                "mode": command.mode,
                "reference": command.reference,
                "received_on": command.received_on.isoformat(),
                "invoice": command.invoice,
                "allocations": allocations,
                "at": now.isoformat(),
                "balance_after_paise": account.balance_paise - command.amount_paise,
                "reversed_at": None,
            }
            try:
                self._accounts.record_payment(account, payment, allocations, now.isoformat())
            except DuplicatePayment:
                return self._view(self._accounts.payment(pid) or payment), False
            except StaleAccount:
                continue
            from chalicelib import metrics

            metrics.count(metrics.PAYMENTS_RECORDED)
            self._tell(phone, account.language, "payment_received", payment, f"payment#{pid}")
            return self._view(payment), True
        raise StaleAccount(f"{phone}'s account kept moving; try again")

    def reverse(self, phone: str, pid: str) -> dict:
        """Reverse a payment (a ledger debit; the payment itself is never edited or deleted); reversing again
        returns the same. Raises NotFound."""
        now = self._clock()
        for _ in range(MAX_ATTEMPTS):
            payment = self._accounts.payment(pid)
            if payment is None or payment["phone"] != phone:
                raise NotFound(f"no payment {pid} of {phone}")
            if payment.get("reversed_at"):
                return self._view(payment)
            account = self.account(phone)
            try:
                self._accounts.reverse_payment(account, payment, now.isoformat())
            except AlreadyReversed:
                continue
            except StaleAccount:
                continue
            done = self._accounts.payment(pid) or payment
            language = account.language
            self._tell(
                phone,
                language,
                "payment_reversed",
                done | {"balance_after_paise": _balance(done, account)},
                f"reversal#{pid}",
            )
            return self._view(done)
        raise StaleAccount(f"{phone}'s account kept moving; try again")

    # --- terms -------------------------------------------------------------------------------------------------
    def set_terms(self, phone: str, body: dict) -> None:
        """Apply 'credit_limit' (rupees, or null to clear) and 'credit_days' (0-365, or null) when present; raises
        InvalidAmount / InvalidPayment (400) and writes nothing then."""
        terms = self.parse_terms(phone, body)
        if terms is not None:
            self._accounts.set_terms(phone, *terms)

    def apply_terms(self, phone: str, terms: tuple[int | None, int | None]) -> None:
        self._accounts.set_terms(phone, *terms)

    def parse_terms(self, phone: str, body: dict) -> tuple[int | None, int | None] | None:
        """(credit limit paise, credit days) from the owner's body, or None when it sets neither."""
        if not isinstance(body, dict) or ("credit_limit" not in body and "credit_days" not in body):
            return None
        account = self._accounts.load(phone, self._credit_days)
        limit = account.credit_limit_paise if account else None
        days = account.credit_days if account else None
        if "credit_limit" in body:
            value = body["credit_limit"]
            limit = None if value in (None, "") else to_paise(parse_amount(value, limit=MAX_CREDIT_LIMIT))
        if "credit_days" in body:
            value = body["credit_days"]
            if value in (None, ""):
                days = None
            else:
                try:
                    days = int(str(value))
                except ValueError:
                    raise InvalidPayment(f"credit_days must be a whole number of days, not {value!r}") from None
                if not 0 <= days <= MAX_CREDIT_DAYS:
                    raise InvalidPayment(f"credit_days must be between 0 and {MAX_CREDIT_DAYS}, not {days}")
        return limit, days

    # --- helpers -----------------------------------------------------------------------------------------------
    def _view(self, payment: dict) -> dict:
        return {
            "payment_id": payment["payment_id"],
            "amount": str(from_paise(payment["amount_paise"])),
            "mode": payment["mode"],
            "reference": payment["reference"],
            "received_on": payment["received_on"],
            "allocations": {n: str(from_paise(p)) for n, p in payment["allocations"].items()},
            "unallocated": str(from_paise(payment["amount_paise"] - sum(payment["allocations"].values()))),
            "balance_after": str(from_paise(payment["balance_after_paise"])),
            "reversed_at": payment.get("reversed_at"),
        }

    def _tell(self, phone: str, language: str, key: str, payment: dict, idempotency_key: str) -> None:
        from chalicelib.domain import ledger_words as words
        from chalicelib.domain.messages import OutboundMessage
        from chalicelib.domain.money import format_inr

        if self._sender is None:
            return
        reference = payment["reference"]
        text = words.say(
            key,
            language,
            amount=format_inr(from_paise(payment["amount_paise"])),
            mode=words.mode_name(payment["mode"], language),
            reference="" if reference.startswith(("CASH-", "OTHER-")) else f", {reference}",
            date=words.day(dt.date.fromisoformat(payment["received_on"])),
            balance=words.balance_text(payment["balance_after_paise"], language),
        )
        _send(self._sender, OutboundMessage(to=phone, text=text), idempotency_key, self._logger)


def _balance(payment: dict, account: Account) -> int:
    return account.balance_paise + payment["amount_paise"]


def _send(sender, message, key: str, logger=None) -> bool:
    """Send through the outbox; an undeliverable message is logged, not raised (the money is already recorded)."""
    from chalicelib.domain.errors import MessageNotSent

    try:
        sender.send(message, idempotency_key=key)
        return True
    except MessageNotSent as exc:
        if exc.retryable:
            raise
        if logger:
            logger.warning("account message not delivered", extra={"key": key, "code": exc.code})
        return False


class ReceivablesService:
    """What customers owe, aged by due date, most overdue first (the owner's collection list)."""

    def __init__(self, *, accounts: AccountStorePort, clock: Callable[[], dt.datetime], credit_days_default: int):
        self._accounts = accounts
        self._clock = clock
        self._credit_days = credit_days_default

    def report(self) -> dict:
        from chalicelib.domain.ledger import BUCKETS, ageing

        today = today_in_india(self._clock())
        rows = []
        for phone in self._accounts.phones_owing():
            account = self._accounts.load(phone, self._credit_days)
            if account is None or account.balance_paise <= 0:
                continue
            buckets = ageing(account.invoices, today)
            open_ = account.open_invoices
            oldest = min((i.due_on for i in open_), default=None)
            rows.append(
                {
                    "phone": phone,
                    "name": account.name,
                    "outstanding_paise": account.balance_paise,
                    "buckets_paise": buckets,
                    "oldest_due_on": oldest,
                    "days_overdue": max((i.days_overdue(today) for i in open_), default=0),
                    "last_payment_on": account.last_payment_on,
                    "open_invoices": len(open_),
                    "reminders_off": account.reminders_off,
                    "reminders_undeliverable": account.reminders_undeliverable,
                }
            )
        rows.sort(key=lambda r: (-r["days_overdue"], -r["outstanding_paise"], r["phone"]))
        labels = [label for label, _, _ in BUCKETS]
        totals = {label: sum(r["buckets_paise"][label] for r in rows) for label in labels}
        return {
            "as_of": today.isoformat(),
            "customers": [
                {
                    "phone": r["phone"],
                    "name": r["name"],
                    "outstanding": str(from_paise(r["outstanding_paise"])),
                    "buckets": {label: str(from_paise(r["buckets_paise"][label])) for label in labels},
                    "oldest_due_on": r["oldest_due_on"].isoformat() if r["oldest_due_on"] else None,
                    "days_overdue": r["days_overdue"],
                    "last_payment_on": r["last_payment_on"].isoformat() if r["last_payment_on"] else None,
                    "open_invoices": r["open_invoices"],
                    "reminders_off": r["reminders_off"],
                    "reminders_undeliverable": r["reminders_undeliverable"],
                }
                for r in rows
            ],
            # Customers the reminders do not reach: they wrote STOP, or WhatsApp could not deliver to them.
            "not_reminded": {
                "opted_out": [r["phone"] for r in rows if r["reminders_off"]],
                "undeliverable": [
                    {"phone": r["phone"], "reason": r["reminders_undeliverable"]}
                    for r in rows
                    if r["reminders_undeliverable"]
                ],
            },
            "totals": {label: str(from_paise(totals[label])) for label in labels}
            | {"outstanding": str(from_paise(sum(r["outstanding_paise"] for r in rows)))},
        }


class CreditControl:
    """The credit check at order time (a CreditCheckPort): warnings for the owner's notification; the owner decides."""

    def __init__(self, *, accounts: AccountStorePort, credit_days_default: int = DEFAULT_CREDIT_DAYS):
        self._accounts = accounts
        self._credit_days = credit_days_default

    def __call__(self, phone: str, order_total: Decimal, now: dt.datetime) -> list[str]:
        from chalicelib.domain.ledger import credit_warnings

        account = self._accounts.load(phone, self._credit_days)
        if account is None:
            return []
        return credit_warnings(account, to_paise(order_total), today_in_india(now))
