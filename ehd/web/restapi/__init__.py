"""The REST API under /RestAPI/v1: resources over the database, queried by field, comparison,
sort, limit and id list, and agent state and call control for scripts, with HTTP Basic
authentication for admins."""

from aiohttp.web import AbstractRouteDef

from ehd.web.restapi import http, live

# The live routes first: the resource dispatcher takes every other path under the base.
routes: list[AbstractRouteDef] = [*live.routes, *http.routes]

__all__ = ["routes"]
