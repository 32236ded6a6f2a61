"""Queue configuration for the ACD engine: strategies, penalty rules, limits, overflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Strategy(StrEnum):
    LONGEST_IDLE = "longest_idle"
    FEWEST_CALLS = "fewest_calls"
    ROUND_ROBIN = "round_robin"
    RING_ALL = "ring_all"
    LINEAR = "linear"
    WEIGHTED_RANDOM = "weighted_random"


class ItemKind(StrEnum):
    CALL = "call"
    TICKET = "ticket"


class Presence(StrEnum):
    """What a queue needs of its members for a caller to join or to stay (app_queue's
    joinempty / leavewhenempty, simplified to the three cases people configure)."""

    ALWAYS = "always"  # join/stay whatever the members do
    LOGGED_IN = "logged_in"  # at least one member logged in (paused counts)
    AVAILABLE = "available"  # at least one member logged in, unpaused and reachable


class OverflowKind(StrEnum):
    QUEUE = "queue"
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"
    MESSAGE = "message"


@dataclass(frozen=True)
class OverflowTarget:
    kind: OverflowKind
    target: str = ""  # queue name, mailbox, or prompt


@dataclass(frozen=True)
class PenaltyRule:
    """From ``after_seconds`` of waiting, members with penalty in [min, max] may take the call
    (app_queue's penaltychange rules, in absolute form)."""

    after_seconds: float
    max_penalty: int
    min_penalty: int = 0


@dataclass(frozen=True)
class QueueConfig:
    name: str
    strategy: Strategy = Strategy.LONGEST_IDLE
    weight: int = 0  # higher weight wins agents shared between queues
    ring_timeout: float = 15.0
    misses_before_pause: int = 3  # 0: never auto-pause
    wrapup_seconds: float = 0.0
    max_length: int = 0  # 0: no limit
    join_when: Presence = Presence.ALWAYS
    leave_when: Presence = Presence.ALWAYS
    overflow_after: float | None = None
    overflow: OverflowTarget | None = None
    penalty_rules: tuple[PenaltyRule, ...] = ()
    max_penalty: int | None = None  # None: any penalty, before rules apply
    sl_goal_seconds: float = 20.0
    sl_target_percent: float = 80.0
    announce_frequency: float = 0.0  # 0: no periodic position announcements
    announce_start_delay: float = 0.0
    expected_handle_seconds: float = 180.0  # for estimates while history is short
    exit_keys: dict[str, OverflowTarget] = field(default_factory=dict)
