"""The role of an ehd process among several on one database: the one holding the lease
(:mod:`ehd.db.lease`) runs the calls and the jobs; the others serve the web as its standby
and take over when the lease comes free."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack

from aiohttp import web

from ehd.db.lease import Lease, lease_for, take_when_free, wait_until_lost
from ehd.web.keys import CONFIG, HEALTH

log = logging.getLogger(__name__)

# A standby asks for the lease this often; the active process checks it holds it this often.
LEASE_POLL_SECONDS = 1.0
LEASE_CHECK_SECONDS = 1.0
LEASE_RETRY_SECONDS = 5.0  # after this process failed to take over
# Exit status of an active process that lost its lease (EX_TEMPFAIL): its supervisor starts
# it again, as the standby.
EXIT_LEASE_LOST = 75


ActivePart = Callable[[web.Application], AbstractAsyncContextManager[None]]


def active_ctx(
    parts: list[ActivePart],
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The parts only the lease holder runs. Holding the lease at start, this process starts
    them before it serves; otherwise it serves the web as the standby and starts them when the
    lease comes free (adopting the running Asterisk and its calls, as after a restart)."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        config, probe = app[CONFIG], app[HEALTH]
        lease = lease_for(config.effective_database_url, config.paths.root / "ehd-active.lock")
        parts_running = AsyncExitStack()

        async def start_parts() -> None:
            for part in parts:
                await parts_running.enter_async_context(part(app))
            probe.role = "active"
            keeper = asyncio.create_task(_keep(lease), name="lease-keeper")
            parts_running.push_async_callback(cancel_task, keeper)

        async def take_over() -> None:
            while True:
                await take_when_free(lease, LEASE_POLL_SECONDS)
                log.warning("this ehd holds the lease now: taking over from the standby role")
                try:
                    await start_parts()
                    return
                except Exception:  # holding the lease while doing nothing would stop the calls
                    log.exception("taking over failed; giving the lease back to try again")
                    await parts_running.aclose()
                    await lease.release()
                    await asyncio.sleep(LEASE_RETRY_SECONDS)

        waiter: asyncio.Task[None] | None = None
        if await lease.try_take():
            await start_parts()
        else:
            log.info("standby: another ehd holds the lease; serving the web until it is free")
            waiter = asyncio.create_task(take_over(), name="standby")
        yield
        if waiter is not None:
            await cancel_task(waiter)
        await parts_running.aclose()
        await lease.release()

    return ctx


async def cancel_task(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _keep(lease: Lease) -> None:
    """Stop acting at once when the lease may have passed to another process: two processes
    driving the same calls would ring agents twice and log calls twice. Nothing is cleaned up
    on the way out, because the calls and their records now belong to the new holder."""
    await wait_until_lost(lease, LEASE_CHECK_SECONDS)
    log.critical("lost the lease: exiting so that only one ehd acts")
    logging.shutdown()
    os._exit(EXIT_LEASE_LOST)
