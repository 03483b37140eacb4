"""Request bodies parsed strictly: what JSON cannot mean is refused, never half-understood.

NaN and Infinity (not JSON), numbers that overflow (1e999) or do not fit 64 bits, and nesting
deep enough to exhaust the parser are ValueErrors, which the edges answer with 400/422.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask.json.provider import DefaultJSONProvider

_LOW, _HIGH = -(2**63), 2**63


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _int(text: str) -> int:
    if len(text) > 20:  # int() of a huge digit string is slow, and no field needs one
        raise ValueError("integer out of range")
    value = int(text)
    if not _LOW <= value < _HIGH:
        raise ValueError("integer out of range")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def strict_loads(text: str | bytes) -> Any:
    """json.loads refusing NaN, Infinity, overflowing numbers and absurd nesting."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_int=_int, parse_float=_float)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with strict parsing of request bodies."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse strictly (keyword options are not used by the platform)."""
        return strict_loads(s)
