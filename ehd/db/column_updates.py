"""Column values computed by the UPDATE that writes them, so a write needs no read before it.

Each returns an expression for ``QuerySet.update``: the database applies it to the row as it
is when the statement runs, which also keeps two writers from losing one's change.
"""

from __future__ import annotations

from typing import Any, cast

from tortoise.expressions import Case, F, Function, Q, Value, When


def _value(value: float | str) -> Function:
    # When() resolves any expression; its annotation names fewer kinds than it takes.
    return cast(Function, Value(value))


def _where(lookup: str, value: object) -> Q:
    condition: dict[str, Any] = {lookup: value}
    return Q(**condition)


def grown(column: str, by: float) -> Case:
    """The column plus ``by`` (``by`` where it was NULL)."""
    return Case(When(_where(f"{column}__isnull", True), then=_value(by)), default=F(column) + by)


def set_once(column: str, value: float | str) -> Case:
    """``value`` where the column is NULL; an earlier value stays."""
    return Case(When(_where(f"{column}__isnull", True), then=_value(value)), default=F(column))


def replaced(column: str, old: str, new: str) -> Case:
    """``new`` where the column holds ``old``; any other value stays."""
    return Case(When(_where(column, old), then=_value(new)), default=F(column))
