"""Meta's WhatsApp webhook envelope, reduced item by item to what the shop acts on.

Each message and each status of a change is parsed on its own: a bad one (no id, an absurd id or timestamp, no
sender) is refused with its reason and its siblings go on. Only unreadable JSON is refused whole (by the caller).

| change field / item                                      | what happens                                      |
|----------------------------------------------------------|---------------------------------------------------|
| messages / text                                          | queued as conversation work (a text longer than   |
|                                                          |   ``TEXT_MAX`` is cut, and marked ``truncated``)  |
| messages / interactive button_reply, list_reply          | queued as a tap (handled without the LLM)         |
| messages / button (template quick reply)                 | queued as a tap, its payload as the button id     |
| messages / image, video, audio, document, sticker,       | queued: the customer gets a polite answer in      |
|   location, contacts, order, reaction, unsupported, …    |   their language (we read only text and taps)     |
| messages / system user_changed_number, user_changed_     | an ``IdentityChange`` (the contact's other        |
|   user_id                                                |   identifier is updated)                          |
| messages / revoke (deleted), edit, other system          | recorded in the log only: nothing to answer       |
| messages / statuses[] (sent, delivered, read, failed…)   | statuses: settle the outbox record                |
| message_template_status_update, template_category_update | ``TemplateEvent``: which templates are usable     |
| any other field (account_update, calls, …)               | ignored                                           |

Identity (Meta's business-scoped user ids, from April 2026): a message carries ``from`` (the phone, withheld for
users who adopted a username) and ``from_user_id`` (the BSUID, ``CC.<alphanumerics>``); ``contacts[]`` carries
``wa_id``, ``user_id`` and ``profile.username``; statuses carry ``recipient_id`` and/or ``recipient_user_id``.
The shop keys a contact by the BSUID when Meta gives one, by the phone otherwise, and keeps the other identifier
beside it (``InboundMessage.user_id`` / ``wa_phone``).

Meta adds fields over time, so every model allows extra fields; only what we read is declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SUPPORTED_TYPES = {"text", "interactive", "button"}
LOG_ONLY_TYPES = {"revoke", "edit", "system"}
IDENTITY_CHANGES = {"user_changed_number", "user_changed_user_id"}
TEMPLATE_FIELDS = {"message_template_status_update", "template_category_update"}

ID_MAX = 256  # Meta's wamids are ~60 characters; anything this long is not one (and would not fit an SQS dedup id)
TEXT_MAX = 4096  # WhatsApp's own text limit; a longer body (up to SQS's 256 KB) is cut here, never enqueued whole
TIMESTAMP_DIGITS = 11  # epoch seconds; 11 digits reach the year 5138
PHONE = re.compile(r"[0-9]{6,20}")
BSUID = re.compile(r"[A-Z]{2}(\.ENT)?\.[A-Za-z0-9]{1,128}")


def is_bsuid(identifier: str) -> bool:
    """Whether ``identifier`` is a business-scoped user id (``IN.1234…``) rather than a phone number."""
    return bool(BSUID.fullmatch(identifier or ""))


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Text(_Open):
    body: str = ""


class Reply(_Open):
    id: str = ""
    title: str = ""
    description: str | None = None


class Interactive(_Open):
    type: str = ""
    button_reply: Reply | None = None
    list_reply: Reply | None = None


class QuickReplyButton(_Open):
    payload: str = ""
    text: str = ""


class System(_Open):
    type: str = ""
    body: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    previous_user_id: str | None = None


class Message(_Open):
    from_: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
    id: str
    timestamp: str = "0"
    type: str = "unknown"
    text: Text | None = None
    interactive: Interactive | None = None
    button: QuickReplyButton | None = None
    system: System | None = None


class StatusError(_Open):
    code: int | None = None
    title: str | None = None
    message: str | None = None


class Status(_Open):
    id: str
    status: str
    timestamp: str = "0"
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    biz_opaque_callback_data: str | None = None
    errors: list[StatusError] = []


class Profile(_Open):
    name: str | None = None
    username: str | None = None


class Contact(_Open):
    wa_id: str | None = None
    user_id: str | None = None
    profile: Profile | None = None


class Value(_Open):
    contacts: list = []
    messages: list = []
    statuses: list = []


class Change(_Open):
    field: str = ""
    value: dict | None = None


class Entry(_Open):
    id: str = ""
    changes: list = []


class Envelope(_Open):
    object: str = ""
    entry: list = []


@dataclass(frozen=True)
class InboundMessage:
    """One customer message reduced to what the conversation needs; also the body of the inbound queue message.

    ``phone`` is the contact id the shop keys the customer by: the BSUID when Meta gives one, else the phone number.
    """

    wamid: str
    phone: str
    timestamp: str
    type: str
    name: str | None = None
    text: str | None = None
    reply_id: str | None = None
    reply_title: str | None = None
    user_id: str | None = None  # the BSUID, when Meta gave one
    wa_phone: str | None = None  # the phone, when Meta gave one
    username: str | None = None
    truncated: bool | None = None  # the text was cut to TEXT_MAX

    @property
    def supported(self) -> bool:
        return self.type in ("text", "tap")

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict) -> InboundMessage:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    status: str
    recipient: str
    timestamp: str
    errors: tuple[dict, ...] = ()
    callback_data: str | None = None  # our outbox key, echoed back by Meta

    @property
    def error_code(self) -> int | None:
        return next((e.get("code") for e in self.errors if e.get("code") is not None), None)

    @property
    def error_reason(self) -> str:
        first = self.errors[0] if self.errors else {}
        details = (first.get("error_data") or {}).get("details") if isinstance(first.get("error_data"), dict) else None
        return str(details or first.get("message") or first.get("title") or self.status)


@dataclass(frozen=True)
class IdentityChange:
    """Meta reported that a contact's phone (``user_changed_number``) or BSUID (``user_changed_user_id``) changed."""

    wamid: str
    kind: str
    contact: str  # the identifier the message came from (phone, else BSUID)
    new_phone: str | None = None
    new_user_id: str | None = None
    previous_user_id: str | None = None
    timestamp: str = "0"

    def timestamp_hint(self) -> str:
        return self.timestamp


