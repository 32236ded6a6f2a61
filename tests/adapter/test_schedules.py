"""Scheduled logins on a real database, with the clock given to the job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import AgentSchedule, AgentSession, Queue, QueueMember, Role
from ehd.platform import create_platform_app
from ehd.queueing.login_schedules import Due, Slot, apply_due, due
from tests.harness.web_client import csrf_token, log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]
T0 = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)


def test_due_orders_logouts_before_logins_and_expires_missed_ranges() -> None:
    slots = [
        Slot(1, T0, T0 + timedelta(hours=8), "planned"),
        Slot(2, T0 - timedelta(hours=8), T0, "active"),
        Slot(3, T0 - timedelta(hours=9), T0 - timedelta(hours=1), "planned"),
        Slot(4, T0 + timedelta(hours=1), T0 + timedelta(hours=2), "planned"),
    ]
    assert due(slots, T0) == [(2, Due.LOGOUT), (1, Due.LOGIN), (3, Due.EXPIRED)]


@pytest.fixture
async def supervisor(tmp_path: Path) -> AsyncIterator[Client]:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        await create_user("sup", "sup-pass-1", role=Role.SUPERVISOR)
        bob = await create_user("bob", "bob-pass-1", sip_extension="1002")
        queue = await Queue.create(name="support")
        await QueueMember.create(user=bob, queue=queue)
        await log_in(client, "sup", "sup-pass-1")
        yield client


async def test_a_scheduled_login_starts_and_ends_on_time(supervisor: Client) -> None:
    start = datetime.now(UTC) + timedelta(hours=1)
    plan = {
        "username": "bob",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=4)).isoformat(),
        "number": "070-555 01 02",
    }
    response = await supervisor.post("/api/schedules", json=plan)
    created = await response.json()
    assert response.status == 201, created
    assert created["number"] == "+46705550102"
    overview = await (await supervisor.get("/api/schedules")).json()
    assert [s["username"] for s in overview["schedules"]] == ["bob"]

    assert await apply_due(None, start - timedelta(seconds=1)) == []
    assert not await AgentSession.exists(user__username="bob")
    assert await apply_due(None, start) == [(created["id"], Due.LOGIN)]
    session = await AgentSession.get(user__username="bob")
    assert session.device == "PJSIP/+46705550102@trunk" and session.remote
    assert await apply_due(None, start + timedelta(hours=2)) == []
    assert await apply_due(None, start + timedelta(hours=4)) == [(created["id"], Due.LOGOUT)]
    assert not await AgentSession.exists(user__username="bob")
    assert (await AgentSchedule.get(id=created["id"])).state == "done"


async def test_only_future_schedules_can_be_deleted(supervisor: Client) -> None:
    now = datetime.now(UTC)
    future = {"username": "bob", "starts_at": (now + timedelta(hours=1)).isoformat(),
              "ends_at": (now + timedelta(hours=2)).isoformat()}  # fmt: skip
    running = {"username": "bob", "starts_at": (now - timedelta(minutes=5)).isoformat(),
               "ends_at": (now + timedelta(hours=2)).isoformat()}  # fmt: skip
    ids = []
    for plan in (future, running):
        response = await supervisor.post("/api/schedules", json=plan)
        ids.append((await response.json())["id"])
    assert (await supervisor.delete(f"/api/schedules/{ids[0]}", json={})).status == 200
    refused = await supervisor.delete(f"/api/schedules/{ids[1]}", json={})
    assert refused.status == 409
    assert "only future" in (await refused.json())["message"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_at": "2020-01-01T00:00:00+00:00"}, "ends_at must be after"),
        ({"starts_at": "tomorrow"}, "ISO date-time"),
        ({"starts_at": "2030-01-01T08:00:00"}, "UTC offset"),
        ({"username": "nobody"}, "no such agent"),
        ({"number": "abc"}, "not a phone number"),
        ({"queues": ["sales"]}, "not a member"),
    ],
)
async def test_bad_schedules_are_refused(
    supervisor: Client, change: dict[str, object], message: str
) -> None:
    plan = {"username": "bob", "starts_at": "2030-01-01T08:00:00+00:00",
            "ends_at": "2030-01-01T16:00:00+00:00", **change}  # fmt: skip
    response = await supervisor.post("/api/schedules", json=plan)
    assert response.status == 400
    assert message in (await response.json())["message"]


async def test_the_staffing_page_plans_lists_and_deletes(supervisor: Client) -> None:

    page = await supervisor.get("/schedules")
    assert page.status == 200 and "Nothing planned." in await page.text()
    form = {
        "csrf_token": csrf_token(await page.text()),
        "username": "bob",
        "starts_at": "2031-03-02T08:00",
        "ends_at": "2031-03-02T17:00",
        "number": "",
        "queues": "support",
    }
    added = await supervisor.post("/schedules", data=form)
    html = await added.text()
    assert added.status == 200 and "2031-03-02 08:00" in html and "SIP phone" in html
    row = await AgentSchedule.get(user__username="bob")
    assert row.starts_at == datetime(2031, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 in Stockholm (CET)
    bad = await supervisor.post("/schedules", data={**form, "ends_at": "2031-03-02T07:00"})
    assert bad.status == 400 and "ends_at must be after starts_at" in await bad.text()
    deleted = await supervisor.post(
        f"/schedules/{row.id}/delete", data={"csrf_token": form["csrf_token"]}
    )
    assert deleted.status == 200 and "Nothing planned." in await deleted.text()
