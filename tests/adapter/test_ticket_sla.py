"""Ticket SLA over a real database and a real SMTP server: an admin sets a policy (bad ones
are a 400), a breach runs each escalation step once (a notification before and at the breach,
mail through the outbox, a raised priority in the history), waiting for the customer stops the
clock, an answer meets the first-response goal, and the ticket page, the list and the
wallboard show the time left."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ehd.accounts.service import create_user
from ehd.db.models import (
    Calendar,
    Notification,
    NotificationKind,
    Role,
    Ticket,
    TicketChange,
    TicketSlaEscalation,
)
from ehd.mail.outbound import Mailer
from ehd.tickets.sla_tracking import escalate_due
from ehd.wallboard.snapshot import snapshot
from tests.harness.mail_sink import MailSink, mail_sink
from tests.harness.web_client import app_client, csrf_token, mailing

Client = TestClient[Any, Any]
SLA_KINDS = (NotificationKind.SLA_AT_RISK, NotificationKind.SLA_BREACHED)
ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
STEPS = [
    {"metric": "first_response", "minutes_before": 30, "action": "notify"},
    {"metric": "first_response", "minutes_before": 0, "action": "notify"},
    {"metric": "resolution", "action": "mail", "recipients": ["floor@ehd.example"]},
    {"metric": "resolution", "action": "raise_priority"},
]


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with mail_sink() as sink:
        yield sink


@pytest.fixture
async def setup(tmp_path: Path, sink: MailSink) -> AsyncIterator[tuple[Client, Mailer]]:
    config = mailing(tmp_path, sink)
    users = {"boss": Role.ADMIN, "alice": Role.AGENT}
    async with app_client(config, users, login="boss") as client:
        # Every hour counts, so the expected times are plain sums.
        await Calendar.create(name="always", weekly=ALWAYS, holidays_closed=False)
        yield client, Mailer(config)


async def call(client: Client, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    answer = await client.request(method, path, json=body if body is not None else {})
    return answer.status, await answer.json()


async def _policy(client: Client, **goals: Any) -> dict[str, Any]:
    body = {"name": "standard", "calendar": "always", **goals}
    status, made = await call(client, "POST", "/api/sla-policies", body)
    assert status == 201, made
    return dict(made)


async def _ticket(client: Client, subject: str = "Printer on fire") -> Ticket:
    status, made = await call(client, "POST", "/api/tickets", {"subject": subject})
    assert status == 201, made
    status, _ = await call(client, "PATCH", f"/api/tickets/{made['number']}", {"agent": "alice"})
    assert status == 200
    return await Ticket.get(number=made["number"])


async def _age(ticket: Ticket, by: timedelta) -> None:
    """Move the ticket's past back in time, as if it had been made ``by`` earlier."""
    await Ticket.filter(id=ticket.id).update(created_at=ticket.created_at - by, sla_stale=True)
    for change in await TicketChange.filter(ticket_id=ticket.id):
        await TicketChange.filter(id=change.id).update(at=change.at - by)


async def test_bad_policies_are_refused_with_the_field_named(setup: tuple[Client, Mailer]) -> None:
    client, _ = setup
    for body, field in (
        ({"name": "x", "resolution_minutes": "²"}, "resolution_minutes"),
        ({"name": "x", "resolution_minutes": 0}, "resolution_minutes"),
        ({"name": "x"}, "resolution_minutes"),  # no goal at all
        ({"name": "x", "resolution_minutes": 60, "calendar": "nowhere"}, "calendar"),
        ({"name": "x", "resolution_minutes": 60, "priority": "urgent"}, "priority"),
        ({"name": "x", "resolution_minutes": 60, "pause_statuses": ["solved"]}, "pause_statuses"),
        ({"name": "x", "resolution_minutes": 60,
          "escalations": [{"metric": "resolution", "action": "mail"}]}, "escalations"),
        ({"name": "x", "resolution_minutes": 60, "escalations": "often"}, "escalations"),
    ):  # fmt: skip
        status, answer = await call(client, "POST", "/api/sla-policies", body)
        assert status == 400, (body, answer)
        assert answer["details"]["field"] == field, (body, answer)
    status, listed = await call(client, "GET", "/api/sla-policies")
    assert status == 200 and listed == []  # nothing was half stored


async def test_a_breach_runs_each_escalation_step_once(
    setup: tuple[Client, Mailer], sink: MailSink
) -> None:
    client, mailer = setup
    await _policy(client, first_response_minutes=60, resolution_minutes=120, escalations=STEPS)
    ticket = await _ticket(client)
    start = ticket.created_at
    assert await escalate_due(mailer, start) == 0
    await ticket.refresh_from_db()
    assert ticket.sla_next_check_at == start + timedelta(minutes=30)  # the first warning
    assert ticket.sla_due_at == start + timedelta(minutes=60)
    assert not ticket.sla_stale

    assert await escalate_due(mailer, start + timedelta(minutes=45)) == 1
    told = await Notification.filter(user__username="alice", kind__in=SLA_KINDS).order_by("id")
    assert [n.kind for n in told] == [NotificationKind.SLA_AT_RISK]
    assert "first response" in told[0].text and str(ticket.number) in told[0].text

    assert await escalate_due(mailer, start + timedelta(hours=3)) == 3
    told = await Notification.filter(user__username="alice", kind__in=SLA_KINDS).order_by("id")
    assert [n.kind for n in told] == [NotificationKind.SLA_AT_RISK, NotificationKind.SLA_BREACHED]
    mail = await sink.wait_for("floor@ehd.example")
    assert f"Ticket {ticket.number} missed its resolution goal" in str(mail["Subject"])
    await ticket.refresh_from_db()
    assert ticket.priority == "high"  # from medium, one step
    raised = await TicketChange.get(ticket_id=ticket.id, field="priority")
    assert (raised.who, raised.old, raised.new) == ("SLA", "medium", "high")

    # once each: later runs find nothing new to do
    assert await escalate_due(mailer, start + timedelta(hours=4)) == 0
    assert await escalate_due(mailer, start + timedelta(hours=5)) == 0
    assert await TicketSlaEscalation.filter(ticket_id=ticket.id).count() == 4
    assert len([m for m in sink.messages if "floor@ehd.example" in str(m["To"])]) == 1


