"""The ACD engine's cost per routing decision as the queue grows: the engine driven directly
(no I/O), small and large cases in one run, so the growth is their ratio.

Each case logs its agents in, gives every agent a call (offered, answered), then fills the
queues until the waiting items number the case's size: the fill is timed (arrivals per
second). The steady state is then timed: one cycle is an agent finishing a call (the engine
offers the best waiting item to that agent: one routing decision), the agent answering, and a
new caller arriving at the back, so the number waiting stays the same.

  100 x 10              100 waiting, 10 agents, one queue
  10k x 1k              10,000 waiting, 1,000 agents, one queue
  10k / 100 queues      10,000 waiting over 100 queues; 1,000 agents in 10 queues each,
                        with penalties 0-9 and penalty rules that widen with waiting time

Run: .venv/bin/python benchmarks/acd_engine.py [--cycles 20000] [--write]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ehd.acd import actions as act  # noqa: E402
from ehd.acd import events as ev  # noqa: E402
from ehd.acd.engine import AcdEngine  # noqa: E402
from ehd.acd.model import PenaltyRule, QueueConfig  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    waiting: int
    agents: int
    queues: int
    queues_per_agent: int
    penalties: bool


CASES = (
    Case("100 x 10", 100, 10, 1, 1, False),
    Case("10k x 1k", 10_000, 1_000, 1, 1, False),
    Case("10k / 100 queues", 10_000, 1_000, 100, 10, True),
)
RULES = (PenaltyRule(30, 5), PenaltyRule(60, 9))
STEP = 0.01  # seconds between events: 10,000 arrivals span 100 s, past every penalty rule


class Bench:
    def __init__(self, case: Case) -> None:
        self.case = case
        self.rng = random.Random(3)
        names = [f"q{n}" for n in range(case.queues)]
        rules = RULES if case.penalties else ()
        limit = 2 if case.penalties else None
        self.queues = names
        self.engine = AcdEngine(
            [QueueConfig(name, misses_before_pause=0, penalty_rules=rules, max_penalty=limit)
             for name in names],
            random.Random(5),
        )  # fmt: skip
        self.now = 0.0
        self.serial = 0
        self.talking: dict[str, str] = {}  # agent -> item
        self.on_calls: list[str] = []  # the same agents, to pick one at random in O(1)
        self.decisions = 0

    def send(self, event: ev.Event) -> None:
        for action in self.engine.handle(event):
            if isinstance(action, act.Offer):  # answered at once
                self.decisions += 1
                if action.agent_id not in self.talking:
                    self.on_calls.append(action.agent_id)
                self.talking[action.agent_id] = action.item_id
                self.send(ev.OfferAnswered(self.now, action.item_id, action.agent_id))

    def arrive(self) -> None:
        self.serial += 1
        self.now += STEP
        queue = self.queues[self.serial % len(self.queues)]
        self.send(ev.ItemArrived(self.now, f"i{self.serial}", queue, caller_id="+4670"))

    def log_in(self) -> None:
        case = self.case
        for number in range(case.agents):
            first = number % len(self.queues)
            memberships = {
                self.queues[(first + k) % len(self.queues)]: (number + k) % 10
                if case.penalties else 0
                for k in range(case.queues_per_agent)
            }  # fmt: skip
            self.send(ev.AgentLoggedIn(self.now, f"a{number}", memberships))

    def cycle(self) -> None:
        calls = self.on_calls
        index = self.rng.randrange(len(calls))
        agent = calls[index]
        calls[index] = calls[-1]
        calls.pop()
        item = self.talking.pop(agent)
        self.now += STEP
        self.send(ev.ItemCompleted(self.now, item, by_agent=False))
        self.arrive()


def timed(work: Callable[[], None], times: int) -> float:
    began = time.perf_counter()
    for _ in range(times):
        work()
    return time.perf_counter() - began


def run(case: Case, cycles: int) -> tuple[float, float]:
    """(arrivals per second while filling, decisions per second at the steady state)."""
    bench = Bench(case)
    bench.log_in()
    while len(bench.talking) < case.agents:  # every agent on a call
        bench.arrive()
    spent = timed(bench.arrive, case.waiting)
    waiting = sum(len(bench.engine.waiting_items(q)) for q in bench.queues)
    assert waiting >= case.waiting * 0.99, waiting  # the few the penalties left, at most
    fill = case.waiting / spent
    bench.decisions = 0
    spent = timed(bench.cycle, cycles)
    assert bench.decisions >= cycles * 0.99, bench.decisions  # the work is real
    return fill, bench.decisions / spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=20_000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    results = {}
    for case in CASES:
        fill, rate = run(case, args.cycles)
        results[case.name] = (fill, rate)
        print(f"{case.name:18} fill {fill:10,.0f} arrivals/s  {rate:10,.0f} decisions/s",
              flush=True)  # fmt: skip
    base = results[CASES[0].name][1]
    lines = ["| case | arrivals/s (filling) | decisions/s | small / this |",
             "| --- | --- | --- | --- |"]  # fmt: skip
    for name, (fill, rate) in results.items():
        lines.append(f"| {name} | {fill:,.0f} | {rate:,.0f} | {base / rate:.2f} |")
    print("\n".join(lines))
    if args.write:
        with (HERE.parent / "docs" / "performance.md").open("a") as out:
            out.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
