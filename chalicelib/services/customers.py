"""Use cases on customers: the owner records a customer's GST details; the owner reads a customer's account."""

from __future__ import annotations

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.money import from_paise
from chalicelib.services.ports import ConversationStorePort


class CustomerService:
    def __init__(self, store: ConversationStorePort, contacts=None):
        self._store = store
        self._contacts = contacts  # finds a BSUID-keyed customer by the phone kept beside the BSUID

    def resolve(self, identifier: str) -> str:
        """The customer's key for either identifier the owner knows: the BSUID or the phone number."""
        if self._contacts is None or self._store.customer(identifier):
            return identifier
        return self._contacts.by_phone(identifier) or identifier

    def update_details(self, phone: str, body: object) -> dict:
        """Validate like an invoice would (a GSTIN's state must match the state code); raises BadRequest for a
        customer id that is neither a phone number nor a BSUID, or bad details."""
        from chalicelib.domain.identity import customer_id
        from chalicelib.domain.invoice import Party
        from chalicelib.domain.owner_input import customer_details

        phone = self.resolve(customer_id(phone))
        details = customer_details(body)
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
        from chalicelib.domain.identity import customer_id

        phone = self.resolve(customer_id(phone))
        customer = self._store.customer(phone) or {"phone": phone}
        return {
            "phone": phone,
            "wa_phone": customer.get("wa_phone"),
            "user_id": customer.get("user_id"),
            "username": customer.get("username"),
            "name": customer.get("name"),
            "gstin": customer.get("gstin"),
            "state": customer.get("state"),
            "state_code": customer.get("state_code"),
            "balance": str(from_paise(customer.get("balance_paise", 0))),
            "active_order_id": customer.get("active_order_id"),
            "ledger": self._store.ledger(phone),
        }
