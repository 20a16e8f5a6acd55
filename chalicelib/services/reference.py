"""Use cases on reference data: the owner adds names customers use for a cloth or colour, and changes GST rates."""

from __future__ import annotations

from chalicelib.domain.catalogue import Term, normalise


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

    def put_term(self, kind: str, name: str, body: dict) -> dict:
        """Add or replace a material or colour; its aliases are what customers write ("suti", "नीला")."""
        if kind not in ("material", "color"):
            raise ValueError("kind is 'material' or 'color'")
        aliases = body.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ValueError("aliases is a list of names")
        if kind == "material" and not str(body.get("hsn", "")).isdigit():
            raise ValueError("a material needs its HSN code (e.g. 5208)")
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
            raise ValueError(f"need hsn, rate_percent and effective_from: missing {exc}") from exc
        self._catalogue.put_gst_rate(rate)
        return rate.to_dict()


def _term(term: Term) -> dict:
    return {"name": term.name, "hi": term.hi, "hinglish": term.hinglish, "aliases": list(term.aliases), "hsn": term.hsn}
