"""Accounts: logging in and out, one's password and notifications, the users and sites admin.

``routes`` is the package's one route table, in the order the app registers it."""

from __future__ import annotations

from aiohttp.web import AbstractRouteDef

from ehd.web.accounts import (
    login,
    notifications,
    password,
    sites_admin,
    users_admin,
    workspace,
)

routes: list[AbstractRouteDef] = [
    *login.routes,
    *password.routes,
    *notifications.routes,
    *workspace.routes,
    *users_admin.routes,
    *sites_admin.routes,
]
