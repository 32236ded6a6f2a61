"""ehd killed with callers in the queue: after the restart they are served in their order."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path

import pytest

from ehd.asterisk.instance import AsteriskInstance
from ehd.asterisk.runtime import AsteriskRuntime
from tests.harness.api import Api
from tests.harness.carrier import Phone, connected_carrier, start_carrier
from tests.harness.ehd_process import EhdProcess, endpoint_state, prepare_ehd, queue_log
from tests.harness.phone_farm import Policy, serving
from tests.harness.polling import eventually
from tests.harness.records import call_records
from tests.harness.tones import (
    AGENT_HZ,
    CALLER_HZ,
    SECOND_AGENT_HZ,
    assert_does_not_hear,
    assert_hears,
    make_tone,
)
from tests.scenarios.ears import (
    answered_on,
    call_in,
    console_of,
    desk_phones_speak,
    ears,
    parts_of,
)

pytestmark = pytest.mark.asterisk


async def _own_ehd(
    tmp_path: Path, runtime: AsteriskRuntime, extensions: tuple[str, ...] = ("1001",)
) -> tuple[EhdProcess, AsteriskInstance, AsteriskInstance]:
    """An ehd of the test's own (it will be killed), alice's phone (and the other
    ``extensions``) registered from a farm, and a carrier."""
    server = prepare_ehd(tmp_path / "ehd")
    await asyncio.to_thread(server.start)
    phones = tuple(
        Phone(a.sip_extension, a.sip_password or "")
        for a in server.demo_site().accounts
        if a.sip_extension in extensions
    )
    farm_instance = await start_carrier(tmp_path / "farm", runtime, server.sip_port, phones)
    carrier_instance = await start_carrier(tmp_path / "carrier", runtime, server.sip_port)

    async def online() -> bool:
        return await endpoint_state(server, "1001") == "online"

    try:
        await eventually(online, timeout=15, what="alice's phone registered")
    except BaseException:
        await carrier_instance.stop()
        await farm_instance.stop()
        await asyncio.to_thread(server.stop)
        raise
    return server, farm_instance, carrier_instance


async def test_queued_calls_survive_a_killed_ehd_and_keep_their_order(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    server, farm_instance, carrier_instance = await _own_ehd(tmp_path, asterisk_runtime)
    api = await Api.admin(server)
    try:
        async with (
            connected_carrier(carrier_instance) as carrier,
            connected_carrier(farm_instance) as farm,
        ):
            await api.call("POST", "/api/agents/alice/login", {"queues": ["support"]})
            await api.call("POST", "/api/agents/alice/pause", {"reason": "meeting"})
            callers = ["+4674" + str(uuid.uuid4().int)[:7] for _ in range(3)]
            for caller in callers:
                call = await carrier.call("4600", caller=caller)
                await call.wait_answered()

                async def entered(number: str = caller) -> bool:
                    rows = call_records(server.database, caller_number=number)
                    return bool(rows) and any(
                        line[4] == "ENTERQUEUE"
                        for line in queue_log(server, str(rows[0]["call_id"]))
                    )

                await eventually(entered, timeout=20, what=f"{caller} queued")

            await asyncio.to_thread(server.stop, signal.SIGKILL)
            await asyncio.to_thread(server.start)
            assert "adopted the running Asterisk" in server.log_tail(80)
            state = await api.call("GET", "/api/agents/alice")
            assert state["state"] == "paused", state

            ids = [
                str(call_records(server.database, caller_number=c)[0]["call_id"]) for c in callers
            ]
            async with serving(farm, {"1001": Policy(talk=1.0)}):
                await api.call("POST", "/api/agents/alice/unpause")

                async def all_served() -> bool:
                    done = {line[1] for line in queue_log(server) if line[4] == "COMPLETEAGENT"}
                    return set(ids) <= done

                await eventually(all_served, timeout=60, what="the three calls served")
        connects = [line[1] for line in queue_log(server) if line[4] == "CONNECT"]
        assert connects == ids, "served out of their original order"
        for call_id in ids:
            entries = [line for line in queue_log(server, call_id) if line[4] == "ENTERQUEUE"]
            assert len(entries) == 1, "a restored call was logged as entering twice"
    finally:
        await api.close()
        await carrier_instance.stop()
        await farm_instance.stop()
        await asyncio.to_thread(server.stop)


async def test_calls_lost_with_a_crashed_asterisk_are_closed_in_the_log(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    import os
    import time

    server = prepare_ehd(tmp_path / "ehd")
    await asyncio.to_thread(server.start)
    carrier_instance = await start_carrier(tmp_path / "carrier", asterisk_runtime, server.sip_port)
    try:
        async with connected_carrier(carrier_instance) as carrier:
            caller = "+4675" + str(uuid.uuid4().int)[:7]
            call = await carrier.call("4600", caller=caller)
            await call.wait_answered()

            async def queued() -> str | None:
                rows = call_records(server.database, caller_number=caller)
                if rows and any(
                    line[4] == "ENTERQUEUE" for line in queue_log(server, str(rows[0]["call_id"]))
                ):
                    return str(rows[0]["call_id"])
                return None

            call_id = await eventually(queued, timeout=20, what="the call queued")
            pid_file = server.data_dir / "asterisk" / "run" / "ehd-asterisk.pid"
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
            crashed = time.monotonic()

            async def closed() -> list[str] | None:
                lines = [line for line in queue_log(server, call_id) if line[4] == "ABANDON"]
                return lines[0] if lines else None

            await eventually(closed, timeout=20, what="the lost call closed in queue_log")
            assert time.monotonic() - crashed < 15
            record = call_records(server.database, caller_number=caller)[0]
            assert record["ended_at"] is not None and record["result"] in ("lost", "abandoned")
            assert server.health()[0] == 200
    finally:
        await carrier_instance.stop()
        await asyncio.to_thread(server.stop)


async def test_a_call_talking_through_a_restart_ends_once_with_its_whole_talk_time(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    """ehd is killed while alice talks to a caller: the call goes on (both still hear each
    other), alice stays busy rather than paused, no second login row is written, and the call
    ends with exactly one COMPLETE row whose talk time counts from the original connect."""
    server, farm_instance, carrier_instance = await _own_ehd(tmp_path, asterisk_runtime)
    api = await Api.admin(server)
    try:
        async with (
            connected_carrier(carrier_instance) as carrier,
            connected_carrier(farm_instance) as farm,
        ):
            agent_speaks = Policy(media=make_tone(farm_instance.spec.folder, AGENT_HZ))
            async with serving(farm, {"1001": agent_speaks}) as desk:
                await api.call("POST", "/api/agents/alice/login", {"queues": ["support"]})
                number = "+4674" + str(uuid.uuid4().int)[:7]
                caller = await carrier.call("4600", caller=number)
                await caller.wait_answered()
                await caller.play(make_tone(carrier_instance.spec.folder, CALLER_HZ))

                async def connected() -> str | None:
                    rows = call_records(server.database, caller_number=number)
                    call_id = str(rows[0]["call_id"]) if rows else ""
                    lines = queue_log(server, call_id) if call_id else []
                    return call_id if any(line[4] == "CONNECT" for line in lines) else None

                call_id = await eventually(connected, timeout=30, what="the caller connected")
                agent = desk.answered_by("1001")[-1].call
                await asyncio.sleep(2.0)
                await asyncio.to_thread(server.stop, signal.SIGKILL)
                await asyncio.to_thread(server.start)
                state = await api.call("GET", "/api/agents/alice")
                assert state["state"] == "busy", state
                caller_ear, agent_ear = await asyncio.gather(
                    caller.listen("restart-ear-caller", 5), agent.listen("restart-ear-agent", 5)
                )
                await caller.hangup()

                async def completed() -> list[list[str]] | None:
                    lines = queue_log(server, call_id)
                    return lines if any(line[4].startswith("COMPLETE") for line in lines) else None

                lines = await eventually(completed, timeout=20, what="the call completed")
                await asyncio.sleep(1.0)  # nothing more may follow
                lines = queue_log(server, call_id)
        assert_hears(caller_ear, AGENT_HZ, "after the restart the caller heard the agent")
        assert_hears(agent_ear, CALLER_HZ, "after the restart the agent heard the caller")
        events = [line[4] for line in lines]
        assert events == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"], events
        talk = int(lines[-1][6])
        assert talk >= 8, f"talk time {talk} s does not count from the connect"
        logins = [line for line in queue_log(server) if line[4] == "AGENTLOGIN"]
        assert len(logins) == 1, logins
        record = call_records(server.database, call_id=call_id)[0]
        assert record["agent"] == "alice" and (record["talk_seconds"] or 0) >= 8, record
        state = await api.call("GET", "/api/agents/alice")
        assert state["state"] in ("wrap_up", "ready"), state  # the demo queue has wrap-up time
    finally:
        await api.close()
        await carrier_instance.stop()
        await farm_instance.stop()
        await asyncio.to_thread(server.stop)


async def test_a_consultation_under_way_goes_on_through_a_restart_and_completes(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    """Alice consults bob while the caller holds; ehd is killed and started again. Alice and
    bob still hear each other, and completing from her console puts the caller through to
    bob: they hear each other, nobody hears alice, and the call's parts name both agents."""
    server, farm_instance, carrier_instance = await _own_ehd(
        tmp_path, asterisk_runtime, ("1001", "1002")
    )
    api = await Api.admin(server)
    await api.call("PUT", "/api/queues/backroom", {"number": "4848"})
    await api.call("PUT", "/api/queues/backroom/members/bob", {"penalty": 0})
    try:
        async with (
            connected_carrier(carrier_instance) as carrier,
            connected_carrier(farm_instance) as farm,
            serving(farm, desk_phones_speak(farm)) as desk,
        ):
            await api.call("POST", "/api/agents/bob/login", {"queues": ["backroom"]})
            await api.call("POST", "/api/agents/alice/login", {"queues": ["support"]})
            caller, call_id = await call_in(server, carrier, did="4600")
            alice = await answered_on(desk, "1001")
            console = await console_of(server, "alice")
            try:
                await console.call("POST", f"/api/calls/{call_id}/consult", {"agent": "bob"})
            finally:
                await console.close()
            bob = await answered_on(desk, "1002")
            await asyncio.sleep(1.0)  # bridged with alice on answer
            await asyncio.to_thread(server.stop, signal.SIGKILL)
            await asyncio.to_thread(server.start)
            console = await console_of(server, "alice")
            try:
                consulting = await ears(alice, bob, f"{call_id}-restart-consult", 4)
                done = await console.call("POST", f"/api/calls/{call_id}/consult/complete")
            finally:
                await console.close()
            await alice.wait_ended(timeout=10)
            with_bob = await ears(caller, bob, f"{call_id}-restart-bob", 6)
            await caller.hangup()
            await bob.wait_ended(timeout=10)
        assert done["call"]["state"] == "talking", done
        assert_hears(consulting[0], SECOND_AGENT_HZ, "after the restart alice heard bob")
        assert_hears(consulting[1], AGENT_HZ, "after the restart bob heard alice")
        assert_hears(with_bob[0], SECOND_AGENT_HZ, "after completing, the caller heard bob")
        assert_hears(with_bob[1], CALLER_HZ, "after completing, bob heard the caller")
        assert_does_not_hear(with_bob[0], AGENT_HZ, "after completing, the caller heard alice")
        parts = await parts_of(server, call_id, 2)
        assert [(p["agent"], p["ended_by"], p["transferred_to"]) for p in parts] == [
            ("alice", "transfer", "agent:bob"),
            ("bob", "hangup", ""),
        ], parts
    finally:
        await api.close()
        await carrier_instance.stop()
        await farm_instance.stop()
        await asyncio.to_thread(server.stop)


