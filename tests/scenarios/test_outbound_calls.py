"""Calls an agent's desk phone places, over real SIP: a national number goes out through the
trunk in E.164 showing the number of the agent's site, both sides hear each other, the agent
is busy for the queue meanwhile, and the call is recorded as an outbound call. A number the
agent may not call never reaches the carrier."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import expect

from ehd.asterisk.instance import AsteriskInstance
from ehd.asterisk.runtime import AsteriskRuntime
from tests.harness.api import Api
from tests.harness.browser import headless_chromium, log_in
from tests.harness.carrier import Carrier, CarrierCall, Phone, connected_carrier, start_carrier
from tests.harness.ehd_process import (
    EhdProcess,
    connected_to_agent,
    ehd_with_outbound_carrier,
    endpoint_state,
    queue_log,
)
from tests.harness.phone_farm import PhoneFarm, Policy, serving
from tests.harness.polling import eventually
from tests.harness.records import call_handlings, call_records
from tests.harness.tones import (
    AGENT_HZ,
    CUSTOMER_HZ,
    SECOND_AGENT_HZ,
    assert_does_not_hear,
    assert_hears,
    make_tone,
)
from tests.harness.web_client import logged_in_session
from tests.scenarios.ears import answered_on, assert_held_then_resumed

pytestmark = pytest.mark.asterisk

CUSTOMER = "+46812345678"  # dialled as 08-12345678
SITE_NUMBER = "+46855500000"


def _tone(carrier: Carrier, hz: int) -> str:
    return make_tone(carrier.instance.spec.folder / "tones", hz)


async def _alice_takes_a_call(
    floor: OutboundFloor,
    carrier: Carrier,
    phones: PhoneFarm,
    did: str,
    queue: str,
    customer_number: str,
) -> tuple[CarrierCall, CarrierCall, str]:
    """The customer calls ``did`` (speaking their tone) and alice, logged in to ``queue``,
    answers on her desk phone: the customer's call, hers, and the call's id."""
    customer = await carrier.call(did, caller=customer_number)
    await customer.wait_answered()
    await customer.play(_tone(carrier, CUSTOMER_HZ))
    await floor.api.call("POST", "/api/agents/alice/login", {"queues": [queue]})
    alice = await answered_on(phones, "1001")

    async def connected() -> str | None:  # the record names her once the call is hers
        [record] = call_records(floor.server.database, caller_number=customer_number)
        return str(record["call_id"]) if record["agent"] == "alice" else None

    return customer, alice, await eventually(connected, timeout=10, what="alice connected")


async def _bob_ready_and_alices_console(floor: OutboundFloor) -> Api:
    """Queue `bobs` with bob logged in (where a transfer to him waits), and alice's console."""
    api, server = floor.api, floor.server
    await api.call("PUT", "/api/queues/bobs", {"number": "4846", "wrapup_seconds": 0.0})
    await api.call("PUT", "/api/queues/bobs/members/bob", {"penalty": 0})
    await api.call("POST", "/api/agents/bob/login", {"queues": ["bobs"]})
    password = next(a.password for a in server.demo_site().accounts if a.username == "alice")
    return Api(await logged_in_session(server.web_url, "alice", password))


@dataclass
class OutboundFloor:
    """An ehd whose trunk reaches a carrier (callers and the numbers they call), the phone
    farm registered as the demo site's desk phones, and an admin's API."""

    server: EhdProcess
    carrier: AsteriskInstance
    farm: AsteriskInstance
    api: Api


@asynccontextmanager
async def _outbound_floor(tmp_path: Path, runtime: AsteriskRuntime) -> AsyncIterator[OutboundFloor]:
    server, carrier_instance = await ehd_with_outbound_carrier(tmp_path, runtime)
    phones = tuple(
        Phone(a.sip_extension, a.sip_password or "")
        for a in server.demo_site().accounts
        if a.sip_extension
    )
    farm_instance = await start_carrier(tmp_path / "farm", runtime, server.sip_port, phones)
    api = await Api.admin(server)
    try:

        async def online() -> bool:
            return await endpoint_state(server, "1001") == "online"

        await eventually(online, timeout=20, what="alice's phone registered")
        yield OutboundFloor(server, carrier_instance, farm_instance, api)
    finally:
        await api.close()
        await farm_instance.stop()
        await carrier_instance.stop()
        await asyncio.to_thread(server.stop)


