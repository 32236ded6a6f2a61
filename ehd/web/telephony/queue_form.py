"""The queue settings screen: every setting in its section with its help text, and the form
read back as the settings the JSON API takes (checked there by the same code). Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ehd.acd.model import OverflowKind, Presence, Strategy
from ehd.db.models import Queue, User
from ehd.errors import ValidationError
from ehd.plain_numbers import decimal, whole_number
from ehd.queueing.config import RECORDING_MODES
from ehd.queueing.queue_store import NULLABLE_SETTINGS, QUEUE_LINKS, QUEUE_SETTINGS
from ehd.queueing.settings_help import ALL, SECTIONS, Setting
from ehd.web.json_input import parse_json

__all__ = ["CHOICES", "SECTIONS", "form_values", "settings_from_form"]

CHOICES: dict[str, list[str]] = {
    "strategy": [s.value for s in Strategy],
    "join_when": [p.value for p in Presence],
    "leave_when": [p.value for p in Presence],
    "overflow_kind": ["", *(k.value for k in OverflowKind)],
    "customer_number": ["off", "optional", "required"],
    "customer_number_checksum": ["", "luhn"],
    "recording": list(RECORDING_MODES),
}
MAX_NUMBER = 10_000_000  # seconds, counts and percentages all fit well below this


def _shown(value: Any, setting: Setting) -> str:
    if value is None:
        return ""
    if setting.entry == "json":
        return json.dumps(value, ensure_ascii=False)
    if setting.entry == "link":
        return str(value.username if isinstance(value, User) else value.name)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_values(queue: Queue) -> dict[str, str]:
    """What each field shows: the stored value as an admin would type it. Links must be
    fetched."""
    return {key: _shown(getattr(queue, key), setting) for key, setting in ALL.items()}


def _number(key: str, text: str) -> int | float:
    kind = QUEUE_SETTINGS[key]
    if kind is int:
        number = whole_number(text.removeprefix("-"), high=MAX_NUMBER)
        if number is not None:
            return -number if text.startswith("-") else number
        raise ValidationError(f"{key} must be a whole number", field=key)
    value = decimal(text)
    if value is None or abs(value) > MAX_NUMBER:
        raise ValidationError(f"{key} must be a number such as 12 or 2.5", field=key)
    return value


def settings_from_form(form: Mapping[str, Any]) -> dict[str, Any]:
    """The fields present in the form, typed: an empty number clears a setting that may be
    empty and keeps the others; JSON fields are parsed; links name their object or clear it."""
    values: dict[str, Any] = {}
    for key, setting in ALL.items():
        if key not in form:
            continue
        text = str(form[key]).strip()
        if key in QUEUE_LINKS:
            values[key] = text or None
        elif setting.entry == "json":
            try:
                values[key] = parse_json(text or ("[]" if QUEUE_SETTINGS[key] is list else "{}"))
            except (ValueError, RecursionError) as err:
                raise ValidationError(f"{key} is not valid JSON: {err}", field=key) from err
        elif QUEUE_SETTINGS[key] is str:
            values[key] = text
        elif not text:
            if key in NULLABLE_SETTINGS:
                values[key] = None
        else:
            values[key] = _number(key, text)
    return values
