"""The same models, migrations and queries on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tortoise import Tortoise
from tortoise.fields import Field
from tortoise.migrations import operations as ops
from tortoise.migrations.api import migrate

import ehd.db.migrations
from ehd.accounts.service import authenticate, create_user, sip_accounts
from ehd.calls import records
from ehd.crm.directory import match_phone
from ehd.db.column_updates import grown, set_once
from ehd.db.config import tortoise_config
from ehd.db.lifecycle import close_database, database_healthy, open_database
from ehd.db.models import (
    CallDirection,
    CallHandling,
    CallRecord,
    Contact,
    ContactPoint,
    Did,
    Notification,
    PhoneKind,
    Queue,
    QueueMember,
    Role,
    RouteType,
    Signature,
    SlaPolicy,
    Ticket,
    TicketEntry,
    TicketFilter,
    TicketTemplate,
    User,
)
from ehd.demo import seed_demo
from ehd.errors import ValidationError
from ehd.stats.call_report import CallReport, call_report, parse_request
from ehd.stats.queue_log_import import import_queue_log


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[str]:
    await open_database(database_url)
    yield database_url
    await close_database()


async def test_migrations_build_the_schema_and_can_run_again(database: str) -> None:
    assert await database_healthy()
    await close_database()
    await open_database(database)  # second run: nothing pending, nothing breaks
    assert await Queue.all().count() == 0


async def test_users_unique_names_and_password_checks(database: str) -> None:
    await create_user("alice", "secret-1", role=Role.AGENT, sip_extension="1001")
    with pytest.raises(ValidationError, match="already taken"):
        await create_user("alice", "secret-2")
    with pytest.raises(ValidationError, match="already taken"):
        await create_user("alicia", "secret-2", sip_extension="1001")
    with pytest.raises(ValidationError, match="at least 4"):
        await create_user("bob", "abc")
    assert (await authenticate("alice", "secret-1")) is not None
    assert await authenticate("alice", "wrong") is None
    assert await authenticate("nobody", "secret-1") is None
    accounts = await sip_accounts()
    assert [a.extension for a in accounts] == ["1001"]


async def test_did_lookup_and_call_record_lifecycle(database: str) -> None:
    queue = await Queue.create(name="support", greeting="welcome", language="sv")
    await Did.create(number="4600", route_type=RouteType.QUEUE, queue=queue)
    entry = await records.did_entry("4600")
    assert entry is not None and entry.queue_name == "support" and entry.queue_language == "sv"
    assert await records.did_entry("4999") is None

    from ehd.ari.events import Channel
    from ehd.calls.routing import decide_route

    started = datetime.now(UTC) - timedelta(seconds=5)
    channel = Channel(
        "c-1", "PJSIP/trunk-1", "Ring", "+46701234567", "Caller", "4600", started, "en"
    )
    await records.open_call(channel, "4600", decide_route(entry))
    await records.mark_answered("c-1")
    assert await records.open_call_ids() == ["c-1"]
    await records.close("c-1", "completed", 16)
    row = await CallRecord.get(call_id="c-1")
    assert row.did == "4600" and row.route_type == "queue" and row.hangup_cause == 16
    assert row.started_at <= row.answered_at <= row.ended_at  # type: ignore[operator]


async def test_call_record_writes_keep_what_earlier_ones_set(database: str) -> None:
    """The call path writes without reading first: the UPDATE itself keeps a result the
    queue set, the first queue time, the first end, and adds up talk time."""
    from ehd.ari.events import Channel
    from ehd.calls.routing import decide_route

    queue = await Queue.create(name="support")
    await Did.create(number="4600", route_type=RouteType.QUEUE, queue=queue)
    entry = await records.did_entry("4600")
    assert entry is not None
    channel = Channel("c-2", "PJSIP/trunk-2", "Ring", "+46701234567", "Caller", "4600",
                      datetime.now(UTC), "en")  # fmt: skip
    await records.open_call(channel, "4600", decide_route(entry))
    renamed = Channel("c-2", "PJSIP/trunk-2", "Up", "+46701234567", "Caller again", "4600",
                      datetime.now(UTC), "en")  # fmt: skip
    await records.open_call(renamed, "4600", decide_route(entry))  # the channel came back
    [row] = await CallRecord.filter(call_id="c-2")
    assert row.caller_name == "Caller again"

    for seconds in (12.5, 40.0):  # a transferred caller's second wait is not its queue time
        await CallRecord.filter(call_id="c-2").update(
            queue_seconds=set_once("queue_seconds", seconds)
        )
    for talk in (30.0, 15.5):  # two agents' parts
        await CallRecord.filter(call_id="c-2").update(talk_seconds=grown("talk_seconds", talk))
    await CallRecord.filter(call_id="c-2").update(result="answered")
    await records.close("c-2", "completed", 16)
    first = await CallRecord.get(call_id="c-2")
    await records.close("c-2", "lost", 17)  # a late second close changes nothing
    row = await CallRecord.get(call_id="c-2")
    assert (row.queue_seconds, row.talk_seconds) == (12.5, 45.5)
    assert (row.result, row.hangup_cause, row.ended_at) == ("answered", 16, first.ended_at)

    await CallRecord.create(call_id="c-3", started_at=datetime.now(UTC))
    await records.close("c-3", "completed", None)
    row = await CallRecord.get(call_id="c-3")
    assert (row.result, row.hangup_cause) == ("completed", None) and row.ended_at is not None


async def test_calls_missing_from_asterisk_are_closed_as_lost(database: str) -> None:
    now = datetime.now(UTC)
    for call_id in ("live", "gone"):
        await CallRecord.create(call_id=call_id, started_at=now)
    assert await records.close_missing({"live"}) == 1
    assert (await CallRecord.get(call_id="gone")).result == "lost"
    assert await records.open_call_ids() == ["live"]


async def test_demo_seed_is_idempotent(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("demo")
    first = await seed_demo(folder)
    second = await seed_demo(folder)
    assert first == second
    assert {a.username for a in first.accounts} == {"admin", "alice", "bob"}
    assert {a.sip_extension for a in first.accounts} == {None, "1001", "1002"}
    members = await QueueMember.filter(queue__name="support").prefetch_related("user")
    assert sorted(m.user.username for m in members) == ["alice", "bob"]
    did = await Did.get(number="4600").prefetch_related("queue")
    assert did.queue is not None and did.queue.name == "support"
    admin = next(a for a in first.accounts if a.username == "admin")
    assert await authenticate("admin", admin.password) is not None
    assert await Ticket.all().count() == 1 and await Contact.all().count() == 1
    assert (await match_phone("040-123 45 67")) is not None  # the demo contact, by number
    assert await TicketFilter.all().count() == await TicketTemplate.all().count() == 1
    assert await Signature.filter(user_id__isnull=True, site_id__isnull=True).count() == 1


async def test_models_and_migrations_agree(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A model change without a migration fails here (run `tortoise makemigrations`)."""
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config("sqlite://:memory:")
    await Tortoise.init(config=config)
    try:
        detector = MigrationAutodetector(Tortoise.apps, config["apps"])
        changes = await detector.changes()
    finally:
        await Tortoise.close_connections()
    assert changes == [], [writer.name for writer in changes]


