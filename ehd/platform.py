"""Wires ehd's long-lived resources into one aiohttp application, one cleanup context each.

Start order: database (migrated) -> the lease -> Asterisk -> HTTP client -> ARI application ->
mail in -> scheduler. Several ehd processes may share one database (a hot standby): only the
one holding the lease (:mod:`ehd.db.lease`) runs the parts after it, the others serve the web
and take over when the lease comes free. Cleanup runs in reverse, so SIGINT/SIGTERM stops the
ARI app before Asterisk and closes the database last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from ehd.accounts.service import sip_accounts
from ehd.ari.client import AriClient
from ehd.ari.connection import AriConnection
from ehd.ari.events import Event
from ehd.ari.nodes import AriNodes, NodeUnsettled
from ehd.asterisk.endpoints import apply_accounts
from ehd.asterisk.instance import AsteriskInstance, InstanceSpec
from ehd.asterisk.runtime import select_runtime, setup_runtime
from ehd.audio.prompts import SoundLibrary
from ehd.background_jobs import create_scheduler
from ehd.calendars.store import ensure_default_calendar
from ehd.calls.services import PhoneServices
from ehd.config import Config
from ehd.db.lease import Lease, lease_for, take_when_free, wait_until_lost
from ehd.db.lifecycle import close_database, database_healthy, open_database
from ehd.db.live_bus import LocalBus, bus_for
from ehd.errors import EhdError
from ehd.instance_secrets import load_or_create_secrets
from ehd.kamailio.files import ProxySpec, proxy_spec, write_config, write_subscribers
from ehd.mailboxes.imap_poller import MailboxPollers
from ehd.mailboxes.smtp_server import TicketMailHandler, start_server
from ehd.queueing.queue_log_writer import QueueLogWriter
from ehd.queueing.service import QueueService
from ehd.stasis.application import CallApplication
from ehd.web.app import create_web_app
from ehd.web.keys import (
    CONFIG,
    CONSOLES,
    MAILBOXES,
    QUEUE_SERVICE,
    SIGNING_KEY,
    TEXTS,
    TICKET_MAIL,
)
from ehd.web.peers import HEARD_FOR_SECONDS, PEERS, TELL_SECONDS

log = logging.getLogger(__name__)


@dataclass
class Telephony:
    """The live telephony side, filled in as the contexts start."""

    instance: AsteriskInstance | None = None  # the main node
    nodes: list[AsteriskInstance] = field(default_factory=list)  # every node, the main first
    ari: AriClient | None = None  # the one client the application uses (AriNodes if several)
    node_clients: dict[str, AriClient] = field(default_factory=dict)
    connections: list[AriConnection] = field(default_factory=list)
    calls: CallApplication | None = None
    queues: QueueService | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    proxy: ProxySpec | None = None  # Kamailio in front, when there is one
    role: str = "standby"  # "active" while this process holds the lease

    async def check(self) -> dict[str, bool]:
        asterisk_up = self.ari is not None and await self.ari.ping()
        ari_up = any(connection.connected.is_set() for connection in self.connections)
        return {"asterisk": asterisk_up, "ari": ari_up, "database": await database_healthy()}

    def current(self) -> QueueService | None:
        return self.queues

    async def sync_sip_accounts(self) -> bool:
        if not self.nodes:
            return False
        accounts = await sip_accounts()
        proxy_host = ""
        if self.proxy is not None:
            write_subscribers(self.proxy.folder, accounts)
            proxy_host = self.proxy.host
        applied = False
        for node in self.nodes:
            client = self.node_clients.get(node.spec.name)
            etc, host = node.dirs["etc"], node.spec.bind_host
            applied |= await apply_accounts(etc, accounts, client, host, proxy_host)
        return applied


TELEPHONY = web.AppKey("telephony", Telephony)
# queue_log rows of one busy moment are stored together (ehd.queueing.queue_log_writer)
QUEUE_LOG_BATCH_SECONDS = 0.2
# A standby asks for the lease this often; the active process checks it holds it this often.
LEASE_POLL_SECONDS = 1.0
LEASE_CHECK_SECONDS = 1.0
LEASE_RETRY_SECONDS = 5.0  # after this process failed to take over
# Exit status of an active process that lost its lease (EX_TEMPFAIL): its supervisor starts
# it again, as the standby.
EXIT_LEASE_LOST = 75


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    await open_database(app[CONFIG].effective_database_url)
    await ensure_default_calendar()
    yield
    await close_database()


async def asterisk_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    runtime = select_runtime(config.asterisk_mode, config.asterisk_root)
    if not runtime.is_ready():
        await asyncio.to_thread(setup_runtime, runtime)
    secrets = load_or_create_secrets(config)
    instance = AsteriskInstance(InstanceSpec.for_ehd(config, secrets.ari_password), runtime)
    extra = [
        AsteriskInstance(InstanceSpec.for_node(config, secrets.ari_password, node), runtime)
        for node in config.extra_nodes
    ]
    telephony = app[TELEPHONY]
    telephony.instance, telephony.nodes = instance, [instance, *extra]
    for node in telephony.nodes:
        node.render()
    telephony.proxy = proxy_spec(config)
    if telephony.proxy is not None:
        write_config(telephony.proxy)
        log.info("Kamailio's config: %s", telephony.proxy.config_file)
    await telephony.sync_sip_accounts()  # before start: phones can register at once
    watchdogs = []
    for node in telephony.nodes:
        pid, adopted = await node.adopt_or_start()
        if adopted:
            log.info("adopted the running Asterisk %s (pid %d) with its live calls",
                     node.spec.name, pid)  # fmt: skip
        else:
            log.info("Asterisk %s started (pid %d, %s)", node.spec.name, pid, runtime.describe)
        name = f"asterisk-watchdog-{node.spec.name}"
        watchdogs.append(asyncio.create_task(_watch_asterisk(node, pid), name=name))
    yield
    for watchdog in watchdogs:
        await _cancel(watchdog)
    for node in reversed(telephony.nodes):
        await node.stop()
    log.info("Asterisk stopped")


async def _watch_asterisk(instance: AsteriskInstance, pid: int) -> None:
    """Start Asterisk again if it dies; the ARI connection then reconnects and reconciles."""
    attempt = 0
    while True:
        await instance.wait_exit(pid)
        log.error(
            "Asterisk (pid %d) exited unexpectedly; starting it again.\n%s",
            pid,
            instance.last_problems(),
        )
        instance.pid_file.unlink(missing_ok=True)
        await asyncio.sleep(min(10.0, 0.5 * 2**attempt))
        try:
            pid = await instance.start()
            attempt = 0
        except EhdError as err:
            attempt += 1
            log.exception("restarting Asterisk failed: %s", err.message)


async def ari_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    telephony = app[TELEPHONY]
    assert telephony.instance is not None
    async with aiohttp.ClientSession() as session:
        clients = {
            node.spec.name: AriClient(session, node.spec.ari_url, node.spec.ari_user,
                                      node.spec.ari_password)
            for node in telephony.nodes
        }  # fmt: skip
        router = AriNodes(clients) if len(clients) > 1 else None
        ari = router or clients[telephony.instance.spec.name]
        sounds = SoundLibrary(config.paths.sounds, *SoundLibrary().folders)
        writer = QueueLogWriter(
            config.paths.logs / "queue_log", flush_after=QUEUE_LOG_BATCH_SECONDS
        )
        recordings = telephony.instance.recordings_dir
        queues = QueueService(
            ari,
            config.stasis_app,
            sounds,
            writer,
            recordings_dir=recordings,
            consoles=app[CONSOLES],
            site_screen_pop=config.screen_pop_url,
            sms=app[TEXTS],
            callback_attempts=config.callback_attempts,
            callback_retry_seconds=float(config.callback_retry_seconds),
        )
        mailer = app[TICKET_MAIL].mailer
        services = PhoneServices(ari, sounds, recordings, config.paths.sounds, mailer)
        calls = CallApplication(ari, config.stasis_app, sounds, queues, services)
        telephony.ari, telephony.calls, telephony.queues = ari, calls, queues
        telephony.node_clients = clients
        telephony.connections = [
            _node_connection(name, client, session, config.stasis_app, telephony, router)
            for name, client in clients.items()
        ]
        tasks = [
            asyncio.create_task(connection.run(), name=f"ari-connection-{name}")
            for name, connection in zip(clients, telephony.connections, strict=True)
        ]
        if router is not None:
            tasks.append(asyncio.create_task(_give_up_lost_nodes(router, calls), name="nodes"))
        telephony.tasks += tasks
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await asyncio.gather(*(c.connected.wait() for c in telephony.connections))
        yield
        for task in tasks:
            await _cancel(task)
        telephony.connections = []
        await calls.shutdown()
        await queues.shutdown()


def _node_connection(
    name: str,
    client: AriClient,
    session: aiohttp.ClientSession,
    app_name: str,
    telephony: Telephony,
    router: AriNodes | None,
) -> AriConnection:
    """The event stream of one Asterisk node; with several, the router learns from it where
    channels and bridges live before the application sees each event."""
    calls, queues = telephony.calls, telephony.queues
    assert calls is not None and queues is not None

    async def on_connect() -> None:
        if router is not None:
            router.connected(name)
        await telephony.sync_sip_accounts()
        # Registration changes of the agents' phones: unregistered phones are never rung.
        await client.request(
            "POST", f"applications/{app_name}/subscription", {"eventSource": "endpoint:PJSIP"}
        )
        await queues.load_queues()
        try:
            await calls.reconcile()
        except NodeUnsettled as err:  # reconciled once that node is back or given up
            log.info("reconcile after %s connected waits: %s", name, err.message)

    async def on_disconnect() -> None:
        if router is not None:
            router.disconnected(name)

    if router is None:
        return AriConnection(client, session, app_name, calls.on_event, on_connect,
                             on_disconnect=on_disconnect)  # fmt: skip

    async def on_event(event: Event) -> None:
        router.learn(name, event)
        try:
            await calls.on_event(event)
        finally:
            router.forget(event)

    return AriConnection(client, session, app_name, on_event, on_connect,
                         on_disconnect=on_disconnect)  # fmt: skip


async def _give_up_lost_nodes(router: AriNodes, calls: CallApplication) -> None:
    """Once a node has been gone long enough to count as lost, its calls end in ehd's
    records (the node's own return would reconcile them too, but it may never return)."""
    given_up: set[str] = set()
    while True:
        await asyncio.sleep(1.0)
        for node in router.nodes:
            if router.is_up(node):
                given_up.discard(node)
            elif node not in given_up and router.is_lost(node):
                given_up.add(node)
                log.error("Asterisk node %s is lost: its calls are ended", node)
                try:
                    await calls.reconcile()
                except NodeUnsettled as err:
                    log.info("giving up %s waits: %s", node, err.message)
                    given_up.discard(node)


async def mail_in_ctx(app: web.Application) -> AsyncIterator[None]:
    """Mail into tickets: the IMAP mailboxes, and the forwarding address when configured."""
    config = app[CONFIG]
    key, outgoing = app[SIGNING_KEY], app[TICKET_MAIL]
    pollers = MailboxPollers(key, config.paths.mail, outgoing.bounce, outgoing.after_ingest)
    await pollers.start_all()
    app[MAILBOXES] = pollers
    server = None
    if config.mail_in_port:
        handler = TicketMailHandler(key, config.paths.mail, outgoing.after_ingest)
        server = await start_server(handler, config.bind_host, config.mail_in_port)
        log.info("mail in: SMTP on %s:%d", config.bind_host, config.mail_in_port)
    yield
    await pollers.stop()
    if server is not None:
        server.close()
        await server.wait_closed()


async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    telephony = app[TELEPHONY]
    config = app[CONFIG]
    scheduler = create_scheduler(
        config.recording_retention_days,
        telephony.current,
        config.paths.mail / "raw",
        app[TICKET_MAIL],
    )
    scheduler.start()
    yield
    scheduler.shutdown(wait=False)


async def live_ctx(app: web.Application) -> AsyncIterator[None]:
    """Live updates with the other ehd processes on the same PostgreSQL database
    (ehd.web.peers): console events and open consoles both ways, and from the process that
    runs the calls, where it serves and its live figures."""
    config, telephony = app[CONFIG], app[TELEPHONY]
    bus = bus_for(config.effective_database_url)
    if isinstance(bus, LocalBus):
        yield
        return
    peers, consoles = app[PEERS], app[CONSOLES]
    sending: set[asyncio.Task[None]] = set()

    def send(kind: str, data: dict[str, Any]) -> None:
        task = asyncio.create_task(bus.send(kind, data))
        sending.add(task)
        task.add_done_callback(sending.discard)

    def console_event(data: dict[str, Any]) -> None:
        event = data.get("event")
        if isinstance(event, dict):
            consoles.deliver(str(data.get("username")), event)

    def watchers(data: dict[str, Any]) -> None:
        users = data.get("users")
        if isinstance(users, list):
            consoles.watched_elsewhere(data["origin"], map(str, users), HEARD_FOR_SECONDS)

    bus.on("console", console_event)
    bus.on("watchers", watchers)
    bus.on("active", peers.heard_active)
    consoles.relay_to(
        lambda username, event: send("console", {"username": username, "event": event}),
        lambda: send("watchers", {"users": consoles.watched_here()}),
    )
    await bus.start()
    own_url = f"http://{_reachable(config.bind_host)}:{config.web_port}"

    async def tell_others() -> None:
        while True:
            send("watchers", {"users": consoles.watched_here()})
            queues = telephony.queues
            if telephony.role == "active" and queues is not None:
                send("active", {"url": own_url, "figures": queues.figures(),
                                "agents": queues.agent_figures()})  # fmt: skip
            await asyncio.sleep(TELL_SECONDS)

    teller = asyncio.create_task(tell_others(), name="live-updates")
    yield
    await _cancel(teller)
    await bus.stop()


def _reachable(bind_host: str) -> str:
    """Where the other processes reach this one (on this machine when it listens on all)."""
    return "127.0.0.1" if bind_host in ("", "0.0.0.0", "::", "[::]") else bind_host


ActivePart = Callable[[web.Application], AbstractAsyncContextManager[None]]


def active_ctx(
    parts: list[ActivePart],
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The parts only the lease holder runs. Holding the lease at start, this process starts
    them before it serves; otherwise it serves the web as the standby and starts them when the
    lease comes free (adopting the running Asterisk and its calls, as after a restart)."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        config, telephony = app[CONFIG], app[TELEPHONY]
        lease = lease_for(config.effective_database_url, config.paths.root / "ehd-active.lock")
        parts_running = AsyncExitStack()

        async def start_parts() -> None:
            for part in parts:
                await parts_running.enter_async_context(part(app))
            telephony.role = "active"
            keeper = asyncio.create_task(_keep(lease), name="lease-keeper")
            parts_running.push_async_callback(_cancel, keeper)

        async def take_over() -> None:
            while True:
                await take_when_free(lease, LEASE_POLL_SECONDS)
                log.warning("this ehd holds the lease now: taking over from the standby role")
                try:
                    await start_parts()
                    return
                except Exception:  # holding the lease while doing nothing would stop the calls
                    log.exception("taking over failed; giving the lease back to try again")
                    await parts_running.aclose()
                    await lease.release()
                    await asyncio.sleep(LEASE_RETRY_SECONDS)

        waiter: asyncio.Task[None] | None = None
        if await lease.try_take():
            await start_parts()
        else:
            log.info("standby: another ehd holds the lease; serving the web until it is free")
            waiter = asyncio.create_task(take_over(), name="standby")
        yield
        if waiter is not None:
            await _cancel(waiter)
        await parts_running.aclose()
        await lease.release()

    return ctx


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _keep(lease: Lease) -> None:
    """Stop acting at once when the lease may have passed to another process: two processes
    driving the same calls would ring agents twice and log calls twice. Nothing is cleaned up
    on the way out, because the calls and their records now belong to the new holder."""
    await wait_until_lost(lease, LEASE_CHECK_SECONDS)
    log.critical("lost the lease: exiting so that only one ehd acts")
    logging.shutdown()
    os._exit(EXIT_LEASE_LOST)


def create_platform_app(config: Config, *, telephony: bool = True) -> web.Application:
    """The whole of ehd (``telephony=False``: web and database only, for adapter tests)."""
    state = Telephony()
    app = create_web_app(config, state, state.sync_sip_accounts)
    app[TELEPHONY] = state
    app[QUEUE_SERVICE] = state
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(live_ctx)
    parts: list[ActivePart] = []
    if telephony:
        parts += [asynccontextmanager(asterisk_ctx), asynccontextmanager(ari_ctx)]
    parts += [asynccontextmanager(mail_in_ctx), asynccontextmanager(scheduler_ctx)]
    app.cleanup_ctx.append(active_ctx(parts))
    return app
