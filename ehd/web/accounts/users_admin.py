"""Admin screens for users: list, create, and edit one (access group, single permissions,
sites and the site restriction, language, alias).

A SIP password is shown once: on the page that answers the creation of its user, or on the one
that answers "new SIP password". No list shows it (a screen share or a shoulder would do)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from aiohttp import web

from ehd.accounts.password_policy import Policy
from ehd.accounts.permissions import LABELS, PRESETS, Permission
from ehd.accounts.service import choose_phone, create_user, new_sip_secret
from ehd.crm.directory import EMAIL
from ehd.db.models import MenuProfile, PhoneKind, Role, User, VoicemailMessage
from ehd.errors import NotFoundError, ValidationError
from ehd.phone_numbers import to_e164
from ehd.web.auth import require_role
from ehd.web.i18n import LANGUAGES
from ehd.web.keys import ACCOUNTS_CHANGED, CONFIG
from ehd.web.rendering import render

routes = web.RouteTableDef()


async def _render(
    request: web.Request,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
    created: User | None = None,
) -> web.StreamResponse:
    users = await User.all().order_by("username")
    return render(
        "admin_users.html",
        request,
        dict(
            users=users,
            roles=list(Role),
            error=error,
            form=form or {},
            unmailed=await unmailed_voicemail(),
            created=created,
        ),
        status=status,
    )


async def unmailed_voicemail() -> dict[str, int]:
    """Users with voicemail that could not be mailed for want of an address: username -> count."""
    owners = await VoicemailMessage.filter(emailed=False, user__email="").values_list(
        "user__username", flat=True
    )
    return dict(sorted(Counter(str(owner) for owner in owners).items()))


@routes.get("/admin/users")
async def list_users(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _render(request)


@routes.post("/admin/users")
async def add_user(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    data = await request.post()
    form = {
        key: str(data.get(key, "")).strip()
        for key in ("username", "name", "email", "role", "sip_extension")
    }
    try:
        role = Role(form["role"] or Role.AGENT)
    except ValueError:
        return await _render(request, error="Unknown role.", form=form, status=400)
    try:
        account = await create_user(
            form["username"],
            str(data.get("password", "")),
            name=form["name"],
            email=form["email"],
            role=role,
            sip_extension=form["sip_extension"] or None,
            policy=Policy(request.app[CONFIG].password_policy),
            admin_min_length=request.app[CONFIG].admin_password_min_length,
        )
    except ValidationError as err:
        return await _render(request, error=err.message, form=form, status=400)
    await request.app[ACCOUNTS_CHANGED]()
    return await _render(request, created=account)  # the one page that shows its SIP password


SITE_CODE = re.compile(r"[A-Za-z0-9_-]{1,8}")


async def _account(request: web.Request) -> User:
    account = await User.get_or_none(username=request.match_info["username"])
    if account is None:
        raise NotFoundError("no such user")
    return account


async def _edit_page(request: web.Request, account: User, **values: Any) -> web.Response:
    menus = await MenuProfile.all().order_by("name").values_list("name", flat=True)
    status = int(values.pop("status", 200))
    return render("admin_user.html", request, {
        "account": account, "roles": list(Role), "languages": LANGUAGES,
        "permissions": [(p.value, label) for p, label in LABELS.items()],
        "preset": {p.value for p in PRESETS[account.role]}, "error": None, "saved": False,
        "menus": menus, "new_sip_password": None,
        **values,
    }, status=status)  # fmt: skip


@routes.get("/admin/users/{username}")
async def edit_user(request: web.Request) -> web.StreamResponse:
    require_role(request, Role.ADMIN)
    return await _edit_page(
        request, await _account(request), saved=request.query.get("saved") == "1"
    )


@routes.post("/admin/users/{username}")
async def save_user(request: web.Request) -> web.StreamResponse:
    me = require_role(request, Role.ADMIN)
    account = await _account(request)
    form = await request.post()
    text = {k: str(form.get(k, "")).strip() for k in ("name", "alias", "email", "language", "role",
                                                      "sites", "outbound_number")}  # fmt: skip
    outbound = to_e164(text["outbound_number"]) if text["outbound_number"] else ""
    sites = [code.strip() for code in text["sites"].split(",") if code.strip()]
    problem = ""
    if text["role"] not in {r.value for r in Role}:
        problem = "Choose an access group."
    elif text["language"] not in LANGUAGES:
        problem = "Choose a language."
    elif text["email"] and not EMAIL.fullmatch(text["email"]):
        problem = "The email is not an address."
    elif any(not SITE_CODE.fullmatch(code) for code in sites):
        problem = "Site IDs are 1-8 letters, digits, - or _."
    elif outbound is None:
        problem = "The number shown when calling out is not a phone number."
    elif account.id == me.id and (text["role"] != Role.ADMIN.value or not form.get("active")):
        problem = "You cannot take away your own admin access."
    if problem:
        return await _edit_page(request, account, error=problem, status=400)
    choices = {p.value: str(form.get(f"perm:{p.value}", "")) for p in Permission}
    menu_profile = str(form.get("menu_profile", ""))
    if menu_profile and not await MenuProfile.exists(name=menu_profile):
        return await _edit_page(request, account, error="No such menu profile.", status=400)
    account.update_from_dict({
        "name": text["name"][:128], "alias": text["alias"][:64], "email": text["email"][:254],
        "language": text["language"], "role": Role(text["role"]), "sites": sites,
        "outbound_number": outbound,
        "site_restricted": bool(form.get("site_restricted")), "active": bool(form.get("active")),
        "menu_profile": menu_profile,
        "granted": [p for p, c in choices.items() if c == "grant"],
        "revoked": [p for p, c in choices.items() if c == "revoke"],
    })  # fmt: skip
    await account.save()
    await request.app[ACCOUNTS_CHANGED]()  # an inactive user's SIP account goes
    raise web.HTTPSeeOther(f"/admin/users/{account.username}?saved=1")


@routes.post("/admin/users/{username}/phone")
async def save_phone(request: web.Request) -> web.StreamResponse:
    """The desk phone or the browser phone on the user's extension."""
    require_role(request, Role.ADMIN)
    account = await _account(request)
    try:
        kind = PhoneKind(str((await request.post()).get("phone_kind", "")))
    except ValueError:
        return await _edit_page(request, account, error="Choose a phone.", status=400)
    try:
        changed = await choose_phone(account, kind)
    except ValidationError as err:
        return await _edit_page(request, account, error=err.message, status=400)
    if changed:
        await request.app[ACCOUNTS_CHANGED]()
    raise web.HTTPSeeOther(f"/admin/users/{account.username}?saved=1")


@routes.post("/admin/users/{username}/sip-password")
async def new_sip_password(request: web.Request) -> web.StreamResponse:
    """A fresh SIP password, shown on this answer only; the phone with the old one is logged out
    when Asterisk's accounts are rewritten."""
    require_role(request, Role.ADMIN)
    account = await _account(request)
    if not account.sip_extension:
        return await _edit_page(request, account, error="This user has no SIP account.", status=400)
    account.sip_password = new_sip_secret()
    await account.save(update_fields=["sip_password"])
    await request.app[ACCOUNTS_CHANGED]()
    return await _edit_page(request, account, new_sip_password=account.sip_password)