async def test_recordings_past_retention_are_deleted_and_unlinked(
    database: str, tmp_path: Path
) -> None:
    from ehd.calls.retention import purge_recordings

    now = datetime.now(UTC)
    old_file, new_file = tmp_path / "old.wav", tmp_path / "new.wav"
    old_file.write_bytes(b"RIFF")
    new_file.write_bytes(b"RIFF")
    for call_id, age, path in (("old", 400, old_file), ("new", 10, new_file)):
        await CallRecord.create(
            call_id=call_id, started_at=now - timedelta(days=age), recording=str(path)
        )
    second_part = tmp_path / "old-2.wav"  # the next agent's part after a transfer
    second_part.write_bytes(b"RIFF")
    await CallHandling.create(call_id="old", agent="bob", connected_at=now - timedelta(days=400),
                              ended_at=now - timedelta(days=400), talk_seconds=9.0,
                              hold_seconds=0.0, recording=str(second_part))  # fmt: skip
    assert await purge_recordings(365, now) == 2
    assert not old_file.exists() and not second_part.exists() and new_file.exists()
    assert (await CallRecord.get(call_id="old")).recording == ""
    assert (await CallHandling.get(call_id="old")).recording == ""
    assert (await CallRecord.get(call_id="new")).recording == str(new_file)
    assert await purge_recordings(365, now) == 0


