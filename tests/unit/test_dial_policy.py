"""What an agent's phone may dial out, without Asterisk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehd.calls.dial_policy import DialKind, DialRights, decide

EXTENSIONS = {"1001", "1002"}
NONE = DialRights()
ALL = DialRights(international=True, premium_rate=True)


@pytest.mark.parametrize(
    ("dialled", "kind", "target"),
    [("08-123 456 78", DialKind.NATIONAL, "+46812345678"),
     ("070-123 45 67", DialKind.NATIONAL, "+46701234567"),
     ("+46 (0)8 123 456 78", DialKind.NATIONAL, "+46812345678"),  # the usual "(0)"
     ("0046 8 123 456 78", DialKind.NATIONAL, "+46812345678"),
     ("1002", DialKind.INTERNAL, "1002"),
     ("112", DialKind.EMERGENCY, "112"),
     ("+44 20 7946 0958", DialKind.REFUSED, ""),
     ("0900-123 45 67", DialKind.REFUSED, ""),
     ("12345", DialKind.REFUSED, ""),
     ("08-123 456 7x", DialKind.REFUSED, ""),
     ("０８１２３４５６７８", DialKind.REFUSED, "")],  # full-width digits: not for the trunk
)  # fmt: skip
def test_an_agent_without_rights(dialled: str, kind: DialKind, target: str) -> None:
    decision = decide(dialled, "SE", EXTENSIONS, NONE)
    assert (decision.kind, decision.target) == (kind, target)
    assert decision.allowed == (kind is not DialKind.REFUSED)
    assert decision.allowed or decision.reason


def test_rights_open_international_and_premium_numbers() -> None:
    assert decide("+44 20 7946 0958", "SE", EXTENSIONS, ALL).kind is DialKind.INTERNATIONAL
    assert decide("0900-123 45 67", "SE", EXTENSIONS, ALL).target == "+469001234567"
    refused = decide("+44 20 7946 0958", "SE", EXTENSIONS, NONE)
    assert "international" in refused.reason


def test_emergency_numbers_follow_the_region_and_need_no_rights() -> None:
    assert decide("911", "US", set(), NONE).kind is DialKind.EMERGENCY
    assert decide("911", "SE", set(), NONE).kind is DialKind.REFUSED  # not one in Sweden


@given(st.text(max_size=30))
def test_whatever_is_typed_gets_a_decision_and_only_digits_reach_the_trunk(typed: str) -> None:
    decision = decide(typed, "SE", EXTENSIONS, ALL)
    if decision.kind in (DialKind.NATIONAL, DialKind.INTERNATIONAL, DialKind.PREMIUM_RATE):
        assert decision.target.startswith("+") and decision.target[1:].isdigit()
        assert decision.target.isascii()
    elif decision.allowed:
        assert decision.target.isascii() and decision.target.isdigit()


def test_the_number_shown_is_the_users_own_then_their_first_sites() -> None:
    from ehd.calls.dial_policy import presented_number

    assert presented_number("+4681111111", ["+4682222222"]) == "+4681111111"
    assert presented_number("", ["", "+4682222222", "+4683333333"]) == "+4682222222"
    assert presented_number("", []) == ""


def test_an_agents_extension_is_read_from_the_channel_name() -> None:
    from ehd.stasis.outbound import extension_of

    assert extension_of("PJSIP/1001-0000002a") == "1001"
    assert extension_of("PJSIP/trunk-00000001") == "trunk"
    assert extension_of("Local/x@y-0001;1") == ""
    assert extension_of("PJSIP/1001") == ""
