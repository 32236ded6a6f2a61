"""A discrete-event simulation that drives the real ACD engine (not a separate model).

Poisson arrivals, exponential handle times, no abandonment, one queue, agents answering at
once. Used by ``ehd simulate`` and to check the engine against Erlang C on long runs.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import asdict, dataclass

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.acd.engine import AcdEngine
from ehd.acd.model import QueueConfig, Strategy

_QUEUE = "sim"


@dataclass(frozen=True)
class SimulationResult:
    calls: int
    p_wait: float
    service_level: float
    asa: float
    occupancy: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def simulate(
    *,
    arrival_rate_per_hour: float,
    aht: float,
    agents: int,
    sl_goal: float,
    hours: float,
    seed: int = 1,
    strategy: Strategy = Strategy.LONGEST_IDLE,
    warmup_hours: float | None = None,
) -> SimulationResult:
    if arrival_rate_per_hour <= 0 or aht <= 0 or agents <= 0 or hours <= 0:
        raise ValueError("rate, aht, agents and hours must be positive")
    rng = random.Random(seed)
    engine = AcdEngine(
        [QueueConfig(_QUEUE, strategy=strategy, ring_timeout=1e12, misses_before_pause=0)],
        random.Random(seed + 1),
    )
    end = hours * 3600.0
    warmup = (min(1.0, hours * 0.05) if warmup_hours is None else warmup_hours) * 3600.0
    order = itertools.count()
    agenda: list[tuple[float, int, str, str]] = []  # (time, order, kind, id)
    for n in range(agents):
        engine.handle(ev.AgentLoggedIn(0.0, f"agent{n}", {_QUEUE: 0}))
    arrival_rate = arrival_rate_per_hour / 3600.0
    heapq.heappush(agenda, (rng.expovariate(arrival_rate), next(order), "arrival", ""))
    arrived_at: dict[str, float] = {}
    waits: list[float] = []
    busy_seconds = 0.0
    calls = itertools.count()

    def carry_out(actions: list[act.Action], now: float) -> None:
        nonlocal busy_seconds
        pending = list(actions)
        while pending:
            action = pending.pop(0)
            if isinstance(action, act.Offer):
                pending.extend(
                    engine.handle(ev.OfferAnswered(now, action.item_id, action.agent_id))
                )
            elif isinstance(action, act.Connect):
                handle = rng.expovariate(1.0 / aht)
                if arrived_at[action.item_id] >= warmup:
                    waits.append(now - arrived_at[action.item_id])
                if now >= warmup:
                    busy_seconds += max(0.0, min(now + handle, end) - now)
                heapq.heappush(agenda, (now + handle, next(order), "done", action.item_id))
            elif isinstance(action, act.StartTimer) and not action.token.startswith("ring"):
                heapq.heappush(agenda, (action.at, next(order), "timer", action.token))

    while agenda:
        now, _, kind, ident = heapq.heappop(agenda)
        if kind == "arrival":
            if now >= end:
                continue
            item = f"call{next(calls)}"
            arrived_at[item] = now
            carry_out(engine.handle(ev.ItemArrived(now, item, _QUEUE)), now)
            heapq.heappush(
                agenda, (now + rng.expovariate(arrival_rate), next(order), "arrival", "")
            )
        elif kind == "done":
            carry_out(engine.handle(ev.ItemCompleted(now, ident, by_agent=True)), now)
            del arrived_at[ident]
        else:
            carry_out(engine.handle(ev.TimerFired(now, ident)), now)

    measured = len(waits)
    if measured == 0:
        return SimulationResult(0, 0.0, 1.0, 0.0, 0.0)
    return SimulationResult(
        calls=measured,
        p_wait=sum(1 for w in waits if w > 1e-9) / measured,
        service_level=sum(1 for w in waits if w <= sl_goal) / measured,
        asa=sum(waits) / measured,
        occupancy=busy_seconds / (agents * (end - warmup)),
    )
