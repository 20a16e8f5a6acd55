"""Outbound WhatsApp messages: what we send a customer, checked against Meta's limits and rendered as Graph API JSON.

One ``OutboundMessage`` becomes exactly one of Meta's message types:

============================  ===============  ==========================================================
what the message carries      Graph ``type``   rendered as
============================  ===============  ==========================================================
text only                     ``text``         ``{"text": {"body", "preview_url": false}}``
text + 1..3 ``Button``        ``interactive``  ``interactive.type = "button"``, ``action.buttons[]`` replies
text + ``list_sections``      ``interactive``  ``interactive.type = "list"``, ``action.button`` + ``sections``
``Document`` (+ caption)      ``document``     ``{"document": {"link", "filename", "caption"}}``
============================  ===============  ==========================================================

Limits (Meta's, restated here so the domain can refuse a message before any I/O):

=================================  =====  ===========================================================
field                              max    when over the limit
=================================  =====  ===========================================================
text body (type text)              4096   truncated
interactive body                   1024   truncated
document caption                   1024   truncated
reply buttons per message          3      ``InvalidMessageError``
button title / id                  20/256 ``InvalidMessageError`` (shorten on purpose: ``button_title``)
list button label                  20     ``InvalidMessageError``
list rows (all sections) / sects   10/10  ``InvalidMessageError``
row title / description / id       24/72/200 ``InvalidMessageError``
section title                      24     ``InvalidMessageError``
interactive header / footer text   60     ``InvalidMessageError``
=================================  =====  ===========================================================

The rule: prose is truncated, labels are validated. Prose (bodies, captions) is long text we compose, such as an
order summary; a reply that goes out cut short is better than no reply, so ``shorten`` cuts it at the last space or
line break that keeps at least half the allowance, drops trailing punctuation and ends it with "…" — the result is
never longer than the limit. Labels (everything a customer taps or scans) are short strings we choose; one that is
too long is a bug the tests should catch, so it raises. To fit a label on purpose, use ``button_title``.

Lengths are counted in code points, as Python does; cuts never split an Indic conjunct or detach a vowel sign.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TEXT_BODY_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
CAPTION_MAX = 1024
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_BUTTON_MAX = 20
LIST_ROWS_MAX = 10
LIST_SECTIONS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
SECTION_TITLE_MAX = 24
HEADER_MAX = 60
FOOTER_MAX = 60

ELLIPSIS = "…"
_PHONE = re.compile(r"\+?[0-9]{7,15}")
_BSUID = re.compile(r"[A-Z]{2}(\.ENT)?\.[A-Za-z0-9]{1,128}")  # a business-scoped user id (username-only users)
_ZERO_WIDTH_JOINERS = {"\u200c", "\u200d"}
_VIRAMA_CLASS = 9  # canonical combining class of the Indic viramas (halant): a cut right after one breaks a conjunct


class InvalidMessageError(ValueError):
    """An outbound message breaks one of Meta's rules (too many buttons, a label too long, a missing field)."""


def mask_phone(phone: str) -> str:
    """Hide the middle of a phone number for logs: ``"919812345678"`` -> ``"91******5678"``.

    Keeps a leading ``+``, the first two digits (the country, for India) and the last four; numbers of six digits
    or fewer keep only their last two.
    """
    plus, digits = ("+", phone[1:]) if phone.startswith("+") else ("", phone)
    if len(digits) <= 6:
        return plus + "*" * max(len(digits) - 2, 0) + digits[-2:]
    return plus + digits[:2] + "*" * (len(digits) - 6) + digits[-4:]


def shorten(text: str, limit: int) -> str:
    """``text`` unchanged if it fits in ``limit`` characters, else cut (see the module docstring) and ended with "…"."""
    if limit < 2:
        raise ValueError("limit must leave room for at least one character and the ellipsis")
    if len(text) <= limit:
        return text
    cut = _safe_cut(text, limit - 1)
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary >= (limit - 1) // 2:
        cut = cut[:boundary]
    cut = cut.rstrip(" \n\t,.;:-–—(/") or _safe_cut(text, limit - 1)
    return cut + ELLIPSIS


