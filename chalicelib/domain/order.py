"""The order as data: its lines, its states and the one table of the transitions allowed between them.

States and transitions (``TRANSITIONS``; ``transition`` is the only function that changes an order's state)::

    COLLECTING_ITEMS            -> CUSTOMER_NEGOTIATION, FINAL_CUSTOMER_CONFIRMATION, CANCELLED, EXPIRED
    CUSTOMER_NEGOTIATION        -> FINAL_CUSTOMER_CONFIRMATION, CANCELLED, EXPIRED
    FINAL_CUSTOMER_CONFIRMATION -> CUSTOMER_NEGOTIATION, WAITING_OWNER_CONFIRMATION, CANCELLED, EXPIRED
    WAITING_OWNER_CONFIRMATION  -> ORDER_COMPLETED, ORDER_REJECTED,
                                   CUSTOMER_NEGOTIATION, FINAL_CUSTOMER_CONFIRMATION   (reservation failed)
    ORDER_COMPLETED, ORDER_REJECTED, CANCELLED, EXPIRED                                (terminal: none)

Every order is created in COLLECTING_ITEMS. Staying in a state is not a transition. The four states above the
terminal ones are *active*: a customer has at most one active order. WAITING_OWNER_CONFIRMATION has no CANCELLED
and no EXPIRED on purpose: once the customer confirmed, the stock is reserved and only the owner decides.

Lines
    A line's ``line_id`` ("L1", "L2", ...) never changes and is what buttons carry; its ``number`` is what the
    customer sees (1, 2, 3), renumbered over the lines still shown (NEGOTIATING or ACCEPTED; 0 for the others).
    Choosing an alternative marks a line REPLACED with ``replaced_by`` naming the line that took its place.
    An ACCEPTED line's ``allocation`` is the stock check of its ``accepted_quantity`` (the quantity billed); a
    NEGOTIATING line's is the check of the quantity asked, so a reply can say what is short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from chalicelib.domain.errors import DomainError
from chalicelib.domain.interpretation import Context, ContextLine, Language, PendingQuestion
from chalicelib.domain.money import meters, rupees
from chalicelib.domain.stock import Allocation, Alternative, InventoryStatus, LineRequest

ZERO = Decimal("0")


class OrderState(StrEnum):
    COLLECTING_ITEMS = "COLLECTING_ITEMS"
    CUSTOMER_NEGOTIATION = "CUSTOMER_NEGOTIATION"
    FINAL_CUSTOMER_CONFIRMATION = "FINAL_CUSTOMER_CONFIRMATION"
    WAITING_OWNER_CONFIRMATION = "WAITING_OWNER_CONFIRMATION"
    ORDER_COMPLETED = "ORDER_COMPLETED"
    ORDER_REJECTED = "ORDER_REJECTED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class ItemStatus(StrEnum):
    NEGOTIATING = "NEGOTIATING"  # the customer still has to decide (short, out of stock, below the minimum cut)
    ACCEPTED = "ACCEPTED"
    CANCELLED = "CANCELLED"
    REPLACED = "REPLACED"


S = OrderState
TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    S.COLLECTING_ITEMS: frozenset({S.CUSTOMER_NEGOTIATION, S.FINAL_CUSTOMER_CONFIRMATION, S.CANCELLED, S.EXPIRED}),
    S.CUSTOMER_NEGOTIATION: frozenset({S.FINAL_CUSTOMER_CONFIRMATION, S.CANCELLED, S.EXPIRED}),
    S.FINAL_CUSTOMER_CONFIRMATION: frozenset(
        {S.CUSTOMER_NEGOTIATION, S.WAITING_OWNER_CONFIRMATION, S.CANCELLED, S.EXPIRED}
    ),
    S.WAITING_OWNER_CONFIRMATION: frozenset(
        {S.ORDER_COMPLETED, S.ORDER_REJECTED, S.CUSTOMER_NEGOTIATION, S.FINAL_CUSTOMER_CONFIRMATION}
    ),
    S.ORDER_COMPLETED: frozenset(),
    S.ORDER_REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}
ACTIVE_STATES = frozenset(
    {S.COLLECTING_ITEMS, S.CUSTOMER_NEGOTIATION, S.FINAL_CUSTOMER_CONFIRMATION, S.WAITING_OWNER_CONFIRMATION}
)
TERMINAL_STATES = frozenset(TRANSITIONS) - ACTIVE_STATES
SHOWN = frozenset({ItemStatus.NEGOTIATING, ItemStatus.ACCEPTED})

# What the interpreter is told about the order, so it reads a reply as a reply ("2 cancel") or as a new order.
# COLLECTING_ITEMS reads like "none": its answer to "how many meters of red polyester?" is a new item, and a
# bare "6m" must not be taken as an edit of the one line already noted.
_CONTEXT_STATES = {
    S.COLLECTING_ITEMS: "none",
    S.CUSTOMER_NEGOTIATION: "negotiating",
    S.FINAL_CUSTOMER_CONFIRMATION: "confirming",
    S.WAITING_OWNER_CONFIRMATION: "waiting_owner",
}


class IllegalTransition(DomainError):
    """A state change that ``TRANSITIONS`` does not allow (for example an owner deciding twice)."""

    def __init__(self, order_id: str, current: OrderState, wanted: OrderState):
        super().__init__(f"order {order_id} cannot go from {current} to {wanted}")
        self.order_id = order_id
        self.current = current
        self.wanted = wanted


def transition(order: Order, new_state: OrderState) -> None:
    """Move ``order`` to ``new_state``; raises IllegalTransition unless ``TRANSITIONS`` allows it."""
    if new_state not in TRANSITIONS[order.state]:
        raise IllegalTransition(order.order_id, order.state, new_state)
    order.state = new_state


@dataclass
class OrderLine:
    """One thing the customer asked for, and where the conversation about it stands."""

    line_id: str
    material: str
    color: str
    quantity: Decimal  # as asked: meters, or whole rolls when unit is "roll"
    unit: str = "m"
    status: ItemStatus = ItemStatus.NEGOTIATING
    number: int = 0
    replaced_by: str | None = None
    allocation: Allocation | None = None
    accepted_quantity: Decimal = ZERO
    alternatives: list[Alternative] = field(default_factory=list)
    min_cut: Decimal | None = None  # set when the quantity is below the shop's minimum cut
    asked_as: str | None = None  # the customer's own unit when it was converted: "10 gaj"

    @property
    def shown(self) -> bool:
        return self.status in SHOWN

    @property
    def kind(self) -> tuple[str, str, str]:
        """Material, colour and unit: two shown lines never share one (they are merged instead)."""
        return (self.material, self.color, self.unit)

    @property
    def availability(self) -> InventoryStatus | None:
        return self.allocation.status if self.allocation is not None else None

    def request(self, quantity: Decimal | None = None) -> LineRequest:
        return LineRequest(self.material, self.color, self.quantity if quantity is None else quantity, self.unit)

    def reopen(self, quantity: Decimal | None = None) -> None:
        """Back to NEGOTIATING (optionally with a new quantity) so the next stock check decides again."""
        if quantity is not None:
            self.quantity = quantity
        self.status = ItemStatus.NEGOTIATING
        self.accepted_quantity = ZERO

    def to_dict(self) -> dict:
        return {
            "line_id": self.line_id,
            "number": self.number,
            "material": self.material,
            "color": self.color,
            "quantity": str(self.quantity),
            "unit": self.unit,
            "status": self.status.value,
            "replaced_by": self.replaced_by,
            "allocation": self.allocation.to_dict() if self.allocation is not None else None,
            "accepted_quantity": str(self.accepted_quantity),
            "alternatives": [alternative.to_dict() for alternative in self.alternatives],
            "min_cut": None if self.min_cut is None else str(self.min_cut),
            "asked_as": self.asked_as,
        }

    @classmethod
    def from_dict(cls, data: dict) -> OrderLine:
        allocation = data.get("allocation")
        min_cut = data.get("min_cut")
        return cls(
            line_id=data["line_id"],
            number=int(data.get("number", 0)),
            material=data["material"],
            color=data["color"],
            quantity=Decimal(data["quantity"]),
            unit=data.get("unit", "m"),
            status=ItemStatus(data["status"]),
            replaced_by=data.get("replaced_by"),
            allocation=Allocation.from_dict(allocation) if allocation else None,
            accepted_quantity=Decimal(data.get("accepted_quantity", "0")),
            alternatives=[Alternative.from_dict(a) for a in data.get("alternatives", [])],
            min_cut=None if min_cut is None else meters(min_cut),
            asked_as=data.get("asked_as"),
        )


SLOTS = ("material", "color", "quantity", "choice")


@dataclass
class OpenQuestion:
    """A question the bot asked and the customer has not answered yet (the dialogue's memory on the order).

    ``slot`` is what is missing: "material", "color", "quantity", or "choice" among ``options`` (a range, a
    near-miss spelling, a cloth the shop does not carry); ``known`` is what was already said, as the customer wrote it,
    so the answer is read together with it; ``line_id`` names the line the question is about, when there is one.
    ``asked`` counts how often it was asked: never more than twice.
    """

    slot: str
    known: str
    material: str | None = None
    color: str | None = None
    line_id: str | None = None
    options: list[str] = field(default_factory=list)
    asked: int = 1

    def to_dict(self) -> dict:
        return {
            "slot": self.slot,
            "known": self.known,
            "material": self.material,
            "color": self.color,
            "line_id": self.line_id,
            "options": list(self.options),
            "asked": self.asked,
        }

    def for_reading(self, number: int | None) -> PendingQuestion:
        """The question as the interpreter is told it, so it can read the next message as its answer."""
        if self.slot in ("new_order", "choice"):
            return PendingQuestion(slot="choice", line=number, options=("yes", "no"))
        if self.slot == "quantity" and len(self.options) == 2 and self.options[1] == "":
            return PendingQuestion(slot="unit", line=number, options=(self.options[0],))
        if self.slot == "quantity" and len(self.options) == 2:
            return PendingQuestion(slot="choice", line=number, options=tuple(self.options))
        return PendingQuestion(slot=self.slot, line=number)  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, data: dict) -> OpenQuestion:
        return cls(
            slot=data["slot"],
            known=data.get("known", ""),
            material=data.get("material"),
            color=data.get("color"),
            line_id=data.get("line_id"),
            options=list(data.get("options", [])),
            asked=int(data.get("asked", 1)),
        )


@dataclass
class Order:
    """One customer's order: who, in which language, where it stands and its lines (cancelled ones kept)."""

    order_id: str
    customer_phone: str
    customer_name: str | None
    language: Language
    state: OrderState
    lines: list[OrderLine]
    created_at: datetime
    updated_at: datetime
    negotiation_rounds: int = 0
    pending: list[OpenQuestion] = field(default_factory=list)  # the bot's open questions, oldest first
    requests: list[str] = field(default_factory=list)  # the customer's words about discount or delivery
    payable: Decimal | None = None  # the amount payable the last summary showed (taxable value + GST, rounded)
    last_reply: str = ""  # the last block of text the customer was sent about this order

    @classmethod
    def new(
        cls, order_id: str, customer_phone: str, customer_name: str | None, language: Language, now: datetime
    ) -> Order:
        return cls(order_id, customer_phone, customer_name, language, S.COLLECTING_ITEMS, [], now, now)

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def active_lines(self) -> list[OrderLine]:
        """The lines the customer sees: still negotiated or accepted, in order."""
        return [line for line in self.lines if line.shown]

    @property
    def unresolved_lines(self) -> list[OrderLine]:
        return [line for line in self.lines if line.status is ItemStatus.NEGOTIATING]

    @property
    def lines_for_summary(self) -> list[OrderLine]:
        """What the customer will get: accepted lines with something to give."""
        return [line for line in self.lines if line.status is ItemStatus.ACCEPTED and line.accepted_quantity > 0]

    @property
    def total(self) -> Decimal:
        """The price of the accepted quantities, in rupees."""
        return rupees(sum((line.allocation.amount for line in self.lines_for_summary if line.allocation), ZERO))

    def line(self, line_id: str) -> OrderLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)

    def numbered(self, number: int) -> OrderLine | None:
        return next((line for line in self.active_lines if line.number == number), None)

    def next_line_id(self) -> str:
        return f"L{len(self.lines) + 1}"

    def renumber(self) -> None:
        """Number the shown lines 1, 2, 3 in order; hidden lines get 0 so no reply can name them."""
        shown = 0
        for line in self.lines:
            if line.shown:
                shown += 1
                line.number = shown
            else:
                line.number = 0

    def context(self) -> Context:
        """The order as the interpreter needs it; a finished order is no context at all (the next is new)."""
        if not self.is_active:
            return Context()
        lines = tuple(
            ContextLine(
                number=line.number,
                material=line.material,
                color=line.color,
                quantity=line.accepted_quantity if line.status is ItemStatus.ACCEPTED else line.quantity,
                unit="roll" if line.unit == "roll" else "m",
                open=line.status is ItemStatus.NEGOTIATING,
            )
            for line in self.active_lines
            if line.number > 0
        )
        pending = None
        if self.pending:
            question = self.pending[0]
            line = self.line(question.line_id) if question.line_id else None
            pending = question.for_reading(line.number if line is not None and line.number > 0 else None)
        return Context(state=_CONTEXT_STATES[self.state], lines=lines, pending=pending)

    def to_dict(self) -> dict:
        """JSON-safe: Decimals as strings, times as ISO 8601."""
        return {
            "order_id": self.order_id,
            "customer_phone": self.customer_phone,
            "customer_name": self.customer_name,
            "language": self.language,
            "state": self.state.value,
            "lines": [line.to_dict() for line in self.lines],
            "negotiation_rounds": self.negotiation_rounds,
            "pending": [question.to_dict() for question in self.pending],
            "requests": list(self.requests),
            "payable": None if self.payable is None else str(self.payable),
            "last_reply": self.last_reply,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Order:
        return cls(
            order_id=data["order_id"],
            customer_phone=data["customer_phone"],
            customer_name=data.get("customer_name"),
            language=data.get("language", "en"),
            state=OrderState(data["state"]),
            lines=[OrderLine.from_dict(line) for line in data.get("lines", [])],
            negotiation_rounds=int(data.get("negotiation_rounds", 0)),
            pending=[OpenQuestion.from_dict(q) for q in data.get("pending", [])],
            requests=list(data.get("requests", [])),
            payable=None if data.get("payable") is None else rupees(data["payable"]),
            last_reply=data.get("last_reply", ""),
            created_at=datetime.fromisoformat(data["created_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
        )
