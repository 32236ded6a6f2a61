"""Chat: the visitor's page and the agent's list and chat pages.

``routes`` is the package's one route table, in the order the app registers it."""

from __future__ import annotations

from aiohttp.web import AbstractRouteDef

from ehd.web.chat import agent, visitor

routes: list[AbstractRouteDef] = [
    *visitor.routes,
    *agent.routes,
]
