"""How a queue picks among the agents free to take an item.

Candidates arrive as (agent, penalty) pairs. Except for weighted random, only the lowest
penalty present is considered, as app_queue rings lower penalties first.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from ehd.acd.model import Strategy


@dataclass
class AgentStats:
    agent_id: str
    idle_since: float
    calls_taken: int
    order: int  # when the agent joined the queue (linear, round robin)


def choose(
    strategy: Strategy,
    candidates: Sequence[tuple[AgentStats, int]],
    last_pick_order: int,
    rng: random.Random,
) -> list[AgentStats]:
    """The agents to ring: one, or all of the best tier for ring-all."""
    if not candidates:
        return []
    if strategy == Strategy.WEIGHTED_RANDOM:
        weights = [1.0 / (1 + max(0, penalty)) for _, penalty in candidates]
        return [rng.choices([agent for agent, _ in candidates], weights)[0]]
    best = min(penalty for _, penalty in candidates)
    tier = [agent for agent, penalty in candidates if penalty == best]
    if strategy == Strategy.RING_ALL:
        return sorted(tier, key=lambda a: a.order)
    if strategy == Strategy.LINEAR:
        return [min(tier, key=lambda a: a.order)]
    if strategy == Strategy.ROUND_ROBIN:
        after = [a for a in tier if a.order > last_pick_order]
        return [min(after or tier, key=lambda a: a.order)]
    if strategy == Strategy.FEWEST_CALLS:
        return [min(tier, key=lambda a: (a.calls_taken, a.idle_since, a.order))]
    return [min(tier, key=lambda a: (a.idle_since, a.order))]
