"""The one search box: tickets, contacts, companies and calls on one page.

``routes`` is the package's one route table, in the order the app registers it."""

from __future__ import annotations

from aiohttp.web import AbstractRouteDef

from ehd.web.search import page

routes: list[AbstractRouteDef] = [
    *page.routes,
]
