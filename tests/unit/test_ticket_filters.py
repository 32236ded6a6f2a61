"""Ticket filters: wildcards, AND/OR, negation, weight and continue, and the four examples
from the feature description."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehd.errors import ValidationError
from ehd.tickets.filters import Action, ActionKind, Facts, Pattern, Trigger, parse_filter, run


def make(filter_id: int, rules: list[dict[str, Any]], **extra: Any) -> Any:
    actions = extra.pop("actions", [{"kind": "priority", "value": "high"}])
    return parse_filter(filter_id, f"f{filter_id}", {"rules": rules, "actions": actions, **extra})


@pytest.mark.parametrize(
    ("pattern", "word", "expected"),
    [
        ("fill", "fill", True),
        ("fill", "FILL", True),
        ("fill", "fulfill", False),
        ("fill", "filling", False),
        ("*fill*", "unfulfilling", True),
        ("in*", "invoice", True),
        ("in*", "Inside", True),
        ("in*", "finger", False),
        ("*@klarna.se", "billing@klarna.se", True),
        ("*@klarna.se", "billing@klarna.se.evil.com", False),
    ],
)
def test_wildcards(pattern: str, word: str, expected: bool) -> None:
    assert Pattern.parse(pattern).matches_word(word) is expected


@given(st.text(alphabet="abcxyz", min_size=1, max_size=4), st.text(alphabet="abcxyz", max_size=8))
def test_wildcard_semantics_match_plain_string_tests(core: str, word: str) -> None:
    assert Pattern.parse(f"*{core}*").matches_word(word) == (core in word)
    assert Pattern.parse(f"{core}*").matches_word(word) == word.startswith(core)
    assert Pattern.parse(f"*{core}").matches_word(word) == word.endswith(core)
    assert Pattern.parse(core).matches_word(word) == (core == word)


def test_example_1_keyword_in_heading_or_text_from_one_customer() -> None:
    rule = make(1, [{"field": "text", "words": ["invoice", "payment"]},
                    {"field": "sender", "words": ["*@klarna.se"]}])  # fmt: skip
    hit = Facts(subject="Question", body="About my payment, please.", sender="ops@klarna.se")
    assert run([rule], hit, Trigger.NEW).matched == [1]
    assert run([rule], Facts(body="payment", sender="me@example.com"), Trigger.NEW).matched == []
    assert run([rule], Facts(body="paid", sender="ops@klarna.se"), Trigger.NEW).matched == []


def test_example_2_heading_word_body_word_and_source() -> None:
    rule = make(2, [
        {"field": "subject", "words": ["anullation"]},
        {"field": "body", "words": "delivery shipping postal"},
        {"field": "source", "words": ["email"]},
    ])  # fmt: skip
    facts = Facts(subject="Anullation of order", body="The shipping was late", source="email")
    assert run([rule], facts, Trigger.NEW).matched == [2]
    assert run([rule], Facts(subject="Anullation", body="shipping", source="form"),
               Trigger.NEW).matched == []  # fmt: skip


def test_example_3_new_tickets_not_left_unattended() -> None:
    rule = make(3, [{"field": "status", "words": ["new"]},
                    {"field": "minutes_since_change", "minutes": 120, "negate": True}],
                triggers=["existing"])  # fmt: skip
    assert run([rule], Facts(status="new", minutes_since_change=30), Trigger.EXISTING).matched
    assert not run([rule], Facts(status="new", minutes_since_change=121), Trigger.EXISTING).matched
    assert not run([rule], Facts(status="open", minutes_since_change=5), Trigger.EXISTING).matched
    assert not run([rule], Facts(status="new"), Trigger.NEW).matched  # not for new messages


def test_example_4_a_customer_reply_asking_to_close() -> None:
    rule = make(4, [{"field": "status", "words": ["with_contact"]},
                    {"field": "body", "words": ["close!"]}],
                triggers=["reply"], actions=[{"kind": "close"}])  # fmt: skip
    facts = Facts(status="with_contact", body="Thanks, please close! /Anna")
    outcome = run([rule], facts, Trigger.REPLY)
    assert outcome.actions == [Action(ActionKind.CLOSE)]
    assert not run([rule], Facts(status="with_contact", body="do not close"), Trigger.REPLY).matched


def test_negation_weight_continue_and_site() -> None:
    spam = make(1, [{"field": "text", "words": ["*lottery*"]}], weight=10,
                actions=[{"kind": "close"}])  # fmt: skip
    not_invoice = make(2, [{"field": "text", "words": ["invoice"], "negate": True}], weight=5,
                       actions=[{"kind": "group", "value": "support"}])  # fmt: skip
    other_site = make(4, [{"field": "text", "words": ["hello"]}], weight=99, site="brand2")
    filters = [spam, not_invoice, other_site]
    won = Facts(subject="hello", body="you won the lottery!", site="brand1")
    assert run(filters, won, Trigger.NEW).matched == [1]  # heaviest first, then it stops
    parcel = Facts(subject="hello", body="where is my parcel", site="brand1")
    assert run(filters, parcel, Trigger.NEW).matched == [2]
    invoice = Facts(subject="hello", body="my invoice", site="brand1")
    assert run(filters, invoice, Trigger.NEW).matched == []  # negated row fails
    first = make(5, [{"field": "text", "words": ["parcel"]}], weight=50, **{"continue": True})
    assert run([*filters, first], parcel, Trigger.NEW).matched == [5, 2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rules": []}, "at least one rule"),
        ({"rules": [{"field": "subject", "words": ["in*voice"]}]}, "only at its start or end"),
        ({"rules": [{"field": "subject", "words": ["**"]}]}, "only at its start or end"),
        ({"rules": [{"field": "colour", "words": ["red"]}]}, "field must be one of"),
        ({"rules": [{"field": "subject", "words": []}]}, "one or more words"),
        ({"rules": [{"field": "minutes_since_change", "minutes": -1}]}, "minutes must be"),
        ({"rules": [{"field": "subject", "words": ["x"]}], "triggers": ["later"]}, "triggers"),
        (
            {"rules": [{"field": "subject", "words": ["x"]}], "actions": [{"kind": "explode"}]},
            "action kind",
        ),  # fmt: skip
        (
            {"rules": [{"field": "subject", "words": ["x"]}], "actions": [{"kind": "priority"}]},
            "needs a value",
        ),  # fmt: skip
    ],
)
def test_invalid_filters_are_refused_when_saved(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_filter(1, "bad", data)
