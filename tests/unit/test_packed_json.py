"""PackedJSONAttribute: the large JSON attributes (order data, handled replies, outbox payloads) stored packed."""

import json

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.adapters.dynamo_models import OrderRecord, PackedJSONAttribute

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(json_values.filter(lambda v: v is not None))  # None is the absent attribute
def test_every_json_value_reads_back_as_written(value):
    attribute = PackedJSONAttribute()
    assert attribute.deserialize(attribute.get_value({"B": attribute.serialize(value)})) == value


def test_a_large_reply_in_devanagari_is_stored_in_a_fraction_of_its_json_string():
    reply = {
        "type": "interactive",
        "text": "आपका ऑर्डर ORD-20261202-1A2B3C देखिए:\n" + "1. नीला सूती — 20 मीटर × ₹120.00 = ₹2,400.00\n" * 12,
        "buttons": ["पक्का करें", "बदलें", "रद्द करें"],
    }
    packed = PackedJSONAttribute().serialize(reply)
    assert len(packed) < len(json.dumps(reply)) / 4


def test_an_item_written_before_packing_as_a_json_string_is_still_read():
    attribute = OrderRecord.data
    legacy = {"S": json.dumps({"order_id": "ORD-1", "lines": []})}
    assert attribute.deserialize(attribute.get_value(legacy)) == {"order_id": "ORD-1", "lines": []}


def test_a_short_value_is_not_inflated_by_compression():
    small = {"claimed_epoch": 1764700000.5}
    assert len(PackedJSONAttribute().serialize(small)) <= len(json.dumps(small, separators=(",", ":"))) + 1


def test_a_lone_surrogate_from_a_hostile_webhook_is_stored_and_read_back():
    value = {"text": "20m blue \ud800 cotton", "long": "x" * 500}
    attribute = PackedJSONAttribute()
    assert attribute.deserialize(attribute.serialize(value)) == value
