"""The name of a new object on an admin screen (calendar, filter, template): it goes into
the page's address, so it has a length limit and no "/", and it must not be taken."""

from __future__ import annotations

from tortoise.models import Model


async def new_name_problem(name: str, model: type[Model], kind: str,
                           longest: int) -> tuple[str, int] | None:  # fmt: skip
    """Why ``name`` cannot name a new ``kind`` (message and HTTP status), or None."""
    if not name or len(name) > longest or "/" in name:
        return f"A {kind} name is 1-{longest} characters without /.", 400
    if await model.exists(name=name):
        return f"There is already a {kind} named {name}.", 409
    return None
