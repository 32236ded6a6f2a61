"""Phone numbers as E.164 (``phonenumbers``), so a caller ID matches however it is written."""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "SE"
# Text people type for a phone number: "+46 70-123 45 67", "070 123 45 67" (not a ticket number)
_PHONE_LIKE = re.compile(r"(\+|0)[0-9 ()./-]{6,}")


def to_e164(number: str, region: str = DEFAULT_REGION) -> str | None:
    """'070-123 45 67' -> '+46701234567'; None for hidden, short or invalid numbers."""
    text = number.strip()
    if not text or text.lower() in ("anonymous", "unknown", "restricted", "private"):
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def searched_phone(text: str) -> str | None:
    """The number a search text is, as E.164, when it looks like a phone number (a ticket
    number or a word is not); else None."""
    text = text.strip()
    return to_e164(text) if _PHONE_LIKE.fullmatch(text) else None
