"""The REST API over a real database: Basic authentication for admins, every operator, the
limit bounds, 401/404/405/409 and bad parameters named in the error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import CallRecord, Queue, Role, Ticket, TicketChange, TicketSettings, User
from ehd.platform import create_platform_app
from ehd.stats.ticket_feed import fold_new
from tests.adapter.test_ticket_statistics import STOCKHOLM, seed_history

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": aiohttp.encode_basic_auth(username, password)}


ADMIN = basic("root", "root-pass")
BASE = "/RestAPI/v1"


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Client]:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestClient(TestServer(app)) as client:
        await create_user("root", "root-pass", role=Role.ADMIN)
        await create_user("agent", "agent-pass", role=Role.AGENT)
        yield client


async def call(
    client: Client, method: str, path: str, body: Any = None, auth: dict[str, str] = ADMIN
) -> tuple[int, Any]:
    response = await client.request(method, f"{BASE}{path}", json=body, headers=auth)
    if response.status == 204:
        return 204, None
    return response.status, await response.json()


async def test_only_admins_with_basic_credentials_get_in(api: Client) -> None:
    response = await api.get(f"{BASE}/users")
    assert response.status == 401 and response.headers["WWW-Authenticate"].startswith("Basic")
    status, _ = await call(api, "GET", "/users", auth=basic("root", "wrong"))
    assert status == 401
    status, body = await call(api, "GET", "/users", auth=basic("agent", "agent-pass"))
    assert status == 401 and "admin" in body["message"]
    response = await api.get(f"{BASE}/users", headers={"Authorization": "Basic !!!"})
    assert response.status == 401
    status, users = await call(api, "GET", "/users")
    assert status == 200 and [u["username"] for u in users] == ["root", "agent"]
    assert "password_hash" not in users[0]


async def test_create_update_delete_and_the_status_codes(api: Client) -> None:
    status, site = await call(api, "POST", "/sites", {"code": "ACME", "description": "Acme"})
    assert status == 201 and site["code"] == "ACME"
    assert (await call(api, "POST", "/sites", {"code": "ACME"}))[0] == 409
    status, company = await call(api, "POST", "/companies", {"name": "Acme AB", "site": "ACME"})
    assert status == 201 and company["site"] == "ACME"
    status, contact = await call(api, "POST", "/contacts", {
        "name": "Anna", "email": "Anna@Acme.se", "phone": "070-123 45 67",
        "company_id": company["id"]})  # fmt: skip
    assert status == 201 and contact["phones"] == ["+46701234567"]
    status, changed = await call(api, "POST", f"/contacts/{contact['id']}", {"name": "Anna A"})
    assert status == 200 and changed["name"] == "Anna A"
    status, found = await call(api, "GET", f"/companies/{company['id']}/contacts")
    assert status == 200 and [c["name"] for c in found] == ["Anna A"]
    status, found = await call(api, "GET", "/contacts?email=anna@acme.se")
    assert [c["id"] for c in found] == [contact["id"]]
    status, found = await call(api, "GET", "/contacts?phone=0701234567")
    assert [c["id"] for c in found] == [contact["id"]]

    status, ticket = await call(api, "POST", "/tickets", {"subject": "Broken", "priority": "high",
                                                          "contact_id": contact["id"]})  # fmt: skip
    assert status == 201 and ticket["priority"] == "high" and ticket["contact_id"] == contact["id"]
    number = ticket["number"]
    status, ticket = await call(api, "POST", f"/tickets/{number}", {"status": "open",
                                                                   "agent": "agent"})  # fmt: skip
    assert status == 200 and (ticket["status"], ticket["agent"]) == ("open", "agent")
    assert await TicketChange.filter(ticket__number=number, who="root").count() >= 2
    status, body = await call(api, "POST", f"/tickets/{number}", {"status": "lost"})
    assert status == 400 and body["details"]["field"] == "status"
    status, body = await call(api, "POST", f"/tickets/{number}", {"colour": "red"})
    assert status == 400 and body["details"]["field"] == "colour"
    status, body = await call(api, "POST", "/tickets", {"description": "no subject"})
    assert status == 400 and body["details"]["field"] == "subject"
    status, body = await call(api, "POST", "/tickets", {"subject": 12})
    assert status == 400 and "string" in body["message"]

    status, body = await call(api, "DELETE", f"/tickets/{number}")
    assert status == 409 and "turned off" in body["message"]
    await TicketSettings.create(id=1, allow_delete=True)
    assert (await call(api, "DELETE", f"/tickets/{number}"))[0] == 204
    assert (await call(api, "GET", f"/tickets/{number}"))[0] == 404
    assert (await call(api, "GET", "/nothing"))[0] == 404
    assert (await call(api, "GET", "/tickets/abc"))[0] == 404
    assert (await call(api, "GET", f"/companies/{company['id']}/nothing"))[0] == 404
    response = await api.put(f"{BASE}/users", json={}, headers=ADMIN)
    assert response.status == 405 and response.headers["Allow"] == "GET, POST"
    assert (await call(api, "POST", "/calls", {}))[0] == 405  # calls are read-only
    status, body = await call(api, "POST", "/users", {"username": "agent", "password": "xxxx"})
    assert status == 409
    root = (await call(api, "GET", "/users?username=root"))[1][0]
    assert (await call(api, "DELETE", f"/users/{root['id']}"))[0] == 409  # not yourself


async def _calls(count: int) -> None:
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    for n in range(count):
        await CallRecord.create(call_id=f"c{n}", caller_number=f"+4670000000{n}",
                                started_at=start + timedelta(days=n), queue_name="support",
                                result="answered" if n % 2 else "abandoned",
                                queue_seconds=float(10 * n))  # fmt: skip


async def test_search_compare_range_sort_limit_and_id_lists(api: Client) -> None:
    await _calls(6)

    async def ids(query: str) -> list[int]:
        status, rows = await call(api, "GET", f"/calls?{query}")
        assert status == 200, rows
        return [row["id"] for row in rows]

    assert await ids("result=answered") == [2, 4, 6]
    assert await ids("result=answered&result=abandoned&limit=2") == [1, 2]
    assert await ids("started_at:lt=20261104") == [1, 2]
    assert await ids("started_at:le=2026-11-04T08:00:00%2B00:00") == [1, 2, 3]
    assert await ids("started_at:ge=20261105") == [4, 5, 6]
    assert await ids("started_at:gt=20261105") == [4, 5, 6]  # 08:00 is after midnight
    assert await ids("queue_seconds:ge=20&queue_seconds:lt=40") == [3, 4]
    assert await ids("sort=desc&limit=2") == [6, 5]
    assert await ids("id_in=5,1,3") == [1, 3, 5]
    assert await ids("limit=1") == [1]
    assert await ids("limit=1000") == [1, 2, 3, 4, 5, 6]
    for bad, field in [("limit=0", "limit"), ("limit=1001", "limit"), ("limit=x", "limit"),
                       ("sort=up", "sort"), ("id_in=1,a", "id_in"), ("colour=red", "colour"),
                       ("started_at:lt=yesterday", "started_at:lt"), ("result:gt=a", "result:gt"),
                       ("queue_seconds:xx=1", "queue_seconds:xx"), ("info_type=stat", "info_type"),
                       ("queue_seconds:lt=1&queue_seconds:lt=2", "queue_seconds:lt")]:  # fmt: skip
        status, body = await call(api, "GET", f"/calls?{bad}")
        assert status == 400 and body["details"]["field"] == field, (bad, body)


async def test_statistics_and_crm_lookups(api: Client) -> None:
    await Queue.create(name="support", sl_goal_seconds=25)
    await _calls(6)
    status, stats = await call(api, "GET", "/teamstats?day:ge=20261101&day:le=20261130")
    assert status == 200
    assert stats[0]["total"] == 6 and stats[0]["answered"] == 3 and stats[0]["lost"] == 3
    assert stats[0]["answered_within_goal"] == 1  # 10 s only; 30 s and 50 s are over 25 s
    status, stats = await call(api, "GET", "/teamstats")  # today: none
    assert stats[0]["total"] == 0 and stats[0]["service_level"] is None
    status, queue = await call(api, "GET", f"/queues/{stats[0]['queue'] and 1}?info_type=status")
    assert status == 200 and queue["queue"] == "support" and queue["waiting"] == 0
    status, body = await call(api, "GET", "/queues/1?info_type=pbx_stat")
    assert status == 400 and body["details"]["field"] == "info_type"

    _, contact = await call(api, "POST", "/contacts", {"name": "Bo Ek", "phone": "08-123 456 78"})
    status, who = await call(api, "GET", "/crm_aid?aid=%2B46812345678")
    assert status == 200 and who["contact"]["id"] == contact["id"]
    assert (await call(api, "GET", "/crm_aid?aid=hello"))[0] == 400
    status, found = await call(api, "GET", "/crm_contactsearch?q=bo%20e")
    assert [c["id"] for c in found] == [contact["id"]]
    assert (await call(api, "GET", "/crm_contactsearch?q=b"))[0] == 400
    assert (await call(api, "GET", "/crm_contactsearch?q=bo&x=1"))[0] == 400
    ticket = await Ticket.create(number=5001, subject="Help", contact_id=contact["id"])
    status, state = await call(api, "GET", f"/crm_contactstatus/{contact['id']}")
    assert status == 200 and state["open_tickets"] == 1 and state["last_ticket"]["number"] == 5001
    assert (await call(api, "GET", "/crm_contactstatus/999"))[0] == 404
    status, users = await call(api, "GET", "/userstats?username=agent")
    assert status == 200 and users[0]["answered_calls"] == 0
    now = datetime.now(UTC)
    for n, talk in enumerate((30.0, None)):  # a call without a talk time counts as 0 s
        await CallRecord.create(call_id=f"us-{n}", started_at=now, agent="agent",
                                result="answered", talk_seconds=talk)  # fmt: skip
    await CallRecord.create(call_id="us-lost", started_at=now, agent="agent", result="lost")
    await TicketChange.create(ticket=ticket, who="agent", field="status", new="solved")
    await TicketChange.create(ticket=ticket, who="agent", field="status", new="open")
    status, users = await call(api, "GET", "/userstats?username=agent")
    figures = {k: users[0][k] for k in ("answered_calls", "talk_seconds", "avg_talk_seconds",
                                        "tickets_solved")}  # fmt: skip
    assert figures == {"answered_calls": 2, "talk_seconds": 30.0, "avg_talk_seconds": 15.0,
                       "tickets_solved": 1}  # fmt: skip


async def test_the_openapi_document_describes_every_resource(api: Client) -> None:
    response = await api.get(f"{BASE}/openapi.json")
    document = await response.json()
    paths = document["paths"]
    for name in ("bnos", "calls", "companies", "contacts", "sites", "tickets", "users", "queues",
                 "crm_logs"):  # fmt: skip
        assert f"{BASE}/{name}" in paths and f"{BASE}/{name}/{{id}}" in paths
    for name in ("crm_aid", "crm_contactsearch", "userstats", "teamstats", "callstats",
                 "ticketstats"):  # fmt: skip
        assert f"{BASE}/{name}" in paths
    assert f"{BASE}/crm_contactstatus/{{id}}" in paths
    parameters = {p["name"] for p in paths[f"{BASE}/calls"]["get"]["parameters"]}
    assert {"started_at:lt", "started_at:ge", "sort", "limit", "id_in"} <= parameters


async def test_a_ticket_change_obeys_the_ticket_rules_and_saves_all_or_nothing(api: Client) -> None:
    """The REST API changes a ticket through the same door as the screens: a change with any
    refused field saves none of it, and the required fields, status moves and subject rules
    hold."""
    status, ticket = await call(api, "POST", "/tickets", {"subject": "Printer"})
    number = ticket["number"]
    status, body = await call(api, "POST", f"/tickets/{number}",
                              {"status": "solved", "priority": "bogus"})  # fmt: skip
    assert status == 400 and body["details"]["field"] == "priority"
    status, body = await call(api, "POST", f"/tickets/{number}",
                              {"subject": "Printer jam", "agent": "nobody"})  # fmt: skip
    assert status == 400 and body["details"]["field"] == "agent"
    status, body = await call(api, "POST", f"/tickets/{number}", {"subject": "  "})
    assert status == 400 and body["details"]["field"] == "subject"
    stored = await Ticket.get(number=number)
    assert (stored.status, stored.priority, stored.subject) == ("new", "medium", "Printer")
    assert not await TicketChange.filter(ticket__number=number).exists()

    await TicketSettings.create(id=1, required_fields=["ticket_type"])
    status, body = await call(api, "POST", f"/tickets/{number}",
                              {"status": "solved", "agent": "agent"})  # fmt: skip
    assert status == 400 and body["details"]["field"] == "ticket_type"
    assert (await Ticket.get(number=number)).agent_id is None

    status, changed = await call(api, "POST", f"/tickets/{number}",
                                 {"subject": "Printer jam", "agent": "agent"})  # fmt: skip
    assert status == 200 and (changed["subject"], changed["agent"]) == ("Printer jam", "agent")
    fields = {c.field for c in await TicketChange.filter(ticket__number=number)}
    assert fields == {"subject", "agent_id"}


@pytest.fixture
async def slow_refill_api(tmp_path: Path) -> AsyncIterator[Client]:
    """The API with a per-user bucket that refills once an hour instead of every 6 s: on a
    loaded machine the guesses (argon2 each) can take longer than a refill, which made the
    count of 401s before the first 429 depend on the machine's speed."""
    from ehd.accounts.login_guard import UserAttemptLimiter
    from ehd.web.restapi.http import REST_USER_ATTEMPTS

    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    app[REST_USER_ATTEMPTS] = UserAttemptLimiter(per_minute=1 / 60)
    async with TestClient(TestServer(app)) as client:
        await create_user("root", "root-pass", role=Role.ADMIN)
        yield client


