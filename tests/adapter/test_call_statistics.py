"""Call statistics over a real database: a queue_log written by Asterisk's app_queue is
imported (once: a second import of the same period is refused), its figures come out per day,
hour, queue and agent as worked out by hand, in the page, the CSV and the XLSX; the queue
log ehd writes itself lands in the same per-slot figures as the file it writes; bad
parameters are a 400 and agents without the statistics permission get a 403."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiohttp.test_utils import TestClient
from click.testing import CliRunner
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from ehd.acd.actions import LogQueueEvent
from ehd.cli import main
from ehd.config import Config
from ehd.db.config import tortoise_config
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import (
    Notification,
    NotificationKind,
    Queue,
    QueueInterval,
    QueueLogEntry,
    Role,
    User,
)
from ehd.errors import ValidationError
from ehd.queueing.queue_log_writer import QueueLogWriter
from ehd.stats import interval_store
from ehd.stats.intervals import ALL_QUEUES, IntervalFold, SlotCounts, SlotKey
from ehd.stats.queue_log_import import import_queue_log, parse_line
from ehd.stats.service_watch import ServiceWatch
from tests.harness.web_client import app_client, log_in

T0 = 1_800_000_000  # 2027-01-15 08:00 UTC, 09:00 in Stockholm (the default calendar's zone)
DAY = 86_400

# As app_queue writes it: support on the 15th (the unit tests' history), sales on the 16th.
QUEUE_LOG = f"""\
{T0 - 60}|NONE|NONE|PJSIP/alice|AGENTLOGIN|PJSIP/alice
{T0 + 10}|G|support|NONE|FULL|1|1|0
{T0 + 100}|A|support|NONE|ENTERQUEUE||+46701|1
{T0 + 105}|A|support|bob|RINGNOANSWER|5000
{T0 + 110}|A|support|alice|CONNECT|10|PJSIP/alice-1|3
{T0 + 200}|C|support|NONE|ENTERQUEUE||+46702|1
{T0 + 203}|C|support|NONE|ABANDON|1|1|3
{T0 + 300}|A|support|alice|COMPLETECALLER|10|190|1
{T0 + 300}|D|support|NONE|ENTERQUEUE||+46703|1
{T0 + 340}|D|support|NONE|ABANDON|1|1|40
{T0 + 400}|E|support|NONE|ENTERQUEUE||+46704|1
{T0 + 460}|E|support|NONE|EXITWITHTIMEOUT|1|1|60
{T0 + 890}|B|support|NONE|ENTERQUEUE||+46705|1
{T0 + 890}|I|support|NONE|ENTERQUEUE||+46706|2
{T0 + 895}|I|support|alice|CONNECT|5|PJSIP/alice-2|2
{T0 + 905}|H|support|alice|CONNECT|20|PJSIP/alice-3|2
{T0 + 925}|B|support|bob|CONNECT|35|PJSIP/bob-1|4
{T0 + 950}|F|support|NONE|ENTERQUEUE||+46707|1
{T0 + 960}|F|support|NONE|EXITWITHKEY|1|1|1|10
{T0 + 1000}|B|support|bob|BLINDTRANSFER|300|from-ehd|35|75|1
{T0 + 1000}|I|support|alice|ATTENDEDTRANSFER|BRIDGE|b-1|5|105|2
{T0 + 1005}|H|support|alice|COMPLETEAGENT|20|100|2
{T0 + 1200}|I|support|bob|COMPLETECALLER|5|200|2
this line is not a queue_log row

