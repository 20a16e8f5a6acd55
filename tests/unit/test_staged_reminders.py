"""Staged reminders over a simulated month: exactly the staged messages (3 days before due, on the due date, 7, 15
and 30 days overdue), one message a day combining invoices, only 10:00-19:00 IST, never on a day a payment was
recorded, never after STOP, a template outside the 24-hour window, undeliverable customers kept for the owner."""

import datetime as dt

from chalicelib.domain.ledger import IST
from chalicelib.services.payments import PaymentService
from chalicelib.services.staged_reminders import StagedReminderService
from tests.unit.fake_accounts import FakeAccounts, FakeSender

A, B, C, D, E = (f"91981110000{i}" for i in range(1, 6))


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=IST)


def template(account, amount):
    return {"type": "template", "to": account.phone, "template": {"name": "payment_reminder", "amount": amount}}


def simulate(days: int = 42, start=dt.date(2026, 10, 25)):
    accounts, sender = FakeAccounts(), FakeSender(undeliverable={E}, outside_window={D})
    for phone in (A, B, C, D, E):
        accounts.add_customer(phone, language="hinglish", name=f"Cust {phone[-1]}")
    accounts.add_invoice(A, "BB/26-27/00001", dt.date(2026, 10, 1), 100000)  # due 31 Oct
    accounts.add_invoice(A, "BB/26-27/00003", dt.date(2026, 10, 8), 50000)  # due 7 Nov
    accounts.add_invoice(B, "BB/26-27/00002", dt.date(2026, 10, 10), 200000)  # due 9 Nov
    accounts.add_invoice(C, "BB/26-27/00004", dt.date(2026, 10, 1), 70000)
    accounts.add_invoice(D, "BB/26-27/00005", dt.date(2026, 10, 1), 80000)
    accounts.add_invoice(E, "BB/26-27/00006", dt.date(2026, 10, 1), 90000)
    now = {"t": at(start, 8)}
    clock = lambda: now["t"]  # noqa: E731 - the simulated clock
    reminders = StagedReminderService(
        accounts=accounts, sender=sender, shop_name="Bharat Textiles", clock=clock, template_fallback=template
    )
    payments = PaymentService(accounts=accounts, sender=FakeSender(), shop_name="Bharat Textiles", clock=clock)
    accounts.set_reminders(C, True)  # C wrote STOP
    sent: dict[str, list[dt.date]] = {}
    runs = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for hour in (8, 9, 11, 15, 20):  # the scheduler may run at any hour; only 10-19 IST may send
            now["t"] = at(day, hour)
            if day == dt.date(2026, 11, 9) and hour == 9:  # B pays part at 9 on their due date
                payments.record(B, {"amount": "500", "mode": "upi", "reference": "UTR-B"})
            before = len(sender.sent), len(sender.templates)
            runs.append((day, hour, reminders.send_due_reminders()))
            delivered = [m.to for m in sender.sent[before[0] :]] + [t["to"] for t in sender.templates[before[1] :]]
            for to in delivered:
                sent.setdefault(to, []).append(day)
                assert 10 <= hour < 19, f"sent at {hour}:00 IST"
    return accounts, sender, sent, runs


def test_a_simulated_month_sends_exactly_the_staged_reminders():
    _, sender, sent, _ = simulate()
    d = dt.date
    # A: #1 due 31 Oct, #3 due 7 Nov; 7 Nov combines #1's 7-days-overdue with #3's due date in one message.
    assert sent[A] == [
        d(2026, 10, 28),
        d(2026, 10, 31),
        d(2026, 11, 4),
        d(2026, 11, 7),
        d(2026, 11, 14),
        d(2026, 11, 15),
        d(2026, 11, 22),
        d(2026, 11, 30),
    ]
    combined = [m.text for m in sender.sent if m.to == A][3]
    assert "BB/26-27/00001" in combined and "7 din se baaki" in combined
    assert "BB/26-27/00003" in combined and "aaj dena hai" in combined


def test_no_reminder_on_the_day_a_payment_was_recorded_the_due_stage_comes_the_next_day():
    _, _, sent, _ = simulate()
    d = dt.date
    assert d(2026, 11, 9) not in sent[B]
    assert sent[B] == [d(2026, 11, 6), d(2026, 11, 10), d(2026, 11, 16), d(2026, 11, 24)]


def test_opted_out_customers_get_nothing_and_are_counted():
    _, _, sent, runs = simulate()
    assert C not in sent
    assert all(counts["opted_out"] == 1 for _, hour, counts in runs if 10 <= hour < 19)


def test_outside_the_24_hour_window_the_reminder_goes_as_the_template():
    _, sender, sent, _ = simulate()
    assert [t["template"]["name"] for t in sender.templates] == ["payment_reminder"] * len(sent[D])
    d = dt.date
    assert sent[D] == [d(2026, 10, 28), d(2026, 10, 31), d(2026, 11, 7), d(2026, 11, 15), d(2026, 11, 30)]


def test_undeliverable_customers_are_kept_for_the_owner_and_never_marked_reminded():
    accounts, _, sent, _ = simulate()
    assert E not in sent
    assert accounts.customers[E]["undeliverable"].startswith("#131026")
    assert not [e for e in accounts.entries[E] if e.kind == "reminder"]


def test_each_reminder_is_recorded_on_the_ledger_with_its_stages():
    accounts, _, sent, _ = simulate()
    recorded = [(e.on, e.detail["stages"]) for e in accounts.entries[A] if e.kind == "reminder"]
    assert [on for on, _ in recorded] == sent[A]
    assert recorded[0][1] == {"BB/26-27/00001": "before_3"}
    assert recorded[3][1] == {"BB/26-27/00001": "over_7", "BB/26-27/00003": "due"}


def test_outside_10_to_19_ist_nothing_is_sent():
    _, _, _, runs = simulate(days=5)
    assert all(counts.get("quiet_hours") for _, hour, counts in runs if hour in (8, 9, 20))


def test_the_owners_receivables_list_who_the_reminders_do_not_reach():
    from chalicelib.services.payments import ReceivablesService

    accounts, _, _, _ = simulate(days=5)
    report = ReceivablesService(
        accounts=accounts, clock=lambda: at(dt.date(2026, 10, 30), 11), credit_days_default=30
    ).report()
    assert report["not_reminded"]["opted_out"] == [C]
    assert [u["phone"] for u in report["not_reminded"]["undeliverable"]] == [E]
