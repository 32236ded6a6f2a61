"""Call figures from the call records over a real database: per site and per number dialled,
closed calendars, voicemail, callbacks, calls placed and hold time, worked out by hand; each
call is folded once, only after it settled, and a rebuild counts the same; the agents' row
adds chats, tickets and CFI; surveys per site; the call log filters by site and number."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient
from click.testing import CliRunner

from ehd.cli import main
from ehd.config import Config
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import (
    CallDirection,
    CallHandling,
    CallRecord,
    CallSlice,
    ChatSession,
    Did,
    Queue,
    Role,
    Site,
    SurveyAnswer,
    SurveyProfile,
    Ticket,
    TicketChange,
    User,
)
from ehd.queueing.queue_store import save_did
from ehd.stats import call_feed, ticket_feed
from ehd.stats.call_report import call_report, parse_request
from ehd.tickets import service
from tests.harness.web_client import app_client, csrf_token, log_in

STOCKHOLM = ZoneInfo("Europe/Stockholm")
T0 = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)  # 09:00 in Stockholm, the default calendar's zone
LATER = T0 + timedelta(days=30)  # when every call has settled
DAY = "from=2027-01-15&to=2027-01-15"


async def _call(call_id: str, minutes: float, **facts: Any) -> CallRecord:
    started = T0 + timedelta(minutes=minutes)
    values: dict[str, Any] = {
        "direction": CallDirection.INBOUND, "route_type": "queue", "started_at": started,
        "ended_at": started + timedelta(minutes=5), "result": "answered",
    }  # fmt: skip
    values.update(facts)
    return await CallRecord.create(call_id=call_id, **values)


async def seed(brand: Site, other: Site) -> None:
    """brand (+4610100): c1 answered by alice after 10 s, 100 s talk, 30 s on hold, handed to
    bob; c2 abandoned after 40 s; c3 met the closed calendar. other (+4610200): c4 answered
    after 30 s (support's goal is 20), 60 s talk; c5 voicemail; c7 asked for a callback, and
    cb is that callback. Alice placed o1 for brand (answered, 50 s) and o2 (no answer); i1 is
    internal; c9 ended in the menu of a number without a site; c10 is still going on."""
    one, two = {"did": "+4610100", "site_id": brand.id}, {"did": "+4610200", "site_id": other.id}
    await _call("c1", 0, **one, queue_name="support", agent="alice", queue_seconds=10.2,
                talk_seconds=100, hold_seconds=30, answered_at=T0)  # fmt: skip
    for agent in ("alice", "bob"):
        await CallHandling.create(call_id="c1", agent=agent, queue_name="support",
                                  connected_at=T0, ended_at=T0, talk_seconds=50,
                                  hold_seconds=15)  # fmt: skip
    await _call("c2", 1, **one, queue_name="support", result="abandoned", queue_seconds=40)
    await _call("c3", 2, **one, queue_name="support", result="closed")
    await _call("c4", 3, **two, queue_name="support", agent="alice", queue_seconds=30,
                talk_seconds=60, hold_seconds=0, answered_at=T0)  # fmt: skip
    await _call("c5", 4, **two, result="voicemail")
    await _call("c7", 5, **two, queue_name="support", result="callback_requested")
    await _call("cb", 5, **two, route_type="callback", queue_name="support", agent="alice",
                result="answered")  # fmt: skip
    await _call("o1", 6, direction=CallDirection.OUTBOUND, route_type="outbound",
                did="0701234567", site_id=brand.id, agent="alice", answered_at=T0,
                talk_seconds=50)  # fmt: skip
    await _call("o2", 7, direction=CallDirection.OUTBOUND, route_type="outbound",
                did="0701234568", site_id=brand.id, agent="alice", result="no_answer")  # fmt: skip
    await _call("i1", 8, direction=CallDirection.INTERNAL, route_type="internal", agent="alice")
    await _call("c9", 20, did="+4610300", result="caller_hangup")  # the 09:15 slot
    await _call("c10", 9, **one, ended_at=None, result="active")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    users = {"boss": Role.SUPERVISOR, "root": Role.ADMIN, "alice": Role.AGENT, "bob": Role.AGENT}
    async with app_client(Config(data_dir=tmp_path), users, login="boss") as client:
        await Queue.create(name="support", sl_goal_seconds=20)
        brand = await Site.create(code="brand")
        other = await Site.create(code="other")
        await seed(brand, other)
        yield client


def _rows(page: str) -> dict[str, dict[str, str]]:
    body = page.split('id="call-periods"', 1)[1].split("</table>", 1)[0]
    found = {}
    for group, cells in re.findall(r'<tr data-period="[^"]*" data-group="([^"]*)">(.*?)</tr>',
                                   body, re.S):  # fmt: skip
        found[group] = dict(re.findall(r'data-measure="(\w+)">([^<]*)<', cells))
    return found


def _totals(page: str) -> dict[str, str]:
    body = page.split('id="call-totals"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(r'data-measure="(\w+)">([^<]*)<', body))


async def test_each_call_is_folded_once_after_it_settled(client: TestClient[Any, Any]) -> None:
    # a minute after T0, only the calls that ended 5 s before count (none: all last 5 min)
    assert await call_feed.fold_ended(T0 + timedelta(minutes=1)) == 0
    assert await call_feed.fold_ended(LATER) == 11  # all but the one still going on
    assert await call_feed.fold_ended(LATER) == 0
    await CallRecord.filter(call_id="c10").update(ended_at=T0 + timedelta(minutes=15),
                                                  result="abandoned")  # fmt: skip
    assert await call_feed.fold_ended(LATER) == 1
    before = sorted(await CallSlice.all().values_list("dimension", "slot", "value", "inbound"))
    assert await call_feed.rebuild(LATER) == 12
    after = sorted(await CallSlice.all().values_list("dimension", "slot", "value", "inbound"))
    assert after == before


async def test_per_site_and_per_number_as_worked_out_by_hand(
    client: TestClient[Any, Any],
) -> None:
    await call_feed.fold_ended(LATER)
    sites = await (await client.get(f"/statistics/calls?{DAY}&group=site")).text()
    rows = _rows(sites)
    assert set(rows) == {"brand", "other"}  # c9's number has no site
    brand, other = rows["brand"], rows["other"]
    assert (brand["offered"], brand["answered"], brand["abandoned"], brand["closed"]) == (
        "3", "1", "1", "1")  # fmt: skip
    assert brand["answered_percent"] == "50.0"  # 1 of the 2 offered while open
    assert (brand["service_level"], brand["average_speed_of_answer"]) == ("100.0", "10.0")
    assert (brand["average_hold"], brand["transferred"]) == ("30.0", "1")
    assert (brand["outbound"], brand["outbound_answered"]) == ("2", "1")
    assert (other["offered"], other["voicemail"], other["callback_requests"]) == ("3", "1", "1")
    assert (other["service_level"], other["average_speed_of_answer"]) == ("0.0", "30.0")
    totals = _totals(sites)
    assert (totals["offered"], totals["closed"], totals["average_hold"]) == ("7", "1", "15.0")
    numbers = _rows(await (await client.get(f"/statistics/calls?{DAY}&group=did")).text())
    assert {number: row["offered"] for number, row in numbers.items()} == {
        "+4610100": "3", "+4610200": "3", "+4610300": "1"}  # calls placed are not DIDs  # fmt: skip
    assert numbers["+4610300"]["answered_percent"] == "0.0"
    async with client.get(f"/statistics/calls?{DAY}&group=site&format=csv") as response:
        lines = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["period"], r["group"], r["offered"], r["closed"]) for r in lines] == [
        ("2027-01-15", "brand", "3", "1"), ("2027-01-15", "other", "3", "0"),
        ("total", "", "7", "1"),
    ]  # fmt: skip
    async with client.get(f"/statistics/calls?{DAY}&group=did&format=json") as response:
        data = await response.json()
    assert data["totals"]["offered"] == 7 and len(data["rows"]) == 3
    for bad in ("group=site&queue=support", "group=did&queue=support"):
        async with client.get(f"/statistics/calls?{DAY}&{bad}") as response:
            assert response.status == 400


async def test_queue_figures_gain_closed_calls_voicemail_and_hold(
    client: TestClient[Any, Any],
) -> None:
    await call_feed.fold_ended(LATER)
    totals = _totals(await (await client.get(f"/statistics/calls?{DAY}")).text())
    assert (totals["closed"], totals["voicemail"], totals["average_hold"]) == ("1", "1", "15.0")
    assert totals["offered"] == "0"  # queue_log's own figures: no queue_log here
    support = _totals(await (await client.get(f"/statistics/calls?{DAY}&queue=support")).text())
    assert (support["closed"], support["voicemail"]) == ("1", "0")  # c5 never reached it


async def test_agents_row_adds_chats_tickets_and_cfi(client: TestClient[Any, Any]) -> None:
    await call_feed.fold_ended(LATER)
    alice = await User.get(username="alice")
    ticket = await service.create_ticket("Chat", "", "chat", None, [])
    await ChatSession.create(token="a" * 32, ticket=ticket, agent=alice,
                             answered_at=T0 + timedelta(hours=1))  # fmt: skip
    await ChatSession.create(token="b" * 32, ticket=ticket, agent=alice,
                             answered_at=T0 + timedelta(days=2))  # another day  # fmt: skip
    await Ticket.filter(id=ticket.id).update(created_at=T0, agent=alice)
    ticket = await Ticket.get(id=ticket.id)
    await service.change(ticket, "alice", "status", "solved")
    await TicketChange.filter(ticket_id=ticket.id).update(at=T0 + timedelta(hours=2))
    await ticket_feed.fold_new(STOCKHOLM, LATER)
    await SurveyProfile.create(name="after", questions=[
        {"id": "csat", "prompt": "p", "low": 1, "high": 5},
        {"id": "nps", "prompt": "p", "low": 0, "high": 10},
    ])  # fmt: skip
    for question, answer in (("csat", 5), ("csat", 2), ("nps", 10)):
        row = await SurveyAnswer.create(call_id="c1", profile="after", agent="alice",
                                        question=question, answer=answer)  # fmt: skip
        await SurveyAnswer.filter(id=row.id).update(answered_at=T0 + timedelta(minutes=9))
    page = await (await client.get(f"/statistics/calls?{DAY}&group=agent")).text()
    table = page.split('id="agent-times"', 1)[1].split("</table>", 1)[0]
    line = re.search(r'<tr data-agent="alice">(.*?)</tr>', table, re.S)
    assert line is not None, table
    work = dict(re.findall(r'data-work="(\w+)">([^<]*)<', line.group(1)))
    assert work == {"chats": "1", "tickets_answered": "0", "tickets_solved": "1", "cfi": "3.5"}
    assert "Not logged in to a queue" in line.group(1)  # no agent time in the queue_log
    async with client.get(f"/statistics/calls?{DAY}&group=agent&format=json") as response:
        data = await response.json()
    assert data["agent_work"]["alice"]["cfi"] == 3.5


async def test_surveys_per_site(client: TestClient[Any, Any]) -> None:
    brand = await Site.get(code="brand")
    await SurveyProfile.create(name="after", questions=[
        {"id": "csat", "prompt": "p", "low": 1, "high": 5}])  # fmt: skip
    for site_id, answer in ((brand.id, 4), (brand.id, 2), (0, 5)):
        row = await SurveyAnswer.create(call_id="c1", profile="after", site_id=site_id,
                                        question="csat", answer=answer)  # fmt: skip
        await SurveyAnswer.filter(id=row.id).update(answered_at=T0)
    page = await (await client.get(f"/statistics/surveys?{DAY}&group=site")).text()
    rows = re.findall(r'data-group="([^"]*)">.*?data-measure="cfi">([^<]*)<', page, re.S)
    assert rows == [("brand", "3.0")]  # and the answer of no site in a row of its own
    assert page.count('data-question="csat"') == 2
    async with client.get(f"/statistics/surveys?{DAY}&group=did") as response:
        assert response.status == 400


async def test_the_call_log_filters_by_site_and_number(client: TestClient[Any, Any]) -> None:
    def ids(page: str) -> set[str]:
        return set(re.findall(r'data-call="([^"]+)"', page))

    brand = await (await client.get("/calls?site=brand")).text()
    assert ids(brand) == {"c1", "c2", "c3", "o1", "o2", "c10"}
    assert ids(await (await client.get("/calls?did=%2B4610200")).text()) == {"c4", "c5", "c7", "cb"}
    assert ids(await (await client.get("/calls?site=nosuch")).text()) == set()
    async with client.get("/calls?site=brand&format=csv") as response:
        lines = list(csv.DictReader(io.StringIO(await response.text())))
    assert {line["site"] for line in lines} == {"brand"}
    for bad in ("did=abc", "site=" + "x" * 9):
        async with client.get(f"/calls?{bad}") as response:
            assert response.status == 400


async def test_a_number_belongs_to_a_site_and_its_calls_count_there(
    client: TestClient[Any, Any],
) -> None:
    await save_did("+4610100", {"route_type": "queue", "queue": "support", "site": "brand"})
    brand = await Site.get(code="brand")
    assert (await Did.get(number="+4610100")).site_id == brand.id
    await save_did("+4610100", {"route_type": "queue", "queue": "support", "site": ""})
    assert (await Did.get(number="+4610100")).site_id == 0
    form = {"number": "+4610100", "route_type": "queue", "target": "support", "site": "other",
            "priority": "", "ring_seconds": "", "description": ""}  # fmt: skip
    await log_in(client, "root", "root-pass")
    page = await (await client.get("/admin/dids")).text()
    assert "<option>other</option>" in page
    form["csrf_token"] = csrf_token(page)
    async with client.post("/admin/dids", data=form, allow_redirects=False) as response:
        assert response.status == 303
    assert (await Did.get(number="+4610100")).site_id == (await Site.get(code="other")).id
    async with client.post("/admin/dids", data={**form, "site": "nosuch"}) as response:
        assert response.status == 400
        assert "no site" in await response.text()


@pytest.fixture
async def history(database_url: str) -> AsyncIterator[tuple[Site, Site]]:
    await open_database(database_url)
    try:
        await Queue.create(name="support", sl_goal_seconds=20)
        sites = (await Site.create(code="brand"), await Site.create(code="other"))
        await seed(*sites)
        yield sites
    finally:
        await close_database()


async def test_the_door_sums_the_same_on_sqlite_and_postgresql(
    history: tuple[Site, Site],
) -> None:
    """Per hour, week and month; the longest wait is kept by each database's own maximum."""
    assert await call_feed.fold_ended(LATER) == 11
    await CallRecord.filter(call_id="c10").update(
        ended_at=T0 + timedelta(minutes=15), result="answered", queue_name="support",
        queue_seconds=55, answered_at=T0)  # fmt: skip
    assert await call_feed.fold_ended(LATER) == 1  # into the same slot as c1: the max grows
    for granularity in ("hour", "week", "month"):
        query = {"from": "2027-01-15", "to": "2027-01-15", "group": "site",
                 "granularity": granularity}  # fmt: skip
        report = await call_report(parse_request(query, T0.date()), STOCKHOLM)
        figures = {row.group: row.measures for row in report.rows}
        assert figures["brand"]["offered"] == 4, granularity
        assert figures["brand"]["longest_wait_answered"] == 55
        assert figures["other"]["longest_wait_answered"] == 30
        assert report.totals["offered"] == 7 + 1


def test_the_command_folds_every_ended_call_again(tmp_path: Path) -> None:
    flags = ["stats", "rebuild-calls", "--data-dir", str(tmp_path)]
    empty = CliRunner().invoke(main, flags)
    assert empty.exit_code == 0 and "folded 0 calls" in empty.output, empty.output

    async def add_calls() -> None:
        await open_database(f"sqlite://{tmp_path / 'ehd.sqlite3'}")
        try:
            ended = datetime.now(UTC) - timedelta(minutes=1)
            await _call("a", 0, started_at=ended, ended_at=ended)
            await _call("b", 1, started_at=ended, ended_at=None, result="active")  # going on
        finally:
            await close_database()

    asyncio.run(add_calls())
    again = CliRunner().invoke(main, flags)
    assert again.exit_code == 0 and "folded 1 calls" in again.output, again.output
