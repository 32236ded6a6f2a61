"""Erlang C (M/M/N): probability of waiting, service level and average speed of answer.

Computed through the Erlang B recursion, which stays numerically stable for hundreds of agents.
"""

from __future__ import annotations

import math


def erlang_b(traffic: float, agents: int) -> float:
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def probability_of_waiting(arrivals_per_second: float, handle_seconds: float, agents: int) -> float:
    traffic = arrivals_per_second * handle_seconds
    if agents <= traffic:
        return 1.0
    b = erlang_b(traffic, agents)
    return agents * b / (agents - traffic * (1 - b))


def service_level(
    arrivals_per_second: float, handle_seconds: float, agents: int, goal_seconds: float
) -> float:
    """Share of calls answered within ``goal_seconds``."""
    traffic = arrivals_per_second * handle_seconds
    if agents <= traffic:
        return 0.0
    p_wait = probability_of_waiting(arrivals_per_second, handle_seconds, agents)
    return 1 - p_wait * math.exp(-(agents - traffic) * goal_seconds / handle_seconds)


def average_speed_of_answer(
    arrivals_per_second: float, handle_seconds: float, agents: int
) -> float:
    traffic = arrivals_per_second * handle_seconds
    if agents <= traffic:
        return math.inf
    p_wait = probability_of_waiting(arrivals_per_second, handle_seconds, agents)
    return p_wait * handle_seconds / (agents - traffic)
