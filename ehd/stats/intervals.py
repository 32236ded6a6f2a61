"""Call figures per queue, per agent in a queue and per 15-minute slot, folded from queue_log
events. Pure: queue_log entries in, counter deltas out.

A call belongs to the slot in which it entered the queue (its ENTERQUEUE), whatever happens
to it later, as queue_log reporting tools count it; so a slot's figures do not change meaning
when the call ends in the next slot. Each visit to a queue counts once: a call transferred
to another queue is offered there again. Waiting and talk times are the ones app_queue
writes on the terminating row (CONNECT's holdtime, ABANDON's waittime, COMPLETE*'s calltime),
so a queue_log imported from Asterisk gives the figures its own tools give. The slot of a
row whose ENTERQUEUE was not seen (an import that starts mid-call) is its time less its
waiting (and talk) time.

Definitions of every measure: docs/statistics.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields

from ehd.acd.actions import LogQueueEvent

SLOT_SECONDS = 900
# The queue name of an agent's rows summed over every queue (no queue can be named so): the
# per-agent view of all queues reads these, a fraction of the rows per queue and agent.
ALL_QUEUES = "*"
# Upper bounds (seconds) of the waiting-time bands; the last band is everything longer.
WAIT_BANDS = (5, 10, 20, 30, 45, 60, 90, 120, 180, 300)
SHORT_ABANDON_SECONDS = WAIT_BANDS[0]  # a caller gone this soon never really waited
DEFAULT_GOAL_SECONDS = 20.0

_EXITS = {"EXITWITHTIMEOUT": 2, "EXITEMPTY": 2, "EXITWITHKEY": 3}  # -> index of the wait
_TRANSFERS = ("BLINDTRANSFER", "ATTENDEDTRANSFER")
_COMPLETES = ("COMPLETECALLER", "COMPLETEAGENT")


def slot_of(at: float) -> int:
    """The start (Unix seconds) of the 15-minute slot holding ``at``."""
    return int(at // SLOT_SECONDS) * SLOT_SECONDS


def band_of(seconds: float) -> int:
    for index, bound in enumerate(WAIT_BANDS):
        if seconds <= bound:
            return index
    return len(WAIT_BANDS)


def _empty_bands() -> list[int]:
    return [0] * (len(WAIT_BANDS) + 1)


@dataclass(frozen=True, order=True)
class SlotKey:
    slot: int  # Unix seconds, a multiple of SLOT_SECONDS
    queue: str  # ALL_QUEUES: an agent's figures over every queue
    agent: str = ""  # "": the whole queue


@dataclass
class SlotCounts:
    """What happened to the calls that entered a queue in one slot (for an agent: to the
    calls of that slot the agent answered)."""

    offered: int = 0  # entered the queue
    rejected: int = 0  # turned away at the door: queue full, or no agent (JOINEMPTY)
    answered: int = 0
    answered_in_goal: int = 0  # waited no longer than the queue's service goal
    abandoned: int = 0  # the caller hung up while waiting
    abandoned_in_goal: int = 0
    timed_out: int = 0  # left for the overflow after the queue's longest wait
    key_exits: int = 0  # the caller pressed an exit key
    left_empty: int = 0  # no agent logged in any more, or the queue closed
    transferred: int = 0  # answered, then sent on by the agent
    completed: int = 0  # answered and ended in the queue (either side hung up)
    not_answered_rings: int = 0  # offers to an agent that rang out (RINGNOANSWER)
    wait_answered_seconds: int = 0
    wait_answered_max: int = 0
    wait_abandoned_seconds: int = 0
    talk_seconds: int = 0  # of completed and transferred calls
    answered_waits: list[int] = field(default_factory=_empty_bands)  # per WAIT_BANDS band
    abandoned_waits: list[int] = field(default_factory=_empty_bands)

    def add(self, other: SlotCounts) -> None:
        for name in SUMMED_COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wait_answered_max = max(self.wait_answered_max, other.wait_answered_max)
        mine, theirs = self.answered_waits, other.answered_waits
        self.answered_waits = [a + b for a, b in zip(mine, theirs, strict=True)]
        mine, theirs = self.abandoned_waits, other.abandoned_waits
        self.abandoned_waits = [a + b for a, b in zip(mine, theirs, strict=True)]

    @property
    def short_abandoned(self) -> int:
        return self.abandoned_waits[0]

    @property
    def overflowed(self) -> int:
        return self.timed_out + self.key_exits + self.left_empty


COUNTER_NAMES = tuple(item.name for item in fields(SlotCounts))
BAND_COUNTERS = ("answered_waits", "abandoned_waits")  # a list each, one count per band
MAX_COUNTERS = ("wait_answered_max",)  # the largest, not the sum
SUMMED_COUNTERS = tuple(
    name for name in COUNTER_NAMES if name not in BAND_COUNTERS and name not in MAX_COUNTERS
)


def _seconds(entry: LogQueueEvent, index: int) -> int:
    """A whole-seconds field of the row; a damaged one counts as 0 rather than stopping an
    import of years of history."""
    try:
        value = entry.data[index]
    except IndexError:
        return 0
    return int(value) if value.isascii() and value.isdigit() else 0


class IntervalFold:
    """Folds queue_log rows into per-slot counter deltas. Holds the entry time of each call
    still in a queue, so a later row finds its call's slot."""

    def __init__(self, goal_of: Callable[[str], float | None] | None = None) -> None:
        self.goal_of = goal_of  # a queue's service goal now (None: not known here)
        self._entered: dict[tuple[str, str], float] = {}

    def goal(self, queue: str) -> float:
        goal = self.goal_of(queue) if self.goal_of is not None else None
        return DEFAULT_GOAL_SECONDS if goal is None else goal

    def fold(self, entries: Iterable[LogQueueEvent]) -> dict[SlotKey, SlotCounts]:
        deltas: dict[SlotKey, SlotCounts] = {}

        def counts(slot: int, queue: str, agent: str = "") -> SlotCounts:
            return deltas.setdefault(SlotKey(slot, queue, agent), SlotCounts())

        def agents(slot: int, queue: str, agent: str) -> tuple[SlotCounts, SlotCounts]:
            """The agent's row in the queue and in all queues."""
            return counts(slot, queue, agent), counts(slot, ALL_QUEUES, agent)

        for entry in entries:
            event, queue, agent = entry.event, entry.queue, entry.agent
            visit = (entry.call_id, queue)
            if event == "ENTERQUEUE":
                self._entered[visit] = entry.at
                counts(slot_of(entry.at), queue).offered += 1
            elif event in ("FULL", "JOINEMPTY"):
                counts(slot_of(entry.at), queue).rejected += 1
            elif event == "CONNECT":
                wait = _seconds(entry, 0)
                slot = slot_of(self._entered.get(visit, entry.at - wait))
                in_goal = wait <= self.goal(queue)
                for mine in (counts(slot, queue), *agents(slot, queue, agent)):
                    mine.answered += 1
                    mine.answered_in_goal += in_goal
                    mine.wait_answered_seconds += wait
                    mine.wait_answered_max = max(mine.wait_answered_max, wait)
                    mine.answered_waits[band_of(wait)] += 1
            elif event == "RINGNOANSWER":
                slot = slot_of(self._entered.get(visit, entry.at))
                for mine in agents(slot, queue, agent):
                    mine.not_answered_rings += 1
            elif event == "ABANDON":
                wait = _seconds(entry, 2)
                mine = counts(slot_of(self._entered.pop(visit, entry.at - wait)), queue)
                mine.abandoned += 1
                mine.abandoned_in_goal += wait <= self.goal(queue)
                mine.wait_abandoned_seconds += wait
                mine.abandoned_waits[band_of(wait)] += 1
            elif event in _EXITS:
                wait = _seconds(entry, _EXITS[event])
                mine = counts(slot_of(self._entered.pop(visit, entry.at - wait)), queue)
                if event == "EXITWITHTIMEOUT":
                    mine.timed_out += 1
                elif event == "EXITWITHKEY":
                    mine.key_exits += 1
                else:
                    mine.left_empty += 1
            elif event in _COMPLETES or event in _TRANSFERS:
                hold, talk = (0, 1) if event in _COMPLETES else (2, 3)
                wait, talked = _seconds(entry, hold), _seconds(entry, talk)
                entered = self._entered.get(visit, entry.at - wait - talked)
                if entry.data[:1] != ("BRIDGE",):  # a handover stays in the queue
                    self._entered.pop(visit, None)
                slot = slot_of(entered)
                for mine in (counts(slot, queue), *agents(slot, queue, agent)):
                    mine.talk_seconds += talked
                    if event in _COMPLETES:
                        mine.completed += 1
                    else:
                        mine.transferred += 1
        return deltas


