"""Call figures per 15-minute slot from the call records, sliced by site, dialled number
(DID), queue and agent. Pure: ended calls in, counter deltas out.

queue_log (ehd.stats.intervals) knows only what happens inside a queue; the call record
knows the rest: the number the caller dialled and its site, calls turned away by a closed
calendar before any queue, voicemail, callbacks asked for, calls placed by agents, and how
long agents held the customer. A call counts in the slot it started in, once in total and
once under each of its site, DID, queue and agent (those it has).

Definitions of every measure: docs/statistics.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from ehd.stats.intervals import DEFAULT_GOAL_SECONDS, slot_of


class Dimension(StrEnum):
    TOTAL = "total"
    SITE = "site"  # value: the site's id
    DID = "did"  # value: the number dialled (inbound calls only)
    QUEUE = "queue"
    AGENT = "agent"  # the agent who answered (inbound) or dialled (outbound)


class Outcome(StrEnum):
    """What became of an inbound call, from its record's result."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"  # hung up while waiting, or lost with Asterisk
    CLOSED = "closed"  # met a closed calendar, before or while queueing
    OVERFLOWED = "overflowed"  # left a queue for elsewhere: timeout, exit key, no agents
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"  # asked to be called back
    OTHER = "other"  # ended in a menu, before reaching a queue, or failed


def outcome_of(result: str) -> Outcome:
    match result:
        case "answered":
            return Outcome.ANSWERED
        case "abandoned" | "lost":
            return Outcome.ABANDONED
        case "closed" | "exit:closed":
            return Outcome.CLOSED
        case "voicemail":
            return Outcome.VOICEMAIL
        case "callback_requested":
            return Outcome.CALLBACK
        case _ if result.startswith("exit:"):
            return Outcome.OVERFLOWED
        case _:
            return Outcome.OTHER


@dataclass(frozen=True)
class EndedCall:
    """What the fold reads of an ended call record."""

    started_at: datetime
    direction: str  # "in", "out" or "internal"
    route_type: str  # "callback" and "transfer" records continue another call
    result: str
    answered: bool  # outbound: the called party answered
    did: str
    site_id: int
    queue: str
    agent: str
    queue_seconds: float | None
    talk_seconds: float | None
    hold_seconds: float | None
    handlings: int  # agents who handled it (more than one: transferred between them)


@dataclass
class CallCounts:
    inbound: int = 0
    answered: int = 0
    answered_in_goal: int = 0  # waited no longer than the queue's service goal
    abandoned: int = 0
    closed: int = 0
    overflowed: int = 0
    voicemail: int = 0
    callback_requests: int = 0
    other: int = 0
    callbacks_made: int = 0  # callback calls placed to customers who asked for one
    transferred: int = 0  # answered inbound calls handled by more than one agent
    held: int = 0  # answered inbound calls on which the customer was put on hold
    outbound: int = 0
    outbound_answered: int = 0
    wait_answered_seconds: int = 0
    wait_answered_max: int = 0
    wait_abandoned_seconds: int = 0
    talk_seconds: int = 0  # of answered inbound calls
    hold_seconds: int = 0  # of answered inbound calls
    outbound_talk_seconds: int = 0

    def add(self, other: CallCounts) -> None:
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wait_answered_max = max(self.wait_answered_max, other.wait_answered_max)


CALL_COUNTERS = tuple(item.name for item in fields(CallCounts))
MAXIMA = ("wait_answered_max",)
SUMMED = tuple(name for name in CALL_COUNTERS if name not in MAXIMA)


@dataclass(frozen=True, order=True)
class SliceKey:
    slot: int
    dimension: Dimension
    value: str  # "" for the total


def _whole(seconds: float | None) -> int:
    return round(seconds) if seconds is not None and seconds > 0 else 0


