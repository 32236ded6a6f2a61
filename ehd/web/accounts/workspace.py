"""My workspace: the user's own settings for their ticket work (``ehd.accounts.workspace``)."""

from __future__ import annotations

from aiohttp import web

from ehd.accounts.workspace import INBOX_NEW, LEAVING, Workspace, save_workspace, workspace_of
from ehd.errors import EhdError
from ehd.web.auth import current_user
from ehd.web.rendering import render

routes = web.RouteTableDef()


def _page(request: web.Request, chosen: Workspace, message: str = "", error: str = "",
          status: int = 200) -> web.Response:  # fmt: skip
    return render("workspace.html", request, {
        "workspace": chosen, "inbox_new": INBOX_NEW, "leaving": LEAVING,
        "message": message, "error": error,
    }, status=status)  # fmt: skip


@routes.get("/workspace")
async def workspace_page(request: web.Request) -> web.StreamResponse:
    return _page(request, workspace_of(current_user(request)))


@routes.post("/workspace")
async def save(request: web.Request) -> web.StreamResponse:
    me = current_user(request)
    form = await request.post()
    chosen = Workspace(
        inbox_new=str(form.get("inbox_new", "none")),
        inbox_hide=tuple(str(s) for s in form.getall("inbox_hide", [])),
        take_on_open=form.get("take_on_open") == "on",
        watch_on_activity=form.get("watch_on_activity") == "on",
        notify_new_tickets=form.get("notify_new_tickets") == "on",
        notify_chats=form.get("notify_chats") == "on",
    )
    try:
        saved = await save_workspace(me, chosen)
    except EhdError as err:
        return _page(request, workspace_of(me), error=err.message, status=400)
    return _page(request, saved, message="Saved.")
