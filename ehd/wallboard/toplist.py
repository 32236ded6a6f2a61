"""The week's top list. Pure.

The week counts from Tuesday: on Monday the board still shows the week that began last
Tuesday. An agent's value is answered calls plus solved tickets, scaled by their average
customer satisfaction (CFI, 1-5) when they have survey answers: 5 keeps the value, 1 makes it
a fifth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

TUESDAY = 1  # datetime.weekday()
CFI_TOP = 5


def week_start(now: datetime) -> datetime:
    days_back = (now.weekday() - TUESDAY) % 7
    return (now - timedelta(days=days_back)).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Standing:
    agent: str
    answered: int
    solved: int
    cfi: float | None
    value: float


def standings(
    answered: Mapping[str, int], solved: Mapping[str, int], cfi: Mapping[str, float]
) -> list[Standing]:
    rows = []
    for agent in set(answered) | set(solved):
        base = answered.get(agent, 0) + solved.get(agent, 0)
        satisfaction = cfi.get(agent)
        value = base * satisfaction / CFI_TOP if satisfaction is not None else float(base)
        rows.append(Standing(agent, answered.get(agent, 0), solved.get(agent, 0), satisfaction,
                             round(value, 1)))  # fmt: skip
    return sorted(rows, key=lambda r: (-r.value, r.agent))
