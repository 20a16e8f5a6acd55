"""Use case: the owner records goods returned against an invoice. One transaction writes the GST credit note (its
own gapless series, citing the invoice's number and date), the meters back to their own batch and dye lot, and the
ledger credit with the new balance (see ReturnsStorePort.record_credit_note); then the customer receives the credit
note PDF. The rules (what may be returned, the statutory deadline) are in domain/credit_notes.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from chalicelib.domain.errors import NotFound, StaleAccount
from chalicelib.domain.ledger import DEFAULT_CREDIT_DAYS, from_paise, to_paise, today_in_india
from chalicelib.services.ledger_ports import AccountStorePort, DocumentStorePort, ReturnsStorePort
from chalicelib.services.ports import MessageSenderPort

MAX_ATTEMPTS = 6


class ReturnsService:
    def __init__(
        self,
        *,
        accounts: AccountStorePort,
        returns: ReturnsStorePort,
        documents: DocumentStorePort,
        sender: MessageSenderPort,
        render_pdf: Callable,
        clock: Callable[[], dt.datetime],
        credit_days_default: int = DEFAULT_CREDIT_DAYS,
        annual_return_filed_on: dt.date | None = None,
        link_ttl_seconds: int = 7 * 24 * 3600,
        logger=None,
    ):
        self._accounts = accounts
        self._returns = returns
        self._documents = documents
        self._sender = sender
        self._render = render_pdf
        self._clock = clock
        self._credit_days = credit_days_default
        self._annual_return = annual_return_filed_on
        self._ttl = link_ttl_seconds
        self._logger = logger

    def record(self, number: str, body: object) -> dict:
        """Credit the return in ``body`` against invoice ``number``. Raises ReturnRefused (a BadRequest: 400, with
        the reason) or NotFound; nothing is written then."""
        from chalicelib.domain.credit_notes import credit_note, credit_note_number, parse_return
        from chalicelib.domain.invoice import Invoice, financial_year

        lines = parse_return(body)
        for _ in range(MAX_ATTEMPTS):
            found = self._returns.invoice_for_return(number)
            if found is None:
                raise NotFound(f"no invoice {number}")
            invoice = Invoice.from_dict(found["invoice"])
            now = self._clock()
            on = today_in_india(now)
            fy = financial_year(on)
            seq = self._returns.current_credit_note_seq(fy)
            before = {int(k): Decimal(v) for k, v in found["returned"].items()}
            note = credit_note(invoice, before, lines, credit_note_number(fy, seq + 1), on, self._annual_return)
            account = self._accounts.load(found["phone"], self._credit_days)
            if account is None:
                raise NotFound(f"no customer {found['phone']}")
            state = next((i for i in account.invoices if i.number == number), None)
            amount = to_paise(note.totals.grand_total)
            allocation = min(amount, state.due_paise) if state is not None and state.due_paise > 0 else 0
            batches = self._returns.order_batches(found["order_id"])
            stock = []
            for item in lines:
                if item.line > len(batches):
                    raise NotFound(f"the batch of line {item.line} of {number} is not on record")
                stock.append((batches[item.line - 1]["batch_id"], item.meters))
            after = dict(before)
            for item in lines:
                after[item.line] = after.get(item.line, Decimal(0)) + item.meters
            original = {
                "number": number,
                "returned_after": {str(k): str(v) for k, v in sorted(after.items())},
                "credit_notes_before": found["credit_notes"],
                "credited_before": found["credited_paise"],
            }
            try:
                self._returns.record_credit_note(
                    account,
                    note=note.to_dict(),
                    fy=fy,
                    seq=seq,
                    original=original,
                    allocation_paise=allocation,
                    amount_paise=amount,
                    stock=stock,
                    at=now.isoformat(),
                )
            except StaleAccount:
                continue
            self._send_credit_note(note, account, amount)
            return {
                "credit_note": note.number,
                "against": {"number": invoice.number, "date": invoice.date.isoformat()},
                "amount": str(note.totals.grand_total),
                "lines": [
                    {
                        "line": item.line,
                        "meters": str(item.meters),
                        "batch_id": batches[item.line - 1]["batch_id"],
                        "dye_lot": batches[item.line - 1].get("dye_lot"),
                    }
                    for item in lines
                ],
                "balance_after": str(from_paise(account.balance_paise - amount)),
            }
        raise StaleAccount(f"invoice {number} kept moving; try again")

    def _send_credit_note(self, note, account, amount_paise: int) -> None:
        from chalicelib.domain import ledger_words as words
        from chalicelib.domain.errors import MessageNotSent
        from chalicelib.domain.messages import Document, OutboundMessage
        from chalicelib.domain.money import format_inr

        key = f"credit-notes/{note.number.replace('/', '-')}.pdf"
        self._documents.put_pdf(key, self._render(note), {"credit-note": note.number})
        language = account.language
        text = words.say(
            "credit_note",
            language,
            number=note.number,
            invoice=note.original_number,
            amount=format_inr(from_paise(amount_paise)),
            balance=words.balance_text(account.balance_paise - amount_paise, language),
        )
        document = Document(
            link=self._documents.link(key, self._ttl), filename=f"{note.number.replace('/', '-')}.pdf", caption=text
        )
        try:
            self._sender.send(
                OutboundMessage(to=account.phone, text=text, document=document),
                idempotency_key=f"credit-note#{note.number}",
            )
        except MessageNotSent as exc:
            if exc.retryable:
                raise
            if self._logger:
                self._logger.warning("credit note not delivered", extra={"code": exc.code})
