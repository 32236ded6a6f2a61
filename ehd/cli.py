"""The ``ehd`` command: run, demo, simulate, calendar check, asterisk setup|start|stop|status|cli,
db migrate, stats import-queue-log|rebuild-tickets."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import socket
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from ehd.acd.model import Strategy
from ehd.acd.simulate import simulate as run_simulation
from ehd.asterisk.instance import AsteriskInstance, InstanceSpec, check_port_free, run_foreground
from ehd.asterisk.runtime import select_runtime, setup_runtime
from ehd.calendars.evaluate import CalendarStatus
from ehd.calendars.evaluate import check as check_calendar
from ehd.calendars.store import calendar_for_queue, rules_for
from ehd.config import Config, load_config
from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import Queue
from ehd.demo import describe, load_demo_site, seed_demo
from ehd.errors import EhdError, ValidationError
from ehd.instance_secrets import load_or_create_secrets
from ehd.stats.call_feed import rebuild as rebuild_call_statistics
from ehd.stats.queue_log_import import ImportResult, import_queue_log
from ehd.stats.ticket_feed import rebuild as rebuild_ticket_statistics
from ehd.web.serving import serve

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


def _with_database(config: Config, work: Callable[[], Awaitable[R]]) -> R:
    """Runs ``work`` with the instance's database open (migrated first), then closes it."""

    async def go() -> R:
        await open_database(config.effective_database_url)
        try:
            return await work()
        finally:
            await close_database()

    return asyncio.run(go())


def instance_options(func: F) -> F:
    """--config, --data-dir and the port flags, shared by every subcommand."""
    options = [
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=Path),
            help="TOML config file (default ./ehd.toml if present).",
        ),
        click.option(
            "--data-dir",
            type=click.Path(path_type=Path),
            help="Folder for all state (database, recordings, logs, Asterisk).",
        ),
        click.option("--web-port", type=int, help="Web port (default 8080)."),
        click.option("--sip-port", type=int, help="SIP port (default 5060)."),
        click.option("--ari-port", type=int, help="Asterisk ARI/HTTP port (default 8088)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _config(
    config_file: Path | None,
    data_dir: Path | None,
    web_port: int | None,
    sip_port: int | None,
    ari_port: int | None,
) -> Config:
    return load_config(config_file).with_overrides(
        data_dir=data_dir, web_port=web_port, sip_port=sip_port, ari_port=ari_port
    )


