"""The bench's DynamoDB pricing of index writes follows the published rules (GSI.html, "Writes to an index")."""

from benchmarks.meter import index_writes, item_size

BY_STATE = ("by-state", ["state", "updated_at"], {"ProjectionType": "ALL"})
KEYS_ONLY = ("by-state", ["state", "updated_at"], {"ProjectionType": "KEYS_ONLY"})
TABLE_KEYS = ["order_id"]


def order(state: str | None, note: str = "x", **extra) -> dict:
    item = {"order_id": {"S": "ORD-1"}, "updated_at": {"S": "2026-12-03T00:00:00"}, "note": {"S": note}}
    if state is not None:
        item["state"] = {"S": state}
    item.update(extra)
    return item


def test_an_item_entering_or_leaving_an_index_is_one_write():
    assert index_writes([BY_STATE], TABLE_KEYS, None, order("NEW")) == [("by-state", 1)]
    assert index_writes([BY_STATE], TABLE_KEYS, order("NEW"), None) == [("by-state", 1)]
    assert index_writes([BY_STATE], TABLE_KEYS, order(None), order("NEW")) == [("by-state", 1)]


def test_a_changed_index_key_is_a_delete_and_a_put():
    assert index_writes([BY_STATE], TABLE_KEYS, order("NEW"), order("APPROVED")) == [("by-state", 2)]


def test_a_changed_projected_attribute_is_one_write_and_an_unprojected_one_none():
    assert index_writes([BY_STATE], TABLE_KEYS, order("NEW", "a"), order("NEW", "b")) == [("by-state", 1)]
    assert index_writes([KEYS_ONLY], TABLE_KEYS, order("NEW", "a"), order("NEW", "b")) == []


def test_nothing_is_written_for_an_unchanged_item_or_one_outside_the_index():
    assert index_writes([BY_STATE], TABLE_KEYS, order("NEW"), order("NEW")) == []  # a failed condition
    assert index_writes([BY_STATE], TABLE_KEYS, order(None, "a"), order(None, "b")) == []  # sparse: never indexed


def test_units_are_per_started_kilobyte_of_the_projected_entry():
    big = order("NEW", data={"B": b"z" * 2500})
    assert 2048 < item_size(big) <= 3072
    assert index_writes([BY_STATE], TABLE_KEYS, None, big) == [("by-state", 3)]
    assert index_writes([KEYS_ONLY], TABLE_KEYS, None, big) == [("by-state", 1)]