async def test_contacts_made_before_the_index_are_indexed_by_the_migration(
    empty_database_url: str,
) -> None:
    config = tortoise_config(empty_database_url)
    await migrate(config=config, target="models.0018_knowledge")
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    await Tortoise.get_connection("default").execute_script(
        "INSERT INTO contacts (name, emails, phones) "
        """VALUES ('Anna', '["anna@example.se"]', '["+46701234567", "+46701234567"]')"""
    )
    await close_database()
    await open_database(empty_database_url)
    try:
        points = await ContactPoint.all().order_by("kind").values_list("kind", "value")
        assert points == [("email", "anna@example.se"), ("phone", "+46701234567")]
    finally:
        await close_database()


async def test_a_site_with_users_and_notifications_upgrades_past_their_new_columns(
    database_url: str,
) -> None:
    """Columns added to tables that already hold rows get their default in every row: SQLite
    and PostgreSQL refuse a NOT NULL column without one."""
    await open_database(database_url)
    await create_user("anna", "anna-pass-1", role=Role.AGENT)
    await close_database()
    config = tortoise_config(database_url)
    await migrate(config=config, target="models.0047_notifications")  # back before both
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    await Tortoise.get_connection("default").execute_script(
        'INSERT INTO notifications (user_id, kind, text, link, "by", created_at) VALUES '
        "((SELECT id FROM users WHERE username = 'anna'), 'mention', 'Old words', '/', '', "
        "'2026-12-01 10:00:00+00:00')"
    )
    await close_database()
    await open_database(database_url)
    try:
        assert (await User.get(username="anna")).workspace == {}
        assert [(n.text, n.details) for n in await Notification.all()] == [("Old words", {})]
    finally:
        await close_database()


def test_every_added_column_has_a_value_for_the_rows_already_there() -> None:
    """A column added to a table that holds rows needs a database default (or NULL): SQLite
    and PostgreSQL refuse `ADD COLUMN ... NOT NULL` without one, so the upgrade of a live site
    would fail while every fresh database passes."""
    folder = Path(ehd.db.migrations.__file__).parent
    lacking = []
    for path in sorted(folder.glob("0*.py")):
        module = importlib.import_module(f"ehd.db.migrations.{path.stem}")
        for operation in module.Migration.operations:
            if not isinstance(operation, ops.AddField):
                continue
            field = operation.field
            assert isinstance(field, Field), operation.describe()  # not a many-to-many
            if not field.null and not field.has_db_default():
                lacking.append(f"{path.stem}: {operation.model_name}.{operation.name}")
    assert lacking == []


async def test_a_site_from_the_first_release_upgrades_with_its_rows(
    empty_database_url: str,
) -> None:
    """Queues, users, numbers and calls made before most of their columns existed come
    through every later migration with each new column at its default."""
    config = tortoise_config(empty_database_url)
    await migrate(config=config, target="models.0002_queue_log")
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    await Tortoise.get_connection("default").execute_script(
        "INSERT INTO queues (name, description, greeting, moh_class, language) VALUES "
        "('support', '', 'welcome', 'default', 'en');"
        "INSERT INTO users (username, name, email, password_hash, role, language, active, "
        "password_changed_at, created_at) VALUES ('anna', 'Anna', '', 'x', 'agent', 'sv', "
        "true, '2024-01-01 10:00:00+00:00', '2024-01-01 10:00:00+00:00');"
        "INSERT INTO dids (number, route_type, queue_id, ring_seconds, description) VALUES "
        "('+4681234567', 'queue', (SELECT id FROM queues WHERE name = 'support'), 30, '');"
        "INSERT INTO call_records (call_id, did, caller_number, caller_name, route_type, "
        "route_target, started_at, result) VALUES ('old-1', '+4681234567', '+46701234567', "
        "'', 'queue', 'support', '2024-01-02 09:00:00+00:00', 'answered')"
    )
    await close_database()
    await open_database(empty_database_url)  # applies every later migration
    try:
        queue = await Queue.get(name="support")
        assert (queue.strategy, queue.ring_timeout, queue.exit_keys, queue.languages) == (
            "longest_idle",
            15.0,
            {},
            [],
        )
        user = await User.get(username="anna")
        assert (user.sites, user.failed_logins, user.chat_ready, user.workspace) == (
            [],
            0,
            False,
            {},
        )
        assert user.phone_kind is PhoneKind.DESK
        assert (await Did.get(number="+4681234567")).priority == 0
        call = await CallRecord.get(call_id="old-1")
        assert (call.direction, call.queue_name, call.classification) == (
            CallDirection.INBOUND,
            "",
            "",
        )
    finally:
        await close_database()


