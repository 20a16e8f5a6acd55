"""ReminderService on the in-memory fakes: who is reminded, in which language, and at most once a day."""

from datetime import UTC, datetime

from chalicelib.adapters.memory import InMemoryCustomers, InMemoryTables, RecordingSender
from chalicelib.domain.errors import MessageNotSent, OutsideWindow
from chalicelib.services.reminders import ReminderService


def customers(*rows) -> InMemoryCustomers:
    tables = InMemoryTables()
    for row in rows:
        tables.customers[row["phone"]] = dict(row)
    return InMemoryCustomers(tables)


def service(directory, sender) -> ReminderService:
    return ReminderService(directory, sender, "Bharat Textiles", clock=lambda: datetime(2026, 11, 22, tzinfo=UTC))


def test_customers_who_owe_are_reminded_of_the_amount_in_their_language():
    sender = RecordingSender()
    directory = customers(
        {"phone": "919811100001", "balance_paise": 12345650, "language": "hi", "name": "रमेश"},
        {"phone": "919811100002", "balance_paise": 0, "language": "en", "name": "Asha"},
    )
    counts = service(directory, sender).send_due_reminders()
    assert counts["reminded"] == 1
    [text] = sender.texts_to("919811100001")
    assert "₹1,23,456.50" in text and "बकाया" in text
    assert sender.to("919811100002") == []


def test_a_second_run_on_the_same_day_does_not_remind_again():
    sender = RecordingSender()
    directory = customers({"phone": "919811100001", "balance_paise": 500, "language": "en", "name": "A"})
    service(directory, sender).send_due_reminders()
    service(directory, sender).send_due_reminders()
    assert len(sender.to("919811100001")) == 1


def test_a_customer_outside_the_24_hour_window_is_counted_not_crashed_on():
    sender = RecordingSender()
    sender.refuse("919811100001", OutsideWindow("131047 re-engagement"))
    counts = service(customers({"phone": "919811100001", "balance_paise": 500}), sender).send_due_reminders()
    assert counts == {"reminded": 0, "outside_window": 1, "failed": 0}


def test_a_failed_reminder_is_counted_and_the_others_still_go():
    sender = RecordingSender()
    sender.refuse("919811100001", MessageNotSent("131026 undeliverable"))
    directory = customers(
        {"phone": "919811100001", "balance_paise": 500}, {"phone": "919811100002", "balance_paise": 700}
    )
    counts = service(directory, sender).send_due_reminders()
    assert counts == {"reminded": 1, "outside_window": 0, "failed": 1}
    assert len(sender.to("919811100002")) == 1


def test_a_customer_outside_the_window_gets_the_payment_reminder_template():
    sender = RecordingSender()
    sender.outside_window("919811100001")
    directory = customers({"phone": "919811100001", "balance_paise": 50000, "language": "hi", "name": "रमेश"})
    counts = service(directory, sender).send_due_reminders()
    (template,) = sender.to("919811100001")
    assert counts["reminded"] == 1
    assert template["template"]["name"] == "payment_reminder" and template["template"]["language"] == {"code": "hi"}
    assert [p["text"] for p in template["template"]["components"][0]["parameters"]] == [
        "रमेश",
        "Bharat Textiles",
        "₹500.00",
    ]
