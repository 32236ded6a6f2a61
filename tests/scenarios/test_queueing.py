"""The queue over real SIP: callers from the carrier, agents' phones on the phone farm."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ehd.ari.client import AriHttpError
from ehd.asterisk.instance import SOUNDS_DIR
from tests.harness.api import Api
from tests.harness.audio import contains_prompt
from tests.harness.carrier import Carrier, CarrierCall
from tests.harness.ehd_process import EhdProcess, endpoint_state, queue_log
from tests.harness.phone_farm import Policy, serving
from tests.harness.polling import eventually
from tests.harness.records import call_records, closed_call_record
from tests.harness.web_client import add_user_with_phone

pytestmark = pytest.mark.asterisk

QUEUE = "sales"
DEFAULTS = {
    "number": "4700",
    "ring_timeout": 6.0,
    "misses_before_pause": 3,
    "wrapup_seconds": 0.0,
    "announce_frequency": 0.0,
    "overflow_after": None,
    "overflow_kind": "",
    "overflow_target": "",
    "join_when": "always",
    "leave_when": "always",
    "strategy": "longest_idle",
}
CLOSED = SOUNDS_DIR / "en" / "closed.wav"


@pytest.fixture
async def api(ehd_server: EhdProcess, farm: Carrier) -> AsyncIterator[Api]:
    """Admin API, with queue `sales` (DIDs 4700, and 4701 for priority 5) reset to defaults,
    alice and bob its members and logged out, and the farm's phones registered."""
    client = await Api.admin(ehd_server)
    await client.call("PUT", f"/api/queues/{QUEUE}", DEFAULTS)
    for agent in ("alice", "bob"):
        await client.call("PUT", f"/api/queues/{QUEUE}/members/{agent}", {"penalty": 0})
        await client.call("POST", f"/api/agents/{agent}/logout")
    await client.call("PUT", "/api/dids/4700", {"route_type": "queue", "queue": QUEUE})
    await client.call(
        "PUT", "/api/dids/4701", {"route_type": "queue", "queue": QUEUE, "priority": 5}
    )
    for extension in ("1001", "1002"):

        async def online(ext: str = extension) -> bool:
            return await endpoint_state(ehd_server, ext) == "online"

        await eventually(online, timeout=15, what=f"phone {extension} registered")
    yield client
    for agent in ("alice", "bob"):
        await client.call("POST", f"/api/agents/{agent}/logout")
    await client.close()


def _caller() -> str:
    return "+4673" + str(uuid.uuid4().int)[:7]


def _call_id(server: EhdProcess, caller: str) -> str:
    rows = call_records(server.database, caller_number=caller)
    assert rows, f"no call record for {caller}"
    return str(rows[0]["call_id"])


async def _events(
    server: EhdProcess, caller: str, wanted: str, timeout: float = 30
) -> list[list[str]]:
    async def logged() -> list[list[str]] | None:
        rows = call_records(server.database, caller_number=caller)
        if not rows:
            return None
        lines = queue_log(server, str(rows[0]["call_id"]))
        return lines if any(line[4] == wanted for line in lines) else None

    return await eventually(logged, timeout=timeout, what=f"{wanted} for {caller}")


async def _entered(server: EhdProcess, caller: str) -> None:
    await _events(server, caller, "ENTERQUEUE")


