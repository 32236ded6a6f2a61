"""The load generator of benchmarks/queue_vs_app_queue.py, checked on a small load: SIPp
callers and agents' phones (tests/harness/sipp.py) against ehd's queue, so the counters the
benchmark reports (served, held to the end, lost) mean what it says they mean."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness.api import Api
from tests.harness.ehd_process import EhdProcess, endpoint_state, queue_log
from tests.harness.polling import eventually
from tests.harness.ports import rtp_range, service_ports
from tests.harness.sipp import Sipp, callers, phones
from tests.harness.web_client import add_user_with_phone

pytestmark = pytest.mark.asterisk

QUEUE, NUMBER = "loadgen", "4790"
AGENTS = {"loaddora": "1091", "loaderik": "1092"}


@pytest.fixture
async def agents(ehd_server: EhdProcess, tmp_path: Path) -> AsyncIterator[tuple[Api, Sipp]]:
    """Two agents whose phones are one SIPp, logged in to the `loadgen` queue on 4790."""
    accounts = []
    for username, extension in AGENTS.items():
        accounts.append((extension, await add_user_with_phone(ehd_server, username, extension)))
    api = await Api.admin(ehd_server)
    await api.call("PUT", f"/api/queues/{QUEUE}", {"ring_timeout": 8.0, "wrapup_seconds": 0.0})
    await api.call("PUT", f"/api/dids/{NUMBER}", {"route_type": "queue", "queue": QUEUE})
    target = f"127.0.0.1:{ehd_server.sip_port}"
    farm = await phones(tmp_path, target, accounts, _ports(), ring_ms=200, talk_ms=1000)
    try:
        for username, extension in AGENTS.items():

            async def online(ext: str = extension) -> bool:
                return await endpoint_state(ehd_server, ext) == "online"

            await eventually(online, timeout=45, what=f"{extension} registered and reachable")
            await api.call("PUT", f"/api/queues/{QUEUE}/members/{username}", {"penalty": 0})
            await api.call("POST", f"/api/agents/{username}/login", {"queues": [QUEUE]})
        yield api, farm
    finally:
        for username in AGENTS:
            await api.call("POST", f"/api/agents/{username}/logout")
        await farm.stop()
        await api.close()


def _ports() -> tuple[int, int]:
    return service_ports(1)[0], rtp_range(40)[0]


def _connected(server: EhdProcess) -> int:
    return sum(1 for row in queue_log(server) if row[2:3] == [QUEUE] and row[4] == "CONNECT")


async def test_served_callers_and_held_callers_are_counted_apart(
    ehd_server: EhdProcess, agents: tuple[Api, Sipp], tmp_path: Path
) -> None:
    api, _ = agents
    target = f"127.0.0.1:{ehd_server.sip_port}"
    before = _connected(ehd_server)
    # Six callers, two agents: each is connected, and the agent's phone ends the talk.
    served = await callers(tmp_path, target, NUMBER, _ports(), 3, 6, 30_000).run(timeout=90)
    assert (served.successful, served.failed) == (6, 0)
    assert served.counter("hung_up_by_far_end") == 6
    assert served.counter("hung_up_by_caller") == 0

    async def all_logged() -> bool:
        return _connected(ehd_server) - before == 6

    await eventually(all_logged, timeout=10, what="six CONNECT rows in queue_log")
    # With both agents paused, four callers wait on music until they hang up themselves.
    for username in AGENTS:
        await api.call("POST", f"/api/agents/{username}/pause", {"reason": "break"})
    held = await callers(tmp_path, target, NUMBER, _ports(), 4, 4, 4_000).run(timeout=60)
    assert (held.successful, held.failed) == (4, 0)
    assert held.counter("hung_up_by_caller") == 4
    assert held.counter("hung_up_by_far_end") == 0
    assert _connected(ehd_server) - before == 6
