"""An independent FIFO M/M/N simulation, written without the engine, as a reference.

With the same seed it draws the same random numbers in the same order as
``ehd.acd.simulate``, so a correct engine reproduces its waits exactly.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque


def reference_waits(
    rate_per_hour: float, aht: float, agents: int, hours: float, seed: int = 1
) -> list[float]:
    rng = random.Random(seed)
    rate, end = rate_per_hour / 3600, hours * 3600
    warmup = min(1.0, hours * 0.05) * 3600
    free, waiting = agents, deque[float]()
    order = itertools.count()
    agenda = [(rng.expovariate(rate), next(order), "arrival")]
    waits: list[float] = []
    while agenda:
        now, _, kind = heapq.heappop(agenda)
        if kind == "arrival":
            if now >= end:
                continue
            if free and not waiting:
                free -= 1
                if now >= warmup:
                    waits.append(0.0)
                heapq.heappush(agenda, (now + rng.expovariate(1 / aht), next(order), "done"))
            else:
                waiting.append(now)
            heapq.heappush(agenda, (now + rng.expovariate(rate), next(order), "arrival"))
        elif waiting:
            arrived = waiting.popleft()
            if arrived >= warmup:
                waits.append(now - arrived)
            heapq.heappush(agenda, (now + rng.expovariate(1 / aht), next(order), "done"))
        else:
            free += 1
    return waits
