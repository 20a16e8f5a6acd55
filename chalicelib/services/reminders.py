"""Use case: remind customers what they owe, on a schedule (one reminder per customer per day at most)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.errors import MessageNotSent, OutsideWindow
from chalicelib.domain.money import format_inr, from_paise
from chalicelib.services.ports import CustomerDirectoryPort, MessageSenderPort

REMINDER_TEXT = {
    "en": "Namaste {name}! A friendly reminder from {shop}: your outstanding balance is {amount}. Thank you!",
    "hinglish": "Namaste {name}! {shop} se yaad dilana tha: aapka baaki {amount} hai. Dhanyavaad!",
    "hi": "नमस्ते {name}! {shop} की ओर से याद दिलाना था: आपका बकाया {amount} है। धन्यवाद!",
}


class ReminderService:
    def __init__(
        self,
        customers: CustomerDirectoryPort,
        whatsapp: MessageSenderPort,
        shop_name: str,
        logger=None,
        clock=lambda: datetime.now(UTC),
    ):
        self._customers = customers
        self._whatsapp = whatsapp
        self._shop = shop_name
        self._logger = logger
        self._clock = clock

    def send_due_reminders(self) -> dict:
        """Remind every customer with a positive balance: free-form inside WhatsApp's 24-hour window, the approved
        ``payment_reminder`` template outside it; counted as outside_window only when no usable template exists."""
        from chalicelib.domain.messages import OutboundMessage

        today = self._clock().date().isoformat()
        counts = {"reminded": 0, "outside_window": 0, "failed": 0}
        for customer in self._customers.with_balance():
            amount = format_inr(from_paise(customer["balance_paise"]))
            language = customer.get("language") or "en"
            text = REMINDER_TEXT.get(language, REMINDER_TEXT["en"]).format(
                name=customer.get("name") or "", shop=self._shop, amount=amount
            )
            try:
                self._whatsapp.send(
                    OutboundMessage(to=customer["phone"], text=text),
                    idempotency_key=f"reminder#{customer['phone']}#{today}",
                    fallback=_reminder_template(customer, self._shop, amount),  # outside the 24-hour window
                )
                counts["reminded"] += 1
            except OutsideWindow:
                counts["outside_window"] += 1
            except MessageNotSent as exc:
                counts["failed"] += 1
                if self._logger:
                    self._logger.warning("reminder failed", extra={"code": exc.code, "reason": str(exc)})
        if self._logger:
            self._logger.info("reminders sent", extra=counts)
        return counts


def _reminder_template(customer: dict, shop: str, amount: str) -> dict:
    from chalicelib.templates import template

    language = "hi" if customer.get("language") == "hi" else "en"
    values = {"name": customer.get("name") or "-", "shop": shop, "amount": amount}
    return template("payment_reminder").payload(customer["phone"], language, values)
