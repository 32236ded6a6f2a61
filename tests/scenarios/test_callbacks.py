"""Callbacks over real SIP: the caller hangs up and keeps their place; the agent is connected
first, then the customer is dialled through the trunk."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from ehd.asterisk.instance import SOUNDS_DIR
from ehd.asterisk.runtime import AsteriskRuntime
from tests.harness.api import Api
from tests.harness.audio import contains_prompt
from tests.harness.carrier import CarrierCall, Phone, connected_carrier, start_carrier
from tests.harness.ehd_process import (
    EhdProcess,
    ehd_with_outbound_carrier,
    endpoint_state,
    queue_log,
)
from tests.harness.phone_farm import Policy, serving
from tests.harness.polling import eventually
from tests.harness.records import call_records
from tests.harness.tones import AGENT_HZ, CUSTOMER_HZ, assert_hears, make_tone

pytestmark = pytest.mark.asterisk

FIRST, LATER = "+46731110001", "+46731110002"


def _call_id(server: EhdProcess, caller: str) -> str:
    rows = call_records(server.database, caller_number=caller, route_type="queue")
    return str(rows[0]["call_id"]) if rows else ""


async def test_a_callback_keeps_its_place_and_dials_the_customer_after_the_agent(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    server, carrier_instance = await ehd_with_outbound_carrier(tmp_path, asterisk_runtime)
    phones = tuple(
        Phone(a.sip_extension, a.sip_password or "")
        for a in server.demo_site().accounts
        if a.sip_extension
    )
    farm_instance = await start_carrier(
        tmp_path / "farm", asterisk_runtime, server.sip_port, phones
    )
    api = await Api.admin(server)
    try:
        queue = {
            "greeting": "goodbye",
            "exit_keys": {"3": {"kind": "callback"}},
            "number": "4830",
            "callback_offer_after": 0.5,
        }
        await api.call("PUT", "/api/queues/cbq", queue)
        await api.call("PUT", "/api/queues/cbq/members/alice", {"penalty": 0})
        await api.call("PUT", "/api/dids/4830", {"route_type": "queue", "queue": "cbq"})
        async with (
            connected_carrier(carrier_instance) as carrier,
            connected_carrier(farm_instance) as farm,
        ):
            # 1. The first caller asks for a callback on their own number and hangs up.
            first = await carrier.call("4830", caller=FIRST)
            await first.wait_answered()
            asterisk_log = server.data_dir / "asterisk" / "log" / "messages.log"
            logged_before = asterisk_log.stat().st_size
            waiting = await first.listen("cb-offer", 8)  # greeting, music, the offer
            offer, _ = contains_prompt(waiting, SOUNDS_DIR / "en" / "callback-offer.wav", 5)
            assert offer > 0.8, f"the callback offer was not heard ({offer:.2f})"
            with asterisk_log.open() as log:  # "… press 3": the key the queue has
                log.seek(logged_before)
                played = log.read()
            offered = played[played.index("callback-offer") :].splitlines()
            next_prompt = next(line for line in offered[1:] if "Playing '" in line)
            assert "digits/3" in next_prompt, offered[:5]
            await first.send_dtmf("3")  # the queue's callback key
            await asyncio.sleep(1.5)  # "we will call you back on … press 1 to confirm"
            await first.send_dtmf("1#")
            await first.wait_ended(timeout=30)
            # 2. A later caller waits on the line.
            later = await carrier.call("4830", caller=LATER)
            await later.wait_answered()
            await eventually(
                lambda: _entered(server, LATER), timeout=20, what="the later caller queued"
            )
            # 3. An agent logs in: the callback comes first, the agent before the customer.

            async def online() -> bool:
                return await endpoint_state(server, "1001") == "online"

            await eventually(online, timeout=30, what="alice's phone registered")
            agent_speaks = Policy(after=0.3, media=make_tone(farm_instance.spec.folder, AGENT_HZ))
            async with serving(farm, {"1001": agent_speaks}) as desk:
                await api.call("POST", "/api/agents/alice/login", {"queues": ["cbq"]})

                async def customer_rung() -> CarrierCall | None:
                    incoming = [s for s in carrier.events.incoming if s.args[1:2] == (FIRST,)]
                    return CarrierCall(carrier, incoming[0].channel.id) if incoming else None

                customer = await eventually(customer_rung, timeout=30, what="customer dialled")
                agent = desk.answered_by("1001")[-1].call
                # The customer answers while the agent still hears whom they are calling.
                await carrier.ari.answer(customer.id)
                await customer.play(make_tone(carrier_instance.spec.folder, CUSTOMER_HZ))
                customer_ear, agent_ear = await asyncio.gather(
                    customer.listen("cb-ear-customer", 10), agent.listen("cb-ear-agent", 10)
                )
                item = f"cb-{_call_id(server, FIRST)}"
                await eventually(
                    lambda: _logged(server, item, "CONNECT"), timeout=15, what="callback connected"
                )
                assert not _has(server, _call_id(server, LATER), "CONNECT")
                await customer.hangup()
                await eventually(
                    lambda: _logged(server, _call_id(server, LATER), "CONNECT"),
                    timeout=30,
                    what="the later caller served next",
                )
                await later.hangup()
    finally:
        await api.call("POST", "/api/agents/alice/logout")
        await api.close()
        await asyncio.to_thread(server.stop)
        await carrier_instance.stop()
        await farm_instance.stop()
    # From the customer's answer on, each hears the other: no read-out left over for the agent.
    assert_hears(customer_ear, AGENT_HZ, "the customer heard the agent")
    assert_hears(agent_ear, CUSTOMER_HZ, "the agent heard the customer")
    lines = queue_log(server)
    connects = [line[1] for line in lines if line[4] == "CONNECT"]
    assert connects[:2] == [item, _call_id(server, LATER)], connects
    record = call_records(server.database, call_id=item)[0]
    assert record["result"] == "answered" and record["agent"] == "alice"
    # Closed once, with its talk time, so a restart cannot call it lost.
    assert record["ended_at"] is not None and (record["talk_seconds"] or 0) >= 5, record
    item_rows = [line[4] for line in lines if line[1] == item]
    assert item_rows == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"], item_rows
    original = call_records(server.database, caller_number=FIRST, route_type="queue")[0]
    assert original["result"] == "callback_requested"
    entered = {line[1]: int(line[0]) for line in lines if line[4] == "ENTERQUEUE"}
    assert entered[item] <= entered[_call_id(server, LATER)]


async def _entered(server: EhdProcess, caller: str) -> bool:
    return _has(server, _call_id(server, caller), "ENTERQUEUE")


async def _logged(server: EhdProcess, call_id: str, event: str) -> bool:
    return _has(server, call_id, event)


def _has(server: EhdProcess, call_id: str, event: str) -> bool:
    return bool(call_id) and any(line[4] == event for line in queue_log(server, call_id))


def _outbox(server: EhdProcess) -> list[dict[str, str]]:
    path = server.data_dir / "logs" / "sms-outbox.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_a_blocked_number_is_refused_and_a_remote_agent_gets_the_callback_by_text(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    mobile = "+46701112299"
    server, carrier_instance = await ehd_with_outbound_carrier(tmp_path, asterisk_runtime)
    api = await Api.admin(server)
    try:
        queue = {"greeting": "goodbye", "exit_keys": {"1": {"kind": "callback"}}}
        await api.call("PUT", "/api/queues/cbq", queue)
        await api.call("PUT", "/api/queues/cbq/members/alice", {"penalty": 0})
        await api.call("PUT", "/api/dids/4830", {"route_type": "queue", "queue": "cbq"})
        async with connected_carrier(carrier_instance) as carrier:
            first = await carrier.call("4830", caller=FIRST)
            await first.wait_answered()
            await asyncio.sleep(3.0)
            await first.send_dtmf("1")
            await asyncio.sleep(1.5)
            heard = asyncio.create_task(first.listen("cb-refused", 14))
            await first.send_dtmf("0900123456#")  # premium rate: refused
            await asyncio.sleep(7.0)  # "cannot be used", then the question again
            await first.send_dtmf("1#")
            await first.wait_ended(timeout=30)
            wav = await heard
            await api.call("POST", "/api/agents/alice/login", {"queues": ["cbq"], "number": mobile})
            texts = await eventually(
                lambda: _texts(server), timeout=20, what="the agent's text message"
            )
    finally:
        await api.call("POST", "/api/agents/alice/logout")
        await api.close()
        await asyncio.to_thread(server.stop)
        await carrier_instance.stop()
    invalid, _ = contains_prompt(wav, SOUNDS_DIR / "en" / "callback-number-invalid.wav", 10)
    assert invalid > 0.8, f"the refusal was not heard ({invalid:.2f})"
    assert texts[0]["to"] == mobile and FIRST in texts[0]["text"]
    assert not carrier.events.incoming, "a remote agent's callback must not ring their phone"
    item = f"cb-{_call_id(server, FIRST)}"
    record = call_records(server.database, call_id=item)[0]
    assert record["result"] == "callback_sms"
    refused = await asyncio.to_thread(_refusals, server)
    assert "premium-rate numbers are not called back" in refused


async def _texts(server: EhdProcess) -> list[dict[str, str]]:
    return await asyncio.to_thread(_outbox, server)


def _refusals(server: EhdProcess) -> str:
    return "\n".join(
        line for line in server.log_file.read_text().splitlines() if "callback number" in line
    )
