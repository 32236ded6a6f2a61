"""Date-times from people and APIs: ISO 8601 with an offset, refused clearly otherwise."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ehd.errors import ValidationError


def aware_datetime(value: Any, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as err:
        raise ValidationError(f"{field} must be an ISO date-time", field=field) from err
    if moment.tzinfo is None:
        raise ValidationError(f"{field} needs a UTC offset", field=field)
    return moment


def local_to_iso(text: str, zone: ZoneInfo, field: str) -> str:
    """A browser's datetime-local value, in the site's time zone, as ISO with an offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise ValidationError(f"{field}: choose a date and time", field=field) from err
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat()
