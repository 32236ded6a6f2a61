"""Numbers that arrive as text (paths, query strings, forms, keypads, protocol lines).

Only ASCII digits make a number here. ``str.isdigit`` is true for ``²`` (which ``int`` then
refuses with a ValueError, a 500 if unguarded) and for ``٣`` (which ``int`` quietly reads as 3),
and ``int`` also takes ``" 7 "`` and ``"1_000"``. Every boundary asks this module instead, so
such text is refused as bad input and never reaches ``int``, a query or the database.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")

# Largest values the database's integer columns hold (PostgreSQL INTEGER and BIGINT).
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def is_digits(text: str) -> bool:
    """One or more ASCII digits and nothing else."""
    return _DIGITS.fullmatch(text) is not None


def whole_number(text: str, *, low: int = 0, high: int = INT64_MAX) -> int | None:
    """The number ``text`` spells in ASCII digits, when it lies in ``low..high``; else None."""
    if _SIGNED.fullmatch(text) is None or (text.startswith("-") and low >= 0):
        return None
    if len(text.lstrip("-")) > len(str(max(abs(low), abs(high)))):
        return None  # Never build a huge int from a hostile string.
    number = int(text)
    return number if low <= number <= high else None


def row_id(text: str) -> int | None:
    """A database id from a path or form: 1..2**31-1, so no query can overflow its column."""
    return whole_number(text, low=1, high=INT32_MAX)


def decimal(text: str) -> float | None:
    """A plain decimal such as ``-1.5``: no exponents, ``inf``, ``nan``, or other digits."""
    return float(text) if _DECIMAL.fullmatch(text) and len(text) <= 32 else None
