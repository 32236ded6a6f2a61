"""The APScheduler jobs that run inside ``ehd run``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ehd.calls.retention import purge_raw_mail, purge_recordings
from ehd.db.models import Ticket
from ehd.queueing.service import QueueService
from ehd.schedules import apply_due
from ehd.tickets.mail_out import TicketMail
from ehd.tickets.service import run_existing_filters
from ehd.web.sessions import purge_expired_sessions

log = logging.getLogger(__name__)


async def purge_sessions_job() -> None:
    removed = await purge_expired_sessions()
    if removed:
        log.info("removed %d expired web session(s)", removed)


async def existing_tickets_job(outgoing: TicketMail | None) -> None:
    for number, name, actions in await run_existing_filters():
        log.info("filter %s fired on ticket %s", name, number)
        if outgoing is not None:
            ticket = await Ticket.get(number=number)
            await outgoing.carry_out(ticket, actions)


async def scheduled_logins_job(current_service: Callable[[], QueueService | None]) -> None:
    await apply_due(current_service(), datetime.now(UTC))


def create_scheduler(
    recording_retention_days: int = 365,
    current_service: Callable[[], QueueService | None] = lambda: None,
    raw_mail: Path | None = None,
    outgoing: TicketMail | None = None,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        existing_tickets_job,
        "interval",
        minutes=5,
        args=[outgoing],
        id="existing-ticket-filters",
        coalesce=True,
        max_instances=1,
    )
    if raw_mail is not None:
        scheduler.add_job(
            purge_raw_mail,
            "cron",
            hour=3,
            minute=30,
            args=[raw_mail],
            id="purge-raw-mail",
            coalesce=True,
            max_instances=1,
        )
    scheduler.add_job(
        scheduled_logins_job,
        "interval",
        seconds=10,
        args=[current_service],
        id="scheduled-logins",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        purge_recordings,
        "cron",
        hour=3,
        minute=15,
        args=[recording_retention_days],
        id="purge-recordings",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        purge_sessions_job,
        "interval",
        minutes=10,
        id="purge-web-sessions",
        coalesce=True,
        max_instances=1,
    )
    return scheduler
