"""Use case: staged payment reminders per open invoice (see domain/reminders.py for the stages and the rules), one
message a day per customer at most, recorded on the customer's ledger; opted-out and undeliverable customers are
kept for the owner's list.

Sending goes through the sender port under the key ``reminder#<phone>#<day>``. Outside WhatsApp's 24-hour window
free-form text cannot reach the customer: with ``template_fallback`` (the approved payment_reminder template, given
by the composition root once the sender supports it) the sender sends the template instead; without it the
customer is counted as outside_window and tried again on the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from chalicelib.domain.errors import MessageNotSent, OutsideWindow
from chalicelib.domain.ledger import DEFAULT_CREDIT_DAYS, IST, Account, from_paise, upi_uri
from chalicelib.domain.reminders import DueReminder, due_reminders, within_hours
from chalicelib.services.ledger_ports import AccountStorePort
from chalicelib.services.ports import MessageSenderPort


class StagedReminderService:
    def __init__(
        self,
        *,
        accounts: AccountStorePort,
        sender: MessageSenderPort,
        shop_name: str,
        clock: Callable[[], dt.datetime],
        credit_days_default: int = DEFAULT_CREDIT_DAYS,
        upi_vpa: str | None = None,
        template_fallback: Callable[[Account, str], dict] | None = None,
        logger=None,
    ):
        self._accounts = accounts
        self._sender = sender
        self._shop = shop_name
        self._clock = clock
        self._credit_days = credit_days_default
        self._upi_vpa = upi_vpa
        self._template = template_fallback
        self._logger = logger

    def send_due_reminders(self) -> dict:
        now = self._clock()
        counts = {"reminded": 0, "outside_window": 0, "undeliverable": 0, "opted_out": 0, "failed": 0}
        if not within_hours(now):
            return counts | {"quiet_hours": True}
        today = now.astimezone(IST).date()
        for phone in self._accounts.phones_owing():
            account = self._accounts.load(phone, self._credit_days)
            if account is None:
                continue
            if account.reminders_off:
                counts["opted_out"] += 1
                continue
            due = due_reminders(account, today)
            if due:
                counts[self._remind(account, due, today, now)] += 1
        if self._logger:
            self._logger.info("reminders sent", extra=counts)
        return counts

    def _remind(self, account: Account, due: tuple[DueReminder, ...], today: dt.date, now: dt.datetime) -> str:
        from chalicelib.domain.messages import OutboundMessage
        from chalicelib.domain.money import format_inr

        text, total = self._text(account, due, today)
        message = OutboundMessage(to=account.phone, text=text)
        key = f"reminder#{account.phone}#{today.isoformat()}"
        try:
            if self._template is not None:
                self._sender.send(message, idempotency_key=key, fallback=self._template(account, format_inr(total)))
            else:
                self._sender.send(message, idempotency_key=key)
        except OutsideWindow:
            return "outside_window"
        except MessageNotSent as exc:
            if exc.retryable:
                if self._logger:
                    self._logger.warning("reminder failed", extra={"code": exc.code})
                return "failed"
            self._accounts.mark_undeliverable(account.phone, f"#{exc.code} {exc}" if exc.code else str(exc))
            return "undeliverable"
        stages = {r.invoice.number: r.stage for r in due}
        self._accounts.record_reminder(account.phone, today, stages, now.isoformat(), account.balance_paise)
        return "reminded"

    def _text(self, account: Account, due: tuple[DueReminder, ...], today: dt.date):
        from chalicelib.domain import ledger_words as words
        from chalicelib.domain.money import format_inr

        language = account.language
        rows = [words.say("reminder_head", language, name=account.name or "", shop=self._shop)]
        total = sum(r.invoice.due_paise for r in due)
        for reminder in due:
            invoice = reminder.invoice
            days = (today - invoice.due_on).days
            if days < 0:
                when = words.say("due_in", language, due_on=words.day(invoice.due_on))
            elif days == 0:
                when = words.say("due_today", language)
            else:
                when = words.say("overdue_by", language, days=days)
            rows.append(
                words.say(
                    "reminder_row",
                    language,
                    number=invoice.number,
                    due=format_inr(from_paise(invoice.due_paise)),
                    when=when,
                )
            )
        if self._upi_vpa:
            note = due[0].invoice.number if len(due) == 1 else f"{len(due)} invoices"
            rows.append(
                words.say("pay_by_upi", language, link=upi_uri(self._upi_vpa, self._shop, from_paise(total), note))
            )
        rows.append(words.say("reminder_foot", language))
        return "\n".join(rows), from_paise(total)