async def test_an_agents_phone_calls_a_national_number_from_the_sites_number(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    async with _outbound_floor(tmp_path, asterisk_runtime) as floor:
        server, api = floor.server, floor.api
        await api.call("PUT", "/api/sites/SOUTH", {"phone_number": "08-555 000 00"})
        async with headless_chromium() as browser:  # alice works for SOUTH, as an admin sets
            page = await browser.new_page()
            await log_in(page, server, "admin", "/admin/users/alice")
            await page.fill("input[name=sites]", "SOUTH")
            await page.click("form[action='/admin/users/alice'] button[type=submit]")
            await expect(page.locator("p.ok")).to_be_visible()
        await api.call("PUT", "/api/queues/outq", {"number": "4840"})
        await api.call("PUT", "/api/queues/outq/members/alice", {"penalty": 0})
        await api.call("POST", "/api/agents/alice/login", {"queues": ["outq"]})
        async with (
            connected_carrier(floor.carrier) as carrier,
            connected_carrier(floor.farm) as farm,
        ):
            customer_speaks = {CUSTOMER: Policy(media=_tone(carrier, CUSTOMER_HZ), after=0.5)}
            async with serving(carrier, customer_speaks) as customers:
                agent = await farm.dial_from("1001", "08-12345678")
                await agent.wait_answered(timeout=20)  # answered when the customer answers
                await agent.play(_tone(farm, AGENT_HZ))

                async def customer_answered() -> CarrierCall | None:
                    rings = customers.answered_by(CUSTOMER)
                    return rings[-1].call if rings else None

                customer = await eventually(customer_answered, timeout=10, what="the customer")
                arrived = next(s for s in carrier.events.incoming if s.channel.id == customer.id)
                state = await api.call("GET", "/api/agents/alice")
                agent_ear, customer_ear = await asyncio.gather(
                    agent.listen("out-agent", 8), customer.listen("out-customer", 8)
                )
                await agent.hangup()
                await customer.wait_ended(timeout=10)

            # An international number: alice may not call abroad; nothing reaches the carrier.
            before = len(carrier.events.incoming)
            refused = await farm.dial_from("1001", "0049301234567")
            await refused.wait_ended(timeout=20)
            assert not refused.was_answered() and len(carrier.events.incoming) == before
            assert refused.hangup_cause() == 21, refused.hangup_cause()  # call rejected
        await api.call("POST", "/api/agents/alice/logout")
    assert arrived.args[1] == CUSTOMER, arrived  # E.164 to the carrier
    assert arrived.channel.caller_number == SITE_NUMBER, arrived.channel
    assert state["state"] == "busy", state
    assert_hears(agent_ear, CUSTOMER_HZ, "the agent heard the customer")
    assert_hears(customer_ear, AGENT_HZ, "the customer heard the agent")
    [record] = call_records(server.database, caller_number=CUSTOMER)
    assert (record["direction"], record["agent"], record["result"]) == ("out", "alice", "answered")
    assert record["talk_seconds"] >= 6, record
    [abroad] = call_records(server.database, did="0049301234567")
    assert (abroad["direction"], abroad["result"]) == ("out", "refused"), abroad


async def test_an_agent_calls_a_colleague_by_extension(
    ehd_server: EhdProcess, farm: Carrier
) -> None:
    """Alice's phone dials 1002: bob's phone rings showing alice, and they hear each other."""

    async def registered() -> bool:
        return all([await endpoint_state(ehd_server, e) == "online" for e in ("1001", "1002")])

    await eventually(registered, timeout=20, what="both phones registered")
    bob_speaks = {"1002": Policy(media=_tone(farm, CUSTOMER_HZ), after=0.5)}
    async with serving(farm, bob_speaks) as phones:
        alice = await farm.dial_from("1001", "1002")
        await alice.wait_answered(timeout=20)
        await alice.play(_tone(farm, AGENT_HZ))

        async def bob_answered() -> CarrierCall | None:
            rings = phones.answered_by("1002")
            return rings[-1].call if rings else None

        bob = await eventually(bob_answered, timeout=10, what="bob answered")
        shown = next(s for s in farm.events.incoming if s.channel.id == bob.id).channel
        alice_ear, bob_ear = await asyncio.gather(
            alice.listen("internal-alice", 6), bob.listen("internal-bob", 6)
        )
        await alice.hangup()
        await bob.wait_ended(timeout=10)
    assert shown.caller_number == "1001", shown
    assert_hears(alice_ear, CUSTOMER_HZ, "alice heard bob")
    assert_hears(bob_ear, AGENT_HZ, "bob heard alice")
    records = [r for r in call_records(ehd_server.database, caller_number="1002")
               if r["direction"] == "internal"]  # fmt: skip
    assert records and records[-1]["agent"] == "alice", records


async def test_click_to_dial_rings_the_agent_first_then_the_customer(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    """Alice clicks a contact's number in the browser: her own phone rings first; once she
    answers, the customer's phone rings through the trunk, and they hear each other."""
    customer_number = "+46812345679"
    async with _outbound_floor(tmp_path, asterisk_runtime) as floor:
        server, api = floor.server, floor.api
        contact = await api.call(
            "POST", "/api/contacts", {"name": "Karin Kund", "phones": ["08-123 456 79"]}
        )
        async with (
            connected_carrier(floor.carrier) as carrier,
            connected_carrier(floor.farm) as farm,
            headless_chromium() as browser,
        ):
            agent_rings = {"1001": Policy(media=_tone(farm, AGENT_HZ), after=2.0)}
            customer_speaks = {customer_number: Policy(media=_tone(carrier, CUSTOMER_HZ))}
            async with serving(farm, agent_rings) as desk, serving(carrier, customer_speaks) as out:
                page = await browser.new_page()
                await log_in(page, server, "alice", f"/crm/contacts/{contact['id']}")
                await page.click(f"a.dial[href='tel:{customer_number}']")
                await expect(page.locator("#dial-status")).to_contain_text(customer_number)

                async def agent_ringing() -> bool:
                    return any(ring.extension == "1001" for ring in desk.rings)

                await eventually(agent_ringing, timeout=10, what="alice's phone ringing")
                customer_rung_early = bool(out.rings)  # she has not answered yet

                async def both_answered() -> tuple[CarrierCall, CarrierCall] | None:
                    agent = desk.answered_by("1001")
                    customer = out.answered_by(customer_number)
                    return (agent[-1].call, customer[-1].call) if agent and customer else None

                agent, customer = await eventually(both_answered, 20, what="both answered")
                agent_ear, customer_ear = await asyncio.gather(
                    agent.listen("click-agent", 6), customer.listen("click-customer", 6)
                )
                await customer.hangup()
                await agent.wait_ended(timeout=10)
    assert not customer_rung_early, "the customer rang before the agent answered"
    assert_hears(agent_ear, CUSTOMER_HZ, "the agent heard the customer")
    assert_hears(customer_ear, AGENT_HZ, "the customer heard the agent")
    [record] = call_records(server.database, caller_number=customer_number)
    assert (record["direction"], record["agent"], record["result"]) == ("out", "alice", "answered")
    assert record["contact_id"] == contact["id"], record


async def test_click_to_dial_refuses_a_number_the_user_may_not_call(
    ehd_server: EhdProcess,
) -> None:
    """Before any phone rings: a number abroad for an agent without the right is a 400."""
    password = next(a.password for a in ehd_server.demo_site().accounts if a.username == "bob")
    bob = Api(await logged_in_session(ehd_server.web_url, "bob", password))
    try:
        async with bob.session.post("/api/calls/dial", json={"number": "+4930123456"}) as answer:
            body = await answer.json()
            assert answer.status == 400 and "international" in body["message"], body
    finally:
        await bob.close()


async def test_an_agent_sends_a_caller_on_to_an_outside_number_and_they_hear_each_other(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    """A customer talks to alice, who transfers the call to an outside number from her
    console: the number rings through the trunk in E.164 showing the customer's own number,
    and from its answer the customer and the outside party hear each other and nobody hears
    alice, who is free for the queue at once."""
    customer_number, outside = "+46701112233", "+46812345678"
    async with _outbound_floor(tmp_path, asterisk_runtime) as floor:
        server, api = floor.server, floor.api
        await api.call("PUT", "/api/queues/sendon", {"number": "4842", "wrapup_seconds": 0.0})
        await api.call("PUT", "/api/queues/sendon/members/alice", {"penalty": 0})
        await api.call("PUT", "/api/dids/4843", {"route_type": "queue", "queue": "sendon"})
        async with (
            connected_carrier(floor.carrier) as carrier,
            connected_carrier(floor.farm) as farm,
            headless_chromium() as browser,
        ):
            page = await browser.new_page()
            await log_in(page, server, "alice", "/agent")
            await expect(page.locator("#connection")).to_have_text("live")
            desk = {"1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3)}
            picks_up = {outside: Policy(media=_tone(carrier, SECOND_AGENT_HZ), after=1.0)}
            async with serving(farm, desk) as phones, serving(carrier, picks_up) as out:
                customer, alice, call_id = await _alice_takes_a_call(
                    floor, carrier, phones, "4843", "sendon", customer_number
                )
                with_alice = await asyncio.gather(
                    customer.listen("sendon-customer-alice", 4), alice.listen("sendon-alice", 4)
                )
                await page.click("#transfer")
                await page.fill("#transfer-number", "08-123 456 78")
                await page.click("#transfer-form button[type=submit]")
                await expect(page.locator("#message")).to_have_text("Transferred.")
                await alice.wait_ended(timeout=10)
                state = await api.call("GET", "/api/agents/alice")

                async def picked_up() -> CarrierCall | None:
                    rings = out.answered_by(outside)
                    return rings[-1].call if rings else None

                party = await eventually(picked_up, timeout=20, what="the outside number answered")
                arrived = next(s for s in carrier.events.incoming if s.channel.id == party.id)
                customer_ear, party_ear = await asyncio.gather(
                    customer.listen("sendon-customer", 8), party.listen("sendon-party", 8)
                )
                await customer.hangup()
                await party.wait_ended(timeout=10)
        await api.call("POST", "/api/agents/alice/logout")
    assert state["state"] == "ready", state
    assert (arrived.args[1], arrived.channel.caller_number) == (outside, customer_number)
    assert_hears(with_alice[0], AGENT_HZ, "before the transfer, the customer heard alice")
    assert_hears(with_alice[1], CUSTOMER_HZ, "before the transfer, alice heard the customer")
    assert_hears(customer_ear, SECOND_AGENT_HZ, "the customer heard the outside party")
    assert_hears(party_ear, CUSTOMER_HZ, "the outside party heard the customer")
    assert_does_not_hear(customer_ear, AGENT_HZ, "the customer still heard alice")
    rows = [line[3:7] for line in queue_log(server, call_id)]
    assert ["alice", "BLINDTRANSFER", outside, "number"] in rows, rows
    [part] = call_handlings(server.database, call_id)
    assert (part["agent"], part["ended_by"], part["transferred_to"]) == (
        "alice",
        "transfer",
        f"number:{outside}",
    )


async def test_an_agent_consults_an_outside_number_joins_all_three_then_leaves(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    """Alice consults an outside number while the customer holds, joins all three, then hangs
    up: the outside party and alice hear each other during the consultation (the customer
    hears neither), all three hear each other in the conference, and after alice leaves the
    customer and the outside party go on talking, out of the queue."""
    customer_number, outside = "+46701112244", "+46812345670"
    async with _outbound_floor(tmp_path, asterisk_runtime) as floor:
        server, api = floor.server, floor.api
        await api.call("PUT", "/api/queues/consultout", {"number": "4844", "wrapup_seconds": 0.0})
        await api.call("PUT", "/api/queues/consultout/members/alice", {"penalty": 0})
        await api.call("PUT", "/api/dids/4845", {"route_type": "queue", "queue": "consultout"})
        password = next(a.password for a in server.demo_site().accounts if a.username == "alice")
        console = Api(await logged_in_session(server.web_url, "alice", password))
        try:
            async with (
                connected_carrier(floor.carrier) as carrier,
                connected_carrier(floor.farm) as farm,
            ):
                desk = {"1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3)}
                picks_up = {outside: Policy(media=_tone(carrier, SECOND_AGENT_HZ), after=1.0)}
                async with serving(farm, desk) as phones, serving(carrier, picks_up) as out:
                    customer, alice, call_id = await _alice_takes_a_call(
                        floor, carrier, phones, "4845", "consultout", customer_number
                    )
                    consult = await console.call("POST", f"/api/calls/{call_id}/consult",
                                                 {"number": "08-123 456 70"})  # fmt: skip

                    async def picked_up() -> CarrierCall | None:
                        rings = out.answered_by(outside)
                        return rings[-1].call if rings else None

                    party = await eventually(
                        picked_up, timeout=20, what="the outside number answered"
                    )
                    arrived = next(s for s in carrier.events.incoming if s.channel.id == party.id)
                    await asyncio.sleep(1.0)  # the consultation is bridged on answer
                    consulting = await asyncio.gather(
                        customer.listen("co-customer-held", 5),
                        alice.listen("co-alice-consult", 5),
                        party.listen("co-party-consult", 5),
                    )
                    await console.call("POST", f"/api/calls/{call_id}/consult/join")
                    all_three = await asyncio.gather(
                        customer.listen("co-customer-conf", 5),
                        alice.listen("co-alice-conf", 5),
                        party.listen("co-party-conf", 5),
                    )
                    await alice.hangup()
                    await asyncio.sleep(1.0)
                    state = await api.call("GET", "/api/agents/alice")
                    after = await asyncio.gather(
                        customer.listen("co-customer-after", 6), party.listen("co-party-after", 6)
                    )
                    await customer.hangup()
                    await party.wait_ended(timeout=10)
        finally:
            await console.close()
        await api.call("POST", "/api/agents/alice/logout")
    assert consult["call"]["consult"]["agent"] == outside, consult
    assert arrived.args[1] == outside, arrived  # the agent's call: not the customer's number
    assert arrived.channel.caller_number != customer_number, arrived.channel
    assert_hears(consulting[1], SECOND_AGENT_HZ, "alice heard the outside party")
    assert_hears(consulting[2], AGENT_HZ, "the outside party heard alice")
    assert_does_not_hear(consulting[0], AGENT_HZ, "the held customer heard alice")
    assert_does_not_hear(consulting[0], SECOND_AGENT_HZ, "the held customer heard the party")
    two = 0.25  # each ear hears two voices
    assert_hears(all_three[0], AGENT_HZ, "in the conference the customer heard alice",
                 dominance=two)  # fmt: skip
    assert_hears(all_three[0], SECOND_AGENT_HZ, "the customer heard the party", dominance=two)
    assert_hears(all_three[1], CUSTOMER_HZ, "in the conference alice heard the customer",
                 dominance=two)  # fmt: skip
    assert_hears(all_three[2], CUSTOMER_HZ, "the party heard the customer", dominance=two)
    assert state["state"] == "ready", state
    assert_hears(after[0], SECOND_AGENT_HZ, "after alice left, the customer heard the party")
    assert_hears(after[1], CUSTOMER_HZ, "after alice left, the party heard the customer")
    assert_does_not_hear(after[0], AGENT_HZ, "the customer still heard alice")
    rows = [line[3:7] for line in queue_log(server, call_id)]
    assert ["alice", "ATTENDEDTRANSFER", "BRIDGE", outside] in rows, rows
    [part] = call_handlings(server.database, call_id)
    assert (part["agent"], part["transferred_to"]) == ("alice", f"number:{outside}"), part


async def test_an_agents_own_call_is_held_then_sent_to_a_colleague(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    """Alice's phone calls a customer. From her console she holds the call (the customer
    hears music, neither hears the other) and resumes, then transfers it to bob: the customer
    waits in bob's queue, kept for him, and from his answer they hear each other and nobody
    hears alice. The customer's side goes on as a call record of its own, linked to hers."""
    async with _outbound_floor(tmp_path, asterisk_runtime) as floor:
        server, api = floor.server, floor.api
        console = await _bob_ready_and_alices_console(floor)
        try:
            async with (
                connected_carrier(floor.carrier) as carrier,
                connected_carrier(floor.farm) as farm,
            ):
                customer_speaks = {CUSTOMER: Policy(media=_tone(carrier, CUSTOMER_HZ), after=0.5)}
                bob_speaks = {"1002": Policy(media=_tone(farm, SECOND_AGENT_HZ), after=0.5)}
                async with (
                    serving(carrier, customer_speaks) as customers,
                    serving(farm, bob_speaks) as desk,
                ):
                    alice = await farm.dial_from("1001", "08-12345678")
                    await alice.wait_answered(timeout=20)
                    await alice.play(_tone(farm, AGENT_HZ))

                    async def customer_answered() -> CarrierCall | None:
                        rings = customers.answered_by(CUSTOMER)
                        return rings[-1].call if rings else None

                    customer = await eventually(customer_answered, timeout=10, what="the customer")
                    [record] = call_records(server.database, caller_number=CUSTOMER)
                    call_id = str(record["call_id"])
                    talking = await asyncio.gather(
                        customer.listen("own-customer", 4), alice.listen("own-alice", 4)
                    )
                    await console.call("POST", f"/api/calls/{call_id}/hold")
                    on_hold = await asyncio.gather(
                        customer.listen("own-customer-hold", 6), alice.listen("own-alice-hold", 6)
                    )
                    await console.call("POST", f"/api/calls/{call_id}/resume")
                    resumed = await asyncio.gather(
                        customer.listen("own-customer-back", 4), alice.listen("own-alice-back", 4)
                    )
                    sent = await console.call(
                        "POST", f"/api/calls/{call_id}/transfer", {"to": "agent", "target": "bob"}
                    )
                    await alice.wait_ended(timeout=10)
                    alice_state = await api.call("GET", "/api/agents/alice")
                    bob = await answered_on(desk, "1002")
                    with_bob = await asyncio.gather(
                        customer.listen("own-customer-bob", 6), bob.listen("own-bob", 6)
                    )
                    await customer.hangup()
                    await bob.wait_ended(timeout=10)
        finally:
            await console.close()
        await api.call("POST", "/api/agents/bob/logout")
    assert sent["sent_to"] == "agent:bob", sent
    assert_held_then_resumed(talking, on_hold, resumed, CUSTOMER_HZ)
    assert_hears(with_bob[0], SECOND_AGENT_HZ, "after the transfer, the customer heard bob")
    assert_hears(with_bob[1], CUSTOMER_HZ, "after the transfer, bob heard the customer")
    assert_does_not_hear(with_bob[0], AGENT_HZ, "after the transfer, the customer heard alice")
    assert alice_state["state"] == "logged_out", alice_state
    [part] = call_handlings(server.database, call_id)
    assert (part["agent"], part["ended_by"], part["transferred_to"]) == (
        "alice",
        "transfer",
        "agent:bob",
    ), part
    assert 6 <= float(str(part["hold_seconds"])) < 20, part

    async def closed() -> list[dict[str, object]] | None:
        rows = call_records(server.database, caller_number=CUSTOMER)
        return rows if len(rows) == 2 and all(r["ended_at"] for r in rows) else None

    first, then = await eventually(closed, timeout=10, what="both records closed")
    assert (first["call_id"], first["agent"]) == (call_id, "alice"), first
    assert (then["route_type"], then["route_target"]) == ("transfer", call_id), then
    assert (then["queue_name"], then["agent"], then["direction"]) == ("bobs", "bob", "out"), then


async def test_an_answered_callback_is_sent_to_a_colleague(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    """A caller asks for a callback and hangs up; alice takes it and ehd dials the customer.
    From her console she transfers the call to bob: the customer waits in bob's queue, kept
    for him, and from his answer they hear each other and nobody hears alice. The callback
    is done (answered, alice's part ended by the transfer) and the customer goes on as a
    call record of their own."""
    customer_number = "+46731110003"
    async with _outbound_floor(tmp_path, asterisk_runtime) as floor:
        server, api = floor.server, floor.api
        queue = {"number": "4847", "exit_keys": {"3": {"kind": "callback"}}}
        await api.call("PUT", "/api/queues/cbt", queue)
        await api.call("PUT", "/api/queues/cbt/members/alice", {"penalty": 0})
        await api.call("PUT", "/api/dids/4847", {"route_type": "queue", "queue": "cbt"})
        console = await _bob_ready_and_alices_console(floor)
        try:
            async with (
                connected_carrier(floor.carrier) as carrier,
                connected_carrier(floor.farm) as farm,
            ):
                asker = await carrier.call("4847", caller=customer_number)
                await asker.wait_answered()

                async def queued() -> str | None:
                    rows = call_records(server.database, caller_number=customer_number)
                    call_id = str(rows[0]["call_id"]) if rows else ""
                    lines = queue_log(server, call_id) if call_id else []
                    return call_id if any(line[4] == "ENTERQUEUE" for line in lines) else None

                first_call = await eventually(queued, timeout=20, what="the caller queued")
                await asker.send_dtmf("3")  # the queue's callback key
                await asyncio.sleep(1.5)  # "we will call you back on … press 1 to confirm"
                await asker.send_dtmf("1#")
                await asker.wait_ended(timeout=30)
                item = f"cb-{first_call}"

                answers = {customer_number: Policy(media=_tone(carrier, CUSTOMER_HZ), after=1.0)}
                desk = {
                    "1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3),
                    "1002": Policy(media=_tone(farm, SECOND_AGENT_HZ), after=0.5),
                }
                async with serving(carrier, answers) as customers, serving(farm, desk) as phones:
                    await api.call("POST", "/api/agents/alice/login", {"queues": ["cbt"]})
                    alice = await answered_on(phones, "1001")

                    async def customer_answered() -> CarrierCall | None:
                        rings = customers.answered_by(customer_number)
                        return rings[-1].call if rings else None

                    customer = await eventually(customer_answered, timeout=30, what="the customer")

                    await connected_to_agent(server, item)
                    with_alice = await asyncio.gather(
                        customer.listen("cbt-customer", 4), alice.listen("cbt-alice", 4)
                    )
                    sent = await console.call(
                        "POST", f"/api/calls/{item}/transfer", {"to": "agent", "target": "bob"}
                    )
                    await alice.wait_ended(timeout=10)
                    bob = await answered_on(phones, "1002")

                    async def onward_call() -> str | None:
                        rows = call_records(
                            server.database, route_type="transfer", route_target=item
                        )
                        return str(rows[0]["call_id"]) if rows else None

                    await connected_to_agent(server, await eventually(onward_call))
                    with_bob = await asyncio.gather(
                        customer.listen("cbt-customer-bob", 6), bob.listen("cbt-bob", 6)
                    )
                    await customer.hangup()
                    await bob.wait_ended(timeout=10)
        finally:
            await console.close()
        await api.call("POST", "/api/agents/alice/logout")
        await api.call("POST", "/api/agents/bob/logout")
    assert sent["sent_to"] == "agent:bob", sent
    assert_hears(with_alice[0], AGENT_HZ, "the customer heard alice")
    assert_hears(with_alice[1], CUSTOMER_HZ, "alice heard the customer")
    assert_hears(with_bob[0], SECOND_AGENT_HZ, "after the transfer, the customer heard bob")
    assert_hears(with_bob[1], CUSTOMER_HZ, "after the transfer, bob heard the customer")
    assert_does_not_hear(with_bob[0], AGENT_HZ, "after the transfer, the customer heard alice")
    [part] = call_handlings(server.database, item)
    assert (part["agent"], part["ended_by"], part["transferred_to"]) == (
        "alice",
        "transfer",
        "agent:bob",
    ), part
    rows = [line[3:6] for line in queue_log(server, item)]
    assert ["alice", "BLINDTRANSFER", "bob"] in rows, rows
    [callback] = call_records(server.database, call_id=item)
    assert (callback["result"], callback["agent"]) == ("answered", "alice"), callback

    async def went_on() -> dict[str, object] | None:
        rows = call_records(server.database, route_type="transfer", route_target=item)
        return rows[0] if rows and rows[0]["ended_at"] else None

    then = await eventually(went_on, timeout=10, what="the customer's own record closed")
    assert (then["queue_name"], then["agent"], then["caller_number"]) == (
        "bobs",
        "bob",
        customer_number,
    ), then
