"""Typed keys for what the web application holds, and the health-probe interface."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from aiohttp import web

from ehd.config import Config


class HealthProbe(Protocol):
    async def check(self) -> dict[str, bool]:
        """Component name -> healthy."""
        ...


CONFIG = web.AppKey("config", Config)
HEALTH = web.AppKey("health", HealthProbe)
# Called after users change, so their SIP accounts reach Asterisk (returns True if applied).
ACCOUNTS_CHANGED = web.AppKey("accounts_changed", Callable[[], Awaitable[bool]])
