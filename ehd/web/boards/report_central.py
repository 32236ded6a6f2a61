"""Report central: users subscribe to a statistics view (calls or tickets) by mail (daily,
weekly or monthly; PDF, XLSX and/or CSV; to chosen addresses), see and cancel their
subscriptions (admins see everyone's), and can send one at once.
ehd.web.boards.report_delivery makes and mails them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from ehd.accounts.permissions import Permission
from ehd.calendars.store import ensure_default_calendar
from ehd.db.models import ReportFrequency, ReportSubscription, Role, User
from ehd.errors import EhdError
from ehd.stats.report_schedule import (
    FORMATS,
    TICKET_VIEW_KEYS,
    VIEW_KEYS,
    last_period,
    parse_subscription,
)
from ehd.web.auth import require_permission
from ehd.web.boards.call_statistics import GRANULARITY_LABELS, GROUPING_LABELS
from ehd.web.boards.report_delivery import send_report
from ehd.web.boards.ticket_statistics import DIMENSION_LABELS, PERIOD_LABELS
from ehd.web.keys import TICKET_MAIL
from ehd.web.rendering import render

routes = web.RouteTableDef()
FREQUENCY_LABELS = {
    ReportFrequency.DAILY: "Daily (yesterday)",
    ReportFrequency.WEEKLY: "Weekly (last week)",
    ReportFrequency.MONTHLY: "Monthly (last month)",
}


async def _zone() -> ZoneInfo:
    return ZoneInfo((await ensure_default_calendar()).timezone)


async def _page(
    request: web.Request, me: User, error: str | None = None, typed: dict[str, Any] | None = None,
    status: int = 200,
) -> web.Response:  # fmt: skip
    mine = (
        ReportSubscription.all() if me.role == Role.ADMIN else ReportSubscription.filter(owner=me)
    )
    subscriptions = await mine.order_by("name", "id").prefetch_related("owner")
    # from a statistics page's "Subscribe by mail", or a preset
    keys = {*VIEW_KEYS, *TICKET_VIEW_KEYS, "report", "name", "frequency"}
    view = {key: request.query[key] for key in keys if request.query.get(key)}
    return render("report_central.html", request, {
        "subscriptions": subscriptions, "error": error, "typed": typed or {**view},
        "frequencies": FREQUENCY_LABELS, "formats": FORMATS, "granularities": GRANULARITY_LABELS,
        "groupings": GROUPING_LABELS, "sent": request.query.get("sent", ""),
        "periods": PERIOD_LABELS, "dimensions": DIMENSION_LABELS,
    }, status=status)  # fmt: skip


@routes.get("/statistics/reports")
async def report_central(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.STATISTICS)
    return await _page(request, me)


@routes.post("/statistics/reports")
async def subscribe(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.STATISTICS)
    form = await request.post()
    fields = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    formats = [str(value) for value in form.getall("formats", []) if isinstance(value, str)]
    today = datetime.now(await _zone()).date()
    try:
        wanted = parse_subscription(fields, formats, today)
    except EhdError as err:
        typed = {**fields, "formats": formats}
        return await _page(request, me, err.message, typed, status=err.status)
    await ReportSubscription.create(
        owner=me, name=wanted.name, frequency=wanted.frequency, hour=wanted.hour,
        formats=wanted.formats, recipients=wanted.recipients, query=wanted.query,
    )  # fmt: skip
    raise web.HTTPSeeOther("/statistics/reports")


async def _own(request: web.Request, me: User) -> ReportSubscription:
    number = request.match_info["id"]
    subscription = await ReportSubscription.get_or_none(id=int(number))
    if subscription is None or (me.role != Role.ADMIN and subscription.owner_id != me.id):
        raise web.HTTPNotFound(text="no such subscription")
    return subscription


@routes.post(r"/statistics/reports/{id:[0-9]{1,9}}/delete")
async def unsubscribe(request: web.Request) -> web.StreamResponse:
    me = require_permission(request, Permission.STATISTICS)
    await (await _own(request, me)).delete()
    raise web.HTTPSeeOther("/statistics/reports")


@routes.post(r"/statistics/reports/{id:[0-9]{1,9}}/send")
async def send_now(request: web.Request) -> web.StreamResponse:
    """The last whole period at once (the schedule goes on as before)."""
    me = require_permission(request, Permission.STATISTICS)
    subscription = await _own(request, me)
    zone = await _zone()
    first, last = last_period(subscription.frequency, datetime.now(zone).date())
    mailer = request.app[TICKET_MAIL].mailer
    if not await send_report(mailer, subscription, first, last, zone):
        return await _page(request, me, "No mail server is configured.", status=409)
    raise web.HTTPSeeOther(f"/statistics/reports?sent={subscription.id}")
