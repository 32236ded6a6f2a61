"""Ticket statistics against hand-counted figures, on SQLite and PostgreSQL: a seeded week of
three tickets (an answer, a wait for the customer, a solve, a reopening) folded from their
history into daily counters; per day and per channel; the backlog walked back from today's
open tickets; times in the default calendar's opening hours (Mon-Fri 08-17, Stockholm)
without the wait; the page with charts and downloads; bad parameters a 400."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from aiohttp.test_utils import TestClient

from ehd.config import Config
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import Queue, Role, SlaPolicy, Ticket, TicketChange, TicketDay, TicketEntry
from ehd.stats.ticket_feed import fold_new, rebuild
from ehd.stats.ticket_figures import Dimension, Period
from ehd.stats.ticket_report import TicketReportRequest, ticket_report
from ehd.tickets import service
from tests.harness.web_client import app_client

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Folds look "later", when every row of the history has settled (the group change is made now).
LATER = datetime(2030, 1, 1, tzinfo=STOCKHOLM)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=STOCKHOLM)  # 2 Nov 2026 is a Monday


async def _moved(ticket: Ticket, name: str, value: str, when: datetime) -> None:
    await service.change(ticket, "alice", name, value)
    last = await TicketChange.filter(ticket_id=ticket.id).order_by("-id").first()
    assert last is not None
    await TicketChange.filter(id=last.id).update(at=when)


async def _ticket(subject: str, source: str, when: datetime) -> Ticket:
    ticket = await service.create_ticket(subject, "", source, None, [])
    await Ticket.filter(id=ticket.id).update(created_at=when)
    ticket.created_at = when
    return ticket


async def seed_history() -> None:
    """A: email, support group, answered after 1.5 h, waits for the customer overnight,
    solved after 3.5 opening hours. B: phone, solved after 2 h unanswered, reopened, solved
    again at 4 h. C: email, still new. Goals: first response 1 h, resolution 3 h."""
    await SlaPolicy.create(name="default", first_response_minutes=60, resolution_minutes=180)
    support, _ = await Queue.get_or_create(name="support")
    a = await _ticket("A", "email", at(2, 9))
    await service.change(a, "alice", "group_id", support.id)
    answer = await TicketEntry.create(ticket=a, kind="mail_out", public=True, text="On it.")
    await TicketEntry.filter(id=answer.id).update(created_at=at(2, 10, 30))
    await _moved(a, "status", "with_contact", at(2, 10, 30))
    b = await _ticket("B", "phone", at(2, 16))
    await _moved(b, "status", "solved", at(3, 9))
    await _ticket("C", "email", at(3, 10))
    await _moved(a, "status", "open", at(3, 9))
    await _moved(a, "status", "solved", at(3, 11))
    await _moved(b, "status", "open", at(4, 10))
    await _moved(b, "status", "solved", at(4, 12))
    note = await TicketEntry.create(ticket=b, kind="note", text="internal, no answer")
    await TicketEntry.filter(id=note.id).update(created_at=at(4, 12))


@pytest.fixture
async def history(database_url: str) -> AsyncIterator[None]:
    await open_database(database_url)
    try:
        await seed_history()
        yield
    finally:
        await close_database()


def request(dimension: Dimension = Dimension.TOTAL, **kw: Any) -> TicketReportRequest:
    return TicketReportRequest(date(2026, 11, 2), date(2026, 11, 4), Period.DAY, dimension, **kw)


async def test_each_measure_matches_the_hand_counted_history(history: None) -> None:
    assert await fold_new(STOCKHOLM, LATER) > 0
    assert await fold_new(STOCKHOLM, LATER) == 0  # each row once
    report = await ticket_report(request())
    by_day = {row.label: row.measures for row in report.rows}
    assert by_day["2026-11-02"] == {
        "created": 2, "solved": 0, "reopened": 0, "backlog": 2,
        "average_first_response_hours": 1.5, "average_resolution_hours": None,
        "first_response_sla": 0.0, "resolution_sla": None,
    }  # fmt: skip
    assert by_day["2026-11-03"] == {
        "created": 1, "solved": 2, "reopened": 0, "backlog": 1,
        "average_first_response_hours": None,
        "average_resolution_hours": round((3.5 + 2) / 2, 2),  # A without the night's wait
        "first_response_sla": None, "resolution_sla": 50.0,
    }  # fmt: skip
    assert by_day["2026-11-04"]["reopened"] == 1
    assert by_day["2026-11-04"]["average_resolution_hours"] == 4.0  # B's clock ran on
    assert by_day["2026-11-04"]["backlog"] == 1
    assert report.totals == {
        "created": 3, "solved": 3, "reopened": 1, "backlog": 1,
        "average_first_response_hours": 1.5,
        "average_resolution_hours": round((3.5 + 2 + 4) / 3, 2),
        "first_response_sla": 0.0, "resolution_sla": 33.3,
    }  # fmt: skip


async def test_weeks_and_months_are_summed_by_the_database(history: None) -> None:
    await fold_new(STOCKHOLM, LATER)
    for period, label in ((Period.WEEK, "2026-W45"), (Period.MONTH, "2026-11")):
        wanted = TicketReportRequest(date(2026, 11, 1), date(2026, 11, 30), period)
        report = await ticket_report(wanted)
        rows = [(row.label, row.measures["created"], row.measures["solved"])
                for row in report.rows if row.counts.created]  # fmt: skip
        assert rows == [(label, 3, 3)], period


async def test_groupings_and_filters_split_the_same_events(history: None) -> None:
    await fold_new(STOCKHOLM, LATER)
    channels = await ticket_report(request(Dimension.CHANNEL))
    summed: dict[str, list[int]] = {}
    for row in channels.rows:
        counts = summed.setdefault(row.group, [0, 0, 0])
        for index, name in enumerate(("created", "solved", "reopened")):
            counts[index] += row.measures[name]
    assert summed == {"email": [2, 1, 0], "phone": [1, 2, 1]}
    assert all(row.backlog is None for row in channels.rows)  # not known per channel
    support = await ticket_report(request(only=((Dimension.GROUP, "support"),)))
    assert support.totals["created"] == 1 and support.totals["solved"] == 1
    assert support.totals["backlog"] is None
    nobody = await ticket_report(request(only=((Dimension.AGENT, "nobody"),)))
    assert nobody.totals["created"] == 0


async def test_a_rebuild_counts_the_same(history: None) -> None:
    await fold_new(STOCKHOLM, LATER)
    before = (await ticket_report(request())).totals
    rows = await TicketDay.all().count()
    assert await rebuild(STOCKHOLM, LATER) > 0
    assert (await ticket_report(request())).totals == before
    assert await TicketDay.all().count() == rows


@pytest.fixture
async def pages(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    async with app_client(Config(data_dir=tmp_path), {"boss": Role.SUPERVISOR}, "boss") as client:
        await seed_history()
        await fold_new(STOCKHOLM, LATER)
        yield client


async def test_the_page_shows_the_figures_with_charts_and_downloads(
    pages: TestClient[Any, Any],
) -> None:
    query = "from=2026-11-02&to=2026-11-04&granularity=day"
    page = await (await pages.get(f"/statistics/tickets?{query}")).text()
    assert '<td data-measure="created">3</td>' in page
    assert 'id="ticket-volume-chart"' in page and "<svg" in page
    assert 'id="ticket-backlog-chart"' in page
    answer = await pages.get(f"/statistics/tickets?{query}&format=csv")
    rows = list(csv.reader(io.StringIO(await answer.text())))
    assert rows[0][:5] == ["period", "group", "created", "solved", "reopened"]
    assert rows[-1][:5] == ["total", "", "3", "3", "1"]
    answer = await pages.get(f"/statistics/tickets?{query}&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(await answer.read())).active
    assert sheet is not None
    assert [cell.value for cell in sheet[sheet.max_row]][:5] == ["total", None, 3, 3, 1]
    filtered = await pages.get(f"/statistics/tickets?{query}&group_name=support&channel=email")
    page = await filtered.text()
    assert filtered.status == 200 and "<option selected>support</option>" in page
    assert '<td data-measure="created">1</td>' in page
    weeks = await (await pages.get(f"/statistics/tickets?{query[:-3]}week&format=json")).json()
    assert [(r["period"], r["created"]) for r in weeks["rows"]] == [("2026-W45", 3)]
    for bad in ("granularity=hour", "group=colour", "from=2026-11-05&to=2026-11-01",
                "from=yesterday", "from=2020-01-01&to=2026-01-01"):  # fmt: skip
        answer = await pages.get(f"/statistics/tickets?{bad}")
        assert answer.status == 400, bad
