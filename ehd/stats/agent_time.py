"""How each agent spent their time, per 15-minute slot: logged in, paused (per reason), busy
on queue calls and in wrap-up, folded from queue_log rows. Pure: rows and clock ticks in,
seconds per slot out. Ready time is what is left: logged in, not paused, busy or wrapping up.

queue_log says when an agent logs in and out (AGENTLOGIN/AGENTLOGOFF, or for an app_queue
site without them, ADDMEMBER/REMOVEMEMBER: logged in while a member of any queue), pauses
(PAUSE/UNPAUSE per queue, PAUSEALL/UNPAUSEALL; the first pause starts it, the reason is the
row's), and talks (CONNECT until COMPLETE*/a transfer). Wrap-up is not in queue_log: it is
the queue's wrap-up time after each call, cut short by the agent's next call, pause or
logout. Time is counted as it passes: ``tick`` closes every open stretch up to now, so the
figures of the current slot grow while agents work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ehd.acd.actions import LogQueueEvent
from ehd.stats.intervals import SLOT_SECONDS, slot_of

NO_AGENT = "NONE"


@dataclass
class AgentSlotTime:
    logged_in: float = 0.0
    paused: float = 0.0
    busy: float = 0.0
    wrapup: float = 0.0
    pauses: dict[str, float] = field(default_factory=dict)  # reason -> seconds

    def add(self, other: AgentSlotTime) -> None:
        self.logged_in += other.logged_in
        self.paused += other.paused
        self.busy += other.busy
        self.wrapup += other.wrapup
        for reason, seconds in other.pauses.items():
            self.pauses[reason] = self.pauses.get(reason, 0.0) + seconds

    @property
    def ready(self) -> float:
        return max(self.logged_in - self.paused - self.busy - self.wrapup, 0.0)


@dataclass
class _Agent:
    mark: float  # time counted up to here
    logged_in: bool = False  # by AGENTLOGIN
    memberships: set[str] = field(default_factory=set)
    pause: str | None = None  # the reason, "" for none given
    busy: bool = False
    wrap_until: float = 0.0

    @property
    def present(self) -> bool:
        return self.logged_in or bool(self.memberships)


class AgentTimeFold:
    def __init__(self, wrapup_of: Callable[[str], float | None] | None = None) -> None:
        self.wrapup_of = wrapup_of  # a queue's wrap-up seconds (None: not known, 0)
        self._agents: dict[str, _Agent] = {}

    def _count(
        self, agent_id: str, agent: _Agent, until: float, out: dict[tuple[int, str], AgentSlotTime]
    ) -> None:
        """Splits [mark, until) over the slots it touches."""
        start = agent.mark
        agent.mark = max(agent.mark, until)
        if not agent.present:
            return
        while start < until:
            slot = slot_of(start)
            stop = min(until, slot + SLOT_SECONDS)
            spent = out.setdefault((slot, agent_id), AgentSlotTime())
            length = stop - start
            spent.logged_in += length
            if agent.pause is not None:
                spent.paused += length
                spent.pauses[agent.pause] = spent.pauses.get(agent.pause, 0.0) + length
            elif agent.busy:
                spent.busy += length
            elif agent.wrap_until > start:
                spent.wrapup += min(stop, agent.wrap_until) - start
            start = stop

    def fold(self, entries: Iterable[LogQueueEvent]) -> dict[tuple[int, str], AgentSlotTime]:
        out: dict[tuple[int, str], AgentSlotTime] = {}
        for entry in entries:
            if entry.agent in ("", NO_AGENT):
                continue
            agent = self._agents.get(entry.agent)
            if agent is None:
                agent = self._agents[entry.agent] = _Agent(mark=entry.at)
            self._count(entry.agent, agent, entry.at, out)
            self._apply(agent, entry)
        return out

    def tick(self, now: float) -> dict[tuple[int, str], AgentSlotTime]:
        """Every open stretch counted up to ``now``."""
        out: dict[tuple[int, str], AgentSlotTime] = {}
        for agent_id, agent in self._agents.items():
            self._count(agent_id, agent, now, out)
        return out

    def _apply(self, agent: _Agent, entry: LogQueueEvent) -> None:
        match entry.event:
            case "AGENTLOGIN":
                agent.logged_in = True
            case "AGENTLOGOFF":
                agent.logged_in, agent.pause, agent.busy, agent.wrap_until = False, None, False, 0
                agent.memberships.clear()
            case "ADDMEMBER":
                agent.memberships.add(entry.queue)
            case "REMOVEMEMBER":
                agent.memberships.discard(entry.queue)
                if not agent.present:
                    agent.pause, agent.busy, agent.wrap_until = None, False, 0
            case "PAUSE" | "PAUSEALL":
                if agent.pause is None:
                    agent.pause = entry.data[0] if entry.data else ""
                    agent.wrap_until = min(agent.wrap_until, entry.at)
            case "UNPAUSE" | "UNPAUSEALL":
                agent.pause = None
            case "CONNECT":
                agent.busy, agent.wrap_until = True, 0
            case "COMPLETECALLER" | "COMPLETEAGENT" | "BLINDTRANSFER" | "ATTENDEDTRANSFER":
                agent.busy = False
                wrapup = self.wrapup_of(entry.queue) if self.wrapup_of is not None else None
                agent.wrap_until = entry.at + (wrapup or 0.0)
            case _:
                pass
