"""Delete call recordings older than the retention period, and unlink them from their calls."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ehd.db.models import CallRecord

log = logging.getLogger(__name__)


async def purge_recordings(retention_days: int, now: datetime | None = None) -> int:
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    old = await CallRecord.filter(started_at__lt=cutoff).exclude(recording="")
    for record in old:
        await asyncio.to_thread(Path(record.recording).unlink, missing_ok=True)
        record.recording = ""
        await record.save(update_fields=["recording"])
    if old:
        log.info("deleted %d recording(s) older than %d days", len(old), retention_days)
    return len(old)
