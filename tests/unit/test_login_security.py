"""Password rules and the login guard, without a database or a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehd.accounts.login_guard import (
    LOCK_FOR,
    MAX_FAILURES,
    AccountState,
    AttemptLimiter,
    UserAttemptLimiter,
    after_failure,
    locked,
)
from ehd.accounts.password_policy import Policy, expired, problems, repeats_a_run

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "ok"),
    [("abc12abc", False), ("ab11ab12", True), ("pass123word123", False), ("Sommar2026", True),
     ("short1", False), ("onlyletters", False), ("12345678", False), ("AbC9xAbC", False)],
)  # fmt: skip
def test_the_strict_policy(password: str, ok: bool) -> None:
    assert (problems(password, Policy.STRICT) == []) is ok


def test_the_basic_policy_asks_for_four_characters() -> None:
    assert problems("abcd", Policy.BASIC) == []
    assert problems("abc", Policy.BASIC) == ["a password has at least 4 characters"]
    assert problems("aaaa", Policy.BASIC) == []  # no other rules unless strict


@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize(
    ("password", "ok"),
    [("1234", False), ("Password", False), ("aaaaaaaaaa", False), ("1234567890", False),
     ("abcdefghij", False), ("9876543210", False), ("admin1234", False), ("9-char-pw", False),
     ("Sommar2026!", True), ("kv4rt-ljus-7", True)],
)  # fmt: skip
def test_an_administrator_password_is_never_1234_under_either_policy(
    password: str, ok: bool, policy: Policy
) -> None:
    """The default policy let an administrator keep "1234"."""
    assert (problems(password, policy, admin=True, admin_min_length=10) == []) is ok
    assert problems("1234", policy, admin=False) == ([] if policy is Policy.BASIC else
                                                     problems("1234", policy))  # fmt: skip


def test_the_admin_minimum_never_drops_below_eight() -> None:
    assert problems("Q7-x!a", Policy.BASIC, admin=True, admin_min_length=4) == [
        "an administrator's password has at least 8 characters"
    ]


def test_each_broken_rule_is_named() -> None:
    found = problems("abcabc", Policy.STRICT)
    assert len(found) == 3 and any("8 characters" in p for p in found)
    assert any("letter and a digit" in p for p in found) and any("repeat" in p for p in found)


@given(st.text(alphabet="ab12", min_size=0, max_size=12))
def test_a_run_repeats_only_if_some_letter_or_digit_triple_occurs_twice(password: str) -> None:
    triples = [password[i : i + 3].lower() for i in range(len(password) - 2)]
    uniform = [t for t in triples if t.isalpha() or t.isdigit()]
    assert repeats_a_run(password) == any(uniform.count(t) > 1 for t in uniform)


def test_strict_passwords_expire_after_90_days() -> None:
    assert not expired(NOW - timedelta(days=89), NOW, Policy.STRICT)
    assert expired(NOW - timedelta(days=90), NOW, Policy.STRICT)
    assert not expired(NOW - timedelta(days=900), NOW, Policy.BASIC)


def test_an_account_locks_after_repeated_failures_and_opens_again() -> None:
    state = AccountState(0, None)
    for _ in range(MAX_FAILURES - 1):
        state = after_failure(state, NOW)
        assert not locked(state, NOW)
    state = after_failure(state, NOW)
    assert locked(state, NOW) and locked(state, NOW + LOCK_FOR - timedelta(seconds=1))
    assert not locked(state, NOW + LOCK_FOR)
    later = after_failure(state, NOW + LOCK_FOR)  # a fresh count after the lock
    assert later == AccountState(1, None)


def test_failed_logins_per_address_are_limited_and_good_ones_are_free() -> None:
    limiter = AttemptLimiter(burst=3, per_minute=6)
    for _ in range(3):
        assert limiter.wait("10.0.0.1", 0.0) == 0
        limiter.failed("10.0.0.1", 0.0)
    assert limiter.wait("10.0.0.1", 0.0) == pytest.approx(10.0)
    assert limiter.wait("10.0.0.2", 0.0) == 0  # others are not held up
    assert limiter.wait("10.0.0.1", 10.0) == 0  # one more try after 10 s (6 a minute)


def test_the_limiter_forgets_the_oldest_addresses_first() -> None:
    limiter = AttemptLimiter(burst=1, per_minute=1, capacity=2)
    for address in ("a", "b", "c"):
        limiter.failed(address, 0.0)
    assert limiter.wait("a", 0.0) == 0 and limiter.wait("c", 0.0) > 0


def test_spending_counts_a_try_only_when_one_is_allowed() -> None:
    limiter = AttemptLimiter(burst=2, per_minute=6)
    assert limiter.spend("10.0.0.1", 0.0) and limiter.spend("10.0.0.1", 0.0)
    assert not limiter.spend("10.0.0.1", 0.0)  # refused tries do not count
    assert limiter.spend("10.0.0.1", 10.0)  # one try back after 10 s at 6 a minute
    assert not limiter.spend("10.0.0.1", 10.0)


def test_guesses_at_one_user_from_many_addresses_meet_a_limit_that_spares_the_user() -> None:
    """A per-address limit alone lets a botnet guess at one admin for ever; a per-user limit
    alone would let it shut that admin out. The user's own known addresses pass."""
    limiter = UserAttemptLimiter(burst=3, per_minute=6)
    limiter.succeeded("Root", "10.0.0.9")  # where root logs in from
    for n in range(3):
        assert limiter.wait("root", f"192.0.2.{n}", 0.0) == 0
        limiter.failed("ROOT", 0.0)
    assert limiter.wait("root", "192.0.2.77", 0.0) == pytest.approx(10.0)
    assert limiter.wait("root", "10.0.0.9", 0.0) == 0  # the real user is not shut out
    assert limiter.wait("agent", "192.0.2.77", 0.0) == 0  # other users are not held up