async def test_guesses_from_many_addresses_meet_a_per_user_limit(
    slow_refill_api: Client,
) -> None:
    """Each address stayed under its own limit, so guesses spread over addresses never
    stopped. Now the username has a limit too, which the admin's own address does not meet."""
    api = slow_refill_api
    assert (await call(api, "GET", "/users"))[0] == 200  # root works from 127.0.0.1
    url = api.make_url(f"{BASE}/users")
    statuses = []
    for n in range(2, 26):  # a new loopback source address for every guess
        connector = aiohttp.TCPConnector(local_addr=(f"127.0.0.{n}", 0))
        guess = basic("root", f"guess-{n}")
        async with (
            aiohttp.ClientSession(connector=connector) as stranger,
            stranger.get(url, headers=guess) as response,
        ):
            statuses.append(response.status)
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.30", 0))
    async with (
        aiohttp.ClientSession(connector=connector) as stranger,
        stranger.get(url, headers=ADMIN) as response,
    ):
        assert response.status == 429  # even the right password: no oracle for guessers
    assert (await call(api, "GET", "/users?limit=1"))[0] == 200  # root is not shut out


async def test_basic_auth_is_limited_per_address_and_locks_no_one_out(api: Client) -> None:
    """Wrong passwords through the REST API no longer lock the account (anyone could lock any
    admin out), an unknown user and a wrong password get the same answer, and one address
    that keeps failing must wait."""
    wrong = basic("root", "not-it")
    for _ in range(6):
        status, body = await call(api, "GET", "/users", auth=wrong)
        assert status == 401 and body["message"] == "wrong username or password"
    status, body = await call(api, "GET", "/users", auth=basic("nobody", "not-it"))
    assert status == 401 and body["message"] == "wrong username or password"
    assert (await call(api, "GET", "/users"))[0] == 200  # root was not locked out
    assert (await User.get(username="root")).failed_logins == 0
    for _ in range(4):
        await call(api, "GET", "/users", auth=wrong)
    response = await api.get(f"{BASE}/users", headers=wrong)
    assert response.status == 429 and int(response.headers["Retry-After"]) >= 1
    response = await api.get(f"{BASE}/users", headers=basic("agent", "agent-pass"))
    assert response.status == 429  # even the right password waits: guessing is paused


