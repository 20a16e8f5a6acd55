"""Seed a fresh local stack: catalogue vocabulary, GST rates and the sample stock file."""

from __future__ import annotations


def seed(container) -> None:
    """Idempotent: seeding an already seeded stack changes nothing."""
