"""Money is exact: any sequence of invoices, payments, reversals and credit notes (returns) leaves the balance
equal to debits minus credits, no invoice settled beyond its total, and no line returned beyond what was sold."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.credit_notes import ReturnRefused
from chalicelib.domain.invoice import Invoice, InvoiceLine, Party
from chalicelib.domain.ledger import allocate, parse_amount, to_paise
from chalicelib.services.payments import PaymentService
from chalicelib.services.returns import ReturnsService
from tests.unit.fake_accounts import FakeAccounts, FakeDocuments, FakeSender

PHONE = "919811100001"
NOW = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)

paise = st.integers(min_value=1, max_value=5_000_000)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), st.integers(min_value=1, max_value=80), st.integers(min_value=1, max_value=3000)),
        st.tuples(
            st.just("credit_note"), st.integers(min_value=0, max_value=6), st.integers(min_value=1, max_value=40)
        ),
        st.tuples(st.just("pay"), paise, st.integers(min_value=-1, max_value=6)),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=10)),
    ),
    max_size=25,
)


BATCH = {"batch_id": "b1", "dye_lot": "DL-1"}


def an_invoice(number: str, on: dt.date, quantity: int, rate: int) -> Invoice:
    shop = Party("Shop", gstin="24AAAAA0000A1Z5")
    line = InvoiceLine("Cotton, Blue, dye lot DL-1", "5208", Decimal(quantity), Decimal(rate), Decimal("5"))
    return Invoice(number=number, date=on, supplier=shop, recipient=Party("C", state_code="24"), lines=(line,))


def check(accounts: FakeAccounts) -> None:
    entries = accounts.entries.get(PHONE, [])
    debits = sum(e.debit_paise for e in entries)
    credits = sum(e.credit_paise for e in entries)
    assert accounts.customers[PHONE]["balance_paise"] == debits - credits
    if entries:
        assert entries[-1].balance_after_paise == debits - credits
    live = [p for p in accounts.payments.values() if not p.get("reversed_at")]
    for number, invoice in accounts.invoices.items():
        assert 0 <= invoice["paid"] and 0 <= invoice["credited"]
        assert invoice["paid"] + invoice["credited"] <= invoice["total"], number
        assert invoice["paid"] == sum(p["allocations"].get(number, 0) for p in live)
        sold = Decimal(invoice["data"]["lines"][0]["quantity_m"]) if invoice["data"] else Decimal(0)
        assert sum(Decimal(m) for m in invoice["returned"].values()) <= sold


@settings(deadline=None)
@given(operations)
def test_any_sequence_keeps_the_books_balanced_and_no_invoice_over_settled(ops):
    accounts, sender = FakeAccounts(), FakeSender()
    accounts.add_customer(PHONE)
    service = PaymentService(accounts=accounts, sender=sender, shop_name="Shop", clock=lambda: NOW)
    returns = ReturnsService(
        accounts=accounts,
        returns=accounts,
        documents=FakeDocuments(),
        sender=sender,
        render_pdf=lambda note: b"%PDF-",
        clock=lambda: NOW,
    )
    numbers, payments = [], []
    for op in ops:
        if op[0] == "invoice":
            number = f"BB/26-27/{len(numbers) + 1:05d}"
            on = dt.date(2026, 4, 1) + dt.timedelta(days=len(numbers))
            accounts.add_invoice(PHONE, number, on, invoice=an_invoice(number, on, op[1], op[2]), batches=[BATCH])
            numbers.append(number)
        elif op[0] == "pay":
            named = None
            if 0 <= op[2] < len(numbers) and accounts.invoices[numbers[op[2]]]["total"] > (
                accounts.invoices[numbers[op[2]]]["paid"] + accounts.invoices[numbers[op[2]]]["credited"]
            ):
                named = numbers[op[2]]
            amount = f"{op[1] // 100}.{op[1] % 100:02d}"
            payment, _ = service.record(
                PHONE, {"amount": amount, "mode": "neft", "reference": f"R{len(payments)}", "invoice": named}
            )
            payments.append(payment["payment_id"])
        elif op[0] == "reverse" and payments:
            service.reverse(PHONE, payments[op[1] % len(payments)])
        elif op[0] == "credit_note" and numbers:
            try:
                returns.record(numbers[op[1] % len(numbers)], {"lines": [{"line": 1, "meters": str(op[2])}]})
            except ReturnRefused:
                pass  # more than is left to return: refused, nothing written (the check below still holds)
        check(accounts)


@given(st.lists(paise, min_size=1, max_size=6), paise)
def test_an_allocation_never_exceeds_what_is_due_nor_the_payment(totals, amount):
    from chalicelib.domain.ledger import InvoiceState

    invoices = [InvoiceState(f"N{i}", dt.date(2026, 4, 1 + i), dt.date(2026, 5, 1), t) for i, t in enumerate(totals)]
    allocations = allocate(invoices, amount)
    assert sum(allocations.values()) == min(amount, sum(totals))
    assert all(0 < allocations[i.number] <= i.due_paise for i in invoices if i.number in allocations)


@given(st.decimals(min_value="0.01", max_value="10000000", places=2))
def test_rupees_to_paise_is_exact(amount):
    assert to_paise(parse_amount(str(amount))) * 1 == int(amount * 100)