@dataclass(frozen=True)
class TemplateEvent:
    """A template's status (APPROVED, REJECTED, PAUSED, DISABLED…) or category changed."""

    name: str
    language: str
    status: str | None = None
    category: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Refusal:
    """One item of a signed webhook that could not be used, and why (logged; the rest of the webhook goes on)."""

    kind: str  # message | status | change | entry
    id: str
    reason: str


@dataclass
class WebhookBatch:
    """Everything one webhook POST carries, sorted."""

    messages: list[InboundMessage] = field(default_factory=list)
    log_only: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    identity_changes: list[IdentityChange] = field(default_factory=list)
    template_events: list[TemplateEvent] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def reduce_envelope(envelope: Envelope | dict) -> WebhookBatch:
    """Sort a webhook body into queued, log-only, statuses, identity changes, template events, ignored and refused."""
    batch = WebhookBatch()
    if isinstance(envelope, dict):
        try:
            envelope = Envelope.model_validate(envelope)
        except ValidationError as exc:
            batch.refused.append(Refusal("envelope", "", _why(exc)))
            return batch
    for entry_index, raw_entry in enumerate(envelope.entry):
        try:
            entry = Entry.model_validate(raw_entry)
        except ValidationError as exc:
            batch.refused.append(Refusal("entry", str(entry_index), _why(exc)))
            continue
        for change_index, raw_change in enumerate(entry.changes):
            _reduce_change(raw_change, f"{entry_index}.{change_index}", batch)
    return batch


def _reduce_change(raw_change: object, where: str, batch: WebhookBatch) -> None:
    try:
        change = Change.model_validate(raw_change)
    except ValidationError as exc:
        batch.refused.append(Refusal("change", where, _why(exc)))
        return
    if change.field in TEMPLATE_FIELDS and change.value is not None:
        event = _template_event(change.field, change.value)
        if event is None:
            batch.refused.append(Refusal("change", where, f"{change.field} without a template name and language"))
        else:
            batch.template_events.append(event)
        return
    if change.field != "messages" or change.value is None:
        batch.ignored.append(change.field or "unknown")
        return
    try:
        value = Value.model_validate(change.value)
    except ValidationError as exc:
        batch.refused.append(Refusal("change", where, _why(exc)))
        return
    contacts = _contacts(value.contacts)
    for index, raw in enumerate(value.messages):
        _reduce_one_message(raw, f"{where}.m{index}", contacts, batch)
    for index, raw in enumerate(value.statuses):
        _reduce_one_status(raw, f"{where}.s{index}", batch)


def _contacts(raw_contacts: list) -> dict[str, Contact]:
    """Contacts by every identifier they carry (phone and BSUID), skipping malformed ones."""
    found: dict[str, Contact] = {}
    for raw in raw_contacts:
        try:
            contact = Contact.model_validate(raw)
        except ValidationError:
            continue
        for key in (contact.wa_id, contact.user_id):
            if key:
                found[key] = contact
    return found


