"""Live figures from the engine's state, for consoles, wallboards and the REST API. Pure."""

from __future__ import annotations

from ehd.acd.agent_states import AgentState
from ehd.acd.engine import AcdEngine


def queue_figures(engine: AcdEngine, now: float) -> dict[str, dict[str, float]]:
    """Per queue: callers waiting, the longest wait, agents ready and logged in."""
    figures = {}
    for name, runtime in engine.queues.items():
        states = [engine.agents[a].state.value for a in runtime.members if a in engine.agents]
        figures[name] = {
            "waiting": len(runtime.waiting),
            "longest_wait": max((now - i.entered_at for i in runtime.waiting), default=0.0),
            "agents_ready": states.count("ready"),
            "agents_logged_in": sum(1 for state in states if state != "logged_out"),
        }
    return figures


def agent_figures(engine: AcdEngine, now: float) -> dict[str, dict[str, object]]:
    """Logged-in agents: state, seconds in it, device and queues."""
    return {
        agent_id: {
            "state": agent.state.value,
            "seconds_in_state": round(max(0.0, now - agent.state_since)),
            "device": agent.device,
            "queues": sorted(agent.memberships),
        }
        for agent_id, agent in engine.agents.items()
        if agent.state != AgentState.LOGGED_OUT
    }
