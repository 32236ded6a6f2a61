"""What a password must be. Pure.

The basic policy asks for 4 characters. The strict policy asks for 8, a letter and a digit, no
repeated 3-character run, a change every 90 days and no reuse of earlier passwords.

"No repeated 3-character run": a run is a stretch of only letters or only digits; a run of 3
taken from such a stretch may not occur twice. So "abc12abc" fails ("abc" twice) and
"ab11ab12" passes (its repeats, like "ab1", mix letters and digits) — the two examples every
strict policy of this kind is held to.

Whatever the policy, an administrator's password has a floor of its own (configurable, never
under 8 characters) and may not be one of the passwords every guessing list starts with, one
character repeated, or a straight run such as "12345678" or "abcdefgh": an admin account
guessed is the whole site lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

BASIC_MIN_LENGTH = 4
STRICT_MIN_LENGTH = 8
STRICT_LIFETIME = timedelta(days=90)
HISTORY_KEPT = 24  # earlier passwords remembered for the no-reuse check
ADMIN_MIN_LENGTH = 8  # the floor of the configurable minimum for administrators
# The head of every guessing list (lower case, as compared).
WELL_KNOWN = frozenset({
    "password", "password1", "password123", "passw0rd", "admin", "admin123", "admin1234",
    "administrator", "qwerty", "qwertyuiop", "qwerty123", "letmein", "welcome", "welcome1",
    "iloveyou", "changeme", "trustno1", "abc12345", "football", "baseball", "sunshine",
    "princess", "superman", "starwars", "monkey123", "dragon123", "asterisk", "helpdesk",
})  # fmt: skip


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


_RUNS = ("01234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def _straight_run(password: str) -> bool:
    """A stretch of the digits, the alphabet or a keyboard row, either way: "1234567890",
    "hgfedcba", "qwertyui"."""
    return any(password in run or password[::-1] in run for run in _RUNS)


def admin_problems(password: str, min_length: int) -> list[str]:
    """Why ``password`` will not do for an administrator, beyond the policy; empty when fine."""
    found = []
    floor = max(min_length, ADMIN_MIN_LENGTH)
    if len(password) < floor:
        found.append(f"an administrator's password has at least {floor} characters")
    lowered = password.lower()
    if lowered in WELL_KNOWN or len(set(lowered)) == 1 or _straight_run(lowered):
        found.append("an administrator's password may not be a well-known or simple one")
    return found


def problems(
    password: str, policy: Policy, admin: bool = False, admin_min_length: int = ADMIN_MIN_LENGTH
) -> list[str]:
    """Why ``password`` is refused; empty when it is fine."""
    # An administrator's floor (8 or more) already covers either policy's length.
    found = admin_problems(password, admin_min_length) if admin else []
    if policy is Policy.BASIC:
        if len(password) < BASIC_MIN_LENGTH and not admin:
            found.append(f"a password has at least {BASIC_MIN_LENGTH} characters")
        return found
    if len(password) < STRICT_MIN_LENGTH and not admin:
        found.append(f"a password has at least {STRICT_MIN_LENGTH} characters")
    if not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        found.append("a password has both a letter and a digit")
    if repeats_a_run(password):
        found.append("a password may not repeat a run of 3 letters or digits")
    return found


def expired(changed_at: datetime, now: datetime, policy: Policy) -> bool:
    return policy is Policy.STRICT and now - changed_at >= STRICT_LIFETIME
