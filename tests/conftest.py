"""Fixtures shared by all tiers. Scenario fixtures start real Asterisk instances over loopback."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from ehd.asterisk.instance import AsteriskInstance, free_ports
from ehd.asterisk.runtime import AsteriskRuntime, select_runtime, setup_runtime
from ehd.config import default_cache_dir
from tests.harness import migrated_template
from tests.harness.carrier import Carrier, Phone, connected_carrier, start_carrier
from tests.harness.ehd_process import EhdProcess, prepare_ehd
from tests.harness.mail_sink import MailSink, mail_sink

migrated_template.install()  # fresh SQLite databases start as a copy of one migrated template

# In CI every property test draws the same examples on every run and keeps no example database,
# so a landing is judged on the same inputs as the run before it; a developer's run stays random
# (hypothesis prints how to reproduce what it finds). Set EHD_HYPOTHESIS=random in CI to explore.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") and os.environ.get("EHD_HYPOTHESIS") != "random":
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def asterisk_runtime() -> AsteriskRuntime:
    runtime = select_runtime("auto", default_cache_dir() / "asterisk-root")
    setup_runtime(runtime)
    return runtime


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailSink]:
    """A real SMTP server that ehd sends its mail to."""
    with mail_sink() as sink:
        yield sink


@pytest.fixture(scope="session")
def ehd_server(
    tmp_path_factory: pytest.TempPathFactory,
    asterisk_runtime: AsteriskRuntime,
    mail_server: MailSink,
) -> Iterator[EhdProcess]:
    """One running ehd (Asterisk, ARI app, web, scheduler) with the demo site, for the session."""
    server = prepare_ehd(tmp_path_factory.mktemp("ehd"))
    server.env["EHD_SMTP_HOST"] = "127.0.0.1"
    server.env["EHD_SMTP_PORT"] = str(mail_server.port)
    server.env["EHD_CONSOLE_GRACE_SECONDS"] = "5"
    server.env["EHD_MAIL_IN_PORT"] = str(free_ports(1)[0])  # the forwarding address
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def carrier_instance(
    tmp_path_factory: pytest.TempPathFactory,
    asterisk_runtime: AsteriskRuntime,
    ehd_server: EhdProcess,
) -> Iterator[AsteriskInstance]:
    folder = Path(tmp_path_factory.mktemp("carrier"))
    instance = asyncio.run(start_carrier(folder, asterisk_runtime, ehd_server.sip_port))
    yield instance
    asyncio.run(instance.stop())


@pytest.fixture
async def carrier(carrier_instance: AsteriskInstance) -> AsyncIterator[Carrier]:
    async with connected_carrier(carrier_instance) as connected:
        yield connected
        await connected.hang_up_everything()


@pytest.fixture(scope="session")
def farm_instance(
    tmp_path_factory: pytest.TempPathFactory,
    asterisk_runtime: AsteriskRuntime,
    ehd_server: EhdProcess,
) -> Iterator[AsteriskInstance]:
    """A second carrier whose phones register to ehd as the demo agents (1001, 1002)."""
    phones = tuple(
        Phone(a.sip_extension, a.sip_password or "")
        for a in ehd_server.demo_site().accounts
        if a.sip_extension
    )
    folder = Path(tmp_path_factory.mktemp("farm"))
    instance = asyncio.run(start_carrier(folder, asterisk_runtime, ehd_server.sip_port, phones))
    yield instance
    asyncio.run(instance.stop())


@pytest.fixture
async def farm(farm_instance: AsteriskInstance) -> AsyncIterator[Carrier]:
    async with connected_carrier(farm_instance) as connected:
        yield connected
        await connected.hang_up_everything()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Real-Asterisk scenarios first: with parallel workers the longest files start earliest,
    so the run does not end waiting on one worker that drew a long file last."""
    tier_order = {"scenarios": 0, "adapter": 1, "unit": 2}
    items.sort(key=lambda item: tier_order.get(item.path.parent.name, 3))
