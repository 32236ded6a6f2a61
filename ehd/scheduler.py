"""The APScheduler jobs that run inside ``ehd run``."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ehd.web.sessions import purge_expired_sessions

log = logging.getLogger(__name__)


async def purge_sessions_job() -> None:
    removed = await purge_expired_sessions()
    if removed:
        log.info("removed %d expired web session(s)", removed)


def create_scheduler() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        purge_sessions_job,
        "interval",
        minutes=10,
        id="purge-web-sessions",
        coalesce=True,
        max_instances=1,
    )
    return scheduler
