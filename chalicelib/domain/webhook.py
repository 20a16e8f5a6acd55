"""Meta's WhatsApp webhook envelope as pydantic models, and its reduction to what the shop acts on.

What is acted on, and what is deliberately ignored (every sample in shared/whatsapp-samples is one of these):

| change field / message type                              | what happens                                      |
|----------------------------------------------------------|---------------------------------------------------|
| messages / text                                          | queued as conversation work                       |
| messages / interactive button_reply, list_reply          | queued as a tap (handled without the LLM)         |
| messages / button (template quick reply)                 | queued as a tap, its payload as the button id     |
| messages / image, video, audio, document, sticker,       | queued: the customer gets a polite answer in      |
|   location, contacts, order, reaction, unsupported,      |   their language (we read only text and taps)     |
|   interactive of another kind (flows, call permission)   |                                                   |
| messages / revoke (deleted), edit, system                | recorded in the log only: nothing to answer       |
| messages / statuses[] (sent, delivered, read, failed…)   | recorded in the message log, never queued         |
| any other field (account_update, calls, templates, …)    | ignored                                           |

Meta adds fields over time, so every model allows extra fields; only what we read is declared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

SUPPORTED_TYPES = {"text", "interactive", "button"}
LOG_ONLY_TYPES = {"revoke", "edit", "system"}


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


class Message(_Open):
    from_: str = Field(alias="from")
    id: str
    timestamp: str = "0"
    type: str = "unknown"
    text: Text | None = None
    interactive: Interactive | None = None
    button: QuickReplyButton | None = None


class StatusError(_Open):
    code: int | None = None
    title: str | None = None
    message: str | None = None


class Status(_Open):
    id: str
    status: str
    timestamp: str = "0"
    recipient_id: str | None = None
    biz_opaque_callback_data: str | None = None
    errors: list[StatusError] = []


class Profile(_Open):
    name: str | None = None


class Contact(_Open):
    wa_id: str | None = None
    profile: Profile | None = None


class Value(_Open):
    contacts: list[Contact] = []
    messages: list[Message] = []
    statuses: list[Status] = []


class Change(_Open):
    field: str = ""
    value: Value | dict = {}


class Entry(_Open):
    id: str = ""
    changes: list[Change] = []


class Envelope(_Open):
    object: str = ""
    entry: list[Entry] = []


@dataclass(frozen=True)
class InboundMessage:
    """One customer message reduced to what the conversation needs; also the body of the inbound queue message."""

    wamid: str
    phone: str
    timestamp: str
    type: str
    name: str | None = None
    text: str | None = None
    reply_id: str | None = None
    reply_title: str | None = None

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


@dataclass
class WebhookBatch:
    """Everything one webhook POST carries: messages to queue, messages only to log, statuses, ignored changes."""

    messages: list[InboundMessage] = field(default_factory=list)
    log_only: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def reduce_envelope(envelope: Envelope) -> WebhookBatch:
    """Sort a parsed envelope into queued messages, log-only messages, statuses and ignored changes."""
    batch = WebhookBatch()
    for entry in envelope.entry:
        for change in entry.changes:
            if change.field != "messages" or not isinstance(change.value, Value):
                batch.ignored.append(change.field or "unknown")
                continue
            names = {c.wa_id: c.profile.name for c in change.value.contacts if c.wa_id and c.profile}
            for message in change.value.messages:
                inbound = _reduce_message(message, names.get(message.from_))
                (batch.log_only if message.type in LOG_ONLY_TYPES else batch.messages).append(inbound)
            for status in change.value.statuses:
                batch.statuses.append(
                    StatusUpdate(
                        wamid=status.id,
                        status=status.status,
                        recipient=status.recipient_id or "",
                        timestamp=status.timestamp,
                        errors=tuple(e.model_dump(exclude_none=True) for e in status.errors),
                        callback_data=status.biz_opaque_callback_data,
                    )
                )
    return batch


def _reduce_message(message: Message, name: str | None) -> InboundMessage:
    base = {"wamid": message.id, "phone": message.from_, "timestamp": message.timestamp, "name": name}
    if message.type == "text" and message.text is not None:
        return InboundMessage(type="text", text=message.text.body, **base)
    if message.type == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        if reply is not None:
            return InboundMessage(type="tap", reply_id=reply.id, reply_title=reply.title, **base)
    if message.type == "button" and message.button is not None:
        return InboundMessage(type="tap", reply_id=message.button.payload, reply_title=message.button.text, **base)
    return InboundMessage(type=message.type if message.type != "interactive" else "unsupported", **base)