def _reduce_one_message(raw: object, where: str, contacts: dict[str, Contact], batch: WebhookBatch) -> None:
    try:
        message = Message.model_validate(raw)
    except ValidationError as exc:
        batch.refused.append(Refusal("message", _raw_id(raw, where), _why(exc)))
        return
    problem = _message_problem(message)
    if problem:
        batch.refused.append(Refusal("message", _short(message.id), problem))
        return
    phone = message.from_ if message.from_ and PHONE.fullmatch(message.from_) else None
    contact = contacts.get(phone or "") or contacts.get(message.from_user_id or "")
    user_id = message.from_user_id or (contact.user_id if contact else None)
    if user_id and not is_bsuid(user_id):
        user_id = None
    if phone is None and user_id is None and message.type in LOG_ONLY_TYPES and message.from_:
        phone = message.from_[:ID_MAX]  # only logged, never answered: any sender will do
    if phone is None and user_id is None:
        batch.refused.append(Refusal("message", _short(message.id), "no usable sender (neither a phone nor a BSUID)"))
        return
    if message.type == "system" and message.system is not None and message.system.type in IDENTITY_CHANGES:
        batch.identity_changes.append(
            IdentityChange(
                wamid=message.id,
                kind=message.system.type,
                contact=user_id or phone or "",
                new_phone=message.system.wa_id,
                new_user_id=message.system.user_id,
                previous_user_id=message.system.previous_user_id or message.from_user_id,
                timestamp=message.timestamp,
            )
        )
        return
    profile = contact.profile if contact else None
    base = {
        "wamid": message.id,
        "phone": user_id or phone,
        "timestamp": message.timestamp,
        "name": profile.name if profile else None,
        "user_id": user_id,
        "wa_phone": phone,
        "username": profile.username if profile else None,
    }
    inbound = _inbound(message, base)
    (batch.log_only if message.type in LOG_ONLY_TYPES else batch.messages).append(inbound)


def _message_problem(message: Message) -> str | None:
    if not message.id or len(message.id) > ID_MAX:
        return f"message id of {len(message.id)} characters (1 to {ID_MAX} expected)"
    if message.type == "text" and message.text is None:
        return "a text message without its text"
    return _timestamp_problem(message.timestamp)


def _timestamp_problem(timestamp: str) -> str | None:
    if not timestamp.isdigit() or len(timestamp) > TIMESTAMP_DIGITS:
        return f"timestamp {timestamp[:20]!r} is not epoch seconds"
    return None


def _inbound(message: Message, base: dict) -> InboundMessage:
    if message.type == "text" and message.text is not None:
        body = message.text.body
        if len(body) > TEXT_MAX:
            return InboundMessage(type="text", text=body[:TEXT_MAX], truncated=True, **base)
        return InboundMessage(type="text", text=body, **base)
    if message.type == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        if reply is not None:
            return InboundMessage(type="tap", reply_id=reply.id[:ID_MAX], reply_title=reply.title[:100], **base)
    if message.type == "button" and message.button is not None:
        return InboundMessage(
            type="tap", reply_id=message.button.payload[:ID_MAX], reply_title=message.button.text[:100], **base
        )
    return InboundMessage(type=message.type if message.type != "interactive" else "unsupported", **base)


def _reduce_one_status(raw: object, where: str, batch: WebhookBatch) -> None:
    try:
        status = Status.model_validate(raw)
    except ValidationError as exc:
        batch.refused.append(Refusal("status", _raw_id(raw, where), _why(exc)))
        return
    problem = (
        f"status id of {len(status.id)} characters (1 to {ID_MAX} expected)"
        if not status.id or len(status.id) > ID_MAX
        else _timestamp_problem(status.timestamp)
    )
    if problem:
        batch.refused.append(Refusal("status", _short(status.id), problem))
        return
    batch.statuses.append(
        StatusUpdate(
            wamid=status.id,
            status=status.status,
            recipient=status.recipient_id or status.recipient_user_id or "",
            timestamp=status.timestamp,
            errors=tuple(e.model_dump(exclude_none=True) for e in status.errors),
            callback_data=status.biz_opaque_callback_data,
        )
    )


def _template_event(field_name: str, value: dict) -> TemplateEvent | None:
    name, language = value.get("message_template_name"), value.get("message_template_language")
    if not isinstance(name, str) or not isinstance(language, str) or not name or not language:
        return None
    if field_name == "message_template_status_update":
        return TemplateEvent(
            name,
            language,
            status=str(value.get("event") or "") or None,
            category=value.get("message_template_category"),
            reason=value.get("reason"),
        )
    # An impending change (correct_category, no previous_category) only announces it; a done one has new_category.
    impending = "correct_category" in value and "previous_category" not in value
    category = None if impending else value.get("new_category")
    return TemplateEvent(name, language, category=category, reason=value.get("correct_category"))


def _why(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "body"
    return f"{where}: {first.get('msg', 'invalid')}"


def _short(identifier: str) -> str:
    return identifier if len(identifier) <= 80 else identifier[:40] + f"…({len(identifier)} chars)"


def _raw_id(raw: object, where: str) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return _short(raw["id"])
    return where
