"""A statistics view as a file or JSON, when its query asks for one (``format``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def download(
    request: web.Request, name: str, csv: Callable[[], str], xlsx: Callable[[], bytes],
    as_json: Callable[[], object],
) -> web.StreamResponse | None:  # fmt: skip
    """The answer for ``?format=csv|xlsx|json``, or None for the page itself."""
    attachment = {"Content-Disposition": f'attachment; filename="{name}.'}
    match request.query.get("format", ""):
        case "csv":
            headers = {key: f'{value}csv"' for key, value in attachment.items()}
            return web.Response(text=csv(), content_type="text/csv", headers=headers)
        case "xlsx":
            body = await asyncio.to_thread(xlsx)  # a long report takes a moment
            headers = {key: f'{value}xlsx"' for key, value in attachment.items()}
            return web.Response(body=body, content_type=XLSX, headers=headers)
        case "json":
            return web.json_response(as_json())
        case "":
            return None
        case other:
            raise web.HTTPBadRequest(text=f"format: csv, xlsx or json, not {other!r}")
