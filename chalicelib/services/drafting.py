"""Drafting an order's invoice from the current reference data: the pure drafting (domain/invoice.py) fed with the
vocabulary, the GST rates and the shop's settings. Call it; the approval, the owner's views and the notification
share one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from chalicelib.domain.invoice import Invoice, draft_invoice
from chalicelib.services.ports import DeskSettings, GstRatesProvider, VocabularyProvider


class InvoiceDrafting:
    def __init__(
        self,
        *,
        vocabulary: VocabularyProvider,
        gst_rates: GstRatesProvider,
        settings: DeskSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self._vocabulary = vocabulary
        self._gst_rates = gst_rates
        self._settings = settings
        self._clock = clock

    def __call__(self, order, customer: dict, number: str = "DRAFT", on: date | None = None) -> Invoice:
        return draft_invoice(
            order,
            customer,
            supplier=self._settings.supplier,
            vocabulary=self._vocabulary(),
            rates=self._gst_rates(),
            on=on or self._clock().date(),
            credit_days=self._settings.credit_days,
            number=number,
        )
