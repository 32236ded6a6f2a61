"""The shell's own pages: home, the status page, and the JSON health check load balancers and
monitors poll."""

from __future__ import annotations

from aiohttp import web

from ehd.web.auth import current_user
from ehd.web.keys import CONFIG, HEALTH
from ehd.web.peers import PEERS
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
    """200 from the ehd that runs the calls with all its parts up, and from another on the same
    PostgreSQL database while it hears that one (it serves the web and passes changes on:
    ehd.web.forwarding); 503 otherwise, so a load balancer sends people where they are served."""
    probe = request.app[HEALTH]
    checks = await probe.check()
    if probe.role == "standby":  # serves the web, passing changes to the active process
        status = "standby"
        healthy = checks.get("database", False) and request.app[PEERS].active_url() is not None
    else:
        healthy = all(checks.values())
        status = "ok" if healthy else "degraded"
    return web.json_response(
        {"status": status, "role": probe.role, "checks": checks},
        status=200 if healthy else 503,
    )
