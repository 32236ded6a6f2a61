"""Two Asterisk nodes behind Kamailio, one ehd driving both and another as its hot standby, on
PostgreSQL: the trunk's calls are spread over the nodes, the agent's phone (registered once,
with Kamailio) answers calls from either, a node killed with a caller waiting on it ends that
call as lost while calls go on, and when the active ehd is killed the standby serves the
callers waiting on both nodes in their order."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from ehd.asterisk.runtime import AsteriskRuntime
from ehd.config import Config
from ehd.kamailio.files import proxy_spec
from tests.harness.api import Api
from tests.harness.carrier import Carrier, CarrierCall, Phone, connected_carrier, start_carrier
from tests.harness.ehd_process import EhdProcess, endpoint_state, prepare_ehd, queue_log
from tests.harness.kamailio import running_kamailio
from tests.harness.phone_farm import PhoneFarm, Policy, serving
from tests.harness.polling import eventually
from tests.harness.ports import rtp_range, service_ports
from tests.harness.postgres import admin_url, throwaway_database
from tests.harness.tones import AGENT_HZ, CALLER_HZ, assert_hears
from tests.scenarios.ears import QUEUE, answered_on, call_in, ears, ears_queue, tone

pytestmark = pytest.mark.asterisk

PROXY_HOST = "127.0.0.2"
SECOND_NODE = "ehd-b-"  # the second node's channel ids (so the call ids) start with its name


def _node_of(call_id: str) -> str:
    return "b" if call_id.startswith(SECOND_NODE) else "main"


async def _served_by_ear(farm: PhoneFarm, carrier: Carrier, server: EhdProcess) -> str:
    """A caller queued and answered by alice; both hear each other. The call's id."""
    caller, call_id = await call_in(server, carrier)
    answered_before = len(farm.answered_by("1001"))

    async def answered() -> bool:
        return len(farm.answered_by("1001")) > answered_before

    await eventually(answered, timeout=20, what=f"alice answered {call_id}")
    agent = await answered_on(farm, "1001")
    caller_ear, agent_ear = await ears(caller, agent, call_id, 5)
    await caller.hangup()
    assert_hears(caller_ear, AGENT_HZ, f"the caller on node {_node_of(call_id)} heard the agent")
    assert_hears(agent_ear, CALLER_HZ, f"the agent heard the caller on node {_node_of(call_id)}")
    return call_id


async def test_calls_over_two_nodes_survive_a_killed_node_and_a_killed_ehd(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    async with throwaway_database(admin_url(), migrated=True) as database_url:
        await _two_nodes_and_a_standby(tmp_path, asterisk_runtime, database_url)


async def _two_nodes_and_a_standby(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime, database_url: str
) -> None:
    proxy_port, b_sip, b_ari = service_ports(3)
    b_rtp = rtp_range(49)
    server = prepare_ehd(tmp_path / "ehd", database_url)
    proxy = f"{PROXY_HOST}:{proxy_port}"
    server.env["EHD_SIP_PROXY"] = proxy
    server.env["EHD_ASTERISK_NODES"] = f"b:{b_sip}:{b_ari}:{b_rtp[0]}-{b_rtp[1]}"
    standby = server.twin("standby")
    await asyncio.to_thread(server.start)
    await asyncio.to_thread(standby.start, standby=True)
    spec = proxy_spec(Config(data_dir=server.data_dir, sip_proxy=proxy, sip_port=server.sip_port,
                             asterisk_nodes=(server.env["EHD_ASTERISK_NODES"],)))  # fmt: skip
    assert spec is not None and len(spec.nodes) == 2
    accounts = {a.sip_extension: a for a in server.demo_site().accounts if a.sip_extension}
    alice = Phone("1001", accounts["1001"].sip_password or "")
    instances = []
    try:
        async with running_kamailio(spec):
            farm_instance = await start_carrier(tmp_path / "farm", asterisk_runtime, proxy_port,
                                                (alice,), ehd_host=PROXY_HOST)  # fmt: skip
            instances.append(farm_instance)
            carrier_instance = await start_carrier(tmp_path / "carrier", asterisk_runtime,
                                                   proxy_port, ehd_host=PROXY_HOST)  # fmt: skip
            instances.append(carrier_instance)

            async def online_on_both() -> bool:
                states = [await endpoint_state(server, "1001", port)
                          for port in (server.ari_port, b_ari)]  # fmt: skip
                return states == ["online", "online"]

            await eventually(online_on_both, timeout=20, what="alice's phone known on both nodes")
            async with (
                ears_queue(server) as api,
                connected_carrier(carrier_instance) as carrier,
                connected_carrier(farm_instance) as farm_carrier,
                serving(farm_carrier, {"1001": Policy(media=tone(farm_carrier, AGENT_HZ))}) as farm,
            ):
                await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
                served = [await _served_by_ear(farm, carrier, server) for _ in range(2)]
                assert {_node_of(call_id) for call_id in served} == {"main", "b"}, served

                # A caller waits on node b (alice paused) when its Asterisk dies.
                await api.call("POST", "/api/agents/alice/pause", {"reason": "meeting"})
                waiting = ""
                for _ in range(3):
                    call, call_id = await call_in(server, carrier)
                    if _node_of(call_id) == "b":
                        waiting = call_id
                        break
                    await call.hangup()
                assert waiting, "no call reached node b"
                pid_file = server.data_dir / "asterisk-b" / "run" / "ehd-asterisk.pid"
                os.kill(int(pid_file.read_text()), signal.SIGKILL)

                async def closed() -> bool:
                    return any(line[4] == "ABANDON" for line in queue_log(server, waiting))

                await eventually(closed, timeout=30, what="the call on the killed node closed")

                # Calls go on: the next caller is answered, on whichever node takes it.
                await api.call("POST", "/api/agents/alice/unpause")
                after = await _served_by_ear(farm, carrier, server)
                print(f"after the node was killed a call was served on node {_node_of(after)}")

                # Callers wait on both nodes (alice paused) when the active ehd is killed.
                await api.call("POST", "/api/agents/alice/pause", {"reason": "meeting"})
                waiting_calls: dict[str, CarrierCall] = {}
                for _ in range(4):
                    if {_node_of(call_id) for call_id in waiting_calls} == {"main", "b"}:
                        break
                    call, call_id = await call_in(server, carrier)
                    waiting_calls[call_id] = call
                waiting_ids = list(waiting_calls)
                assert {_node_of(call_id) for call_id in waiting_ids} == {"main", "b"}
                await asyncio.to_thread(server.stop, signal.SIGKILL)

                async def took_over() -> bool:
                    status, body = standby.health()
                    return status == 200 and body.get("role") == "active"

                await eventually(took_over, timeout=30, what="the standby took over both nodes")
                standby_api = await Api.admin(standby)
                try:
                    await standby_api.call("POST", "/api/agents/alice/unpause")
                finally:
                    await standby_api.close()
                for call_id in waiting_ids:  # in their order, each hangs up once connected

                    async def connected(call_id: str = call_id) -> bool:
                        return any(line[4] == "CONNECT" for line in queue_log(server, call_id))

                    await eventually(connected, timeout=30, what=f"{call_id} served next")
                    await waiting_calls[call_id].hangup()
        connects = [line[1] for line in queue_log(server) if line[4] == "CONNECT"]
        assert [c for c in connects if c in waiting_ids] == waiting_ids, "served out of order"
    finally:
        for instance in instances:
            await instance.stop()
        await asyncio.to_thread(standby.stop)
        await asyncio.to_thread(server.stop)
