"""Use cases on reference data: the owner adds names customers use for a cloth or colour, and changes GST rates."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.catalogue import Term


class ReferenceService:
    def __init__(self, catalogue, forget_cache):
        self._catalogue = catalogue
        self._forget = forget_cache

    def catalogue(self) -> dict:
        vocabulary = self._catalogue.vocabulary()
        return {
            "materials": [_term(t) for t in vocabulary.materials.values()],
            "colors": [_term(t) for t in vocabulary.colors.values()],
            "gst_rates": [r.to_dict() for r in self._catalogue.gst_rates()],
        }

    def put_term(self, kind: str, name: str, body: object) -> dict:
        """Add or replace a material or colour; its aliases are what customers write ("suti", "नीला"). A material's
        HSN code must have a GST rate on file, or customers' confirmations of it could not be invoiced.
        Raises ValueError (see domain/owner_input.py)."""
        from chalicelib.domain import owner_input

        term = owner_input.term(kind, name, body, self.has_gst_rate)
        self._catalogue.put_term(term)
        self._forget()
        return _term(term)

    def put_gst_rate(self, body: object) -> dict:
        """Add a GST rate from its effective date; raises ValueError for anything but a finite 0–40 % rate."""
        from chalicelib.domain import owner_input
        from chalicelib.domain.gst import GstRate

        rate = GstRate.from_dict(owner_input.gst_rate_fields(body))
        self._catalogue.put_gst_rate(rate)
        return rate.to_dict()

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
