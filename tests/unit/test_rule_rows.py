"""Filter rule and action rows from the admin page: empty rows dropped, words split, minutes
as numbers, anything odd passed on as typed for the filter parser to name."""

from __future__ import annotations

import pytest
from multidict import MultiDict

from ehd.errors import ValidationError
from ehd.tickets.filters import Facts, Trigger, parse_filter
from ehd.web.tickets.rule_rows import filter_from_form, rule_rows


def test_rows_become_a_definition_that_parses_and_reads_back() -> None:
    form = MultiDict([
        ("rule_0_field", "subject"), ("rule_0_words", "invoice*, bill"),
        ("rule_1_field", "sender"), ("rule_1_negate", "1"), ("rule_1_words", "*@spam.example"),
        ("rule_2_field", "text"), ("rule_2_words", ""),
        ("action_0_kind", "priority"), ("action_0_value", "high"),
        ("action_1_kind", ""), ("action_1_value", ""),
        ("weight", "10"), ("continue", "1"), ("triggers", "new"), ("triggers", "reply"),
        ("site", ""), ("active", "1"),
    ])  # fmt: skip
    body = filter_from_form(form)
    assert body["rules"] == [
        {"field": "subject", "negate": False, "words": ["invoice*", "bill"]},
        {"field": "sender", "negate": True, "words": ["*@spam.example"]},
    ]
    assert body["actions"] == [{"kind": "priority", "value": "high"}]
    assert (body["weight"], body["continue"], body["active"]) == (10, True, True)
    parsed = parse_filter(1, "f", body)
    assert parsed.applies(Facts(subject="Invoice 42", sender="a@b.example"), Trigger.REPLY)
    assert not parsed.applies(Facts(subject="Invoice", sender="x@spam.example"), Trigger.NEW)
    assert rule_rows(body["rules"])[0] == {"field": "subject", "negate": False,
                                          "words": "invoice* bill"}  # fmt: skip


@pytest.mark.parametrize(("pairs", "message"), [
    ([("rule_0_field", "minutes_since_change"), ("rule_0_words", "soon")], "minutes must be"),
    ([("rule_0_field", "subject"), ("rule_0_words", "in*voice")], "only at its start or end"),
    ([("rule_0_field", "subject"), ("rule_0_words", "x"), ("weight", "1.5")], "whole number"),
    ([("rule_0_field", "subject"), ("rule_0_words", "x"), ("action_0_value", "high")],
     "action kind must be"),
    ([("rule_0_field", "subject"), ("rule_0_words", "x"), ("action_0_kind", "status"),
      ("action_0_value", "done")], "a status action sets one of"),
    ([("rule_0_field", "subject"), ("rule_0_words", "")], "at least one rule row"),
])  # fmt: skip
def test_odd_rows_reach_the_parser_as_typed(pairs: list[tuple[str, str]], message: str) -> None:
    body = filter_from_form(MultiDict([*pairs, ("triggers", "new")]))
    with pytest.raises(ValidationError, match=message):
        parse_filter(0, "f", body)


def test_minutes_are_numbers_and_read_back() -> None:
    rows = [("rule_0_field", "minutes_since_change"), ("rule_0_words", "90"),
            ("triggers", "existing")]  # fmt: skip
    body = filter_from_form(MultiDict(rows))
    assert body["rules"] == [{"field": "minutes_since_change", "negate": False, "minutes": 90}]
    assert rule_rows(body["rules"])[0]["words"] == "90"
