"""A refused form as the page shows it: the error next to the input it concerns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mobility.errors import DomainError
from mobility.web.i18n import error_text


@dataclass(frozen=True)
class FormError:
    """The translated reason a form was refused, and the id of the input it concerns (if shown)."""

    text: str
    field: str | None = None

    def __str__(self) -> str:
        return self.text


def form_error(exc: DomainError, fields: Mapping[str, str] | Iterable[str] = ()) -> FormError:
    """The error of a refused form; `fields` maps the domain's field names to this form's ids.

    An error about a field the form does not show stays at the top of the page.
    """
    ids = fields if isinstance(fields, Mapping) else {name: name for name in fields}
    field = exc.details.get("field")
    return FormError(error_text(exc), ids.get(str(field)) if field else None)
