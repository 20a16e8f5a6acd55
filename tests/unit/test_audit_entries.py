"""The audit trail of an order on the in-memory fakes: each transition, with who and how, in order."""

from chalicelib.domain.audit import AuditEntry, order_transitions
from tests.unit.desk import Desk

PHONE = "919812345678"


def moves(entries: list[AuditEntry], order_id: str) -> list[tuple]:
    return [(e.who, e.via, e.from_state, e.to_state) for e in entries if e.subject == f"order#{order_id}"]


def test_a_customers_steps_and_the_owners_decision_are_each_recorded_with_who_and_how():
    desk = Desk()
    order_id = desk.waiting_order(PHONE)
    command = {"order_id": order_id, "action": "approve", "source": "api", "correlation_id": "req-1", "at": "t"}

    desk.approval.execute(command)

    recorded = moves(desk.tables.audit, order_id)
    assert recorded[0][:3] == ("customer", "whatsapp", None)
    assert recorded[-2][3] == "WAITING_OWNER_CONFIRMATION" and recorded[-2][0] == "customer"
    assert recorded[-1] == ("owner", "api", "WAITING_OWNER_CONFIRMATION", "ORDER_COMPLETED")
    assert desk.tables.audit[-1].correlation_id == "req-1"


def test_an_order_whose_state_did_not_change_gets_no_entry():
    before = {"order_id": "O1", "state": "COLLECTING_ITEMS"}
    assert order_transitions(before, [("O1", "COLLECTING_ITEMS")], "customer", "whatsapp", None) == []
    [created] = order_transitions(before, [("O2", "COLLECTING_ITEMS")], "customer", "whatsapp", None)
    assert (created.action, created.from_state) == ("order.created", None)