@dataclass(frozen=True)
class Measures:
    """The figures supervisors read, from the summed counters of any set of slots."""

    counts: SlotCounts

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def service_level(self) -> float | None:
        """app_queue's servicelevelperf: answered in goal / answered."""
        c = self.counts
        return self._share(c.answered_in_goal, c.answered)

    @property
    def service_level_2(self) -> float | None:
        """app_queue's servicelevelperf2: (answered + abandoned in goal) / (answered +
        abandoned): a caller who gave up within the goal does not count against it."""
        c = self.counts
        return self._share(c.answered_in_goal + c.abandoned_in_goal, c.answered + c.abandoned)

    @property
    def answered_percent(self) -> float | None:
        c = self.counts
        return self._share(c.answered, c.offered)

    @property
    def abandoned_percent(self) -> float | None:
        c = self.counts
        return self._share(c.abandoned, c.offered)

    @property
    def average_speed_of_answer(self) -> float | None:
        c = self.counts
        return round(c.wait_answered_seconds / c.answered, 1) if c.answered else None

    @property
    def average_abandoned_wait(self) -> float | None:
        c = self.counts
        return round(c.wait_abandoned_seconds / c.abandoned, 1) if c.abandoned else None

    @property
    def average_talk(self) -> float | None:
        c = self.counts
        ended = c.completed + c.transferred
        return round(c.talk_seconds / ended, 1) if ended else None

    def as_dict(self) -> dict[str, object]:
        c = self.counts
        return {
            "offered": c.offered,
            "answered": c.answered,
            "abandoned": c.abandoned,
            "short_abandoned": c.short_abandoned,
            "overflowed": c.overflowed,
            "timed_out": c.timed_out,
            "key_exits": c.key_exits,
            "left_empty": c.left_empty,
            "rejected": c.rejected,
            "transferred": c.transferred,
            "not_answered_rings": c.not_answered_rings,
            "service_level": self.service_level,
            "service_level_2": self.service_level_2,
            "answered_percent": self.answered_percent,
            "abandoned_percent": self.abandoned_percent,
            "average_speed_of_answer": self.average_speed_of_answer,
            "longest_wait_answered": c.wait_answered_max,
            "average_abandoned_wait": self.average_abandoned_wait,
            "average_talk": self.average_talk,
            "talk_seconds": c.talk_seconds,
        }


MEASURE_NAMES = tuple(Measures(SlotCounts()).as_dict())
