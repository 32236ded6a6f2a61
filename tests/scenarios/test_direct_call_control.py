"""Call control on calls that never were in a queue, checked by ear over real SIP: a customer
calling an agent's own number is held, consulted and transferred from the agent's console as
a queue call is, and the agent's phone's transfer key works on it too. Each party sends its
own tone (see :mod:`tests.scenarios.ears`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import expect

from tests.harness.api import Api
from tests.harness.browser import headless_chromium, log_in
from tests.harness.carrier import Carrier, CarrierCall
from tests.harness.ehd_process import EhdProcess, queue_log
from tests.harness.phone_farm import serving
from tests.harness.records import call_records
from tests.harness.tones import (
    AGENT_HZ,
    CALLER_HZ,
    SECOND_AGENT_HZ,
    assert_does_not_hear,
    assert_hears,
)
from tests.scenarios.ears import (
    answered_by_alice,
    answered_on,
    assert_held_then_resumed,
    bob_staffs_another_queue,
    console_of,
    desk_phones_speak,
    ears,
    ears_queue,
    parts_of,
    phone_transfers,
    tone,
)

pytestmark = pytest.mark.asterisk

ALICES_NUMBER = "4765"  # rings alice's desk phone, not a queue


@pytest.fixture
async def api(ehd_server: EhdProcess, farm: Carrier) -> AsyncIterator[Api]:
    """Alice's own number, and bob ready in queue `ears-bob` (alice logged in to none)."""
    async with ears_queue(ehd_server) as client:
        await client.call(
            "PUT", f"/api/dids/{ALICES_NUMBER}", {"route_type": "sip_account", "user": "alice"}
        )
        await bob_staffs_another_queue(client)
        await client.call("POST", "/api/agents/bob/login", {"queues": ["ears-bob"]})
        try:
            yield client
        finally:
            await client.call("POST", "/api/agents/bob/logout")


async def _calls_alice(server: EhdProcess, carrier: Carrier) -> tuple[CarrierCall, str, str]:
    """A customer calls alice's own number and speaks their tone once she answers: their
    call, their number and the call's id."""
    number = "+4673" + str(uuid.uuid4().int)[:7]
    caller = await carrier.call(ALICES_NUMBER, caller=number)
    await caller.wait_answered(timeout=20)
    await caller.play(tone(carrier, CALLER_HZ))
    [record] = call_records(server.database, caller_number=number)
    return caller, number, str(record["call_id"])


