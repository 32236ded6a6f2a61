"""The installation's ticket options: from the control panel once saved there, else from the
configuration file (``ticket_*`` settings)."""

from __future__ import annotations

from dataclasses import dataclass

from ehd.config import Config
from ehd.db.models import TicketSettings
from ehd.errors import ValidationError

# Fields an installation may require (before solving or closing) or hide, and their columns.
REQUIRABLE = {
    "template": "template_id",
    "ticket_type": "ticket_type",
    "itil_process": "itil_process",
    "company": "company_id",
    "contact": "contact_id",
    "group": "group_id",
    "agent": "agent_id",
}
HIDEABLE = (*REQUIRABLE, "source", "priority", "custom_fields", "watchers")


@dataclass(frozen=True)
class TicketOptions:
    assign_required: bool = False
    auto_assign: bool = False
    allow_delete: bool = False
    required_fields: tuple[str, ...] = ()
    hidden_fields: tuple[str, ...] = ()
    hold_automatic_mail: bool = True


def from_config(config: Config) -> TicketOptions:
    return TicketOptions(
        assign_required=config.ticket_assign_required == "on",
        auto_assign=config.ticket_auto_assign == "on",
        required_fields=tuple(config.ticket_required_fields),
        hidden_fields=tuple(config.ticket_hidden_fields),
    )


async def ticket_options(config: Config) -> TicketOptions:
    row = await TicketSettings.get_or_none(id=1)
    if row is None:
        return from_config(config)
    return TicketOptions(row.assign_required, row.auto_assign, row.allow_delete,
                         tuple(row.required_fields), tuple(row.hidden_fields),
                         row.hold_automatic_mail)  # fmt: skip


async def holds_automatic_mail() -> bool:
    """Whether automatic mail that starts a ticket waits in the review list (the default)."""
    row = await TicketSettings.get_or_none(id=1)
    return row is None or row.hold_automatic_mail


def check_fields(names: list[str], allowed: tuple[str, ...], field: str) -> list[str]:
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise ValidationError(f"unknown field {unknown[0]!r}; choose from {', '.join(allowed)}",
                              field=field)  # fmt: skip
    return list(dict.fromkeys(names))


async def save_options(options: TicketOptions) -> None:
    check_fields(list(options.required_fields), tuple(REQUIRABLE), "required_fields")
    check_fields(list(options.hidden_fields), HIDEABLE, "hidden_fields")
    await TicketSettings.update_or_create(id=1, defaults={
        "assign_required": options.assign_required, "auto_assign": options.auto_assign,
        "allow_delete": options.allow_delete, "required_fields": list(options.required_fields),
        "hidden_fields": list(options.hidden_fields),
        "hold_automatic_mail": options.hold_automatic_mail,
    })  # fmt: skip
