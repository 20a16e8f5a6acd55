"""Use cases on stock: import batches (all or nothing, idempotent), the owner's report, and the stock view the
conversation allocates against."""

from __future__ import annotations

from chalicelib.domain.stock import AllocationPolicy, LineRequest, allocate, alternatives
from chalicelib.domain.stock_import import parse_stock_csv, parse_stock_rows
from chalicelib.domain.stock_report import stock_report
from chalicelib.services.ports import StockRepositoryPort, VocabularyProvider


class StockService:
    def __init__(
        self, repository: StockRepositoryPort, vocabulary_provider: VocabularyProvider, policy: AllocationPolicy
    ):
        self._repo = repository
        self._vocabulary = vocabulary_provider
        self.policy = policy

    def import_rows(self, rows: list[dict]):
        """Raises StockImportError (every bad row with its number) before writing anything."""
        return self._repo.import_batches(parse_stock_rows(rows, self._vocabulary()))

    def import_csv(self, text: str):
        return self._repo.import_batches(parse_stock_csv(text, self._vocabulary()))

    def report(self) -> dict:
        batches, reserved = self._repo.all_with_reserved()
        return stock_report(batches, reserved)

    def view(self) -> StockView:
        return StockView(self._repo, self.policy)


class StockView:
    """What the conversation engine sees: allocation and alternatives against current stock, read per call."""

    def __init__(self, repository: StockRepositoryPort, policy: AllocationPolicy):
        self._repo = repository
        self._policy = policy

    def allocate(self, line: LineRequest):
        return allocate(line, self._repo.of_material(line.material, line.color), self._policy)

    def on_shelf(self, material: str | None = None, color: str | None = None):
        """The batches of a material and/or colour, every batch when neither is named (rates, colours in stock)."""
        if material is not None:
            return self._repo.of_material(material, color)
        if color is not None:
            return self._repo.of_color(color)
        return self._repo.all()

    def alternatives(self, line: LineRequest):
        candidates = {b.batch_id: b for b in self._repo.of_material(line.material)}
        candidates.update({b.batch_id: b for b in self._repo.of_color(line.color)})
        return alternatives(line, list(candidates.values()), self._policy)
