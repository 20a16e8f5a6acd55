"""Seed a fresh local stack: catalogue vocabulary, GST rates and the sample stock file."""

from __future__ import annotations

import logging

log = logging.getLogger("devstack.seed")


def seed(container) -> None:
    """Idempotent: seeding an already seeded stack changes nothing (and never overwrites the owner's edits)."""
    from chalicelib.domain.catalogue import load_seed_terms
    from chalicelib.domain.gst import load_seed_rates
    from chalicelib.domain.stock_import import SAMPLE_STOCK_FILE

    written = container.catalogue.seed(load_seed_terms(), load_seed_rates())
    result = container.stock.import_csv(SAMPLE_STOCK_FILE.read_text(encoding="utf-8"))
    log.info(
        "seed: %d catalogue rows, sample stock %d new batches (%d already there) from %s",
        written,
        result.created,
        result.unchanged,
        SAMPLE_STOCK_FILE.name,
    )
