"""The wallboard: key figures of queues, agents, the week's top list, today's tickets and the
sites, computed once per second for every board watching and pushed over a websocket."""
