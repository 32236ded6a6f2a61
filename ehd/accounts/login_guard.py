"""Guarding the login: accounts lock after repeated failures, and each client address may try
only so often. Pure (the clock comes in), so the rules are tested without waiting."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_FAILURES = 5  # in a row on one account
LOCK_FOR = timedelta(minutes=15)


@dataclass(frozen=True)
class AccountState:
    failures: int
    locked_until: datetime | None


def locked(state: AccountState, now: datetime) -> bool:
    return state.locked_until is not None and now < state.locked_until


def after_failure(state: AccountState, now: datetime) -> AccountState:
    failures = 0 if state.locked_until is not None and now >= state.locked_until else state.failures
    failures += 1
    if failures >= MAX_FAILURES:
        return AccountState(0, now + LOCK_FOR)
    return AccountState(failures, None)


class AttemptLimiter:
    """Failed logins per client address, as a token bucket: ``burst`` failures at once, then
    ``per_minute``. Good logins cost nothing, so a busy office behind one address is never
    slowed. Remembers at most ``capacity`` addresses (the least recently seen go first)."""

    def __init__(self, burst: int = 10, per_minute: float = 10, capacity: int = 10_000) -> None:
        self.burst = float(burst)
        self.rate = per_minute / 60
        self.capacity = capacity
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at

    def _tokens(self, address: str, now: float) -> float:
        tokens, at = self._buckets.get(address, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.rate)

    def wait(self, address: str, now: float) -> float:
        """0 when a try may go ahead, else the seconds until one may."""
        tokens = self._tokens(address, now)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def spend(self, address: str, now: float) -> bool:
        """For tries that always cost (a public form's sends): count one and return True, or
        return False without counting when the address must wait first."""
        if self.wait(address, now):
            return False
        self.failed(address, now)
        return True

    def failed(self, address: str, now: float) -> None:
        tokens = self._tokens(address, now) - 1
        self._buckets.pop(address, None)
        self._buckets[address] = (tokens, now)
        while len(self._buckets) > self.capacity:
            self._buckets.popitem(last=False)


class UserAttemptLimiter:
    """Failed tries per username, wherever they come from: guesses spread over many addresses
    still meet a limit. A stranger must not be able to shut the real user out by failing on
    purpose, so an address that has logged in as that user before is never held back by it
    (the per-address limit still applies to it)."""

    def __init__(self, burst: int = 20, per_minute: float = 10, capacity: int = 10_000) -> None:
        self.limiter = AttemptLimiter(burst, per_minute, capacity)
        self.capacity = capacity
        self._known: OrderedDict[tuple[str, str], None] = OrderedDict()  # (user, address)

    def wait(self, username: str, address: str, now: float) -> float:
        if (username.casefold(), address) in self._known:
            return 0.0
        return self.limiter.wait(username.casefold(), now)

    def failed(self, username: str, now: float) -> None:
        self.limiter.failed(username.casefold(), now)

    def succeeded(self, username: str, address: str) -> None:
        key = (username.casefold(), address)
        self._known.pop(key, None)
        self._known[key] = None
        while len(self._known) > self.capacity:
            self._known.popitem(last=False)
