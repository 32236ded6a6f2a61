"""Kamailio in front of ehd's Asterisk: desk phones register with Kamailio, the trunk sends its
calls to Kamailio, and a queue call still connects caller and agent both ways.

Kamailio listens on 127.0.0.2, Asterisk on 127.0.0.1, so Asterisk can tell the proxy from
everyone else: a phone that goes around Kamailio is turned away."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ehd.asterisk.runtime import AsteriskRuntime
from ehd.config import Config
from ehd.kamailio.files import proxy_spec
from tests.harness.carrier import Phone, connected_carrier, start_carrier
from tests.harness.ehd_process import endpoint_state, prepare_ehd
from tests.harness.kamailio import running_kamailio
from tests.harness.polling import eventually
from tests.harness.ports import service_ports
from tests.scenarios.ears import call_in, ears_queue, served_by_alice

pytestmark = pytest.mark.asterisk

PROXY_HOST = "127.0.0.2"


async def test_phones_registered_at_kamailio_answer_queue_calls_the_trunk_sent_through_it(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    (proxy_port,) = service_ports(1)
    server = prepare_ehd(tmp_path / "ehd")
    server.env["EHD_SIP_PROXY"] = f"{PROXY_HOST}:{proxy_port}"
    await asyncio.to_thread(server.start)
    spec = proxy_spec(Config(data_dir=server.data_dir, sip_proxy=f"{PROXY_HOST}:{proxy_port}",
                             bind_host="127.0.0.1", sip_port=server.sip_port))  # fmt: skip
    assert spec is not None and spec.config_file.exists(), "ehd rendered no Kamailio config"
    accounts = {a.sip_extension: a for a in server.demo_site().accounts if a.sip_extension}
    alice = Phone("1001", accounts["1001"].sip_password or "")
    bob_around = Phone("1002", accounts["1002"].sip_password or "")
    instances = []
    try:
        async with running_kamailio(spec) as kamailio_log:
            farm_instance = await start_carrier(tmp_path / "farm", asterisk_runtime, proxy_port,
                                                (alice,), ehd_host=PROXY_HOST)  # fmt: skip
            instances.append(farm_instance)
            # Bob's phone goes to Asterisk directly, past the proxy, with the right password.
            around = await start_carrier(tmp_path / "around", asterisk_runtime, server.sip_port,
                                         (bob_around,))  # fmt: skip
            instances.append(around)
            carrier_instance = await start_carrier(tmp_path / "carrier", asterisk_runtime,
                                                   proxy_port, ehd_host=PROXY_HOST)  # fmt: skip
            instances.append(carrier_instance)

            async def online() -> bool:
                return await endpoint_state(server, "1001") == "online"

            await eventually(online, timeout=20, what="alice's phone registered via Kamailio")

            async def turned_away() -> bool:
                shown = await around.cli("pjsip show registrations")
                return "Rejected" in shown

            await eventually(turned_away, timeout=20, what="bob's phone turned away by Asterisk")
            assert await endpoint_state(server, "1002") == "offline"

            async with (
                ears_queue(server) as api,
                connected_carrier(carrier_instance) as carrier,
                connected_carrier(farm_instance) as farm,
            ):
                caller, call_id = await call_in(server, carrier)
                await served_by_alice(api, farm, caller, call_id)
            assert "ERROR" not in kamailio_log.read_text(), kamailio_log.read_text()[-3000:]
    finally:
        for instance in instances:
            await instance.stop()
        await asyncio.to_thread(server.stop)
