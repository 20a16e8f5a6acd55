"""Use cases on customers: the owner records a customer's GST details; the owner reads a customer's account."""

from __future__ import annotations

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.money import from_paise
from chalicelib.services.ports import ConversationStorePort


class CustomerService:
    def __init__(self, store: ConversationStorePort):
        self._store = store

    def update_details(self, phone: str, details: dict) -> dict:
        """Validate like an invoice would (a GSTIN's state must match the state code); raises BadRequest."""
        from chalicelib.domain.invoice import Party

        try:
            party = Party(
                name=str(details.get("name") or phone),
                gstin=details.get("gstin") or None,
                state_code=str(details.get("state_code") or ""),
                phone=phone,
            )
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
        self._store.update_customer(
            phone, name=details.get("name"), gstin=party.gstin, state=party.state_name, state_code=party.state_code
        )
        return self.details(phone)

    def details(self, phone: str) -> dict:
        customer = self._store.customer(phone) or {"phone": phone}
        return {
            "phone": phone,
            "name": customer.get("name"),
            "gstin": customer.get("gstin"),
            "state": customer.get("state"),
            "state_code": customer.get("state_code"),
            "balance": str(from_paise(customer.get("balance_paise", 0))),
            "active_order_id": customer.get("active_order_id"),
            "ledger": self._store.ledger(phone),
        }
