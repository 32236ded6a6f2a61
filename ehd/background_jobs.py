"""The APScheduler jobs that run inside ``ehd run``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ehd.calls.retention import purge_raw_mail, purge_recordings
from ehd.db.models import Ticket
from ehd.mail.outbox import deliver_due
from ehd.queueing.login_schedules import apply_due
from ehd.queueing.service import QueueService
from ehd.stats import call_feed, ticket_feed
from ehd.tickets.mail_out import TicketMail
from ehd.tickets.service import run_existing_filters
from ehd.tickets.sla_tracking import escalate_due
from ehd.web.boards.report_delivery import send_due_reports
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


async def outbox_job(outgoing: TicketMail | None) -> None:
    if outgoing is not None:
        sent = await deliver_due(outgoing.mailer)
        if sent:
            log.info("the outbox sent %d mail(s) that had waited", sent)


async def scheduled_logins_job(current_service: Callable[[], QueueService | None]) -> None:
    await apply_due(current_service(), datetime.now(UTC))


async def reports_job(outgoing: TicketMail | None) -> None:
    if outgoing is not None:
        sent = await send_due_reports(outgoing.mailer)
        if sent:
            log.info("mailed %d subscribed report(s)", sent)


async def ticket_sla_job(outgoing: TicketMail | None) -> None:
    ran = await escalate_due(outgoing.mailer if outgoing else None)
    if ran:
        log.info("ran %d ticket SLA escalation step(s)", ran)


async def ticket_statistics_job() -> None:
    # a backlog (the first run after an upgrade folds all history) is read a batch a run
    while await ticket_feed.fold_new() >= ticket_feed.BATCH:
        pass


async def call_statistics_job() -> None:
    while await call_feed.fold_ended() >= call_feed.BATCH:
        pass


async def agent_time_job(current_service: Callable[[], QueueService | None]) -> None:
    service = current_service()
    if service is not None:
        await service.writer.count_agent_time(datetime.now(UTC).timestamp())


def create_scheduler(
    recording_retention_days: int = 365,
    current_service: Callable[[], QueueService | None] = lambda: None,
    raw_mail: Path | None = None,
    outgoing: TicketMail | None = None,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")

    def job(func: Callable[..., Any], name: str, *args: Any, **when: Any) -> None:
        trigger = "cron" if "hour" in when else "interval"
        scheduler.add_job(func, trigger, args=list(args), id=name, coalesce=True,
                          max_instances=1, **when)  # fmt: skip

    job(existing_tickets_job, "existing-ticket-filters", outgoing, minutes=5)
    if raw_mail is not None:
        job(purge_raw_mail, "purge-raw-mail", raw_mail, hour=3, minute=30)
    job(scheduled_logins_job, "scheduled-logins", current_service, seconds=10)
    job(agent_time_job, "agent-time", current_service, seconds=60)
    job(purge_recordings, "purge-recordings", recording_retention_days, hour=3, minute=15)
    job(purge_sessions_job, "purge-web-sessions", minutes=10)
    job(outbox_job, "outbox", outgoing, seconds=30)
    job(reports_job, "subscribed-reports", outgoing, minutes=5)
    job(ticket_sla_job, "ticket-sla", outgoing, seconds=30)
    job(ticket_statistics_job, "ticket-statistics", seconds=60)
    job(call_statistics_job, "call-statistics", seconds=10)
    return scheduler
