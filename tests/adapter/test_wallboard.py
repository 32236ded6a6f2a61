"""Wallboard snapshots over a real database: today's queue figures (lost only while open),
agents from the live queue service, the week's top list and today's tickets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from ehd.accounts.service import create_user
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import (
    CallRecord,
    Queue,
    Role,
    SurveyAnswer,
    SurveyProfile,
    TicketChange,
    TicketEntry,
)
from ehd.tickets.service import create_ticket
from ehd.wallboard.feed import WallboardFeed
from ehd.wallboard.snapshot import snapshot

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # a Wednesday


class Live:
    def figures(self) -> dict[str, dict[str, float]]:
        return {"support": {"waiting": 2, "agents_logged_in": 1}}

    def agent_figures(self) -> dict[str, dict[str, object]]:
        return {"ann": {"state": "ready", "seconds_in_state": 42, "device": "PJSIP/1001",
                        "queues": ["support"]}}  # fmt: skip


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    await open_database(database_url)
    yield
    await close_database()


async def _call(n: int, result: str, waited: float, agent: str = "", hours_ago: float = 1) -> None:
    started = NOW - timedelta(hours=hours_ago)
    await CallRecord.create(call_id=f"c{n}", queue_name="support", result=result, agent=agent,
                            queue_seconds=waited, started_at=started)  # fmt: skip


async def test_a_snapshot_of_every_view(database: None) -> None:
    await Queue.create(name="support", sl_goal_seconds=20)
    await create_user("ann", "ann-pass", role=Role.AGENT, name="Ann Ek")
    await _call(1, "answered", 10, "ann")
    await _call(2, "answered", 30, "ann", hours_ago=0.1)
    await _call(3, "abandoned", 40)
    await _call(4, "closed", 0)  # met a closed calendar: in the total, not lost
    await _call(5, "answered", 5, "ann", hours_ago=30)  # Tuesday: the top list only
    await SurveyProfile.create(name="after", questions=[{"id": "nki", "low": 1, "high": 5}])
    await SurveyAnswer.create(call_id="c1", profile="after", agent="ann", question="nki", answer=4)
    await SurveyAnswer.all().update(answered_at=NOW - timedelta(hours=1))
    ticket = await create_ticket("Help", "", "email", None, [])
    await TicketEntry.create(ticket=ticket, kind="mail_out", author="ann", text="Fixed")
    await TicketChange.create(ticket=ticket, who="ann", field="status", new="solved")
    await TicketEntry.filter(ticket=ticket).update(created_at=NOW - timedelta(minutes=5))
    await TicketChange.filter(ticket=ticket).update(at=NOW - timedelta(minutes=5))

    board = await snapshot(Live(), NOW)
    (queue,) = board["queues"]["rows"]
    assert (queue["waiting"], queue["agents_logged_in"]) == (2, 1)
    assert (queue["answered"], queue["lost"], queue["total"]) == (2, 1, 4)
    assert queue["service_level"] == 33.3  # 1 of 3 offered while open within 20 s
    assert board["queues"]["answered_percent"] == 66.7
    (agent,) = board["agents"]
    assert agent["name"] == "Ann Ek" and agent["calls_15_min"] == 1
    assert agent["seconds_in_state"] == 42
    (top,) = board["toplist"]["rows"]
    assert board["toplist"]["from"].startswith("2026-11-24")
    assert (top["answered"], top["solved"], top["cfi"]) == (3, 1, 4.0)
    assert top["value"] == 3.2  # (3 + 1) * 4 / 5
    (today,) = board["tickets"]
    assert (today["answers"], today["agent"]) == (1, "ann")


async def test_the_feed_computes_once_for_every_board_and_survives_errors() -> None:
    calls = 0

    async def compute() -> dict[str, object]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("database away")
        return {"n": calls}

    feed = WallboardFeed(compute, period=0.01)
    first, second = feed.subscribe(), feed.subscribe()
    assert (await first.get())["n"] >= 2 and (await second.get())["n"] >= 2
    feed.unsubscribe(first)
    feed.unsubscribe(second)
    await feed.stop()
