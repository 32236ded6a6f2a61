"""Date-times from people and APIs: ISO 8601 with an offset, refused clearly otherwise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ehd.errors import ValidationError


def aware_datetime(value: Any, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as err:
        raise ValidationError(f"{field} must be an ISO date-time", field=field) from err
    if moment.tzinfo is None:
        raise ValidationError(f"{field} needs a UTC offset", field=field)
    return moment