async def test_a_call_whose_agent_hung_up_while_ehd_was_away_ends_on_restart(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    """ehd is killed while alice talks to a caller, and alice hangs up before it is back: the
    restarted ehd ends the caller's call rather than leave them alone in silence, with one
    COMPLETEAGENT row, and alice is free for the next call."""
    server, farm_instance, carrier_instance = await _own_ehd(tmp_path, asterisk_runtime)
    api = await Api.admin(server)
    try:
        async with (
            connected_carrier(carrier_instance) as carrier,
            connected_carrier(farm_instance) as farm,
            serving(farm, desk_phones_speak(farm)) as desk,
        ):
            await api.call("POST", "/api/agents/alice/login", {"queues": ["support"]})
            caller, call_id = await call_in(server, carrier, did="4600")
            alice = await answered_on(desk, "1001")
            await asyncio.sleep(1.0)  # talking
            await asyncio.to_thread(server.stop, signal.SIGKILL)
            await alice.hangup()
            await asyncio.to_thread(server.start)
            await caller.wait_ended(timeout=20)

            async def closed() -> dict[str, object] | None:
                [record] = call_records(server.database, call_id=call_id)
                return record if record["ended_at"] else None

            record = await eventually(closed, timeout=10, what="the call record closed")
            state = await api.call("GET", "/api/agents/alice")
        events = [line[4] for line in queue_log(server, call_id)]
        assert events == ["ENTERQUEUE", "CONNECT", "COMPLETEAGENT"], events
        assert record["agent"] == "alice", record
        assert state["state"] in ("wrap_up", "ready"), state
    finally:
        await api.close()
        await carrier_instance.stop()
        await farm_instance.stop()
        await asyncio.to_thread(server.stop)
