"""Use cases on reference data: the owner adds names customers use for a cloth or colour, and changes GST rates;
and the providers the other use cases read it through (the vocabulary, cached for a minute; GST rates with the seed
file as fallback)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from chalicelib.domain.catalogue import Term, Vocabulary, normalise
from chalicelib.domain.errors import BadRequest
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
    def __init__(self, catalogue: CataloguePort, forget_cache: Callable[[], None]):
        self._catalogue = catalogue
        self._forget = forget_cache

    def catalogue(self) -> dict:
        vocabulary = self._catalogue.vocabulary()
        return {
            "materials": [_term(t) for t in vocabulary.materials.values()],
            "colors": [_term(t) for t in vocabulary.colors.values()],
            "gst_rates": [r.to_dict() for r in self._catalogue.gst_rates()],
        }

    def put_term(self, kind: str, name: str, body: dict) -> dict:
        """Add or replace a material or colour; its aliases are what customers write ("suti", "नीला")."""
        if kind not in ("material", "color"):
            raise BadRequest("kind is 'material' or 'color'")
        aliases = body.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise BadRequest("aliases is a list of names")
        if kind == "material" and not str(body.get("hsn", "")).isdigit():
            raise BadRequest("a material needs its HSN code (e.g. 5208)")
        term = Term(
            kind=kind,
            name=normalise(name),
            hi=str(body.get("hi") or name),
            hinglish=str(body.get("hinglish") or name),
            aliases=tuple(a.strip() for a in aliases),
            hsn=str(body["hsn"]) if kind == "material" else None,
        )
        self._catalogue.put_term(term)
        self._forget()
        return _term(term)

    def put_gst_rate(self, body: dict) -> dict:
        from chalicelib.domain.gst import GstRate

        try:
            rate = GstRate.from_dict({k: str(v) for k, v in body.items()})
        except KeyError as exc:
            raise BadRequest(f"need hsn, rate_percent and effective_from: missing {exc}") from exc
        except (ValueError, ArithmeticError) as exc:  # a malformed HSN, rate or date
            raise BadRequest(str(exc)) from exc
        self._catalogue.put_gst_rate(rate)
        return rate.to_dict()


def _term(term: Term) -> dict:
    return {"name": term.name, "hi": term.hi, "hinglish": term.hinglish, "aliases": list(term.aliases), "hsn": term.hsn}