async def test_a_call_to_an_agents_own_number_is_held_consulted_and_handed_to_bob(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """A customer calls alice's own number. Her console shows the call; she holds it (the
    customer hears music and neither hears the other), files it under the customer's ticket
    from the ticket's page (her console, opened again, still shows the call), resumes,
    consults bob's queue (bob, free there, rings while the customer holds) and completes:
    the customer and bob hear each other, nobody hears alice, who is free again. The call's
    parts name both agents, with alice's hold time."""
    ticket = await api.call("POST", "/api/tickets", {"subject": "Called about an invoice"})
    console = await console_of(ehd_server, "alice")
    try:
        async with (
            headless_chromium() as browser,
            serving(farm, desk_phones_speak(farm)) as phones,
        ):
            page = await browser.new_page()
            await log_in(page, ehd_server, "alice", "/agent")
            await expect(page.locator("#connection")).to_have_text("live")
            caller, number, call_id = await _calls_alice(ehd_server, carrier)
            alice = await answered_by_alice(phones)
            await expect(page.locator("#call-state")).to_have_text("talking", timeout=10_000)
            talking = await ears(caller, alice, f"{call_id}-direct-talk", 4)
            await page.click("#hold")
            await expect(page.locator("#call-state")).to_have_text("on hold")
            on_hold = await ears(caller, alice, f"{call_id}-direct-hold", 6)
            # Meanwhile she files the call under the customer's ticket, from its page; back
            # at her console, it shows the call still on hold.
            await page.goto(f"{ehd_server.web_url}/tickets/{ticket['number']}")
            await page.click("#file-call")
            await expect(page.locator(f'#ticket-calls [data-call="{call_id}"]')).to_be_visible()
            await page.goto(f"{ehd_server.web_url}/agent")
            await expect(page.locator("#call-state")).to_have_text("on hold", timeout=10_000)
            await page.click("#resume")
            await expect(page.locator("#call-state")).to_have_text("talking")
            resumed = await ears(caller, alice, f"{call_id}-direct-resumed", 4)

            consult = await console.call(
                "POST", f"/api/calls/{call_id}/consult", {"queue": "ears-bob"}
            )
            bob = await answered_on(phones, "1002")
            await expect(page.locator("#call-state")).to_have_text("on hold")
            consulting = await ears(alice, bob, f"{call_id}-direct-consult", 4)
            await console.call("POST", f"/api/calls/{call_id}/consult/complete")
            await alice.wait_ended(timeout=10)
            alice_state = await api.call("GET", "/api/agents/alice")
            with_bob = await ears(caller, bob, f"{call_id}-direct-bob", 6)
            await bob.hangup()
            await caller.wait_ended(timeout=10)
    finally:
        await console.close()
    assert consult["call"]["consult"]["agent"] == "bob", consult
    assert_held_then_resumed(talking, on_hold, resumed)
    assert_hears(consulting[0], SECOND_AGENT_HZ, "consulting, alice heard bob")
    assert_hears(consulting[1], AGENT_HZ, "consulting, bob heard alice")
    assert_does_not_hear(consulting[1], CALLER_HZ, "bob heard the held customer early")
    assert_hears(with_bob[0], SECOND_AGENT_HZ, "after the transfer, the customer heard bob")
    assert_hears(with_bob[1], CALLER_HZ, "after the transfer, bob heard the customer")
    assert_does_not_hear(with_bob[0], AGENT_HZ, "after the transfer, the customer heard alice")
    assert alice_state["state"] == "logged_out", alice_state  # on no queue: not made busy
    parts = await parts_of(ehd_server, call_id, 2)
    assert [(p["agent"], p["ended_by"], p["transferred_to"]) for p in parts] == [
        ("alice", "transfer", "agent:bob"),
        ("bob", "hangup", ""),
    ], parts
    assert 6 <= float(str(parts[0]["hold_seconds"])) < 20, parts
    [record] = call_records(ehd_server.database, caller_number=number)
    assert record["agent"] == "bob", record


async def test_the_agents_phone_sends_a_direct_caller_into_a_queue_for_bob(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """Alice, logged in to her queue, takes a call to her own number and presses transfer on
    her phone to bob's extension (a SIP REFER): the customer joins bob's queue kept for him,
    his phone rings, and from his answer the customer and bob hear each other. Alice was busy
    for her queue during the call and is ready once she sent it on."""
    await api.call("POST", "/api/agents/alice/login", {"queues": ["ears"]})
    async with serving(farm, desk_phones_speak(farm, bob_after=1.0)) as phones:
        caller, _number, call_id = await _calls_alice(ehd_server, carrier)
        alice = await answered_by_alice(phones)
        with_alice = await ears(caller, alice, f"{call_id}-direct-refer-alice", 3)
        busy = await api.call("GET", "/api/agents/alice")
        await phone_transfers(farm, ehd_server, alice, "1002")
        await alice.wait_ended(timeout=10)
        bob = await answered_on(phones, "1002")
        ready = await api.call("GET", "/api/agents/alice")
        with_bob = await ears(caller, bob, f"{call_id}-direct-refer-bob", 6)
        await caller.hangup()
    assert busy["state"] == "busy", busy
    assert ready["state"] == "ready", ready
    assert_hears(with_alice[0], AGENT_HZ, "before the transfer, the customer heard alice")
    assert_hears(with_bob[0], SECOND_AGENT_HZ, "after the transfer, the customer heard bob")
    assert_hears(with_bob[1], CALLER_HZ, "after the transfer, bob heard the customer")
    assert_does_not_hear(with_bob[0], AGENT_HZ, "after the transfer, the customer heard alice")
    rows = [line[3:5] for line in queue_log(ehd_server, call_id)]
    assert rows[0][1] == "ENTERQUEUE" and ["bob", "CONNECT"] in rows, rows
    parts = await parts_of(ehd_server, call_id, 2)
    assert [(p["agent"], p["ended_by"], p["transferred_to"]) for p in parts] == [
        ("alice", "transfer", "agent:bob"),
        ("bob", "hangup", ""),
    ], parts