def button_title(text: str) -> str:
    """A label that fits a reply button (20 characters): whitespace collapsed, then shortened at a word if needed.

    ``button_title("Cotton Cambric Sky Blue") == "Cotton Cambric Sky…"``
    """
    return shorten(" ".join(text.split()), BUTTON_TITLE_MAX)


def _safe_cut(text: str, n: int) -> str:
    """The first ``n`` characters or fewer, backing off so a vowel sign, nukta or conjunct is never split."""
    while 0 < n < len(text) and (
        unicodedata.category(text[n]).startswith("M")
        or text[n] in _ZERO_WIDTH_JOINERS
        or unicodedata.combining(text[n - 1]) == _VIRAMA_CLASS
    ):
        n -= 1
    return text[:n]


def _check_label(what: str, value: str, limit: int) -> None:
    if not value or not value.strip():
        raise InvalidMessageError(f"{what} must not be empty")
    if len(value) > limit:
        raise InvalidMessageError(f"{what} {value!r} is {len(value)} characters; WhatsApp allows at most {limit}")


def _check_unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise InvalidMessageError(f"{what} {value!r} appears twice; WhatsApp needs them unique")
        seen.add(value)


@dataclass(frozen=True)
class Button:
    """A reply button: the customer taps ``title`` and we receive ``id`` back in a button reply."""

    id: str
    title: str

    def __post_init__(self) -> None:
        _check_label("button id", self.id, BUTTON_ID_MAX)
        _check_label("button title", self.title, BUTTON_TITLE_MAX)


@dataclass(frozen=True)
class ListRow:
    """One choice in a list message; its ``id`` comes back in a list reply."""

    id: str
    title: str
    description: str = ""

    def __post_init__(self) -> None:
        _check_label("list row id", self.id, ROW_ID_MAX)
        _check_label("list row title", self.title, ROW_TITLE_MAX)
        if len(self.description) > ROW_DESCRIPTION_MAX:
            raise InvalidMessageError(
                f"list row description is {len(self.description)} characters; WhatsApp allows at most "
                f"{ROW_DESCRIPTION_MAX}"
            )


