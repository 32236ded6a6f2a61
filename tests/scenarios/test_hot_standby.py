"""Two ehd processes on one PostgreSQL database: the one holding the lease runs the calls, the
other serves the web as its standby (passing changes on to the active one, and relaying its
console events over LISTEN/NOTIFY) and takes over, callers in their order, when it is
killed."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from pathlib import Path

import pytest

from ehd.active_role import EXIT_LEASE_LOST
from ehd.asterisk.runtime import AsteriskRuntime
from tests.harness.api import Api
from tests.harness.carrier import Phone, connected_carrier, start_carrier
from tests.harness.ehd_process import (
    EhdProcess,
    endpoint_state,
    entered_queue,
    prepare_ehd,
    queue_log,
)
from tests.harness.phone_farm import Policy, serving
from tests.harness.polling import eventually
from tests.harness.postgres import admin_url, end_lease_sessions, throwaway_database
from tests.harness.tones import AGENT_HZ, CALLER_HZ, assert_hears, make_tone
from tests.scenarios.ears import answered_on, console_of, ears

pytestmark = pytest.mark.asterisk


def _role(server: EhdProcess) -> object:
    try:
        return server.health()[1].get("role")
    except (OSError, ValueError):
        return None


async def test_the_standby_takes_over_a_killed_ehd_and_serves_its_callers_in_order(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    async with throwaway_database(admin_url(), migrated=True) as database_url:
        first = prepare_ehd(tmp_path / "ehd", database_url)
        second = first.twin("standby")
        await asyncio.to_thread(first.start)
        await asyncio.to_thread(second.start, standby=True)
        phones = tuple(
            Phone(a.sip_extension, a.sip_password or "")
            for a in first.demo_site().accounts
            if a.sip_extension == "1001"
        )
        farm_instance = await start_carrier(
            tmp_path / "farm", asterisk_runtime, first.sip_port, phones
        )
        carrier_instance = await start_carrier(tmp_path / "carrier", asterisk_runtime,
                                               first.sip_port)  # fmt: skip
        api_first, api_second = await Api.admin(first), await Api.admin(second)
        alice = await console_of(second, "alice")
        try:

            async def serves_as_standby() -> bool:  # once it has heard the active one
                return second.health() == (200, {**second.health()[1], "role": "standby"})

            await eventually(serves_as_standby, timeout=10, what="the standby serves the web")

            async def online() -> bool:
                return await endpoint_state(first, "1001") == "online"

            await eventually(online, timeout=15, what="alice's phone registered")
            async with (
                connected_carrier(carrier_instance) as carrier,
                connected_carrier(farm_instance) as farm,
                alice.session.ws_connect("/api/agents/alice/events") as console,
            ):
                assert (await console.receive_json(timeout=5))["type"] == "hello"
                # Through the standby: passed on to the active one, whose queue service
                # changes her state; its console event comes back to her console here.
                await api_second.call("POST", "/api/agents/alice/login", {"queues": ["support"]})
                await api_second.call("POST", "/api/agents/alice/pause", {"reason": "meeting"})
                states = []
                while "paused" not in states:
                    event = await console.receive_json(timeout=10)
                    if event["type"] == "state":
                        states.append(event["state"])
                assert (await api_first.call("GET", "/api/agents/alice"))["state"] == "paused"
                numbers = ["+4674" + str(uuid.uuid4().int)[:7] for _ in range(3)]
                callers = []
                for number in numbers:
                    call = await carrier.call("4600", caller=number)
                    await call.wait_answered()
                    callers.append(call)

                    async def queued(number: str = number) -> str | None:
                        return entered_queue(first, number)

                    await eventually(queued, timeout=20, what=f"{number} queued")
                await callers[0].play(make_tone(carrier_instance.spec.folder, CALLER_HZ))
                ids = [entered_queue(first, number) for number in numbers]

                await asyncio.to_thread(first.stop, signal.SIGKILL)
                killed = time.monotonic()

                async def took_over() -> bool:
                    return _role(second) == "active" and second.health()[0] == 200

                await eventually(took_over, timeout=30, what="the standby took over")
                print(f"takeover: {time.monotonic() - killed:.1f} s after the kill")
                assert "adopted the running Asterisk" in second.log_tail(200)
                state = await api_second.call("GET", "/api/agents/alice")
                assert state["state"] == "paused", state

                agent_speaks = Policy(media=make_tone(farm_instance.spec.folder, AGENT_HZ),
                                      talk=8.0)  # fmt: skip
                async with serving(farm, {"1001": agent_speaks}) as desk:
                    await api_second.call("POST", "/api/agents/alice/unpause")
                    agent = await answered_on(desk, "1001")
                    caller_ear, agent_ear = await ears(callers[0], agent, "standby", 5)

                    async def all_served() -> bool:
                        done = {line[1] for line in queue_log(first)
                                if line[4].startswith("COMPLETE")}  # fmt: skip
                        return set(ids) <= done

                    await eventually(all_served, timeout=90, what="the three calls served")

                # Started again, the killed ehd finds the lease taken: it is the standby now.
                await asyncio.to_thread(first.start, standby=True)
                assert _role(second) == "active"

                # The database ends the active one's lease session (a network failure): it
                # stops acting at once, and the standby takes over.
                assert await end_lease_sessions(admin_url(), database_url) == 1
                assert second.process is not None
                exit_code = await asyncio.to_thread(second.process.wait, 20)
                assert exit_code == EXIT_LEASE_LOST, second.log_tail()

                async def first_took_over() -> bool:
                    return _role(first) == "active" and first.health()[0] == 200

                await eventually(first_took_over, timeout=30, what="the first ehd took over")
        finally:
            await api_first.close()
            await api_second.close()
            await alice.close()
            # The standby first: else it would take over from the other as it stops.
            standby_last = [first, second] if _role(first) == "active" else [second, first]
            for server in reversed(standby_last):
                await asyncio.to_thread(server.stop)
            await carrier_instance.stop()
            await farm_instance.stop()
    connects = [line[1] for line in queue_log(first) if line[4] == "CONNECT"]
    assert connects == ids, "served out of their original order"
    assert_hears(caller_ear, AGENT_HZ, "after the takeover the caller heard the agent")
    assert_hears(agent_ear, CALLER_HZ, "after the takeover the agent heard the caller")
    for call_id in ids:
        entries = [line for line in queue_log(first, call_id) if line[4] == "ENTERQUEUE"]
        assert len(entries) == 1, "a call taken over was logged as entering twice"
