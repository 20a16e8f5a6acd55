"""What a customer's message means: the result schema every interpreter (deterministic or LLM) must fill."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.money import meters

Unit = Literal["m", "roll"]
Language = Literal["en", "hinglish", "hi"]
# Where the order stands, as the interpreter reads replies (not domain.order.OrderState, the order's own state).
ContextState = Literal["none", "negotiating", "confirming", "waiting_owner"]
Slot = Literal["material", "color", "quantity", "unit", "choice", "line"]
"""What a question asks for: a line's material, colour, quantity or unit, one of offered options, or which line."""


class Intent(StrEnum):
    """What the message as a whole asks for."""

    ORDER = "ORDER"  # new items
    DECISIONS = "DECISIONS"  # replies while an order is negotiated or confirmed
    NEW_ORDER = "NEW_ORDER"
    STATUS = "STATUS"
    HELP = "HELP"
    GREETING = "GREETING"
    CANCEL_ORDER = "CANCEL_ORDER"
    ANSWER = "ANSWER"  # the answer to the pending question (``Interpretation.answer``)
    # Shop questions and small talk, answered without starting or changing an order (``subject`` says about what):
    RATE = "RATE"  # "silk ka rate?", "price of black rayon", "सूती का भाव"
    AVAILABILITY = "AVAILABILITY"  # "kaunse colour hai cotton mein?"
    REPEAT_ORDER = "REPEAT_ORDER"  # "pichla wala fir se", "repeat my previous order"
    DISCOUNT = "DISCOUNT"  # "thoda discount milega?" (also a ``Note`` when it comes with items)
    DELIVERY = "DELIVERY"  # "parso tak chahiye" (also a ``Note`` when it comes with items)
    QUESTION = "QUESTION"  # any other question ("GST alag lagega?"): never a yes
    THANKS = "THANKS"
    NO = "NO"  # a bare "no" / "nahi"
    WAIT = "WAIT"  # "ruko", "hold on", "ek minute"
    STATEMENT = "STATEMENT"  # "hisaab", "mera balance", "बकाया कितना है"
    OPT_OUT = "OPT_OUT"  # "STOP", "band karo"
    OPT_IN = "OPT_IN"  # "START"
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
    ADD_QUANTITY = "ADD_QUANTITY"  # "5 meter aur jodo": ``quantity`` is added to the line, not set
    REDUCE_QUANTITY = "REDUCE_QUANTITY"  # "2 kam kar do": ``quantity`` is taken off the line
    REPLACE_ITEM = "REPLACE_ITEM"  # "cotton ki jagah rayon": ``target`` replaced by ``item``
    UNKNOWN = "UNKNOWN"


class ConsentKind(StrEnum):
    """What a reply to the final summary is. Only CONFIRM hands an order over."""

    CONFIRM = "CONFIRM"  # an explicit yes with no negation, hedge, condition or question
    QUESTION = "QUESTION"  # "GST alag lagega?"
    WAIT = "WAIT"  # a hedge: "ruko ek minute", "hold on", "sochta hoon"
    NEGATION = "NEGATION"  # "nahi", "not yet", "नहीं अभी रुको"
    CONDITION = "CONDITION"  # "haan par kal bhejna", "ok if you deliver tomorrow"
    EDIT = "EDIT"  # "ok but make it 15m": a change to the order
    CANCEL = "CANCEL"
    OTHER = "OTHER"  # anything else: not a confirmation


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


class Unfamiliar(_Strict):
    """A word in a material or colour slot that the catalogue does not know, kept as the customer wrote it."""

    slot: Literal["material", "color"]
    word: str = Field(min_length=1, description="as written: 'tweed', 'coton'")
    suggestion: str | None = Field(
        default=None, description="a catalogue name it is a near-miss spelling of ('cotton'); never applied silently"
    )


class PartialItem(_Strict):
    """An item read in part: what was read, what is missing, words the catalogue lacks, or a range to choose from."""

    material: str | None = None
    color: str | None = None
    quantity: Quantity | None = None
    unit: Unit | None = None
    quantity_options: tuple[Quantity, ...] = Field(default=(), description="'15-20 m': the ends of the range")
    unfamiliar: tuple[Unfamiliar, ...] = ()
    missing: tuple[Slot, ...] = Field(default=(), description="slots still to ask for, in asking order")
    raw: str = ""


class PendingQuestion(_Strict):
    """The question the bot asked last and waits for an answer to."""

    slot: Slot
    line: int | None = Field(default=None, ge=1, description="the line asked about; None for an item not yet a line")
    options: tuple[str, ...] = Field(default=(), description="for 'choice': the values offered ('15', '20')")


class Answer(_Strict):
    """A message read as the answer to the pending question: the asked slot, and any other slot it also fills."""

    slot: Slot
    material: str | None = None
    color: str | None = None
    quantity: Quantity | None = None
    unit: Unit | None = None
    choice: str | None = Field(default=None, description="one of PendingQuestion.options")
    line: int | None = Field(default=None, ge=1, description="for 'line': the line number meant")
    unfamiliar: tuple[Unfamiliar, ...] = ()
    raw: str = ""


class Subject(_Strict):
    """What a shop question is about: "silk ka rate?" is about silk, "kaunse colour hai cotton mein?" about cotton."""

    material: str | None = None
    color: str | None = None
    unfamiliar: tuple[Unfamiliar, ...] = ()


class NoteKind(StrEnum):
    DISCOUNT = "DISCOUNT"
    DELIVERY = "DELIVERY"


class Note(_Strict):
    """Something to keep on the order for the owner, in the customer's words; never a promise or a price."""

    kind: NoteKind
    text: str = Field(min_length=1)


class Consent(_Strict):
    """A reply read as a reply to the final summary."""

    kind: ConsentKind
    reason: str = Field(default="", description="the words that made it so: 'ruko', '?', 'par'")

    @property
    def confirms(self) -> bool:
        return self.kind is ConsentKind.CONFIRM


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
        if self.kind in (CustomerDecision.ADD_QUANTITY, CustomerDecision.REDUCE_QUANTITY) and self.quantity is None:
            raise ValueError("ADD_QUANTITY and REDUCE_QUANTITY need a quantity and a unit")
        if self.kind is CustomerDecision.REPLACE_ITEM and (self.item is None or self.target is None):
            raise ValueError("REPLACE_ITEM needs the line replaced and the item replacing it")
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
    partial: list[PartialItem] = Field(default_factory=list, description="items read in part (each has a question)")
    answer: Answer | None = Field(default=None, description="for ANSWER: the answer to the pending question")
    subject: Subject | None = Field(default=None, description="for RATE and AVAILABILITY: what is asked about")
    notes: list[Note] = Field(default_factory=list, description="discount requests and delivery dates")
    consent: Consent | None = Field(default=None, description="the message read as a reply to the final summary")

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
    if isinstance(value, tuple):
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

    state: ContextState = "none"
    lines: tuple[ContextLine, ...] = ()
    pending: PendingQuestion | None = Field(default=None, description="the question the bot waits for an answer to")
