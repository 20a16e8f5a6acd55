"""Alternatives offered when a line is short: other colours of the material, then other materials in the colour."""

from decimal import Decimal

from chalicelib.domain.stock import SAME_COLOUR, SAME_MATERIAL, Alternative, LineRequest, alternatives
from tests.unit.conftest import build_batch as batch

D = Decimal


def six_meters_of_red_polyester() -> LineRequest:
    return LineRequest(material="polyester", color="red", quantity=D("6"), unit="m")


def test_alternatives_offer_other_colours_before_other_materials():
    stock = [
        batch("red poly", material="polyester", color="red", loose="4"),
        batch("red cotton", material="cotton", color="red", rolls=9),
        batch("blue poly", material="polyester", color="blue", rolls=1),
    ]

    offered = alternatives(six_meters_of_red_polyester(), stock)

    assert [(a.material, a.color, a.reason) for a in offered] == [
        ("polyester", "blue", SAME_MATERIAL),
        ("cotton", "red", SAME_COLOUR),
    ]


def test_alternatives_only_offer_what_can_fill_the_whole_line():
    stock = [
        batch("short green", material="polyester", color="green", loose="5"),
        batch("remnant black", material="polyester", color="black", loose="0.4"),
        batch("white", material="polyester", color="white", loose="6"),
    ]

    offered = alternatives(six_meters_of_red_polyester(), stock)

    assert [a.color for a in offered] == ["white"]


def test_alternatives_are_ordered_by_most_meters_then_name_and_capped_at_three():
    stock = [
        batch("pink", material="polyester", color="pink", rolls=1),
        batch("black", material="polyester", color="black", rolls=3),
        batch("blue", material="polyester", color="blue", rolls=1),
        batch("white", material="polyester", color="white", rolls=2),
        batch("red silk", material="silk", color="red", rolls=9),
    ]

    offered = alternatives(six_meters_of_red_polyester(), stock)

    assert [a.color for a in offered] == ["black", "white", "blue"]


def test_alternatives_quote_the_first_lot_price_and_the_price_of_the_whole_line():
    stock = [
        batch("old", material="polyester", color="blue", dye_lot="DL-1", rolls=1, price="82", received_on="2025-01-01"),
        batch("new", material="polyester", color="blue", dye_lot="DL-2", rolls=1, price="70", received_on="2025-02-01"),
    ]

    (offer,) = alternatives(six_meters_of_red_polyester(), stock)

    assert (offer.available_meters, offer.price_per_meter, offer.amount) == (D("80"), D("82"), D("492.00"))


def test_alternatives_never_offer_what_was_asked_for():
    stock = [batch("red poly", material="polyester", color="red", rolls=5)]

    assert alternatives(six_meters_of_red_polyester(), stock) == []


def test_a_roll_line_is_offered_only_kinds_with_enough_whole_rolls():
    line = LineRequest(material="cotton", color="blue", quantity=D("2"), unit="roll")
    stock = [
        batch("loose red", color="red", loose="500"),
        batch("one white roll", color="white", rolls=1),
        batch("two black rolls", color="black", rolls=2),
    ]

    assert [a.color for a in alternatives(line, stock)] == ["black"]


def test_an_alternative_survives_a_round_trip_through_json():
    stock = [batch("blue poly", material="polyester", color="blue", rolls=1, price="82.50")]
    (offer,) = alternatives(six_meters_of_red_polyester(), stock)

    assert Alternative.from_dict(offer.to_dict()) == offer
