"""IMAP mailboxes' settings: checked in full, then saved (the caller restarts polling); the
admin screen and the JSON API share these rules."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ehd.db.models import AfterImport, Mailbox, MailCreation, MailSecurity, Site
from ehd.errors import ValidationError


async def save_mailbox(name: str, body: dict[str, Any]) -> Mailbox:
    """Create or change a mailbox, all values checked first (the caller restarts polling)."""
    if not name.strip():
        raise ValidationError("name the mailbox", field="name")
    values: dict[str, Any] = {}
    for key in ("host", "username", "password", "folder"):
        if key in body:
            values[key] = str(body[key])[:255]
    choices: tuple[tuple[str, type[StrEnum]], ...] = (
        ("security", MailSecurity),
        ("after_import", AfterImport),
        ("creation", MailCreation),
    )
    for key, choice in choices:
        if key in body:
            allowed = [member.value for member in choice]
            if body[key] not in allowed:
                raise ValidationError(f"{key} is one of {', '.join(allowed)}", field=key)
            values[key] = choice(body[key])
    if "port" in body:
        port = body["port"]
        if not isinstance(port, int) or not 1 <= port <= 65535:
            raise ValidationError("port must be 1-65535", field="port")
        values["port"] = port
    if "active" in body:
        values["active"] = bool(body["active"])
    if "site" in body:
        values["site"] = await Site.get_or_none(code=str(body["site"])) if body["site"] else None
    existing = await Mailbox.get_or_none(name=name)
    if existing is None and not {"host", "username", "password"} <= values.keys():
        raise ValidationError("a new mailbox needs host, username and password")
    if "site" in values and body["site"] and values["site"] is None:
        raise ValidationError(f"no site {body['site']!r}", field="site")
    box, _ = await Mailbox.update_or_create(name=name, defaults=values)
    return box
