"""Every WhatsApp message template the shop sends, one JSON file each (see chalicelib.domain.templates).

Kept inside chalicelib so the Lambda package ships them: the sender needs each template's parameter order.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from chalicelib.domain.templates import TemplateSpec

FOLDER = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def load_templates() -> dict[str, TemplateSpec]:
    """Every template by name, read once per process."""
    specs = {}
    for path in sorted(FOLDER.glob("*.json")):
        spec = TemplateSpec.from_dict(json.loads(path.read_text(encoding="utf-8")))
        specs[spec.name] = spec
    return specs


def template(name: str) -> TemplateSpec:
    """One template by name; KeyError for an unknown one."""
    return load_templates()[name]
