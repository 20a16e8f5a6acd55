"""Typed domain errors; web and job entry points map them to responses in one place each."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the product expects and answers."""


class SignatureMissing(DomainError):
    """A webhook POST without X-Hub-Signature-256."""


class SignatureInvalid(DomainError):
    """A webhook POST whose signature does not match its raw body."""


class MalformedWebhook(DomainError):
    """A correctly signed body that is not Meta's webhook envelope."""


class AlreadyProcessed(DomainError):
    """A first-writer-wins key that another writer already holds."""


class StaleOrder(DomainError):
    """An order changed between load and save (optimistic version check failed)."""


class OutOfStock(DomainError):
    """A conditional stock update found less than it needed."""

    def __init__(self, message: str = "stock moved", batch_ids: tuple[str, ...] = ()):
        super().__init__(message)
        self.batch_ids = batch_ids


class NotFound(DomainError):
    """The thing asked for does not exist."""


class BadRequest(DomainError, ValueError):
    """Input the caller must correct; the message says what (the owner API answers 400 with it). A ValueError too,
    so code that validates with ValueError keeps working, but only this family is answered 400."""


# --- sending on WhatsApp: the family the use cases react to (the WhatsApp adapter raises subclasses of these) ---


class MessageNotSent(DomainError):
    """A WhatsApp message was refused or could not be sent. ``retryable``: trying again later may work (throttled,
    unreachable); ``code``: the platform's error code when it gave one."""

    code: int | None = None
    retryable: bool = False


class OutsideWindow(MessageNotSent):
    """More than 24 hours since the customer's last message: free-form text cannot reach them, only a template."""


class DeliveryUncertain(MessageNotSent):
    """The message may or may not have been accepted. ``retryable``: do the work again later; the outbox's lease
    then decides whether to send again (at most one duplicate), unless a status webhook settled it meanwhile."""


class StaleAccount(DomainError):
    """A customer's balance or an invoice's settlement moved between reading and writing: read again, redo."""


class DuplicatePayment(DomainError):
    """A payment with this mode and reference is already recorded (idempotency: the first one stands)."""


class AlreadyReversed(DomainError):
    """A payment that was reversed already; a payment is reversed once."""