async def test_the_covered_products_field_names_search_users(api: Client) -> None:
    """``usermail`` and ``addts`` (the names its documentation uses) search email and the
    creation time, so scripts written for it run unchanged; they are not shown twice."""
    status, made = await call(api, "POST", "/users", {"username": "sven", "password": "x" * 12,
                                                        "email": "sven@example.com"})  # fmt: skip
    assert status == 201, made
    await User.filter(username="sven").update(created_at=datetime(2026, 11, 20, tzinfo=UTC))
    status, found = await call(api, "GET", "/users?usermail=sven@example.com")
    assert status == 200 and [u["username"] for u in found] == ["sven"], found
    assert "usermail" not in found[0] and "addts" not in found[0]
    later = [u["username"] for u in (await call(api, "GET", "/users?addts:gt=20261119"))[1]]
    earlier = [u["username"] for u in (await call(api, "GET", "/users?addts:lt=20261119"))[1]]
    assert "sven" in later and "sven" not in earlier


async def test_scripts_log_agents_in_and_out_and_reach_call_control(api: Client) -> None:
    """Agent state and call control with the REST API's Basic auth: the console's own doors,
    in the OpenAPI document; call control needs running telephony (503 here)."""
    from ehd.db.models import QueueMember

    alice = await create_user("alice", "alice-pass")
    await QueueMember.create(user=alice, queue=await Queue.create(name="support"), penalty=0)
    response = await api.get(f"{BASE}/agents/alice")
    assert response.status == 401 and "WWW-Authenticate" in response.headers
    assert (await call(api, "GET", "/agents/alice"))[1]["state"] == "logged_out"
    login = {"queues": ["support"], "number": "+46701234567"}  # a remote agent
    status, state = await call(api, "POST", "/agents/alice/login", login)
    assert status == 200 and state["state"] != "logged_out", state
    status, state = await call(api, "POST", "/agents/alice/pause", {"reason": "lunch"})
    assert status == 200 and (state["state"], state["pause_reason"]) == ("paused", "lunch")
    status, state = await call(api, "POST", "/agents/alice/logout", {})
    assert status == 200 and state["state"] == "logged_out", state
    assert (await call(api, "POST", "/agents/alice/dance", {}))[0] == 404
    assert (await call(api, "GET", "/agents/nobody"))[0] == 404
    assert (await call(api, "POST", "/livecalls/c1/hold", {}))[0] == 503
    assert (await call(api, "POST", "/livecalls/c1/consult/toggle", {}))[0] == 503
    assert (await call(api, "POST", "/livecalls/c1/juggle", {}))[0] == 404
    response = await api.post(f"{BASE}/livecalls/c1/hold", json={})
    assert response.status == 401
    paths = (await call(api, "GET", "/openapi.json"))[1]["paths"]
    assert f"{BASE}/livecalls/{{call_id}}/consult/complete" in paths
    assert f"{BASE}/agents/{{username}}/pause" in paths and f"{BASE}/users" in paths


async def test_the_statistics_views_answer_through_the_api(api: Client) -> None:
    """The pages' call and ticket statistics, for scripts: the same figures, 400 for a bad
    parameter."""
    await seed_history()
    await fold_new(STOCKHOLM, datetime(2030, 1, 1, tzinfo=STOCKHOLM))
    status, tickets = await call(
        api, "GET", "/ticketstats?from=2026-11-02&to=2026-11-04&granularity=week"
    )
    assert status == 200, tickets
    assert (tickets["totals"]["created"], tickets["totals"]["resolution_sla"]) == (3, 33.3)
    assert [(row["period"], row["solved"]) for row in tickets["rows"]] == [("2026-W45", 3)]
    status, calls = await call(api, "GET", "/callstats?from=2026-11-02&to=2026-11-04")
    assert status == 200 and calls["totals"]["offered"] == 0
    for bad in (
        "/ticketstats?granularity=hour", "/ticketstats?colour=red", "/callstats?group=team",
        "/callstats?from=²⁰²⁶-11-02", "/ticketstats?to=x",
    ):  # fmt: skip
        status, answer = await call(api, "GET", bad)
        assert status == 400, (bad, answer)