async def test_an_agent_answers_and_the_caller_hears_the_agent(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
    policy = Policy(media=f"sound:{CLOSED.with_suffix('')}", after=0.3)
    async with serving(farm, {"1001": policy}):
        caller = _caller()
        call = await carrier.call("4700", caller=caller)
        await call.wait_answered()
        wav = await call.record(f"q-agent-{caller}", seconds=14)
        await call.hangup()
    score, _ = contains_prompt(wav, CLOSED, max_lag_seconds=12)
    assert score > 0.8, f"the agent's audio did not reach the caller ({score:.2f})"
    lines = await _events(ehd_server, caller, "COMPLETECALLER")
    events = [line[4] for line in lines]
    assert events == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"], events
    connect = next(line for line in lines if line[4] == "CONNECT")
    assert connect[2] == QUEUE and connect[3] == "alice"
    record = await closed_call_record(ehd_server.database, caller)
    assert record["agent"] == "alice" and record["result"] == "answered"
    assert record["queue_seconds"] is not None and record["talk_seconds"] is not None


async def test_no_answer_rings_the_next_agent_and_repeated_misses_pause(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    await api.call("PUT", f"/api/queues/{QUEUE}", {"ring_timeout": 4.0, "misses_before_pause": 2})
    await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
    await asyncio.sleep(0.5)
    await api.call("POST", "/api/agents/bob/login", {"queues": [QUEUE]})
    policies = {"1001": Policy(answer=False), "1002": Policy(talk=1.0)}
    async with serving(farm, policies):
        for _ in range(2):
            caller = _caller()
            call = await carrier.call("4700", caller=caller)
            await call.wait_answered()
            lines = await _events(ehd_server, caller, "COMPLETEAGENT", timeout=40)
            sequence = [(line[3], line[4]) for line in lines if line[4] != "ENTERQUEUE"]
            assert sequence == [
                ("alice", "RINGNOANSWER"),
                ("bob", "CONNECT"),
                ("bob", "COMPLETEAGENT"),
            ], sequence
    state = await api.call("GET", "/api/agents/alice")
    assert state["state"] == "paused" and state["pause_reason"] == "no answer"
    pauses = [line for line in queue_log(ehd_server) if line[4] == "PAUSE" and line[3] == "alice"]
    assert pauses and pauses[-1][5] == "no answer"


async def test_a_caller_who_hangs_up_is_logged_as_abandoned_with_position(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    first, second = _caller(), _caller()
    call1 = await carrier.call("4700", caller=first)
    await call1.wait_answered()
    await _entered(ehd_server, first)
    call2 = await carrier.call("4700", caller=second)
    await call2.wait_answered()
    await _entered(ehd_server, second)
    await asyncio.sleep(2)
    await call2.hangup()
    lines = await _events(ehd_server, second, "ABANDON")
    abandon = next(line for line in lines if line[4] == "ABANDON")
    assert abandon[5:7] == ["2", "2"] and int(abandon[7]) >= 2
    await call1.hangup()
    first_lines = await _events(ehd_server, first, "ABANDON")
    assert next(line for line in first_lines if line[4] == "ABANDON")[5] == "1"
    assert (await closed_call_record(ehd_server.database, second))["result"] == "abandoned"


async def test_two_agents_serve_five_callers_by_priority_then_arrival(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    for agent in ("alice", "bob"):
        await api.call("POST", f"/api/agents/{agent}/login", {"queues": [QUEUE]})
        await api.call("POST", f"/api/agents/{agent}/pause", {"reason": "briefing"})
    dids = ["4700", "4701", "4700", "4701", "4700"]  # 4701 has priority 5
    callers = [_caller() for _ in dids]
    calls: list[CarrierCall] = []
    for did, caller in zip(dids, callers, strict=True):
        calls.append(await carrier.call(did, caller=caller))
        await calls[-1].wait_answered()
        await _entered(ehd_server, caller)
    talk = {"1001": Policy(talk=1.5), "1002": Policy(talk=1.5)}
    async with serving(farm, talk):
        for agent in ("alice", "bob"):
            await api.call("POST", f"/api/agents/{agent}/unpause")
        for caller in callers:
            await _events(ehd_server, caller, "COMPLETEAGENT", timeout=60)
    ids = {_call_id(ehd_server, caller): n for n, caller in enumerate(callers)}
    served = [
        ids[line[1]] for line in queue_log(ehd_server) if line[4] == "CONNECT" and line[1] in ids
    ]
    # Two agents take two callers at a time: priority 5 first, then the rest by arrival.
    assert [set(served[:2]), set(served[2:4]), served[4]] == [{1, 3}, {0, 2}, 4], served


async def test_overflow_after_a_timeout_moves_the_caller_to_another_queue(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    await api.call("PUT", "/api/queues/sales-overflow", {**DEFAULTS, "number": "4709"})
    await api.call("PUT", "/api/queues/sales-overflow/members/bob", {"penalty": 0})
    await api.call(
        "PUT",
        f"/api/queues/{QUEUE}",
        {"overflow_after": 4.0, "overflow_kind": "queue", "overflow_target": "sales-overflow"},
    )
    await api.call("POST", "/api/agents/bob/login", {"queues": ["sales-overflow"]})
    async with serving(farm, {"1002": Policy(talk=1.0)}):
        caller = _caller()
        call = await carrier.call("4700", caller=caller)
        await call.wait_answered()
        lines = await _events(ehd_server, caller, "COMPLETEAGENT", timeout=40)
    steps = [(line[2], line[4]) for line in lines]
    assert steps == [
        (QUEUE, "ENTERQUEUE"),
        (QUEUE, "EXITWITHTIMEOUT"),
        ("sales-overflow", "ENTERQUEUE"),
        ("sales-overflow", "CONNECT"),
        ("sales-overflow", "COMPLETEAGENT"),
    ], steps
    connect = next(line for line in lines if line[4] == "CONNECT")
    assert int(connect[5]) >= 4, "the waiting time was not kept across the overflow"


async def test_the_caller_hears_the_position_announcement(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    await api.call(
        "PUT", f"/api/queues/{QUEUE}", {"announce_frequency": 30.0, "announce_start_delay": 1.0}
    )
    caller = _caller()
    call = await carrier.call("4700", caller=caller)
    await call.wait_answered()
    wav = await call.record(f"q-announce-{caller}", seconds=14)
    await call.hangup()
    wait_prompt = SOUNDS_DIR / "en" / "queue-wait.wav"
    position_prompt = SOUNDS_DIR / "en" / "queue-position.wav"
    heard, _ = contains_prompt(wav, wait_prompt, max_lag_seconds=12)
    assert heard > 0.8, f"the wait estimate was not heard ({heard:.2f})"
    heard, _ = contains_prompt(wav, position_prompt, max_lag_seconds=12)
    assert heard > 0.8, f"the position was not heard ({heard:.2f})"


async def test_baresip_as_agent_answers_a_queued_call(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api, tmp_path: Path
) -> None:
    from tests.harness.baresip import Baresip

    password = await add_user_with_phone(ehd_server, "dora", "1004")
    await api.call("PUT", f"/api/queues/{QUEUE}/members/dora", {"penalty": 0})

    async def known() -> bool:  # the account reached Asterisk: registering now succeeds
        try:
            return await endpoint_state(ehd_server, "1004") in ("offline", "online")
        except AriHttpError:
            return False

    await eventually(known, timeout=20, what="SIP account 1004 in Asterisk")
    phone = Baresip(tmp_path / "baresip", "1004", password, f"127.0.0.1:{ehd_server.sip_port}")
    phone.configure(auto_answer=True)
    running = asyncio.create_task(phone.run(25))
    try:

        async def online() -> bool:
            return await endpoint_state(ehd_server, "1004") == "online"

        await eventually(online, timeout=20, what="baresip registered as 1004")
        await api.call("POST", "/api/agents/dora/login", {"queues": [QUEUE]})
        caller = _caller()
        call = await carrier.call("4700", caller=caller)
        await call.wait_answered()
        await _events(ehd_server, caller, "CONNECT", timeout=20)
        await call.play(f"sound:{CLOSED.with_suffix('')}")
        await asyncio.sleep(6.5)  # the prompt is 4.9 s long
        await call.hangup()
        lines = await _events(ehd_server, caller, "COMPLETECALLER")
        assert next(line for line in lines if line[4] == "CONNECT")[3] == "dora"
    finally:
        await api.call("POST", "/api/agents/dora/logout")
        output = await running
    heard = phone.heard()
    assert heard, output[-2000:]
    score, _ = contains_prompt(heard[-1], CLOSED, max_lag_seconds=20)
    assert score > 0.8, f"baresip did not hear the caller ({score:.2f})"
