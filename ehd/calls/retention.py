"""Retention: call recordings after the configured period (unlinked from their calls), and
raw copies of incoming mail after two months."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ehd.db.models import CallHandling, CallRecord

log = logging.getLogger(__name__)


async def purge_recordings(retention_days: int, now: datetime | None = None) -> int:
    """Every recorded part of the calls started before the cutoff; how many files went."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    old = await CallRecord.filter(started_at__lt=cutoff).exclude(recording="")
    parts = await CallHandling.filter(connected_at__lt=cutoff).exclude(recording="")
    files = {row.recording for row in old} | {part.recording for part in parts}
    for path in files:
        await asyncio.to_thread(Path(path).unlink, missing_ok=True)
    await CallRecord.filter(id__in=[row.id for row in old]).update(recording="")
    await CallHandling.filter(id__in=[part.id for part in parts]).update(recording="")
    if files:
        log.info("deleted %d recording(s) older than %d days", len(files), retention_days)
    return len(files)


RAW_MAIL_DAYS = 61  # about two months


async def purge_raw_mail(folder: Path, now: datetime | None = None) -> int:
    """Raw copies of incoming mail older than two months; tickets keep what was parsed."""
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=RAW_MAIL_DAYS)).timestamp()

    def purge() -> int:
        removed = 0
        for path in folder.rglob("*.eml") if folder.exists() else ():
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    removed = await asyncio.to_thread(purge)
    if removed:
        log.info("deleted %d raw message(s) older than %d days", removed, RAW_MAIL_DAYS)
    return removed