{T0 + DAY}|J|sales|NONE|ENTERQUEUE||+46708|1
{T0 + DAY + 30}|J|sales|carl|CONNECT|30|PJSIP/carl-1|1
{T0 + DAY + 90}|J|sales|carl|COMPLETEAGENT|30|60|1
{T0 + DAY + 100}|K|sales|NONE|ENTERQUEUE||+46709|1
{T0 + DAY + 108}|K|sales|NONE|ABANDON|1|1|8
"""


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    users = {"boss": Role.SUPERVISOR, "alice": Role.AGENT}
    async with app_client(Config(data_dir=tmp_path), users, login="boss") as client:
        await Queue.create(name="support", sl_goal_seconds=20)
        await Queue.create(name="sales", sl_goal_seconds=30)
        path = tmp_path / "queue_log"
        path.write_text(QUEUE_LOG)
        goals = dict(await Queue.all().values_list("name", "sl_goal_seconds"))
        result = await import_queue_log(path, goals.get)
        assert (result.rows, result.skipped) == (28, 1)
        yield client


def _cells(page: str, table: str) -> list[dict[str, str]]:
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = dict(re.findall(r'data-measure="(\w+)">([^<]*)<', row))
        period = re.match(r"<td>([^<]*)</td>(?:<td>([^<]*)</td>)?", row)
        if cells and period:
            cells["period"], cells["group"] = period.group(1), period.group(2) or ""
            rows.append(cells)
    return rows


def _totals(page: str) -> dict[str, str]:
    body = page.split('id="call-totals"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(r'data-measure="(\w+)">([^<]*)<', body))


async def test_an_imported_app_queue_log_gives_the_figures_worked_out_by_hand(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get("/statistics/calls?from=2027-01-15&to=2027-01-16")
    page = await response.text()
    assert response.status == 200, page
    totals = _totals(page)
    # support: 7 offered (A B C D E I, F at 09:15), sales: 2; G was turned away (queue full)
    assert (totals["offered"], totals["answered"], totals["abandoned"]) == ("9", "5", "3")
    assert (totals["rejected"], totals["overflowed"], totals["transferred"]) == ("1", "2", "2")
    # answered in goal: A 10 s, H 20, I 5 (support, 20 s) and J 30 (sales, 30 s); B took 35
    assert totals["service_level"] == "80.0"
    # ... and the abandons within the goal (C after 3 s, K after 8) do not count against
    assert totals["service_level_2"] == "75.0"
    assert (totals["short_abandoned"], totals["average_speed_of_answer"]) == ("1", "20.0")
    assert totals["longest_wait_answered"] == "35"
    days = _cells(page, "call-periods")
    assert [(d["period"], d["offered"], d["answered"]) for d in days] == [
        ("2027-01-15", "7", "4"),
        ("2027-01-16", "2", "1"),
    ]
    assert 'id="volume-chart"' in page and "<svg" in page and 'aria-label="' in page


async def test_per_hour_per_queue_and_per_agent(client: TestClient[Any, Any]) -> None:
    hours = await (
        await client.get("/statistics/calls?from=2027-01-15&to=2027-01-15&granularity=hour")
    ).text()
    assert [(h["period"], h["offered"]) for h in _cells(hours, "call-periods")] == [
        ("2027-01-15 09:00", "7")  # 09:00 and 09:15 in Stockholm
    ]
    queues = await (
        await client.get("/statistics/calls?from=2027-01-15&to=2027-01-16&group=queue")
    ).text()
    assert [
        (q["period"], q["group"], q["service_level"]) for q in _cells(queues, "call-periods")
    ] == [
        ("2027-01-15", "support", "75.0"),
        ("2027-01-16", "sales", "100.0"),
    ]
    agents = await (
        await client.get("/statistics/calls?from=2027-01-15&to=2027-01-16&group=agent")
    ).text()
    assert [
        (a["group"], a["answered"], a["transferred"], a["average_talk"])
        for a in _cells(agents, "call-periods")
    ] == [
        ("alice", "3", "1", "131.7"),  # (190 + 100 + 105) / 3 parts
        ("bob", "1", "1", "137.5"),  # (75 + 200) / 2
        ("carl", "1", "0", "60.0"),
    ]
    only_sales = _totals(
        await (
            await client.get("/statistics/calls?from=2027-01-15&to=2027-01-16&queue=sales")
        ).text()
    )
    assert (only_sales["offered"], only_sales["abandoned"]) == ("2", "1")


async def test_downloads_hold_the_same_figures(client: TestClient[Any, Any]) -> None:
    query = "from=2027-01-15&to=2027-01-16&group=queue"
    async with client.get(f"/statistics/calls?{query}&format=csv") as response:
        assert response.status == 200 and response.content_type == "text/csv"
        rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["period"], r["group"], r["offered"]) for r in rows] == [
        ("2027-01-15", "support", "7"),
        ("2027-01-16", "sales", "2"),
        ("total", "", "9"),
    ]
    assert rows[-1]["service_level"] == "80.0"
    async with client.get(f"/statistics/calls?{query}&format=xlsx") as response:
        assert response.status == 200
        book = openpyxl.load_workbook(io.BytesIO(await response.read()))
    sheet = book.active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    header = list(lines[0])
    total = dict(zip(header, lines[-1], strict=True))
    assert (total["period"], total["offered"], total["service_level"]) == ("total", 9, 80)
    assert dict(zip(header, lines[1], strict=True))["answered"] == 4
    async with client.get(f"/statistics/calls?{query}&format=json") as response:
        assert response.status == 200
        data = await response.json()
    assert data["totals"]["service_level"] == 80.0
    assert [(r["period"], r["group"], r["offered"]) for r in data["rows"]] == [
        ("2027-01-15T00:00:00+01:00", "support", 7),
        ("2027-01-16T00:00:00+01:00", "sales", 2),
    ]


async def test_bad_parameters_are_a_400_and_agents_get_a_403(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    for query in (
        "from=2027-13-01",
        "from=2027-01-02&to=2027-01-01",
        "granularity=15min&from=2026-01-01&to=2026-03-01",
        "granularity=year",
        "group=²",
        "format=pdf",
    ):
        async with client.get(f"/statistics/calls?{query}") as response:
            assert response.status == 400, query
    client.session.cookie_jar.clear()
    await log_in(client, "alice", "alice-pass")
    async with client.get("/statistics/calls") as response:
        assert response.status == 403


async def test_the_same_period_is_not_imported_twice(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="already holds 28 queue_log rows"):
        await import_queue_log(tmp_path / "queue_log")
    assert await QueueLogEntry.all().count() == 28
    empty = tmp_path / "empty"
    empty.write_text("nothing here\n")
    with pytest.raises(ValidationError, match="no queue_log rows"):
        await import_queue_log(empty)


@pytest.mark.parametrize("flush_after", [0.0, 3600.0], ids=["each-write", "gathered"])
async def test_the_live_queue_log_and_its_figures_agree(
    client: TestClient[Any, Any], tmp_path: Path, flush_after: float
) -> None:
    """What ehd's engine logs goes to the file and, in the same step, into the per-slot
    figures; folding the file afresh gives the same figures. Rows gathered for the table
    (the file has each at once) come out the same, in order, once flushed, and are told to
    the writer's listener."""
    offset = T0 + 30 * DAY  # the engine's clock starts at 0
    writer = QueueLogWriter(tmp_path / "live_queue_log", offset, flush_after)
    writer.intervals.goal_of = {"live": 15.0}.get
    told: list[LogQueueEvent] = []

    async def listener(rows: list[LogQueueEvent]) -> None:
        told.extend(rows)

    writer.written = listener
    calls = [
        [LogQueueEvent(0, "L1", "live", "NONE", "ENTERQUEUE", ("", "+4671", "1"))],
        [LogQueueEvent(12, "L1", "live", "dora", "CONNECT", ("12", "PJSIP/dora-1", "4"))],
        [
            LogQueueEvent(850, "L2", "live", "NONE", "ENTERQUEUE", ("", "+4672", "1")),
            LogQueueEvent(95, "L1", "live", "dora", "COMPLETECALLER", ("12", "83", "1")),
        ],
        [LogQueueEvent(990, "L2", "live", "NONE", "ABANDON", ("1", "1", "140"))],
    ]
    for batch in calls:
        await writer.write(batch)
    if flush_after:
        assert len((tmp_path / "live_queue_log").read_text().splitlines()) == 5
        assert not told and not await interval_store.load(offset, offset + DAY, ["live"])
        await writer.flush()
    assert [(row.at, row.event) for row in told] == [
        (entry.at + offset, entry.event) for batch in calls for entry in batch
    ]
    lines = (tmp_path / "live_queue_log").read_text().splitlines()
    expected = IntervalFold({"live": 15.0}.get).fold(
        [entry for line in lines if (entry := parse_line(line))]
    )
    stored = dict(await interval_store.load(offset, offset + DAY, ["live"]))
    stored |= dict(await interval_store.load(offset, offset + DAY, ["live"], agents=True))
    stored |= dict(await interval_store.load(offset, offset + DAY, [ALL_QUEUES], agents=True))
    assert stored == expected
    assert stored[SlotKey(offset, "live")].offered == 2  # L2 entered at 14:10, before 14:15
    assert stored[SlotKey(offset, "live", "dora")] == SlotCounts(
        answered=1, answered_in_goal=1, completed=1, wait_answered_seconds=12,
        wait_answered_max=12, talk_seconds=83,
        answered_waits=[0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    )  # fmt: skip


def test_the_command_imports_a_file_once(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(QUEUE_LOG)
    flags = ["stats", "import-queue-log", "--data-dir", str(tmp_path / "data"), str(path)]
    first = CliRunner().invoke(main, flags)
    assert first.exit_code == 0, first.output
    assert "imported 28 rows" in first.output and "1 lines were not" in first.output
    again = CliRunner().invoke(main, flags)
    assert again.exit_code == 1 and "nothing imported" in again.output


def _moment(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


async def test_periods_keep_to_the_site_clock_when_summer_time_starts(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    """Summer time starts in Stockholm on 2027-03-28 at 02:00: that day has 23 hours, and its
    calls, its week's and its month's stay together."""
    calls = {
        "M1": "2027-03-28T00:30:00+01:00",
        "M2": "2027-03-28T03:30:00+02:00",
        "M3": "2027-03-31T23:50:00+02:00",  # still March
        "M4": "2027-04-01T00:10:00+02:00",  # April on the site's clock, March in UTC
    }
    path = tmp_path / "spring_queue_log"
    path.write_text(
        "".join(
            f"{_moment(at)}|{call}|support|NONE|ENTERQUEUE||+4670|1\n" for call, at in calls.items()
        )
    )
    await import_queue_log(path)

    async def offered(query: str) -> list[tuple[str, str]]:
        page = await (await client.get(f"/statistics/calls?{query}")).text()
        return [(row["period"], row["offered"]) for row in _cells(page, "call-periods")]

    spring = "from=2027-03-27&to=2027-04-02"
    assert await offered(f"{spring}&granularity=day") == [
        ("2027-03-28", "2"),
        ("2027-03-31", "1"),
        ("2027-04-01", "1"),
    ]
    assert await offered(f"{spring}&granularity=hour") == [
        ("2027-03-28 00:00", "1"),
        ("2027-03-28 03:00", "1"),
        ("2027-03-31 23:00", "1"),
        ("2027-04-01 00:00", "1"),
    ]
    assert await offered(f"{spring}&granularity=week") == [("2027-W12", "2"), ("2027-W13", "2")]
    assert await offered(f"{spring}&granularity=month") == [("2027-03", "3"), ("2027-04", "1")]


async def test_supervisors_hear_once_when_a_queue_falls_below_its_service_goal(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    writer = QueueLogWriter(tmp_path / "watched_queue_log")
    watch = ServiceWatch({"support": (20.0, 80.0)}.get)
    now = T0 + 60 * DAY

    async def calls(first: int, count: int, wait: int) -> None:
        rows = []
        for n in range(count):
            call, at = f"w{first + n}", now - 600 + n
            rows.append(LogQueueEvent(at, call, "support", "NONE", "ENTERQUEUE", ("", "", "1")))
            rows.append(LogQueueEvent(at + wait, call, "support", "alice", "CONNECT",
                                      (str(wait), "PJSIP/alice-1", "1")))  # fmt: skip
        await writer.write(rows)
        await watch.check(["support"], now)

    await calls(0, 4, 60)  # too few calls to tell
    assert await Notification.all().count() == 0
    await calls(4, 2, 60)  # six, all after the 20 s goal
    boss = await User.get(username="boss")
    told = await Notification.all()
    assert [(n.user_id, n.kind) for n in told] == [(boss.id, NotificationKind.SERVICE_GOAL)]
    assert told[0].text == (
        "Queue support is below its service goal: 0 % of calls within 20 s in the last hour "
        "(target 80 %)"
    )
    assert told[0].link == "/statistics/calls?queue=support&granularity=15min"
    await calls(6, 2, 60)
    assert await Notification.all().count() == 1  # once per miss
    await calls(8, 40, 5)  # 40 of 48 in goal: 83 %, back on target, quietly
    await calls(48, 10, 60)  # 40 of 58: below again
    assert await Notification.all().count() == 2


async def test_agents_time_and_staffing_from_the_live_queue_log(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    """dora logs in at 10:00 (Stockholm), takes a 300 s call with 30 s of wrap-up, pauses
    for coffee at 10:10 and is still paused at 10:30, when the minute's tick counts."""
    await Queue.filter(name="support").update(wrapup_seconds=30)
    day = T0 + 90 * DAY  # 2027-04-15 08:00 UTC
    writer = QueueLogWriter(tmp_path / "agents_queue_log")
    writer.agent_time.wrapup_of = {"support": 30.0}.get

    def row(at: int, call: str, agent: str, event: str, *data: str) -> LogQueueEvent:
        return LogQueueEvent(day + at, call, "support", agent, event, data)

    await writer.write([
        LogQueueEvent(day, "NONE", "NONE", "dora", "AGENTLOGIN", ("PJSIP/dora",)),
        row(0, "NONE", "dora", "ADDMEMBER"),
        row(100, "x1", "NONE", "ENTERQUEUE", "", "+4670", "1"),
        row(110, "x1", "dora", "CONNECT", "10", "PJSIP/dora-1", "1"),
    ])  # fmt: skip
    await writer.write([
        row(410, "x1", "dora", "COMPLETECALLER", "10", "300", "1"),
        row(600, "NONE", "dora", "PAUSE", "coffee"),
    ])  # fmt: skip
    await writer.count_agent_time(day + 1800)

    page = await (
        await client.get("/statistics/calls?from=2027-04-15&to=2027-04-15&group=agent")
    ).text()
    body = page.split('id="agent-times"', 1)[1].split("</table>", 1)[0]
    times = dict(re.findall(r'data-time="(\w+)">([^<]*)<', body))
    assert times == {
        "logged_in": "0:30:00", "ready": "0:04:30", "busy": "0:05:00", "wrapup": "0:00:30",
        "paused": "0:20:00", "occupancy": "55.0",  # 330 s of the 600 not paused
    }  # fmt: skip
    assert 'data-pause="coffee">coffee 0:20:00<' in body
    # per quarter hour: dora's 10:00-10:15 (the call, its wrap-up, 5 min paused), 10:15-10:30
    quarters = await (await client.get(
        "/statistics/calls?from=2027-04-15&to=2027-04-15&group=agent&granularity=15min"
    )).text()  # fmt: skip
    by_period = {row["period"]: row for row in _cells(quarters, "call-periods")}
    first, second = by_period["2027-04-15 10:00"], by_period["2027-04-15 10:15"]
    assert (first["group"], first["answered"], first["busy"], first["wrapup"]) == (
        "dora", "1", "0:05:00", "0:00:30")  # fmt: skip
    assert (first["logged_in"], first["paused"], first["ready"]) == ("0:15:00", "0:05:00",
                                                                     "0:04:30")  # fmt: skip
    assert (second["answered"], second["paused"], second["ready"]) == ("0", "0:15:00", "0:00:00")
    async with client.get("/statistics/calls?from=2027-04-15&to=2027-04-15&group=agent"
                          "&granularity=15min&format=csv") as response:  # fmt: skip
        lines = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["period"], r["logged_in"], r["paused"]) for r in lines] == [
        ("2027-04-15 10:00", "900", "300"), ("2027-04-15 10:15", "900", "900"),
        ("total", "1800", "1200"),
    ]  # fmt: skip

    hours = await (
        await client.get(
            "/statistics/calls?from=2027-04-15&to=2027-04-15&granularity=hour&queue=support"
        )
    ).text()
    staffing = hours.split('id="staffing"', 1)[1].split("</table>", 1)[0]
    ten = re.search(r'data-period="2027-04-15 10:00">(.*?)</tr>', staffing, re.S)
    assert ten is not None
    # one call of 330 s in the hour needs one agent; dora was there 600 s of 3,600
    assert dict(re.findall(r'data-staff="(\w+)">([^<]*)<', ten.group(1))) == {
        "needed": "1", "available": "0.2", "short": "0.8",
    }  # fmt: skip
    assert 'id="staffing-chart"' in hours

    # ehd restarts at 11:00: dora is still paused, the hour it was down is not counted
    restarted = QueueLogWriter(tmp_path / "agents_queue_log")
    await restarted.resume_agent_time(day + 3600)
    await restarted.count_agent_time(day + 3900)
    again = await (
        await client.get("/statistics/calls?from=2027-04-15&to=2027-04-15&group=agent")
    ).text()
    body = again.split('id="agent-times"', 1)[1].split("</table>", 1)[0]
    assert 'data-pause="coffee">coffee 0:25:00<' in body


async def test_an_upgrade_sums_each_agent_over_all_queues(database_url: str) -> None:
    """Rows counted before the all-queues rows existed get them from the upgrade, equal to
    what the fold writes itself; a downgrade takes them away again."""
    await open_database(database_url)
    try:
        entries = [parse_line(line) for line in QUEUE_LOG.splitlines()]
        await interval_store.add(IntervalFold().fold(e for e in entries if e is not None))
        folded = await _all_queue_rows()
        assert {agent for _, agent, _ in folded} == {"alice", "bob", "carl"}
    finally:
        await close_database()
    config = tortoise_config(database_url)
    await migrate(config=config, target="models.0057_call_slices")
    await Tortoise.close_connections()
    await open_database(database_url)  # migrates forward again
    try:
        assert await _all_queue_rows() == folded
    finally:
        await close_database()


async def _all_queue_rows() -> list[tuple[int, str, int]]:
    rows = await QueueInterval.filter(queue_name=ALL_QUEUES).values_list(
        "slot", "agent", "answered"
    )
    return sorted((int(slot), str(agent), int(answered)) for slot, agent, answered in rows)
