"""Reference data on the in-memory fakes: the owner's new names reach the interpreter at once; the vocabulary is
cached for a minute; GST rates and the vocabulary fall back to the seed files on an empty table."""

import pytest

from chalicelib.adapters.memory import InMemoryCatalogue
from chalicelib.services.reference import CachedVocabulary, GstRates, ReferenceService
from tests.unit.desk import Desk


class Ticks:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_name_the_owner_adds_is_understood_at_once():
    desk = Desk()
    desk.vocabulary()  # cached

    desk.reference().put_term("material", "Khadi", {"aliases": ["khaddar"], "hsn": "5208"})

    assert desk.vocabulary().materials["khadi"].aliases == ("khaddar",)


@pytest.mark.parametrize(
    ("kind", "body"),
    [("fabric", {"aliases": []}), ("material", {"aliases": "khaddar", "hsn": "5208"}), ("material", {"aliases": []})],
)
def test_a_term_that_is_not_well_formed_is_refused(kind, body):
    with pytest.raises(ValueError):
        Desk().reference().put_term(kind, "khadi", body)


def test_a_gst_rate_without_its_effective_date_is_refused():
    with pytest.raises(ValueError):
        Desk().reference().put_gst_rate({"hsn": "5208", "rate_percent": "5"})


def test_the_vocabulary_is_read_again_only_after_a_minute():
    catalogue, ticks = InMemoryCatalogue(Desk().catalogue.vocabulary().materials.values()), Ticks()
    vocabulary = CachedVocabulary(catalogue, clock=ticks)
    vocabulary()
    ticks.now = 59
    vocabulary()
    assert catalogue.reads == 1
    ticks.now = 61
    vocabulary()
    assert catalogue.reads == 2


def test_an_empty_catalogue_falls_back_to_the_seed_vocabulary_and_rates():
    empty = InMemoryCatalogue()
    assert "cotton" in CachedVocabulary(empty)().materials
    assert any(r.hsn == "5208" for r in GstRates(empty)())


def test_forgetting_the_cache_reads_the_table_again():
    catalogue = InMemoryCatalogue(Desk().catalogue.vocabulary().materials.values())
    vocabulary = CachedVocabulary(catalogue)
    service = ReferenceService(catalogue, vocabulary.forget)
    vocabulary()
    service.put_gst_rate({"hsn": "5208", "rate_percent": "5", "effective_from": "2026-04-01"})
    vocabulary()
    assert catalogue.reads == 1  # a rate does not touch the vocabulary
    service.put_term("color", "Rani", {"aliases": ["rani pink"]})
    vocabulary()
    assert catalogue.reads == 2