def _count(call: EndedCall, counts: CallCounts, goal: float) -> None:
    if call.direction == "out":
        counts.outbound += 1
        if call.answered:
            counts.outbound_answered += 1
            counts.outbound_talk_seconds += _whole(call.talk_seconds)
        return
    if call.route_type == "callback":
        counts.callbacks_made += 1
        return
    counts.inbound += 1
    wait = _whole(call.queue_seconds)
    match outcome_of(call.result):
        case Outcome.ANSWERED:
            counts.answered += 1
            counts.answered_in_goal += wait <= goal
            counts.wait_answered_seconds += wait
            counts.wait_answered_max = max(counts.wait_answered_max, wait)
            counts.talk_seconds += _whole(call.talk_seconds)
            hold = _whole(call.hold_seconds)
            counts.hold_seconds += hold
            counts.held += hold > 0
            counts.transferred += call.handlings > 1
        case Outcome.ABANDONED:
            counts.abandoned += 1
            counts.wait_abandoned_seconds += wait
        case Outcome.CLOSED:
            counts.closed += 1
        case Outcome.OVERFLOWED:
            counts.overflowed += 1
        case Outcome.VOICEMAIL:
            counts.voicemail += 1
        case Outcome.CALLBACK:
            counts.callback_requests += 1
        case Outcome.OTHER:
            counts.other += 1


def slices_of(call: EndedCall) -> list[tuple[Dimension, str]]:
    """Where a call counts: in total and under each attribute it has."""
    if call.direction == "internal" or call.route_type == "transfer":
        return []  # between colleagues, or the rest of a call already counted
    keys = [(Dimension.TOTAL, "")]
    if call.site_id:
        keys.append((Dimension.SITE, str(call.site_id)))
    if call.did and call.direction == "in":
        keys.append((Dimension.DID, call.did))
    if call.queue:
        keys.append((Dimension.QUEUE, call.queue))
    if call.agent:
        keys.append((Dimension.AGENT, call.agent))
    return keys


def fold(
    calls: Iterable[EndedCall], goal_of: Callable[[str], float | None] = lambda _: None
) -> dict[SliceKey, CallCounts]:
    """Counter deltas per slot and slice for ``calls``, each counted once."""
    deltas: dict[SliceKey, CallCounts] = {}
    for call in calls:
        slot = slot_of(call.started_at.timestamp())
        goal = goal_of(call.queue) if call.queue else None
        for dimension, value in slices_of(call):
            key = SliceKey(slot, dimension, value)
            counts = deltas.get(key)
            if counts is None:
                counts = deltas[key] = CallCounts()
            _count(call, counts, DEFAULT_GOAL_SECONDS if goal is None else goal)
    return deltas


@dataclass(frozen=True)
class CallMeasures:
    """The figures supervisors read from the summed counters of any set of slots."""

    counts: CallCounts

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @staticmethod
    def _mean(total: int, count: int) -> float | None:
        return round(total / count, 1) if count else None

    def as_dict(self) -> dict[str, object]:
        c = self.counts
        while_open = c.inbound - c.closed
        return {
            "offered": c.inbound,
            "answered": c.answered,
            "abandoned": c.abandoned,
            "closed": c.closed,
            "overflowed": c.overflowed,
            "voicemail": c.voicemail,
            "callback_requests": c.callback_requests,
            "other": c.other,
            "transferred": c.transferred,
            "answered_percent": self._share(c.answered, while_open),
            "abandoned_percent": self._share(c.abandoned, while_open),
            "service_level": self._share(c.answered_in_goal, c.answered),
            "average_speed_of_answer": self._mean(c.wait_answered_seconds, c.answered),
            "longest_wait_answered": c.wait_answered_max,
            "average_abandoned_wait": self._mean(c.wait_abandoned_seconds, c.abandoned),
            "average_talk": self._mean(c.talk_seconds, c.answered),
            "average_hold": self._mean(c.hold_seconds, c.answered),
            "held": c.held,
            "callbacks_made": c.callbacks_made,
            "outbound": c.outbound,
            "outbound_answered": c.outbound_answered,
            "average_outbound_talk": self._mean(c.outbound_talk_seconds, c.outbound_answered),
        }


CALL_MEASURE_NAMES = tuple(CallMeasures(CallCounts()).as_dict())
