"""What supervisors watch: wallboards and statistics.

``routes`` is the package's one route table, in the order the app registers it."""

from __future__ import annotations

from aiohttp.web import AbstractRouteDef

from ehd.web.boards import (
    call_statistics,
    report_central,
    statistics,
    survey_statistics,
    ticket_statistics,
    wallboard,
)

routes: list[AbstractRouteDef] = [
    *wallboard.routes,
    *statistics.routes,
    *call_statistics.routes,
    *ticket_statistics.routes,
    *survey_statistics.routes,
    *report_central.routes,
]
