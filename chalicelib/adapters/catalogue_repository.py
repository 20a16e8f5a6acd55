"""Reference data the owner edits without a deploy: vocabulary terms and GST rates, in the catalogue table."""

from __future__ import annotations

from chalicelib.domain.catalogue import Term, Vocabulary
from chalicelib.domain.gst import GstRate


def _term_data(term: Term) -> dict:
    return {"name": term.name, "hi": term.hi, "hinglish": term.hinglish, "aliases": list(term.aliases), "hsn": term.hsn}


class DynamoCatalogue:
    """Terms and GST rates in the catalogue table of ``tables`` (a dynamo_models.Tables)."""

    def __init__(self, tables):
        self._t = tables

    def seed(self, terms: list[Term], rates: list[GstRate]) -> int:
        """Write seed rows that are not there yet (an owner's edit is never overwritten); returns how many."""
        from pynamodb.exceptions import PutError

        from chalicelib.adapters.dynamo_repos import is_condition_failure

        CatalogueRecord = self._t.CatalogueRecord
        rows = [CatalogueRecord(t.kind, t.name, data=_term_data(t)) for t in terms]
        rows += [
            CatalogueRecord("gst_rate", f"{r.hsn}#{r.effective_from.isoformat()}", data=r.to_dict()) for r in rates
        ]
        written = 0
        for row in rows:
            try:
                row.save(condition=CatalogueRecord.key.does_not_exist())
                written += 1
            except PutError as exc:
                if not is_condition_failure(exc):
                    raise
        return written

    def put_term(self, term: Term) -> None:
        """Add or replace one term (the owner extending the vocabulary)."""
        CatalogueRecord = self._t.CatalogueRecord
        CatalogueRecord(term.kind, term.name, data=_term_data(term)).save()

    def put_gst_rate(self, rate: GstRate) -> None:
        """Add a rate from its effective date (a change of rate is a new row; history is kept)."""
        CatalogueRecord = self._t.CatalogueRecord
        CatalogueRecord("gst_rate", f"{rate.hsn}#{rate.effective_from.isoformat()}", data=rate.to_dict()).save()

    def vocabulary(self) -> Vocabulary:
        CatalogueRecord = self._t.CatalogueRecord
        terms = []
        for kind in ("material", "color"):
            for row in CatalogueRecord.query(kind):
                d = row.data
                terms.append(
                    Term(
                        kind=kind,
                        name=d["name"],
                        hi=d["hi"],
                        hinglish=d["hinglish"],
                        aliases=tuple(d.get("aliases", ())),
                        hsn=d.get("hsn"),
                    )
                )
        return Vocabulary.from_terms(terms)

    def gst_rates(self) -> list[GstRate]:
        CatalogueRecord = self._t.CatalogueRecord
        return [GstRate.from_dict(r.data) for r in CatalogueRecord.query("gst_rate")]
