"""Unit tests for GST rates by HSN heading and effective date."""

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain.catalogue import load_seed_terms
from chalicelib.domain.gst import GstRate, NoRateInForce, UnknownHsn, load_seed_rates, rate_for

FABRIC_HEADINGS = [
    "5007", "5112", "5208", "5209", "5210", "5211", "5212", "5309",
    "5407", "5512", "5513", "5514", "5515", "5516", "5801",
]  # fmt: skip


def a_rate(hsn: str = "5208", percent: str = "5", effective_from: date = date(2017, 7, 1)) -> GstRate:
    return GstRate(hsn=hsn, rate_percent=Decimal(percent), effective_from=effective_from)


def test_takes_the_latest_rate_that_took_effect_on_or_before_the_date():
    rates = [
        a_rate(percent="5", effective_from=date(2017, 7, 1)),
        a_rate(percent="12", effective_from=date(2026, 1, 1)),
    ]

    assert rate_for("5208", date(2025, 12, 31), rates) == Decimal("5")
    assert rate_for("5208", date(2026, 1, 1), rates) == Decimal("12")


def test_the_order_of_the_rows_does_not_matter():
    rates = [
        a_rate(percent="12", effective_from=date(2026, 1, 1)),
        a_rate(percent="5", effective_from=date(2017, 7, 1)),
    ]

    assert rate_for("5208", date(2026, 6, 1), rates) == Decimal("12")


def test_an_eight_digit_hsn_takes_the_rate_of_its_heading():
    assert rate_for("52081190", date(2025, 10, 1), [a_rate(hsn="5208", percent="5")]) == Decimal("5")


def test_an_unknown_hsn_is_a_clear_error():
    with pytest.raises(UnknownHsn, match="6302"):
        rate_for("6302", date(2025, 10, 1), [a_rate(hsn="5208")])


def test_a_date_before_any_rate_took_effect_is_a_clear_error():
    with pytest.raises(NoRateInForce):
        rate_for("5208", date(2017, 6, 30), [a_rate(effective_from=date(2017, 7, 1))])


def test_a_rate_survives_the_round_trip_through_a_table_row():
    rate = GstRate(hsn="5407", rate_percent=Decimal("5"), effective_from=date(2025, 9, 22), description="synthetic")

    assert GstRate.from_dict(rate.to_dict()) == rate


@pytest.mark.parametrize("hsn", FABRIC_HEADINGS)
def test_woven_fabrics_stay_at_five_percent_across_the_september_2025_change(hsn):
    rates = load_seed_rates()

    assert rate_for(hsn, date(2017, 7, 1), rates) == Decimal("5")
    assert rate_for(hsn, date(2025, 9, 21), rates) == Decimal("5")
    assert rate_for(hsn, date(2025, 9, 22), rates) == Decimal("5")


def test_the_seed_holds_the_2017_and_the_2025_rows_for_every_heading():
    dates_by_hsn: dict[str, set[date]] = {}
    for rate in load_seed_rates():
        dates_by_hsn.setdefault(rate.hsn, set()).add(rate.effective_from)

    assert sorted(dates_by_hsn) == sorted(FABRIC_HEADINGS)
    assert all(dates == {date(2017, 7, 1), date(2025, 9, 22)} for dates in dates_by_hsn.values())


def test_every_material_in_the_catalogue_has_a_gst_rate():
    rates = load_seed_rates()
    materials = [term for term in load_seed_terms() if term.kind == "material"]

    for material in materials:
        assert rate_for(material.hsn, date(2025, 10, 1), rates) == Decimal("5"), material.name
