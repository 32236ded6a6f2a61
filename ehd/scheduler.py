"""The APScheduler jobs that run inside ``ehd run``."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ehd.calls.retention import purge_recordings
from ehd.web.sessions import purge_expired_sessions

log = logging.getLogger(__name__)


async def purge_sessions_job() -> None:
    removed = await purge_expired_sessions()
    if removed:
        log.info("removed %d expired web session(s)", removed)


def create_scheduler(recording_retention_days: int = 365) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
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
