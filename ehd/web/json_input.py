"""A JSON API request's body: one object of plain JSON (no NaN, no Infinity, a bounded depth),
else a 400 naming what is wrong.

Cookie sessions are accepted only with a JSON body (or a multipart upload, which also needs
the CSRF token), which a cross-site form cannot forge.
"""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web

from ehd.errors import (
    ValidationError,
)

MAX_JSON_DEPTH = 16


async def json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise ValidationError("send a JSON body (Content-Type: application/json)")
    if not request.can_read_body:
        return {}
    try:
        body = parse_json(await request.text())
    except (ValueError, RecursionError) as err:
        raise ValidationError(f"the body is not valid JSON ({err})") from err
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object")
    return body


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large for a number")
    return number


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str) -> Any:
    """Strict JSON: no NaN or Infinity, no number that overflows to infinity, and nesting of
    at most MAX_JSON_DEPTH levels (the parser's own RecursionError covers far deeper text)."""
    value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    level, layer = 0, [value]
    while layer:
        level += 1
        if level > MAX_JSON_DEPTH:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        layer = [
            child
            for item in layer
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
    return value
