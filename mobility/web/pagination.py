"""Page/per_page parsing and the JSON envelope for paginated lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mobility.errors import ValidationFailed

MAX_PER_PAGE = 100


def page_args(default_per_page: int = 20, args: Mapping[str, str] | None = None) -> tuple[int, int]:
    """Validated ?page=&per_page= from the request (or from `args`, its query parameters)."""
    query = request.args if args is None else args
    try:
        page = int(query.get("page", 1))
        per_page = int(query.get("per_page", default_per_page))
    except ValueError:
        raise ValidationFailed("page and per_page must be integers") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed(f"page must be >= 1 and per_page between 1 and {MAX_PER_PAGE}")
    return page, per_page


def paginate(s: Session, stmt: Select[Any], page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of a select plus the total count."""
    total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(s.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return items, total


def envelope(items: list[dict[str, Any]], total: int, page: int, per_page: int) -> dict[str, Any]:
    """The JSON shape of every list: items plus paging facts."""
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": (total + per_page - 1) // per_page,
    }
