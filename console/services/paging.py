"""One page of a query plus the total, for every console list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
# Any select, whatever its columns.
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items of one page and where it sits in the whole list."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one)."""
        return max(1, (self.total + self.per_page - 1) // self.per_page)


def page_of(
    s: Session, stmt: AnySelect, page: int, per_page: int, *, rows: bool = False
) -> Page[Any]:
    """A page of `stmt` (entities, or row tuples with `rows`) and the count of all matches."""
    total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    sliced = stmt.limit(per_page).offset((page - 1) * per_page)
    items: list[Any] = [tuple(r) for r in s.execute(sliced)] if rows else list(s.scalars(sliced))
    return Page(items, total, page, per_page)