@dataclass(frozen=True)
class ListSection:
    """A titled group of rows in a list message (the title is required once there are two sections)."""

    title: str = ""
    rows: tuple[ListRow, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        if not self.rows:
            raise InvalidMessageError("a list section needs at least one row")
        if self.title:
            _check_label("list section title", self.title, SECTION_TITLE_MAX)


@dataclass(frozen=True)
class Document:
    """A file the customer receives (an invoice PDF): WhatsApp's ``media_id`` of an upload (preferred: it does not
    expire like a presigned link) or a public ``link``, and the name they will see."""

    link: str = ""
    filename: str = ""
    caption: str = ""
    media_id: str | None = None

    def __post_init__(self) -> None:
        if self.media_id:
            if not self.filename.strip():
                raise InvalidMessageError("document filename must not be empty")
            return
        if not self.link.startswith(("https://", "http://")):
            raise InvalidMessageError(f"document link must be an http(s) URL, got {self.link[:40]!r}")
        if not self.filename.strip():
            raise InvalidMessageError("document filename must not be empty")


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one customer. ``to`` is the WhatsApp id (country code + number, digits; a leading + is dropped).

    ``text`` is the body; for a document it is the caption unless ``document.caption`` is set. ``header`` and
    ``footer`` apply to interactive messages only.
    """

    to: str
    text: str
    buttons: tuple[Button, ...] = ()
    list_button: str | None = None
    list_sections: tuple[ListSection, ...] = ()
    document: Document | None = None
    header: str | None = None
    footer: str | None = None

    def __post_init__(self) -> None:
        if not _PHONE.fullmatch(self.to) and not _BSUID.fullmatch(self.to):
            raise InvalidMessageError(
                f"recipient {mask_phone(self.to)!r} is neither a WhatsApp number (7-15 digits) nor a BSUID"
            )
        object.__setattr__(self, "to", self.to.lstrip("+"))
        object.__setattr__(self, "buttons", tuple(self.buttons))
        object.__setattr__(self, "list_sections", tuple(self.list_sections))
        self._check_shape()

    def _check_shape(self) -> None:
        if self.buttons and self.list_sections:
            raise InvalidMessageError("a message carries reply buttons or a list, not both")
        if self.document and (self.buttons or self.list_sections):
            raise InvalidMessageError("a document message cannot carry buttons or a list")
        if self.document is None and not self.text.strip():
            raise InvalidMessageError("message text must not be empty")
        if len(self.buttons) > BUTTONS_MAX:
            raise InvalidMessageError(f"{len(self.buttons)} buttons; WhatsApp allows at most {BUTTONS_MAX}")
        _check_unique("button id", [b.id for b in self.buttons])
        _check_unique("button title", [b.title for b in self.buttons])
        if self.list_sections:
            self._check_list()
        elif self.list_button is not None:
            raise InvalidMessageError("list_button given without list_sections")
        if self.kind != "interactive" and (self.header or self.footer):
            raise InvalidMessageError("header and footer apply to button and list messages only")
        if self.header is not None:
            _check_label("header", self.header, HEADER_MAX)
        if self.footer is not None:
            _check_label("footer", self.footer, FOOTER_MAX)

    def _check_list(self) -> None:
        _check_label("list button", self.list_button or "", LIST_BUTTON_MAX)
        if len(self.list_sections) > LIST_SECTIONS_MAX:
            raise InvalidMessageError(
                f"{len(self.list_sections)} sections; WhatsApp allows at most {LIST_SECTIONS_MAX}"
            )
        rows = [row for section in self.list_sections for row in section.rows]
        if len(rows) > LIST_ROWS_MAX:
            raise InvalidMessageError(f"{len(rows)} list rows; WhatsApp allows at most {LIST_ROWS_MAX} in all")
        if len(self.list_sections) > 1 and not all(section.title for section in self.list_sections):
            raise InvalidMessageError("every section needs a title when a list has more than one")
        _check_unique("list row id", [row.id for row in rows])

    @property
    def kind(self) -> str:
        """Meta's message ``type``: "text", "interactive" or "document"."""
        if self.document is not None:
            return "document"
        if self.buttons or self.list_sections:
            return "interactive"
        return "text"

    def to_graph_payload(self) -> dict:
        """The full JSON body of ``POST /{version}/{phone_number_id}/messages`` for this message."""
        payload: dict = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": self.to}
        payload["type"] = self.kind
        if self.document is not None:
            payload["document"] = self._document_json(self.document)
        elif self.kind == "interactive":
            payload["interactive"] = self._interactive_json()
        else:
            payload["text"] = {"body": shorten(self.text, TEXT_BODY_MAX), "preview_url": False}
        return payload

    def _document_json(self, document: Document) -> dict:
        source = {"id": document.media_id} if document.media_id else {"link": document.link}
        body = source | {"filename": document.filename}
        caption = document.caption or self.text
        if caption.strip():
            body["caption"] = shorten(caption, CAPTION_MAX)
        return body

    def _interactive_json(self) -> dict:
        interactive: dict = {"type": "button" if self.buttons else "list"}
        if self.header:
            interactive["header"] = {"type": "text", "text": self.header}
        interactive["body"] = {"text": shorten(self.text, INTERACTIVE_BODY_MAX)}
        if self.footer:
            interactive["footer"] = {"text": self.footer}
        if self.buttons:
            interactive["action"] = {
                "buttons": [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in self.buttons]
            }
        else:
            interactive["action"] = {
                "button": self.list_button,
                "sections": [_section_json(s) for s in self.list_sections],
            }
        return interactive


def _section_json(section: ListSection) -> dict:
    rows = []
    for row in section.rows:
        rendered = {"id": row.id, "title": row.title}
        if row.description:
            rendered["description"] = row.description
        rows.append(rendered)
    return {"title": section.title, "rows": rows} if section.title else {"rows": rows}
