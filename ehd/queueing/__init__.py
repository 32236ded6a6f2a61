"""Queueing over ARI: the ACD engine's adapter (callers, agent legs, timers, persistence)."""
