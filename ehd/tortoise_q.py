"""Small query helpers Tortoise lacks."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q


def either(**conditions: Any) -> Q:
    """Any one of the field conditions: ``either(a=1, b=1)`` is ``Q(a=1) | Q(b=1)``."""
    return Q(*(Q(**{key: value}) for key, value in conditions.items()), join_type="OR")