def _errors_as_messages(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EhdError as err:
            click.secho(f"ehd: {err.message}", fg="red", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group()
@click.option("--log-level", default=None, envvar="EHD_LOG_LEVEL", help="DEBUG, INFO, WARNING…")
def main(log_level: str | None) -> None:
    """ehd: an open-source contact center built around Asterisk."""
    configure_logging(log_level or "INFO")


# Loggers that report routine work at INFO: every run of every 10-second job would make up
# half of the log. Their warnings and errors still show; --log-level DEBUG shows everything.
CHATTY_LOGGERS = ("apscheduler", "weasyprint", "fontTools")  # every step at INFO


def configure_logging(level: str) -> None:
    level = level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


@main.command()
@instance_options
@_errors_as_messages
def run(**flags: Any) -> None:
    """Start everything: Asterisk, the ARI application, the web app and the scheduler."""
    from ehd.platform import create_platform_app

    config = _config(**flags)
    config.paths.create()
    check_port_free(config.bind_host, config.web_port, socket.SOCK_STREAM, "web")
    instance = _instance(config)
    # A running Asterisk is adopted, ports and all; it may belong to another ehd on this data
    # folder (this one is then its standby), which also holds the mail-in port.
    if instance.running_pid() is None:
        instance.check_ports()
        if config.mail_in_port:
            check_port_free(config.bind_host, config.mail_in_port, socket.SOCK_STREAM, "mail in")
    if config.https_port:
        check_port_free(config.bind_host, config.https_port, socket.SOCK_STREAM, "HTTPS")
    app = create_platform_app(config)

    def banner() -> None:
        site = load_demo_site(config.paths.root)
        click.echo("\nehd is running.")
        if site is not None:
            click.echo(describe(site, config.web_url, config.bind_host, config.sip_port))
        else:
            click.echo(f"Web:      {config.web_url}  (seed a demo site with `ehd demo`)")
        if config.https_url:
            click.echo(f"HTTPS:    {config.https_url}/agent  (the console's browser phone)")
        click.echo("Stop with Ctrl-C.\n", nl=True)
        sys.stdout.flush()

    serve(app, config, banner)


@main.command()
@instance_options
@click.option("--json", "as_json", is_flag=True, help="Print the credentials as JSON.")
@_errors_as_messages
def demo(as_json: bool, **flags: Any) -> None:
    """Seed the demo site (queue support on 4600, agents alice and bob, an admin)."""
    config = _config(**flags)
    config.paths.create()

    async def seed() -> None:
        await open_database(config.effective_database_url)
        try:
            site = await seed_demo(config.paths.root)
        finally:
            await close_database()
        if as_json:
            click.echo(site.as_json())
        else:
            click.echo(describe(site, config.web_url, config.bind_host, config.sip_port))

    asyncio.run(seed())


@main.group()
def db() -> None:
    """Database commands."""


@db.command("migrate")
@instance_options
@_errors_as_messages
def db_migrate(**flags: Any) -> None:
    """Apply pending migrations."""
    config = _config(**flags)
    config.paths.create()

    async def go() -> None:
        await open_database(config.effective_database_url)
        await close_database()

    asyncio.run(go())
    click.echo("database is up to date")


@main.group()
def stats() -> None:
    """Statistics commands."""


@stats.command("import-queue-log")
@instance_options
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@_errors_as_messages
def stats_import_queue_log(file: Path, **flags: Any) -> None:
    """Import a queue_log file of Asterisk's app_queue (or of ehd): its calls join the
    statistics, counted as ehd counts its own (each queue's service goal as configured)."""
    config = _config(**flags)
    config.paths.create()

    async def go() -> ImportResult:
        goals = dict(await Queue.all().values_list("name", "sl_goal_seconds"))
        wrapups = dict(await Queue.all().values_list("name", "wrapup_seconds"))
        return await import_queue_log(file, goals.get, wrapups.get)

    result = _with_database(config, go)
    click.echo(
        f"imported {result.rows} rows from {result.first:%Y-%m-%d %H:%M} to "
        f"{result.last:%Y-%m-%d %H:%M} UTC; {result.skipped} lines were not queue_log rows"
    )


@stats.command("rebuild-tickets")
@instance_options
@_errors_as_messages
def stats_rebuild_tickets(**flags: Any) -> None:
    """Count the ticket statistics again from the tickets' history (after a change of the
    site's time zone, of SLA policies, or a restore)."""
    config = _config(**flags)
    config.paths.create()

    folded = _with_database(config, rebuild_ticket_statistics)
    click.echo(f"folded {folded} rows of ticket history into the statistics")


@stats.command("rebuild-calls")
@instance_options
@_errors_as_messages
def stats_rebuild_calls(**flags: Any) -> None:
    """Count the call figures per site, number, queue and agent again from the call records
    (after a restore, or a change of the queues' service goals)."""
    config = _config(**flags)
    config.paths.create()

    folded = _with_database(config, rebuild_call_statistics)
    click.echo(f"folded {folded} calls into the statistics")


@main.group()
def calendar() -> None:
    """Opening-hours calendars."""


@calendar.command("check")
@instance_options
@click.option(
    "--queue",
    default=None,
    help="The queue whose calendar to check (default: the default calendar).",
)
@click.option(
    "--at",
    "at_text",
    required=True,
    help="ISO date-time; without an offset, the calendar's local time.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_errors_as_messages
def calendar_check(queue: str | None, at_text: str, as_json: bool, **flags: Any) -> None:
    """Is it open at a moment, and why (standard hours, a holiday or a variation)."""
    config = _config(**flags)
    config.paths.create()
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError as err:
        raise ValidationError(f"--at {at_text!r} is not an ISO date-time") from err

    async def go() -> CalendarStatus:
        await open_database(config.effective_database_url)
        try:
            rules = await rules_for(await calendar_for_queue(queue))
        finally:
            await close_database()
        moment = at if at.tzinfo else at.replace(tzinfo=rules.zone)
        return check_calendar(rules, moment)

    status = asyncio.run(go())
    if as_json:
        click.echo(json.dumps(status.as_json()))
    else:
        state = "open" if status.open else "closed"
        audio = f", plays {status.audio}" if status.audio else ""
        click.echo(f"{state} ({status.reason}{audio})")


@main.group()
def kamailio() -> None:
    """Kamailio in front of Asterisk (the sip_proxy setting; docs/scale-out.md)."""


@kamailio.command("config")
@instance_options
@_errors_as_messages
def kamailio_config(**flags: Any) -> None:
    """Write Kamailio's config, its node list and the phones' subscriber table.

    ``ehd run`` writes them too, and keeps the subscriber table current as users change."""
    from ehd.accounts.service import sip_accounts
    from ehd.kamailio.files import proxy_spec, write_config, write_subscribers

    config = _config(**flags)
    spec = proxy_spec(config)
    if spec is None:
        raise click.UsageError("set sip_proxy (host:port of Kamailio) first")
    config.paths.create()

    async def go() -> None:
        await open_database(config.effective_database_url)
        try:
            accounts = await sip_accounts()
        finally:
            await close_database()
        write_config(spec)
        write_subscribers(spec.folder, accounts)

    asyncio.run(go())
    click.echo(f"Kamailio's config: {spec.config_file}")
    click.echo(f"run it with: kamailio -DD -E -f {spec.config_file}")


@main.group()
def asterisk() -> None:
    """Manage the Asterisk runtime and this data folder's Asterisk instance."""


def _instance(config: Config) -> AsteriskInstance:
    runtime = select_runtime(config.asterisk_mode, config.asterisk_root)
    secrets = load_or_create_secrets(config)
    return AsteriskInstance(InstanceSpec.for_ehd(config, secrets.ari_password), runtime)


@asterisk.command("setup")
@instance_options
@_errors_as_messages
def asterisk_setup(**flags: Any) -> None:
    """Install Asterisk (the host's, or a cached Debian-unstable root)."""
    config = _config(**flags)
    setup_runtime(select_runtime(config.asterisk_mode, config.asterisk_root))


@asterisk.command("start")
@instance_options
@_errors_as_messages
def asterisk_start(**flags: Any) -> None:
    """Start this data folder's Asterisk in the background."""
    config = _config(**flags)
    config.paths.create()
    instance = _instance(config)
    if not instance.runtime.is_ready():
        setup_runtime(instance.runtime)
    pid = asyncio.run(instance.start(detach=True))
    click.echo(f"Asterisk running (pid {pid}), SIP {config.sip_port}, ARI {config.ari_port}")


@asterisk.command("stop")
@instance_options
@_errors_as_messages
def asterisk_stop(**flags: Any) -> None:
    """Stop this data folder's Asterisk."""
    instance = _instance(_config(**flags))
    asyncio.run(instance.stop())
    click.echo("Asterisk stopped")


@asterisk.command("status")
@instance_options
@_errors_as_messages
def asterisk_status(**flags: Any) -> None:
    """Say whether this data folder's Asterisk runs (exit 3 when it does not)."""
    instance = _instance(_config(**flags))
    pid = instance.running_pid()
    if pid is None:
        click.echo("Asterisk is not running")
        sys.exit(3)
    click.echo(f"Asterisk is running (pid {pid}, {instance.runtime.describe})")


@asterisk.command("cli", context_settings={"ignore_unknown_options": True})
@instance_options
@click.argument("command", nargs=-1)
@_errors_as_messages
def asterisk_cli(command: tuple[str, ...], **flags: Any) -> None:
    """Open the Asterisk console, or run one COMMAND (e.g. `pjsip show endpoints`)."""
    instance = _instance(_config(**flags))
    if instance.running_pid() is None:
        raise click.ClickException("Asterisk is not running")
    args = ("-rx", " ".join(command)) if command else ("-r",)
    run_foreground(instance.command(*args))


@main.command()
@click.option("--arrival-rate-per-hour", type=float, required=True, help="Calls per hour.")
@click.option("--aht", type=float, required=True, help="Average handle time, seconds.")
@click.option("--agents", type=int, required=True, help="Agents logged in.")
@click.option(
    "--sl-goal", type=float, default=20.0, show_default=True, help="Service level goal, seconds."
)
@click.option("--hours", type=float, required=True, help="Simulated hours.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--strategy",
    type=click.Choice([s.value for s in Strategy]),
    default=Strategy.LONGEST_IDLE.value,
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def simulate(
    arrival_rate_per_hour: float,
    aht: float,
    agents: int,
    sl_goal: float,
    hours: float,
    seed: int,
    strategy: str,
    as_json: bool,
) -> None:
    """Simulate one queue (Poisson arrivals, exponential handle times) on the real engine."""
    try:
        result = run_simulation(
            arrival_rate_per_hour=arrival_rate_per_hour,
            aht=aht,
            agents=agents,
            sl_goal=sl_goal,
            hours=hours,
            seed=seed,
            strategy=Strategy(strategy),
        )
    except ValueError as err:
        raise click.BadParameter(str(err)) from err
    if as_json:
        click.echo(json.dumps(result.as_dict()))
        return
    for key, value in result.as_dict().items():
        click.echo(f"{key:14} {value:.4f}" if isinstance(value, float) else f"{key:14} {value}")
