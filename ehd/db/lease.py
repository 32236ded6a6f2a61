"""Which of several ehd processes on one database acts: the one holding the lease.

The acting process runs Asterisk and the ARI application, the scheduled jobs and mail in; the
others serve the web and wait. With PostgreSQL the lease is a session advisory lock on a
connection of its own, with SQLite an exclusive ``flock`` on a file beside the database. Either
ends with the process that holds it (the server drops a dead client's session, the kernel a dead
process's locks), so a killed process hands over without anyone having to notice it first.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

import asyncpg

from ehd.db.urls import asyncpg_dsn, is_postgres

log = logging.getLogger(__name__)

# One key per database: advisory locks are local to the database they are taken in.
LEASE_KEY = int.from_bytes(hashlib.sha256(b"ehd active process").digest()[:8], "big", signed=True)
# How long a check of the PostgreSQL connection may take before the lease counts as lost.
CHECK_TIMEOUT_SECONDS = 2.0


class Lease(Protocol):
    async def try_take(self) -> bool:
        """Take the lease if it is free; True if this process holds it now."""
        ...

    async def still_held(self) -> bool:
        """False once the lease may have passed to another process."""
        ...

    async def release(self) -> None: ...


class PostgresLease:
    """A session advisory lock, on a connection kept open for as long as it is held."""

    def __init__(self, database_url: str) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._connection: asyncpg.Connection | None = None
        self._held = False

    async def try_take(self) -> bool:
        if self._held:
            return True
        try:
            if self._connection is None or self._connection.is_closed():
                self._connection = await asyncpg.connect(self._dsn, timeout=CHECK_TIMEOUT_SECONDS)
            self._held = bool(
                await self._connection.fetchval("SELECT pg_try_advisory_lock($1)", LEASE_KEY)
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as err:
            log.warning("the lease could not be checked: %s", err)
            await self._drop_connection()
        return self._held

    async def still_held(self) -> bool:
        if not self._held or self._connection is None:
            return False
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                await self._connection.fetchval("SELECT 1")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as err:
            log.warning("the lease's database connection failed: %s", err)
            self._held = False
        return self._held

    async def release(self) -> None:
        self._held = False
        await self._drop_connection()  # a closed session gives its advisory locks back

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), CHECK_TIMEOUT_SECONDS)
            connection.terminate()


class FileLease:
    """An exclusive ``flock`` on a file: processes sharing one data folder on one machine."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    async def try_take(self) -> bool:
        if self._fd is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # never waits: polled instead
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # who acts, for people looking
        self._fd = fd
        return True

    async def still_held(self) -> bool:
        return self._fd is not None  # only this process can give it up

    async def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the last descriptor releases the lock


def lease_for(database_url: str, lock_file: Path) -> Lease:
    return PostgresLease(database_url) if is_postgres(database_url) else FileLease(lock_file)


async def take_when_free(lease: Lease, poll_seconds: float) -> None:
    """Return once this process holds the lease."""
    while True:  # polled: a lock held by another process tells no one when it is freed
        if await lease.try_take():
            return
        await asyncio.sleep(poll_seconds)


async def wait_until_lost(lease: Lease, check_seconds: float) -> None:
    """Return once the lease may have passed to another process."""
    while True:  # polled: a dead connection is only found by using it
        if not await lease.still_held():
            return
        await asyncio.sleep(check_seconds)
