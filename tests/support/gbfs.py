"""Validate feeds against MobilityData's GBFS JSON schemas (committed with their licence)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SCHEMAS = Path(__file__).parent / "gbfs_schemas"


@cache
def validator(version: str, name: str) -> Draft7Validator:
    """The official schema of one feed of one version, checking formats (date-time...)."""
    schema = json.loads((SCHEMAS / f"v{version}" / f"{name}.json").read_text())
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def problems(doc: Any, version: str, name: str) -> list[str]:
    """Every way the document breaks the schema (empty when valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator(version, name).iter_errors(doc)
    ]
