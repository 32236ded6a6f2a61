"""What a password must be. Pure.

The basic policy asks for 4 characters. The strict policy asks for 8, a letter and a digit, no
repeated 3-character run, a change every 90 days and no reuse of earlier passwords.

"No repeated 3-character run": a run is a stretch of only letters or only digits; a run of 3
taken from such a stretch may not occur twice. So "abc12abc" fails ("abc" twice) and
"ab11ab12" passes (its repeats, like "ab1", mix letters and digits) — the two examples every
strict policy of this kind is held to.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

BASIC_MIN_LENGTH = 4
STRICT_MIN_LENGTH = 8
STRICT_LIFETIME = timedelta(days=90)
HISTORY_KEPT = 24  # earlier passwords remembered for the no-reuse check


class Policy(StrEnum):
    BASIC = "basic"
    STRICT = "strict"


def _runs_of_three(password: str) -> list[str]:
    runs = []
    for start in range(len(password) - 2):
        chunk = password[start : start + 3]
        if chunk.isalpha() or chunk.isdigit():
            runs.append(chunk.lower())
    return runs


def repeats_a_run(password: str) -> bool:
    runs = _runs_of_three(password)
    return len(runs) != len(set(runs))


def problems(password: str, policy: Policy) -> list[str]:
    """Why ``password`` is refused; empty when it is fine."""
    if policy is Policy.BASIC:
        if len(password) < BASIC_MIN_LENGTH:
            return [f"a password has at least {BASIC_MIN_LENGTH} characters"]
        return []
    found = []
    if len(password) < STRICT_MIN_LENGTH:
        found.append(f"a password has at least {STRICT_MIN_LENGTH} characters")
    if not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        found.append("a password has both a letter and a digit")
    if repeats_a_run(password):
        found.append("a password may not repeat a run of 3 letters or digits")
    return found


def expired(changed_at: datetime, now: datetime, policy: Policy) -> bool:
    return policy is Policy.STRICT and now - changed_at >= STRICT_LIFETIME
