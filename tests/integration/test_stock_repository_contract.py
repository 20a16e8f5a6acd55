"""One contract, two implementations: the in-memory stock repository and the DynamoDB one on the emulator."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest

from chalicelib.adapters.memory import InMemoryStockRepository
from chalicelib.domain.errors import OutOfStock
from chalicelib.domain.stock import Batch, LineRequest, StockChange, allocate

pytestmark = pytest.mark.integration


def batch(material, color="blue", rolls=2, loose="5", lot="DL-1", received="2025-01-01", price="100") -> Batch:
    return Batch(
        batch_id=str(uuid.uuid4()),
        material=material,
        color=color,
        dye_lot=lot,
        rolls=rolls,
        meters_per_roll=Decimal("40.00"),
        loose_meters=Decimal(loose).quantize(Decimal("0.01")),
        price_per_meter=Decimal(price).quantize(Decimal("0.01")),
        received_on=date.fromisoformat(received),
        hsn="5208",
    )


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    if request.param == "memory":
        return InMemoryStockRepository()
    aws = request.getfixturevalue("aws")
    from chalicelib.adapters.stock_repository import DynamoStockRepository

    return DynamoStockRepository(aws.container.tables)


@pytest.fixture
def material():
    """A material name no other test uses, so shared tables do not leak between tests."""
    return f"test-{uuid.uuid4().hex[:8]}"


def test_importing_the_same_batches_twice_creates_them_once(repo, material):
    batches = [batch(material), batch(material, color="red")]
    first = repo.import_batches(batches)
    second = repo.import_batches(batches)
    assert (first.created, first.unchanged) == (2, 0)
    assert (second.created, second.unchanged) == (0, 2)
    assert len(repo.of_material(material)) == 2


def test_batches_are_found_by_material_and_colour_oldest_first(repo, material):
    old = batch(material, received="2024-05-01")
    new = batch(material, received="2025-05-01")
    other = batch(material, color="red")
    repo.import_batches([new, other, old])
    assert [b.batch_id for b in repo.of_material(material, "blue")] == [old.batch_id, new.batch_id]
    assert {b.batch_id for b in repo.of_color("red")} >= {other.batch_id}


def test_a_movement_that_needs_more_than_a_batch_has_changes_nothing(repo, material):
    a, b = batch(material, rolls=1), batch(material, rolls=5, lot="DL-2")
    repo.import_batches([a, b])
    with pytest.raises(OutOfStock) as refused:
        repo.adjust([StockChange(b.batch_id, rolls_removed=2), StockChange(a.batch_id, rolls_removed=2)])
    assert a.batch_id in refused.value.batch_ids
    assert repo.get(a.batch_id).rolls == 1 and repo.get(b.batch_id).rolls == 5


def test_reserving_an_allocation_moves_its_meters_from_the_shelf_to_reserved_and_release_puts_them_back(repo, material):
    stocked = batch(material, rolls=2, loose="5")
    repo.import_batches([stocked])
    allocation = allocate(LineRequest(material, "blue", Decimal("47.00")), repo.of_material(material, "blue"))
    repo.reserve(list(allocation.parts))
    after = repo.get(stocked.batch_id)
    assert after.total_meters == stocked.total_meters - Decimal("47")
    assert repo.reserved_meters(stocked.batch_id) == Decimal("47")
    repo.release(list(allocation.parts))
    assert repo.reserved_meters(stocked.batch_id) == 0
    assert repo.get(stocked.batch_id).total_meters == stocked.total_meters


def test_concurrent_reservations_of_the_last_rolls_never_oversell(repo, material):
    stocked = batch(material, rolls=5, loose="0")
    repo.import_batches([stocked])
    allocation = allocate(LineRequest(material, "blue", Decimal("1"), "roll"), repo.of_material(material, "blue"))

    def reserve(_):
        try:
            repo.reserve(list(allocation.parts))
            return True
        except OutOfStock:
            return False

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(reserve, range(12)))
    assert sum(results) == 5
    assert repo.get(stocked.batch_id).rolls == 0


def test_every_batch_comes_with_its_reserved_meters(repo, material):
    stocked = batch(material, rolls=2, loose="5")
    repo.import_batches([stocked])
    allocation = allocate(LineRequest(material, "blue", Decimal("10.00")), repo.of_material(material, "blue"))
    repo.reserve(list(allocation.parts))
    batches, reserved = repo.all_with_reserved()
    assert stocked.batch_id in {b.batch_id for b in batches}
    assert reserved[stocked.batch_id] == Decimal("10")
