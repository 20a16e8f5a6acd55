from datetime import UTC, datetime

from chalicelib.adapters.whatsapp import InMemoryOutbox, OutsideWindowError
from chalicelib.services.reminders import ReminderService


class FakeCustomers:
    def __init__(self, rows):
        self.rows = rows

    def with_balance(self):
        return [r for r in self.rows if r["balance_paise"] > 0]


class FakeWhatsApp:
    def __init__(self, outside_window=(), templates=False):
        self.sent, self.outbox, self.outside = [], InMemoryOutbox(), set(outside_window)
        self.templates, self.fallbacks = templates, []

    def send(self, message, idempotency_key, fallback=None):
        if message.to in self.outside:
            if not (self.templates and fallback):
                raise OutsideWindowError(131047, "Re-engagement message", None, False)
            self.fallbacks.append(fallback)
            return "wamid.t"
        record = self.outbox.claim(idempotency_key, message.to, {})
        if record.claimed:
            self.sent.append(message)
            self.outbox.mark_sent(idempotency_key, "wamid.x")
        return "wamid.x"


def service(customers, whatsapp):
    return ReminderService(
        FakeCustomers(customers), whatsapp, "Bharat Textiles", clock=lambda: datetime(2026, 11, 22, tzinfo=UTC)
    )


def test_customers_who_owe_are_reminded_of_the_amount_in_their_language():
    whatsapp = FakeWhatsApp()
    counts = service(
        [
            {"phone": "919811100001", "balance_paise": 12345650, "language": "hi", "name": "रमेश"},
            {"phone": "919811100002", "balance_paise": 0, "language": "en", "name": "Asha"},
        ],
        whatsapp,
    ).send_due_reminders()
    assert counts["reminded"] == 1
    [message] = whatsapp.sent
    assert message.to == "919811100001" and "₹1,23,456.50" in message.text and "बकाया" in message.text


def test_a_second_run_on_the_same_day_does_not_remind_again():
    whatsapp = FakeWhatsApp()
    rows = [{"phone": "919811100001", "balance_paise": 500, "language": "en", "name": "A"}]
    service(rows, whatsapp).send_due_reminders()
    service(rows, whatsapp).send_due_reminders()
    assert len(whatsapp.sent) == 1


def test_a_customer_outside_the_24_hour_window_is_counted_not_crashed_on():
    counts = service(
        [{"phone": "919811100001", "balance_paise": 500}], FakeWhatsApp(outside_window={"919811100001"})
    ).send_due_reminders()
    assert counts == {"reminded": 0, "outside_window": 1, "failed": 0}


def test_a_customer_outside_the_window_gets_the_payment_reminder_template_when_it_is_approved():
    whatsapp = FakeWhatsApp(outside_window={"919811100001"}, templates=True)
    counts = service(
        [{"phone": "919811100001", "balance_paise": 50000, "language": "hi", "name": "रमेश"}], whatsapp
    ).send_due_reminders()
    (template,) = whatsapp.fallbacks
    assert counts["reminded"] == 1
    assert template["template"]["name"] == "payment_reminder" and template["template"]["language"] == {"code": "hi"}
    assert [p["text"] for p in template["template"]["components"][0]["parameters"]] == [
        "रमेश",
        "Bharat Textiles",
        "₹500.00",
    ]
