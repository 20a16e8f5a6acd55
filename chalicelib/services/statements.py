"""Use cases of statements: the customer's "hisaab" (balance, open invoices, last entries in their language, and a
statement PDF), and the owner's statement PDF of any customer for a period."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from chalicelib.domain.errors import BadRequest, NotFound
from chalicelib.domain.ledger import (
    DEFAULT_CREDIT_DAYS,
    Account,
    StatementDocument,
    from_paise,
    statement,
    today_in_india,
    upi_uri,
)
from chalicelib.services.ledger_ports import AccountStorePort, DocumentStorePort
from chalicelib.services.ports import MessageSenderPort

LAST_ENTRIES = 5
OPEN_INVOICES_SHOWN = 8


class StatementService:
    def __init__(
        self,
        *,
        accounts: AccountStorePort,
        documents: DocumentStorePort,
        sender: MessageSenderPort,
        render_pdf: Callable[[StatementDocument], bytes],
        supplier: dict,
        clock: Callable[[], dt.datetime],
        upi_vpa: str | None = None,
        credit_days_default: int = DEFAULT_CREDIT_DAYS,
        link_ttl_seconds: int = 7 * 24 * 3600,
        logger=None,
    ):
        self._accounts = accounts
        self._documents = documents
        self._sender = sender
        self._render = render_pdf
        self._supplier = supplier
        self._clock = clock
        self._upi_vpa = upi_vpa
        self._credit_days = credit_days_default
        self._ttl = link_ttl_seconds
        self._logger = logger

    def _account(self, phone: str) -> Account:
        account = self._accounts.load(phone, self._credit_days)
        if account is None:
            raise NotFound(f"no customer {phone}")
        return account

    def document(self, phone: str, start: dt.date | None = None, end: dt.date | None = None) -> StatementDocument:
        from chalicelib.domain.invoice import Party

        if start and end and start > end:
            raise BadRequest(f"from {start} is after to {end}")
        account = self._account(phone)
        today = today_in_india(self._clock())
        s = self._supplier
        supplier = Party(
            name=s["name"],
            address_lines=(s["address"],) if s.get("address") else (),
            gstin=s.get("gstin"),
            state_code=s.get("state_code", ""),
            phone=s.get("phone", ""),
        )
        shown = statement(account.entries, start, end or today)
        upi = None
        if self._upi_vpa and shown.closing_paise > 0:
            upi = upi_uri(self._upi_vpa, s["name"], from_paise(shown.closing_paise), f"Statement {phone[-4:]}")
        return StatementDocument(
            supplier=supplier,
            customer_name=account.name or f"+{phone}",
            customer_phone=phone,
            issued_on=today,
            statement=shown,
            open_invoices=account.open_invoices,
            upi=upi,
        )

    def pdf(self, phone: str, start: str | None = None, end: str | None = None) -> bytes:
        """The owner's statement PDF for a period (dates YYYY-MM-DD, both optional); ValueError on a bad date."""
        return self._render(self.document(phone, _day(start, "from"), _day(end, "to")))

    def reply(self, phone: str, wamid: str) -> None:
        """The customer asked for their hisaab: a summary in their language, then the statement PDF. Each send
        goes through the outbox under keys from the message id, so a redelivered message sends nothing twice."""
        from chalicelib.domain import ledger_words as words
        from chalicelib.domain.messages import Document, OutboundMessage
        from chalicelib.domain.money import format_inr

        account = self._accounts.load(phone, self._credit_days)
        language = account.language if account else "en"
        shop = self._supplier["name"]
        if account is None or not account.entries:
            text = words.say("balance_line", language, shop=shop, balance=format_inr(0))
            text += "\n" + words.say("no_open_invoices", language)
            self._sender.send(OutboundMessage(to=phone, text=text), idempotency_key=f"statement#{wamid}")
            return
        today = today_in_india(self._clock())
        rows = [
            words.say("balance_line", language, shop=shop, balance=words.balance_text(account.balance_paise, language))
        ]
        open_ = account.open_invoices
        if open_:
            rows += ["", words.say("open_invoices", language)]
            for invoice in open_[:OPEN_INVOICES_SHOWN]:
                rows.append(
                    words.say(
                        "invoice_row",
                        language,
                        number=invoice.number,
                        date=words.day(invoice.issued_on),
                        due=format_inr(from_paise(invoice.due_paise)),
                        due_on=words.day(invoice.due_on),
                        status=words.status_name(invoice.status(today), language),
                    )
                )
        else:
            rows += ["", words.say("no_open_invoices", language)]
        money = [e for e in account.entries if e.debit_paise or e.credit_paise]
        if money:
            rows += ["", words.say("last_entries", language)]
            for entry in money[-LAST_ENTRIES:]:
                amount = entry.debit_paise or -entry.credit_paise
                rows.append(
                    words.say(
                        "entry_row",
                        language,
                        date=words.day(entry.on),
                        what=words.entry_name(entry.kind, entry.reference, language),
                        amount=("+" if amount > 0 else "−") + format_inr(from_paise(abs(amount))),
                        balance=words.balance_text(entry.balance_after_paise, language),
                    )
                )
        doc = self.document(phone)
        if doc.upi:
            rows += ["", words.say("pay_by_upi", language, link=doc.upi)]
        self._sender.send(OutboundMessage(to=phone, text="\n".join(rows)), idempotency_key=f"statement#{wamid}")
        key = f"statements/{phone}/{doc.issued_on:%Y%m%d}-{hashlib.sha256(wamid.encode()).hexdigest()[:12]}.pdf"
        self._documents.put_pdf(key, self._render(doc), {"customer": phone[-4:], "kind": "statement"})
        caption = words.say("statement_caption", language, shop=shop)
        document = Document(link=self._documents.link(key, self._ttl), filename=f"{doc.number}.pdf", caption=caption)
        self._sender.send(
            OutboundMessage(to=phone, text=caption, document=document), idempotency_key=f"statement-pdf#{wamid}"
        )


def _day(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD, not {value!r}") from None
