"""Saved ticket searches and shortcut menus.

A saved search keeps an overview's filters under a name; ``/tickets?g_exe=NAME`` runs it (the
user's own first, then a shared one). A user's shortcut menu comes from their own menu
profile, else the first profile of one of their teams, else the standard profile, followed by
their saved searches.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

from aiohttp import web
from multidict import MultiDict, MultiDictProxy, MultiMapping

from ehd.accounts.permissions import Permission, may
from ehd.db.models import MenuProfile, Role, SavedSearch, User
from ehd.errors import NotFoundError, ValidationError
from ehd.web.auth import current_user, require_role
from ehd.web.rendering import render

routes = web.RouteTableDef()
MAX_ITEMS = 30
SEARCH_KEYS = (
    "status",
    "source",
    "agent",
    "watched",
    "mine",
    "q",
    "group",
    "col",
    "sort",
    "dir",
    "size",
    "view",
)


def parse_items(text: str) -> list[dict[str, str]]:
    """Lines of "Label | URL" (a local path or an http(s) address). Pure."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, bar, url = (part.strip() for part in line.partition("|"))
        if not bar or not label or not url:
            raise ValidationError(f"line {number}: write it as Label | /path", field="items")
        local = url.startswith("/") and not url.startswith("//")
        if not (local or url.startswith(("https://", "http://"))) or any(c.isspace() for c in url):
            raise ValidationError(f"line {number}: {url!r} is not a link", field="items")
        items.append({"label": label[:64], "url": url[:500]})
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"a menu holds at most {MAX_ITEMS} links", field="items")
    return items


def search_query(query: MultiMapping[str]) -> str:
    """The part of an overview's query string a saved search keeps."""
    return urlencode([(k, v) for k, v in query.items() if k in SEARCH_KEYS])


async def find_search(user: User, name: str) -> SavedSearch:
    own = await SavedSearch.get_or_none(name=name, owner=user)
    found = own or await SavedSearch.get_or_none(name=name, owner=None)
    if found is None:
        raise NotFoundError(f"no saved search {name!r}")
    return found


async def run_search(user: User, query: MultiMapping[str]) -> MultiMapping[str]:
    """The overview's query: a saved search's filters when ``g_exe`` names one."""
    name = query.get("g_exe")
    if not name:
        return query
    found = await find_search(user, name)
    return MultiDictProxy(MultiDict([*parse_qsl(found.query), ("g_exe", name)]))


@routes.post("/tickets/searches")
async def save_search(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    form = await request.post()
    name = str(form.get("name", "")).strip()
    query = str(form.get("query", ""))
    shared = bool(form.get("shared")) and may(me, Permission.TICKETS_DISPATCH)
    if not name or len(name) > 64 or not all(ch.isalnum() or ch in " _-." for ch in name):
        raise web.HTTPSeeOther(f"/tickets?{query}&error=" + quote("Name the search with "
                               "letters, digits, spaces, - _ or ."))  # fmt: skip
    kept = search_query(MultiDict(parse_qsl(query)))
    await SavedSearch.update_or_create(name=name, owner=None if shared else me,
                                       defaults={"query": kept})  # fmt: skip
    raise web.HTTPSeeOther(f"/tickets?g_exe={quote(name)}")


@routes.post("/tickets/searches/{name}/delete")
async def delete_search(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    found = await find_search(me, request.match_info["name"])
    if found.owner_id is None and not may(me, Permission.TICKETS_DISPATCH):
        raise NotFoundError("no saved search of yours by that name")
    await found.delete()
    raise web.HTTPSeeOther("/tickets")


async def _menus_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    profiles = await MenuProfile.all().order_by("name")
    return render("admin_menus.html", request, {"profiles": profiles, "error": error},
                  status=status)  # fmt: skip


@routes.get("/admin/menus")
async def menus(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _menus_page(request)


@routes.post("/admin/menus")
async def save_menu(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    name = str(form.get("name", "")).strip()[:64]
    if not name:
        return await _menus_page(request, "Name the menu profile.", 400)
    try:
        items = parse_items(str(form.get("items", "")))
    except ValidationError as err:
        return await _menus_page(request, err.message, 400)
    teams = [t.strip() for t in str(form.get("teams", "")).split(",") if t.strip()]
    standard = bool(form.get("standard"))
    if standard:
        await MenuProfile.filter(standard=True).exclude(name=name).update(standard=False)
    await MenuProfile.update_or_create(name=name, defaults={"items": items, "teams": teams,
                                                            "standard": standard})  # fmt: skip
    raise web.HTTPSeeOther("/admin/menus")
