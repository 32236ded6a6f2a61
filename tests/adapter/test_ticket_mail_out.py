"""Mail out of tickets through a real SMTP server (aiosmtpd): the confirmation threads back,
signatures, and no automatic answer to machine mail (the loop guard)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ehd.config import Config
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import Contact, Signature, Ticket, TicketEntry
from ehd.mail.outbound import Mailer
from ehd.tickets.mail_out import CONFIRMATION, TicketMail
from ehd.tickets.service import ingest_mail
from tests.harness.mail_sink import MailSink, mail_sink

KEY = b"q" * 32


@pytest.fixture
async def outgoing(database_url: str) -> AsyncIterator[tuple[TicketMail, MailSink]]:
    await open_database(database_url)
    with mail_sink() as sink:
        config = Config(smtp_host="127.0.0.1", smtp_port=sink.port, mail_from="support@ehd.example")
        yield (
            TicketMail(Mailer(config), KEY, "https://help.example", confirmation=CONFIRMATION),
            sink,
        )
    await close_database()


def customer_mail(subject: str, **headers: str) -> bytes:
    extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    message_id = f"<c-{abs(hash(subject))}@example.com>"
    head = f"From: Anna Berg <anna@example.com>\r\nSubject: {subject}\r\n"
    return f"{head}Message-ID: {message_id}\r\n{extra}\r\nHello\r\n".encode()


async def test_the_confirmation_threads_and_the_customers_answer_comes_back(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    mail, sink = outgoing
    await Signature.create(text="Customer service, ACME")
    first = await ingest_mail(customer_mail("Where is my parcel?"), KEY, tmp_path)
    await mail.after_ingest(first)
    sent = await sink.wait_for("anna@example.com")
    body = sent.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert f"[#{first.ticket_number}]" in str(sent["Subject"])
    assert f"ticket number is {first.ticket_number}" in text and "Anna Berg" in text
    assert "https://help.example/t/" in text and "Customer service, ACME" in text
    assert str(sent["In-Reply-To"]).startswith("<c-")
    answer = customer_mail("Re: Where is my parcel?", In_Reply_To=str(sent["Message-ID"]))
    second = await ingest_mail(answer, KEY, tmp_path)
    assert (second.ticket_number, second.new) == (first.ticket_number, False)
    entries = await TicketEntry.filter(ticket__number=first.ticket_number).order_by("id")
    assert [entry.kind for entry in entries] == ["mail_in", "mail_out", "mail_in"]


async def test_machine_mail_gets_no_confirmation(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    mail, sink = outgoing
    robot = await ingest_mail(customer_mail("Auto: out of office", Auto_Submitted="auto-replied"),
                              KEY, tmp_path)  # fmt: skip
    await mail.after_ingest(robot)
    assert robot.new and robot.automated
    assert not sink.messages
    assert await Ticket.filter(number=robot.ticket_number).exists()  # still stored


async def test_the_tickets_agent_hears_of_a_reply(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    from ehd.accounts.service import create_user

    mail, sink = outgoing
    agent = await create_user("agnes", "agnes-pass-1", email="agnes@ehd.example")
    first = await ingest_mail(customer_mail("Question one"), KEY, tmp_path)
    ticket = await Ticket.get(number=first.ticket_number)
    ticket.agent = agent
    await ticket.save()
    again = customer_mail(f"Re: Question one [#{ticket.number}]")
    await mail.after_ingest(await ingest_mail(again, KEY, tmp_path))
    note = await sink.wait_for("agnes@ehd.example")
    assert f"ticket {ticket.number}" in str(note["Subject"])


async def test_a_signature_image_goes_inline(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    import dataclasses

    mail, sink = outgoing
    images = tmp_path / "signatures"
    images.mkdir()
    (images / "logo.gif").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    await Signature.create(text="ACME support", image="logo.gif")
    mail = dataclasses.replace(mail, images=images)
    result = await ingest_mail(customer_mail("Logo please"), KEY, tmp_path)
    await mail.after_ingest(result)
    sent = await sink.wait_for("anna@example.com")
    inline = [p for p in sent.iter_attachments() if p.get_content_type() == "image/gif"]
    assert inline and inline[0].get_content_disposition() == "inline"


async def test_a_filter_answers_from_the_knowledge_base(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    from ehd.db.models import KnowledgeArticle, TicketFilter

    mail, sink = outgoing
    article = await KnowledgeArticle.create(title="Opening hours", answer="We are open 8-17.")
    await TicketFilter.create(name="hours", definition={
        "rules": [{"field": "text", "words": ["open*"]}],
        "actions": [{"kind": "auto_reply", "value": f"kb:{article.id}"}],
    })  # fmt: skip
    result = await ingest_mail(customer_mail("When are you open?"), KEY, tmp_path)
    await mail.after_ingest(result)
    await sink.wait_for("anna@example.com")  # the confirmation comes first, then the answer
    texts = [str(m.get_body(preferencelist=("plain",)).get_content()) for m in sink.messages]  # type: ignore[union-attr]
    assert any("We are open 8-17." in text for text in texts), texts
    assert (await KnowledgeArticle.get(id=article.id)).times_used == 1


async def test_a_subject_with_hidden_line_breaks_still_gets_answers(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    """A line break hidden in an encoded subject once made every reply to the ticket fail
    (Python will not write a header with one); it also must not smuggle in a header."""
    mail, sink = outgoing
    hidden = base64.b64encode(b"Hello\r\nBcc: victim@example.com").decode()
    ingested = await ingest_mail(customer_mail(f"=?utf-8?b?{hidden}?="), KEY, tmp_path)
    ticket = await Ticket.get(number=ingested.ticket_number)
    assert ticket.subject == "Hello Bcc: victim@example.com"
    await mail.reply(ticket, "We are on it.", None)
    sent = await sink.wait_for("anna@example.com")
    assert "\n" not in str(sent["Subject"]) and sent["Bcc"] is None
    assert sent["Date"] is not None  # every mail says when it was written


async def test_automatic_answers_are_marked_and_one_sender_gets_one_an_hour(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    """A naive autoresponder (no Auto-Submitted of its own) answering our confirmation made a
    new ticket, which was confirmed, and so on: it was answered eight times. Our automatic mail
    now says it is automatic (RFC 3834), and a sender is answered automatically at most once
    an hour."""
    mail, sink = outgoing
    first = await ingest_mail(customer_mail("Where is my parcel?"), KEY, tmp_path)
    await mail.after_ingest(first)
    confirmation = await sink.wait_for("anna@example.com")
    assert confirmation["Auto-Submitted"] == "auto-replied"
    for n in range(3):  # their robot writes back, each time as a new message
        robot = await ingest_mail(customer_mail(f"I am away until Monday ({n})"), KEY, tmp_path)
        assert robot.new and robot.automated is None  # it does not say it is a robot
        await mail.after_ingest(robot)
    assert len([m for m in sink.messages if "anna@example.com" in str(m["To"])]) == 1

    restarted = TicketMail(mail.mailer, KEY, "https://help.example", confirmation=CONFIRMATION)
    again = await ingest_mail(customer_mail("I am away until Monday (after)"), KEY, tmp_path)
    await restarted.after_ingest(again)  # a restart does not reset the hour
    assert len([m for m in sink.messages if "anna@example.com" in str(m["To"])]) == 1
    await Contact.all().update(auto_answered_at=datetime.now(UTC) - timedelta(minutes=61))
    later = await ingest_mail(customer_mail("A new question"), KEY, tmp_path)
    await restarted.after_ingest(later)  # the hour is over: answered again
    assert len([m for m in sink.messages if "anna@example.com" in str(m["To"])]) == 2


async def test_a_reply_outlives_a_mail_server_that_is_down(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    """The reply was refused and the typed text lost while the mail server was away; now it
    is saved with its entry, shown as not sent yet, and sent once the server answers."""
    from ehd.asterisk.instance import free_ports
    from ehd.db.models import Delivery, OutgoingMail
    from ehd.mail.outbox import deliver_due

    working, sink = outgoing
    (closed_port,) = free_ports(1)  # nothing listens there: the server is down
    down = Config(smtp_host="127.0.0.1", smtp_port=closed_port, mail_from="support@ehd.example")
    mail = TicketMail(Mailer(down), KEY, "https://help.example")
    ingested = await ingest_mail(customer_mail("Parcel lost"), KEY, tmp_path)
    ticket = await Ticket.get(number=ingested.ticket_number)
    entry = await mail.reply(ticket, "We found it.", None)
    assert entry.text == "We found it." and await mail.delivery(entry) == Delivery.QUEUED
    queued = await OutgoingMail.get(entry=entry)
    assert queued.attempts == 1 and queued.last_error and "anna@example.com" in queued.recipients

    now = datetime.now(UTC)
    assert await deliver_due(working.mailer, now) == 0  # not due yet: a minute's pause
    assert await deliver_due(working.mailer, now + timedelta(minutes=2)) == 1
    sent = await sink.wait_for("anna@example.com")
    assert "We found it." in str(sent.get_body(preferencelist=("plain",)))
    assert await mail.delivery(entry) == Delivery.SENT
    assert await deliver_due(working.mailer, now + timedelta(hours=1)) == 0  # sent once


async def test_bounces_and_alarms_outlive_a_mail_server_that_is_down(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    """Bounces, alarms and agent notices went straight to the mail server and were dropped
    with a log line while it was away. Now they wait in the outbox like replies do."""
    from ehd.asterisk.instance import free_ports
    from ehd.db.models import Delivery, OutgoingMail
    from ehd.mail.outbox import deliver_due
    from ehd.tickets import filters as rules

    working, sink = outgoing
    (closed_port,) = free_ports(1)
    down = Config(smtp_host="127.0.0.1", smtp_port=closed_port, mail_from="support@ehd.example")
    mail = TicketMail(Mailer(down), KEY, "https://help.example")
    await mail.bounce("big@example.com", "Your message of 30 MB was not received.")
    ingested = await ingest_mail(customer_mail("Server room flooded"), KEY, tmp_path)
    ticket = await Ticket.get(number=ingested.ticket_number)
    alarm = rules.Action(rules.ActionKind.ALARM, "duty@ehd.example")
    await mail.carry_out(ticket, [alarm])
    waiting = await OutgoingMail.filter(state=Delivery.QUEUED)
    assert sorted(m.recipients for m in waiting) == ["big@example.com", "duty@ehd.example"]

    assert await deliver_due(working.mailer, datetime.now(UTC) + timedelta(minutes=2)) == 2
    bounce = await sink.wait_for("big@example.com")
    assert bounce["Auto-Submitted"] == "auto-replied" and "30 MB" in str(bounce.get_body())
    assert "Server room flooded" in (await sink.wait_for("duty@ehd.example"))["Subject"]


async def test_the_outbox_gives_up_after_about_two_days(
    outgoing: tuple[TicketMail, MailSink], tmp_path: Path
) -> None:
    from ehd.asterisk.instance import free_ports
    from ehd.db.models import Delivery, OutgoingMail
    from ehd.mail.outbox import PAUSES, deliver_due

    (closed_port,) = free_ports(1)
    down = Mailer(Config(smtp_host="127.0.0.1", smtp_port=closed_port))
    mail = TicketMail(down, KEY, "https://help.example")
    ingested = await ingest_mail(customer_mail("Never mind"), KEY, tmp_path)
    entry = await mail.reply(await Ticket.get(number=ingested.ticket_number), "Hello?", None)
    later = datetime.now(UTC)
    for pause in PAUSES:
        later += pause + timedelta(seconds=1)
        assert await deliver_due(down, later) == 0
    stored = await OutgoingMail.get(entry=entry)
    assert stored.state == Delivery.FAILED and stored.attempts == len(PAUSES) + 1
