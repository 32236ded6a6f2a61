"""Menus, customer numbers and hot prompts: the pure decisions of the caller's way in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehd.callflow.customer_number import CustomerNumberRule, luhn_valid
from ehd.callflow.hot_prompts import HotPromptRule, to_play
from ehd.callflow.menu import GOODBYE, Destination, Go, Kind, MenuSpec, Retry, choose
from ehd.errors import ValidationError

MENU = MenuSpec.parse(
    "main",
    "main-menu",
    {"1": {"kind": "queue", "target": "support"}, "2": {"kind": "menu", "target": "billing"}},
    {"kind": "queue", "target": "switchboard"},
    retries=2,
)


def test_a_known_digit_goes_to_its_destination() -> None:
    assert choose(MENU, "1", 0) == Go(Destination(Kind.QUEUE, "support"))
    assert choose(MENU, "2", 2) == Go(Destination(Kind.MENU, "billing"))


def test_invalid_digits_and_silence_are_retried_then_fall_back() -> None:
    assert choose(MENU, "7", 0) == Retry("menu-invalid")
    assert choose(MENU, None, 1) == Retry(None)
    assert choose(MENU, "7", 2) == Go(Destination(Kind.QUEUE, "switchboard"))
    assert choose(MENU, None, 2) == Go(Destination(Kind.QUEUE, "switchboard"))


@given(st.lists(st.sampled_from("0123456789*#") | st.none(), min_size=1, max_size=12))
def test_a_caller_always_leaves_the_menu_within_retries_plus_one_attempts(
    keys: list[str | None],
) -> None:
    for attempt, key in enumerate(keys):
        outcome = choose(MENU, key, attempt)
        if isinstance(outcome, Go):
            assert attempt <= MENU.retries
            return
    assert len(keys) <= MENU.retries


def test_bad_menus_are_refused() -> None:
    with pytest.raises(ValidationError, match="single keys"):
        MenuSpec.parse("m", "p", {"12": {"kind": "queue", "target": "x"}}, None)
    with pytest.raises(ValidationError, match="kind must be one of"):
        MenuSpec.parse("m", "p", {"1": {"kind": "teleport", "target": "x"}}, None)
    with pytest.raises(ValidationError, match="needs a target"):
        MenuSpec.parse("m", "p", {"1": {"kind": "queue"}}, None)
    assert MenuSpec.parse("m", "p", {}, None).fallback == GOODBYE


def test_luhn_on_swedish_personal_numbers() -> None:
    assert luhn_valid("8112189876")  # a published test number
    assert not luhn_valid("8112189875")
    assert not luhn_valid("81121898a6")


def test_customer_number_checks() -> None:
    rule = CustomerNumberRule("required", 4, 10, "luhn")
    assert rule.problem("8112189876") is None
    assert rule.problem("123") == "the number must have 4-10 digits"
    assert rule.problem("8112189875") == "the check digit is wrong"
    assert rule.problem("") == "no number entered"
    assert CustomerNumberRule("optional").problem("") is None
    with pytest.raises(ValidationError):
        CustomerNumberRule("sometimes")


def test_hot_prompts_by_queue_and_time() -> None:
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    rules = [
        HotPromptRule(3, "queue-news", 7),
        HotPromptRule(1, "outage", None, starts_at=now - timedelta(hours=1)),
        HotPromptRule(2, "later", None, starts_at=now + timedelta(hours=1)),
        HotPromptRule(4, "expired", 7, ends_at=now),
        HotPromptRule(5, "off", 7, active=False),
        HotPromptRule(6, "other-queue", 8),
    ]
    assert to_play(rules, 7, now) == ["outage", "queue-news"]
    assert to_play(rules, 8, now) == ["outage", "other-queue"]


def test_survey_scales_and_answers() -> None:
    from ehd.callflow.survey import Question, parse_questions

    csat, nps = parse_questions(
        [
            {"id": "csat", "prompt": "survey-question-csat"},
            {"id": "nps", "prompt": "survey-question-nps", "low": 0, "high": 10},
        ]
    )
    assert (csat.max_keys, nps.max_keys) == (1, 2)
    assert [csat.answer(k) for k in ("4", "0", "6", "", "*")] == [4, None, None, None, None]
    assert [nps.answer(k) for k in ("0", "10", "11")] == [0, 10, None]
    with pytest.raises(ValidationError, match="within 0-10"):
        Question("x", "p", 1, 11)
    with pytest.raises(ValidationError, match="differ"):
        parse_questions([{"id": "a", "prompt": "p"}, {"id": "a", "prompt": "q"}])
    with pytest.raises(ValidationError, match="non-empty"):
        parse_questions([])


def test_screen_pop_values_are_encoded_and_templates_checked() -> None:
    from ehd.callflow.screen_pop import check_template, choose, render

    template = "https://crm.example/pop?aid={AID}&q={QID}&c={CUSTID}&r={RINGNO}"
    check_template(template)
    url = render(template, {"AID": "+46 70&x=1", "QID": "support", "CUSTID": "42"})
    assert url == "https://crm.example/pop?aid=%2B46%2070%26x%3D1&q=support&c=42&r="
    with pytest.raises(ValidationError, match="unknown placeholder"):
        check_template("https://x/{CALLER}")
    with pytest.raises(ValidationError, match="starts with"):
        check_template("javascript:alert(1)")
    assert choose("", "https://q", "https://site") == "https://q"
    assert choose("https://me", "https://q", "") == "https://me"


def test_callback_numbers_are_checked_against_the_policy() -> None:
    from ehd.callflow.callback_number import callback_number

    assert callback_number("1", "+46701234567") == ("+46701234567", "")
    assert callback_number("0701234567", "") == ("+46701234567", "")
    assert callback_number("1", "") == (None, "no number")
    assert callback_number("0900123456", "+46701234567")[1].startswith("premium-rate")
    assert callback_number("123", "")[0] is None