async def test_the_data_folder_and_database_are_the_owners_alone(tmp_path: Path) -> None:
    """The SQLite file holds SIP and IMAP passwords: no other user of the machine reads it."""
    from ehd.config import Config

    config = Config(data_dir=tmp_path / "data")
    config.paths.create()
    assert config.paths.root.stat().st_mode & 0o777 == 0o700
    await open_database(config.effective_database_url)  # with its ?synchronous= part
    try:
        assert config.paths.database.stat().st_mode & 0o777 == 0o600
    finally:
        await close_database()


async def test_statistics_sum_the_same_on_both_databases(database_url: str, tmp_path: Path) -> None:
    """The statistics' own SQL (sums per period, many rows in one INSERT) on SQLite and
    PostgreSQL: an imported queue_log gives the same figures on both."""
    from tests.adapter.test_call_statistics import QUEUE_LOG

    await open_database(database_url)
    try:
        log = tmp_path / "queue_log"
        log.write_text(QUEUE_LOG + "1800000000|NONE|NONE|dora|AGENTLOGIN|PJSIP/dora\n"
                       "1800000600|NONE|NONE|dora|AGENTLOGOFF|PJSIP/dora|600\n")  # fmt: skip
        await import_queue_log(log, {"support": 20.0, "sales": 30.0}.get)
        zone = ZoneInfo("Europe/Stockholm")

        async def report(**query: str) -> CallReport:
            wanted = {"from": "2027-01-15", "to": "2027-01-16", **query}
            return await call_report(parse_request(wanted, date(2027, 2, 1)), zone)

        days = await report()
        assert (days.totals["offered"], days.totals["service_level"]) == (9, 80.0)
        assert days.totals["service_level_2"] == 75.0
        agents = await report(group="agent")
        assert [(r.label, r.group, r.counts.answered) for r in agents.rows] == [
            ("2027-01-15", "alice", 3), ("2027-01-15", "bob", 1),
            ("2027-01-15", "dora", 0),  # logged in, no call: her time is in the day's row
            ("2027-01-16", "carl", 1),
        ]  # fmt: skip
        assert agents.agent_times["dora"].logged_in == 600
        assert agents.rows[2].measures["logged_in"] == 600
        months = await report(granularity="month", group="queue")
        assert [(r.label, r.group, r.counts.offered) for r in months.rows] == [
            ("2027-01", "sales", 2), ("2027-01", "support", 7),
        ]  # fmt: skip
        hours = await report(to="2027-01-15", granularity="hour")
        assert [(r.label, r.counts.offered) for r in hours.rows if r.counts.offered] == [
            ("2027-01-15 09:00", 7)
        ]
        assert len(hours.staffing) == 24
    finally:
        await close_database()


async def test_ticket_sla_reads_the_same_on_both_databases(database_url: str) -> None:
    """The SLA door's own queries (first answer per ticket by MIN over a group, the stale
    marks made by model signals inside a transaction, the job's OR over two indexes)."""
    from ehd.tickets import service
    from ehd.tickets.sla import ClockState, Metric
    from ehd.tickets.sla_tracking import escalate_due, sla_of

    await open_database(database_url)
    try:
        await SlaPolicy.create(name="default", first_response_minutes=60,
                               resolution_minutes=600,
                               escalations=[{"metric": "resolution", "minutes_before": 0,
                                             "action": "raise_priority"}])  # fmt: skip
        ticket = await service.create_ticket("Broken", "", "manual", None, [])
        assert await escalate_due(None) == 0
        await ticket.refresh_from_db()
        assert not ticket.sla_stale and ticket.sla_due_at is not None
        await TicketEntry.create(ticket=ticket, kind="mail_out", public=True, text="On it.")
        await service.change(ticket, "alice", "status", "with_contact")
        await ticket.refresh_from_db()
        assert ticket.sla_stale  # marked by the signals, in the writer's transaction
        sla = (await sla_of([ticket]))[ticket.id]
        first, resolution = sla.clock(Metric.FIRST_RESPONSE), sla.clock(Metric.RESOLUTION)
        assert first is not None and first.state is ClockState.MET
        assert resolution is not None and resolution.state is ClockState.PAUSED
        later = datetime.now(UTC) + timedelta(days=30)
        await service.change(ticket, "alice", "status", "open")
        assert await escalate_due(None, later) == 1  # raised at the breach
        await ticket.refresh_from_db()
        assert ticket.priority == "high"
    finally:
        await close_database()
