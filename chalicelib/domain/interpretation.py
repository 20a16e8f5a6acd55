"""What a customer's message means: the result schema every interpreter (deterministic or LLM) must fill."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.money import meters

Unit = Literal["m", "roll"]
Language = Literal["en", "hinglish", "hi"]
OrderState = Literal["none", "negotiating", "confirming", "waiting_owner"]


class Intent(StrEnum):
    """What the message as a whole asks for."""

    ORDER = "ORDER"  # new items
    DECISIONS = "DECISIONS"  # replies while an order is negotiated or confirmed
    NEW_ORDER = "NEW_ORDER"
    STATUS = "STATUS"
    HELP = "HELP"
    GREETING = "GREETING"
    CANCEL_ORDER = "CANCEL_ORDER"
    UNKNOWN = "UNKNOWN"


class CustomerDecision(StrEnum):
    """One reply about the order on the table."""

    ACCEPT_AVAILABLE = "ACCEPT_AVAILABLE"
    CANCEL_ITEM = "CANCEL_ITEM"
    REQUEST_ALTERNATIVE = "REQUEST_ALTERNATIVE"
    EDIT_ITEM = "EDIT_ITEM"
    ADD_ITEM = "ADD_ITEM"
    CONFIRM = "CONFIRM"
    CANCEL_ORDER = "CANCEL_ORDER"
    UNKNOWN = "UNKNOWN"


def _to_centimeters(value: Decimal) -> Decimal:
    value = meters(value)
    if value <= 0:
        raise ValueError("a quantity must be more than zero")
    return value


Quantity = Annotated[Decimal, Field(gt=0), AfterValidator(_to_centimeters)]
"""Meters or rolls, quantised to 0.01 and more than zero."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemRequest(_Strict):
    """One line a customer asked for, every part of it read from the message."""

    material: str = Field(min_length=1, description="canonical material name from the catalogue, e.g. 'cotton'")
    color: str = Field(min_length=1, description="canonical colour name from the catalogue, e.g. 'sky blue'")
    quantity: Quantity = Field(description="meters when unit is 'm', rolls (than) when unit is 'roll'")
    unit: Unit
    raw: str = Field(default="", description="the text of the message this item was read from")


class Decision(_Strict):
    """One reply to the order on the table; ``target`` names the line it is about."""

    kind: CustomerDecision
    target: str | None = Field(
        default=None,
        description="the line meant: its number as the customer sees it ('1', '2'), else colour/material words",
    )
    quantity: Quantity | None = Field(default=None, description="the new quantity, for EDIT_ITEM")
    unit: Unit | None = None
    item: ItemRequest | None = Field(default=None, description="the line to add, for ADD_ITEM")
    raw: str = ""

    @model_validator(mode="after")
    def _has_what_its_kind_needs(self) -> Decision:
        if self.kind is CustomerDecision.EDIT_ITEM and (self.quantity is None or self.unit is None):
            raise ValueError("EDIT_ITEM needs a quantity and a unit")
        if self.kind is CustomerDecision.ADD_ITEM and self.item is None:
            raise ValueError("ADD_ITEM needs the item")
        if (self.quantity is None) != (self.unit is None):
            raise ValueError("quantity and unit go together")
        return self


class Interpretation(_Strict):
    """The reading of one message. ``certain`` is True only when every fragment was understood."""

    intent: Intent
    items: list[ItemRequest] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list, description="what to ask the customer back, in their language")
    unclear: list[str] = Field(default_factory=list, description="fragments of the message that could not be read")
    language: Language = "en"
    certain: bool = False

    @model_validator(mode="after")
    def _certain_means_nothing_left_over(self) -> Interpretation:
        if self.certain and (self.questions or self.unclear or self.intent is Intent.UNKNOWN):
            raise ValueError("an interpretation with questions, unclear fragments or no intent is not certain")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-safe form: enums by name, quantities as int when whole else as a decimal string."""
        return _json_safe(self.model_dump(mode="python"))


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")
    return value


class ContextLine(_Strict):
    """An order line as the customer sees it, so a reply like "2 cancel" or "the red one" can be resolved."""

    number: int = Field(ge=1)
    material: str
    color: str
    quantity: Decimal
    unit: Unit = "m"
    open: bool = Field(default=True, description="still being negotiated (not yet accepted)")


class Context(_Strict):
    """The order a reply is about: its state and its lines."""

    state: OrderState = "none"
    lines: tuple[ContextLine, ...] = ()
