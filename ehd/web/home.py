"""The shell's own pages: home, the status page, and the JSON health check load balancers and
monitors poll."""

from __future__ import annotations

from aiohttp import web

from ehd.web.auth import current_user
from ehd.web.keys import CONFIG, HEALTH
from ehd.web.rendering import render
from ehd.web.start_page import start_context

routes = web.RouteTableDef()


@routes.get("/", name="home")
async def home(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    return render("home.html", request, await start_context(user))


@routes.get("/status")
async def status_page(request: web.Request) -> web.StreamResponse:
    current_user(request)
    probe = request.app[HEALTH]
    checks = await probe.check()
    config = request.app[CONFIG]
    return render(
        "status.html",
        request,
        dict(checks=checks, healthy=all(checks.values()), config=config, role=probe.role),
    )


@routes.get("/health")
async def health(request: web.Request) -> web.StreamResponse:
    """200 from the ehd that acts and has all its parts up; 503 otherwise, so a load balancer
    in front of an active ehd and its standby sends people to the one that acts."""
    probe = request.app[HEALTH]
    checks = await probe.check()
    healthy = all(checks.values())
    status = "standby" if probe.role == "standby" else "ok" if healthy else "degraded"
    return web.json_response(
        {"status": status, "role": probe.role, "checks": checks},
        status=200 if status == "ok" else 503,
    )
