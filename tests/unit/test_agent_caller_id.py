"""What an agent's phone shows for a queue call."""

from __future__ import annotations

from ehd.queueing.agent_caller_id import shown_to_agent


def test_a_desk_phone_shows_the_customer_named_after_the_contact_and_queue() -> None:
    shown = shown_to_agent("sales", "4700", "+46701234567", "Anna Berg", remote=False)
    assert shown == '"Anna Berg (sales)" <+46701234567>'


def test_an_unknown_caller_is_named_after_the_queue() -> None:
    assert shown_to_agent("sales", "4700", "0701234567", remote=False) == '"sales" <0701234567>'


def test_anonymous_or_odd_numbers_fall_back_to_the_queue_number() -> None:
    for odd in ("", "anonymous", "+46 70", "1;x=y", "١٢٣"):
        assert shown_to_agent("sales", "4700", odd, remote=False) == '"sales" <4700>', odd


def test_a_remote_agent_gets_the_queue_number_the_carrier_accepts() -> None:
    shown = shown_to_agent("sales", "4700", "+46701234567", "Anna", remote=True)
    assert shown == '"sales" <4700>'


def test_quotes_and_angle_brackets_cannot_break_the_header() -> None:
    shown = shown_to_agent("sales", "4700", "+4670", 'Eve "<sip:x>"\\', remote=False)
    assert shown == '"Eve sip:x (sales)" <+4670>'


def test_nothing_to_show_gives_none() -> None:
    assert shown_to_agent("sales", "", "", remote=True) is None
