"""CRM: contacts and companies with their tickets and calls.

``routes`` is the package's one route table, in the order the app registers it."""

from __future__ import annotations

from aiohttp.web import AbstractRouteDef

from ehd.web.crm import pages

routes: list[AbstractRouteDef] = [
    *pages.routes,
]
