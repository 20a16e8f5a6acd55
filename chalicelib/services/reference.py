"""Use cases on reference data: the owner adds names customers use for a cloth or colour, and changes GST rates;
and the providers the other use cases read it through (the vocabulary, cached for a minute; GST rates with the seed
file as fallback)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from chalicelib.domain.catalogue import Term, Vocabulary
from chalicelib.services.ports import CataloguePort

VOCABULARY_TTL_SECONDS = 60


class CachedVocabulary:
    """The catalogue vocabulary from its table, re-read at most once a ``ttl_seconds`` so owner edits apply quickly;
    an unseeded table falls back to the seed file rather than know nothing. Call it for the vocabulary."""

    def __init__(
        self,
        catalogue: CataloguePort,
        ttl_seconds: float = VOCABULARY_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._catalogue = catalogue
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, Vocabulary] | None = None

    def __call__(self) -> Vocabulary:
        with self._lock:
            if self._cached is None or self._clock() - self._cached[0] > self._ttl:
                vocabulary = self._catalogue.vocabulary()
                if not vocabulary.materials:
                    vocabulary = Vocabulary.from_seed()
                self._cached = (self._clock(), vocabulary)
            return self._cached[1]

    def forget(self) -> None:
        """Drop the cached copy (the owner just changed a term)."""
        with self._lock:
            self._cached = None


class GstRates:
    """GST rates from the catalogue table (the owner's edits), falling back to the seed file when it is empty."""

    def __init__(self, catalogue: CataloguePort):
        self._catalogue = catalogue

    def __call__(self) -> list:
        rates = self._catalogue.gst_rates()
        if not rates:
            from chalicelib.domain.gst import load_seed_rates

            rates = load_seed_rates()
        return rates


class ReferenceService:
    def __init__(self, catalogue: CataloguePort, forget_cache: Callable[[], None], audit=None):
        self._catalogue = catalogue
        self._forget = forget_cache
        self._audit = audit  # AuditTrailPort: every change of reference data is appended under 'catalogue'

    def catalogue(self) -> dict:
        vocabulary = self._catalogue.vocabulary()
        return {
            "materials": [_term(t) for t in vocabulary.materials.values()],
            "colors": [_term(t) for t in vocabulary.colors.values()],
            "gst_rates": [r.to_dict() for r in self._catalogue.gst_rates()],
        }

    def put_term(self, kind: str, name: str, body: object, actor: tuple = ("owner", "api", None)) -> dict:
        """Add or replace a material or colour; its aliases are what customers write ("suti", "नीला"). A material's
        HSN code must have a GST rate on file, or customers' confirmations of it could not be invoiced.
        Raises BadRequest (see domain/owner_input.py). ``actor`` is (who, via, correlation id) for the audit."""
        from chalicelib.domain import owner_input

        term = owner_input.term(kind, name, body, self.has_gst_rate)
        self._catalogue.put_term(term)
        self._forget()
        self._record(f"catalogue.{kind}", term.name, _term(term), actor)
        return _term(term)

    def put_gst_rate(self, body: object, actor: tuple = ("owner", "api", None)) -> dict:
        """Add a GST rate from its effective date; raises BadRequest for anything but a finite 0–40 % rate."""
        from chalicelib.domain import owner_input
        from chalicelib.domain.gst import GstRate

        rate = GstRate.from_dict(owner_input.gst_rate_fields(body))
        self._catalogue.put_gst_rate(rate)
        self._record("catalogue.gst_rate", f"{rate.hsn} from {rate.effective_from}", rate.to_dict(), actor)
        return rate.to_dict()

    def _record(self, action: str, what: str, detail: dict, actor: tuple) -> None:
        # After the write, not in one transaction with it: a catalogue row is one put, and losing this entry to a
        # crash in between costs less than making every catalogue write a transaction.
        if self._audit is None:
            return
        from chalicelib.domain.audit import AuditEntry

        who, via, correlation_id = actor
        self._audit.append(
            AuditEntry("catalogue", action, who, via, to_state=what, correlation_id=correlation_id, detail=detail)
        )

    def has_gst_rate(self, hsn: str) -> bool:
        """Whether a GST rate for ``hsn`` (or its heading) is in force today."""
        from chalicelib.domain.gst import GstRateNotFound, load_seed_rates, rate_for

        rates = self._catalogue.gst_rates() or load_seed_rates()
        try:
            rate_for(hsn, datetime.now(UTC).date(), rates)
        except GstRateNotFound:
            return False
        return True


def _term(term: Term) -> dict:
    return {"name": term.name, "hi": term.hi, "hinglish": term.hinglish, "aliases": list(term.aliases), "hsn": term.hsn}
