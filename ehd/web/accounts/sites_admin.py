"""Admin screen for sites (brands): ID, description, the agents' instruction, the mail sender,
the greeting, and the origins allowed to embed the site's contact form."""

from __future__ import annotations

from aiohttp import web

from ehd.accounts.site_store import save_site
from ehd.db.models import Role, Site
from ehd.errors import ValidationError
from ehd.web.auth import require_role
from ehd.web.rendering import render

routes = web.RouteTableDef()
SITE_FORM = ("code", "description", "agent_instruction", "email_sender", "greeting",
             "phone_number")  # fmt: skip


async def _page(request: web.Request, error: str = "", form: dict[str, str] | None = None,
                status: int = 200) -> web.Response:  # fmt: skip
    sites = await Site.all().order_by("code")
    return render("admin_sites.html", request, {"sites": sites, "error": error,
                                                "form": form or {}}, status=status)  # fmt: skip


@routes.get("/admin/sites")
async def sites(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _page(request)


@routes.post("/admin/sites")
async def save(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    form = await request.post()
    text = {key: str(form.get(key, "")).strip() for key in (*SITE_FORM, "embed_origins")}
    body: dict[str, object] = {key: text[key] for key in SITE_FORM if key != "code"}
    body["embed_origins"] = text["embed_origins"].split()
    try:
        await save_site(text["code"], body)
    except ValidationError as err:
        return await _page(request, err.message, text, 400)
    raise web.HTTPSeeOther("/admin/sites")
