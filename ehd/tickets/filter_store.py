"""Saving ticket filters: the definition is parsed (ehd.tickets.filters) and what its actions
name must exist, so a typo is refused when saved instead of silently doing nothing later.
Shared by the JSON API and the admin screen."""

from __future__ import annotations

from typing import Any

from ehd.crm.directory import EMAIL
from ehd.db.models import KnowledgeArticle, Queue, Site, TicketFilter, TicketTemplate, User
from ehd.errors import ValidationError
from ehd.phone_numbers import to_e164
from ehd.plain_numbers import row_id
from ehd.tickets.filters import Action, ActionKind, parse_filter


async def check_targets(actions: tuple[Action, ...], site: str) -> None:
    """Every queue, agent, template, answer and alarm recipient the actions name exists."""
    if site and not await Site.exists(code=site):
        raise ValidationError(f"no site {site!r}", field="site")
    for action in actions:
        value, missing = action.value, ""
        if action.kind == ActionKind.GROUP and not await Queue.exists(name=value):
            missing = f"no response group (queue) {value!r}"
        elif action.kind == ActionKind.AGENT and not await User.exists(username=value, active=True):
            missing = f"no active user {value!r}"
        elif action.kind == ActionKind.TEMPLATE and not await TicketTemplate.exists(name=value):
            missing = f"no template {value!r}"
        elif action.kind == ActionKind.AUTO_REPLY and value.startswith("kb:"):
            article_id = row_id(value[3:])
            if article_id is None or not await KnowledgeArticle.exists(id=article_id):
                missing = f"no knowledge-base answer {value!r} (write kb:<id> or text:<reply>)"
        elif action.kind == ActionKind.ALARM:
            for recipient in (r.strip() for r in value.split(",") if r.strip()):
                if not EMAIL.fullmatch(recipient) and to_e164(recipient) is None:
                    missing = f"alarm recipient {recipient!r} is neither an address nor a number"
        if missing:
            raise ValidationError(missing, field="actions")


async def save_filter(name: str, body: dict[str, Any]) -> TicketFilter:
    """Create or change a filter from {"rules", "actions", "weight", "continue", "triggers",
    "site", "active"}; nothing is stored unless all of it is valid."""
    name = name.strip()[:128]
    if not name:
        raise ValidationError("name the filter", field="name")
    definition = {key: value for key, value in body.items() if key != "active"}
    parsed = parse_filter(0, name, definition)
    await check_targets(parsed.actions, parsed.site)
    row, _ = await TicketFilter.update_or_create(
        name=name, defaults={"definition": definition, "active": bool(body.get("active", True))}
    )
    return row
