"""Mail threading (signed Message-IDs, subject tags from known addresses) and loop guards."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import default

import pytest

from ehd.mail.conversation import automated, message_id, subject_tag, thread, ticket_of_message_id

SECRET = b"k" * 32
TICKETS = {1234: ["anna@example.com", "boss@example.com"]}


def mail(**headers: str) -> EmailMessage:
    message = EmailMessage(policy=default)
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("hello")
    return message


def lookup(ticket: int) -> list[str] | None:
    return TICKETS.get(ticket)


def test_our_signed_message_ids_thread_and_forgeries_do_not() -> None:
    ours = message_id(1234, SECRET, "ehd.example")
    assert ticket_of_message_id(ours, SECRET) == 1234
    assert ticket_of_message_id(ours, b"other-secret") is None
    forged = ours.replace("ehd.t1234.", "ehd.t1235.")
    assert ticket_of_message_id(forged, SECRET) is None
    reply = mail(From="stranger@example.net", Subject="Re: hi", In_Reply_To=ours)
    assert thread(reply, SECRET, lookup) == 1234
    deep = mail(From="x@y.z", References=f"<a@b> {ours} <c@d>")
    assert thread(deep, SECRET, lookup) == 1234


def test_a_subject_tag_counts_only_from_the_tickets_addresses() -> None:
    tagged = f"Re: my order {subject_tag(1234)}"
    assert thread(mail(From="Anna <ANNA@example.com>", Subject=tagged), SECRET, lookup) == 1234
    assert thread(mail(From="boss@example.com", Subject=tagged), SECRET, lookup) == 1234
    assert thread(mail(From="mallory@evil.example", Subject=tagged), SECRET, lookup) is None
    assert thread(mail(From="anna@example.com", Subject="[#9999] x"), SECRET, lookup) is None
    assert thread(mail(From="anna@example.com", Subject="no tag"), SECRET, lookup) is None


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"X_Autoreply": "yes"}, "X-Autoreply"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"Precedence": "junk"}, "Precedence: junk"),
        ({"From": "MAILER-DAEMON@mx.example"}, "sender MAILER-DAEMON@mx.example"),
        ({"Return_Path": "<>"}, "empty Return-Path"),
        ({"X_Failed_Recipients": "a@b.c"}, "X-Failed-Recipients"),
        ({"List_Id": "<news.example>"}, "mailing list"),
    ],
)
def test_machine_mail_is_recognised(headers: dict[str, str], reason: str) -> None:
    assert automated(mail(**{"From": "a@example.com", **headers})) == reason


def test_a_person_is_not_a_machine() -> None:
    assert automated(mail(From="anna@example.com", Auto_Submitted="no")) is None


def test_customer_links_open_only_their_own_ticket() -> None:
    from ehd.tickets.links import ticket_of, token_for

    token = token_for(1234, SECRET)
    assert ticket_of(token, SECRET) == 1234
    assert ticket_of(token, b"another-key") is None
    assert ticket_of(token.replace("1234-", "1235-"), SECRET) is None
    assert ticket_of("1234-short", SECRET) is None
    assert ticket_of("../../etc/passwd", SECRET) is None
