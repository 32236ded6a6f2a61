"""Wires ehd's long-lived resources into one aiohttp application, one cleanup context each.

Start order: database (migrated) -> live updates with other processes -> the lease ->
Asterisk (every node) -> HTTP client -> ARI application -> mail in -> scheduler. Several ehd
processes may share one database: only the one holding the lease (:mod:`ehd.active_role`)
runs the parts after it, the others serve the web and take over when the lease comes free.
Cleanup runs in reverse, so SIGINT/SIGTERM stops the ARI app before Asterisk and closes the
database last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from ehd.accounts.service import sip_accounts
from ehd.active_role import ActivePart, active_ctx, cancel_task
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
from ehd.db.lifecycle import close_database, database_healthy, open_database
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
from ehd.web.live_updates import live_ctx

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
        await cancel_task(watchdog)
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
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await asyncio.gather(*(c.connected.wait() for c in telephony.connections))
        yield
        for task in tasks:
            await cancel_task(task)
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
