"""Admin screens for calendars: the list (which queues use which), and the editor with weekly
hours per weekday, the country's holidays (each closed or kept as an ordinary day), own
closing days and the ordered variations, plus a check of any moment. Saved through the same
checks as the JSON API; a refused form comes back with what was typed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from ehd.calendars.editing import calendar_view, save_calendar
from ehd.calendars.evaluate import check, holiday_names
from ehd.calendars.model import WEEKDAYS
from ehd.calendars.store import DEFAULT_CALENDAR, ensure_default_calendar, rules_for
from ehd.db.models import Calendar, Queue, Role, Sound
from ehd.errors import EhdError, NotFoundError, ValidationError
from ehd.web.auth import require_role
from ehd.web.new_names import new_name_problem
from ehd.web.rendering import render
from ehd.web.telephony.calendar_form import calendar_from_form

routes = web.RouteTableDef()
BLANK_ROWS = 2


def holiday_rows(country: str, off: list[str], today: date) -> list[dict[str, Any]]:
    """This year's and next year's holidays by name, with their dates and whether they are
    kept as ordinary days. Names switched off that neither year has stay listed (so saving
    the page keeps them). Pure apart from the holiday library."""
    dates: dict[str, list[date]] = {}
    for year in (today.year, today.year + 1):
        try:
            table = holiday_names(country, year)
        except ValidationError:
            table = {}
        for day, names in sorted(table.items()):
            for name in names.split(";"):
                dates.setdefault(name.strip(), []).append(day)
    rows = [{"name": name, "dates": days, "open": name in off} for name, days in dates.items()]
    rows += [{"name": name, "dates": [], "open": True} for name in off if name not in dates]
    return sorted(rows, key=lambda row: (row["dates"][:1] or [date.max], row["name"]))


async def _editor(request: web.Request, view: dict[str, Any], *, error: str = "",
                  saved: bool = False, status: int = 200) -> web.Response:  # fmt: skip
    name = view["name"]
    queues = await Queue.filter(calendar__name=name).order_by("name").values_list("name", flat=True)
    result = None
    if "at" in request.query and not error:
        result = await _check(name, request.query["at"])
    weekly = {day: view["weekly"].get(day, []) for day in WEEKDAYS}
    return render("admin_calendar.html", request, {
        "cal": view, "weekdays": WEEKDAYS, "blank": BLANK_ROWS, "error": error, "saved": saved,
        "weekly": weekly, "used_by": queues, "is_default": name == DEFAULT_CALENDAR,
        "holidays": holiday_rows(view["country"], view["holidays_off"], datetime.now(UTC).date()),
        "sounds": sorted(set(await Sound.all().values_list("name", flat=True))),
        "check": result, "at": request.query.get("at", ""),
    }, status=status)  # fmt: skip


async def _check(name: str, at_text: str) -> dict[str, Any]:
    calendar = await Calendar.get(name=name)
    rules = await rules_for(calendar)
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        return {"error": f"{at_text!r} is not a date and time"}
    at = at if at.tzinfo else at.replace(tzinfo=rules.zone)
    status = check(rules, at)
    kind, _, detail = status.reason.partition(":")
    if kind == "variation":
        detail = next((v.name for v in rules.variations if str(v.id) == detail), "") or detail
    return {"open": status.open, "kind": kind, "detail": detail, "audio": status.audio}


async def _calendar(name: str) -> Calendar:
    if name == DEFAULT_CALENDAR:
        return await ensure_default_calendar()
    calendar = await Calendar.get_or_none(name=name)
    if calendar is None:
        raise NotFoundError(f"no calendar named {name!r}")
    return calendar


@routes.get("/admin/calendars")
async def calendars(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    await ensure_default_calendar()
    return await _list(request)


async def _list(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    rows = await Calendar.all().order_by("name")
    queues = await Queue.filter(calendar_id__isnull=False).prefetch_related("calendar")
    used: dict[str, list[str]] = {}
    for queue in queues:
        if queue.calendar:
            used.setdefault(queue.calendar.name, []).append(queue.name)
    return render("admin_calendars.html", request, {
        "calendars": rows, "used": used, "default": DEFAULT_CALENDAR, "error": error,
    }, status=status)  # fmt: skip


@routes.post("/admin/calendars")
async def create(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    name = str((await request.post()).get("name", "")).strip()
    problem = await new_name_problem(name, Calendar, "calendar", 64)
    if problem:
        return await _list(request, *problem)
    default = await ensure_default_calendar()
    await Calendar.create(name=name, timezone=default.timezone, country=default.country,
                          weekly=default.weekly)  # fmt: skip
    raise web.HTTPSeeOther(f"/admin/calendars/{quote(name, safe='')}")


@routes.get("/admin/calendars/{name}")
async def editor(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    calendar = await _calendar(request.match_info["name"])
    return await _editor(request, await calendar_view(calendar), saved="saved" in request.query)


@routes.post("/admin/calendars/{name}")
async def save(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    calendar = await _calendar(request.match_info["name"])
    body, problems = calendar_from_form(await request.post())
    typed = {**body, "name": calendar.name, "warnings": []}
    if problems:  # shown with what was typed, so nothing is lost
        return await _editor(request, typed, error=" ".join(problems), status=400)
    try:
        await save_calendar(calendar.name, body)
    except EhdError as err:
        return await _editor(request, typed, error=err.message, status=err.status)
    raise web.HTTPSeeOther(f"/admin/calendars/{quote(calendar.name, safe='')}?saved=1")


@routes.post("/admin/calendars/{name}/delete")
async def delete(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    calendar = await _calendar(request.match_info["name"])
    if calendar.name == DEFAULT_CALENDAR:
        return await _list(request, "The default calendar cannot be deleted.", 400)
    users = await Queue.filter(calendar=calendar).values_list("name", flat=True)
    if users:
        names = ", ".join(map(str, users))
        message = f"Calendar {calendar.name} is used by queue {names}; choose another there first."
        return await _list(request, message, 409)
    await calendar.delete()
    raise web.HTTPSeeOther("/admin/calendars")