async def test_waiting_for_the_customer_stops_the_clock(setup: tuple[Client, Mailer]) -> None:
    client, mailer = setup
    await _policy(client, resolution_minutes=120)
    ticket = await _ticket(client)
    await call(client, "PATCH", f"/api/tickets/{ticket.number}", {"status": "with_contact"})
    _, shown = await call(client, "GET", f"/api/tickets/{ticket.number}")
    (clock,) = shown["sla"]["clocks"]
    assert (clock["metric"], clock["state"], clock["due_at"]) == ("resolution", "paused", None)
    await escalate_due(mailer, datetime.now(UTC) + timedelta(days=2))
    await ticket.refresh_from_db()
    assert ticket.sla_due_at is None  # standing still: not on the wallboard's countdown
    await call(client, "PATCH", f"/api/tickets/{ticket.number}", {"status": "open"})
    _, shown = await call(client, "GET", f"/api/tickets/{ticket.number}")
    (clock,) = shown["sla"]["clocks"]
    assert clock["state"] == "running" and clock["due_at"] is not None
    assert 119 * 60 <= clock["remaining_seconds"] <= 120 * 60


async def test_a_visible_answer_meets_the_first_response_goal(
    setup: tuple[Client, Mailer],
) -> None:
    client, _ = setup
    await _policy(client, first_response_minutes=60)
    ticket = await _ticket(client)
    path = f"/api/tickets/{ticket.number}"
    await call(client, "POST", f"{path}/entries", {"kind": "note", "text": "looking"})
    _, shown = await call(client, "GET", path)
    assert shown["sla"]["clocks"][0]["state"] == "running"  # an internal note is no answer
    await call(client, "POST", f"{path}/entries",
               {"kind": "solution", "text": "Unplug it.", "public": True})  # fmt: skip
    _, shown = await call(client, "GET", path)
    assert shown["sla"]["clocks"][0]["state"] == "met"


async def test_pages_and_the_wallboard_show_the_time_left(setup: tuple[Client, Mailer]) -> None:
    client, mailer = setup
    await _policy(client, first_response_minutes=60, resolution_minutes=480)
    late = await _ticket(client, "Overdue printer")
    await _age(late, timedelta(hours=2))  # first response breached an hour ago
    fresh = await _ticket(client, "Fresh printer")
    page = await (await client.get(f"/tickets/{late.number}")).text()
    assert 'id="sla"' in page and 'data-state="breached"' in page
    assert "−1 h 00 min" in page or "−0 h 59 min" in page  # overdue by an hour
    listing = await (await client.get("/tickets")).text()
    assert 'class="sla sla-breached"' in listing and 'class="sla sla-ok"' in listing
    await escalate_due(mailer)
    # scripts find the overdue ones through the REST API
    await create_user("root", "root-pass-1", role=Role.ADMIN)
    auth = {"Authorization": aiohttp.encode_basic_auth("root", "root-pass-1")}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S%%2B00:00")
    answer = await client.get(f"/RestAPI/v1/tickets?sla_due_at:lt={now}", headers=auth)
    assert answer.status == 200, await answer.text()
    assert [t["number"] for t in await answer.json()] == [late.number]
    answer = await client.get(f"/RestAPI/v1/tickets/{late.number}?info_type=sla", headers=auth)
    clocks = (await answer.json())["clocks"]
    assert [(c["metric"], c["state"]) for c in clocks] == [
        ("first_response", "breached"), ("resolution", "running")]  # fmt: skip
    assert -3700 < clocks[0]["remaining_seconds"] < -3500  # overdue by an hour
    board = await snapshot(None)
    assert board["sla"]["breached"] == 1
    assert [row["number"] for row in board["sla"]["nearest"]] == [late.number, fresh.number]
    assert board["sla"]["nearest"][0]["seconds_left"] < 0


async def test_the_admin_screen_saves_a_policy_and_shows_errors(
    setup: tuple[Client, Mailer],
) -> None:
    client, _ = setup
    page = await (await client.get("/admin/sla/new")).text()
    form = {"csrf_token": csrf_token(page), "name": "urgent", "position": "0", "active": "on",
            "priority": "high", "first_response_minutes": "15", "resolution_minutes": "²",
            "calendar": "always", "pause_statuses": "with_contact",
            "step_0_metric": "resolution", "step_0_before": "30", "step_0_action": "notify",
            "step_0_recipients": "", "step_1_metric": "resolution", "step_1_before": "",
            "step_1_action": "", "step_1_recipients": ""}  # fmt: skip
    answer = await client.post("/admin/sla/new", data=form, allow_redirects=False)
    assert answer.status == 400
    assert "resolution_minutes" in await answer.text()
    form["resolution_minutes"] = "240"
    answer = await client.post("/admin/sla/new", data=form, allow_redirects=False)
    assert answer.status == 303
    _, (stored,) = await call(client, "GET", "/api/sla-policies")
    assert stored["priority"] == "high" and stored["resolution_minutes"] == 240
    assert stored["escalations"] == [{"metric": "resolution", "minutes_before": 30,
                                      "action": "notify", "recipients": []}]  # fmt: skip
    listing = await (await client.get("/admin/sla")).text()
    assert "urgent" in listing
