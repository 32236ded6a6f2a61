"""Shared by the scenarios that check, by ear, who hears whom: the `ears` queue, a caller who
speaks their own tone from the answer, alice answering with hers, and what each side hears
over the same talk time.

A recording of the call would mix both voices and hide one-way audio (a caller hearing music
on hold while the agent hears them), so these scenarios never look at one.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import aiohttp
from playwright.async_api import Page, expect

from tests.harness.api import Api
from tests.harness.browser import headless_chromium, log_in
from tests.harness.carrier import Carrier, CarrierCall
from tests.harness.ehd_process import EhdProcess, endpoint_state, entered_queue
from tests.harness.phone_farm import PhoneFarm, Policy, serving
from tests.harness.polling import eventually
from tests.harness.records import call_handlings
from tests.harness.tones import (
    AGENT_HZ,
    CALLER_HZ,
    SECOND_AGENT_HZ,
    assert_does_not_hear,
    assert_hears,
    make_tone,
    sounding_per_second,
)
from tests.harness.web_client import logged_in_session

T = TypeVar("T")

QUEUE = "ears"
NUMBER = "4760"
TALK_SECONDS = 10
QUEUE_SETTINGS = {
    "number": NUMBER,
    "ring_timeout": 8.0,
    "wrapup_seconds": 0.0,
    "announce_frequency": 0.0,
    "overflow_after": None,
    "overflow_kind": "",
    "overflow_target": "",
    "join_when": "always",
    "leave_when": "always",
}


@asynccontextmanager
async def ears_queue(ehd_server: EhdProcess) -> AsyncIterator[Api]:
    """Queue `ears` on DID 4760 with alice as its only member, logged out; an admin's API."""
    client = await Api.admin(ehd_server)
    await client.call("PUT", f"/api/queues/{QUEUE}", QUEUE_SETTINGS)
    await client.call("PUT", f"/api/queues/{QUEUE}/members/alice", {"penalty": 0})
    await client.call("POST", "/api/agents/alice/logout")
    await client.call("PUT", f"/api/dids/{NUMBER}", {"route_type": "queue", "queue": QUEUE})

    async def online() -> bool:
        return await endpoint_state(ehd_server, "1001") == "online"

    await eventually(online, timeout=15, what="alice's phone registered")
    try:
        yield client
    finally:
        try:  # leave the shared ehd as found (unless the test killed its ehd)
            with contextlib.suppress(aiohttp.ClientConnectorError):
                await client.call("POST", "/api/agents/alice/logout")
        finally:
            await client.close()


def tone(carrier: Carrier, hz: int) -> str:
    return make_tone(carrier.instance.spec.folder / "tones", hz)


async def call_in(
    server: EhdProcess, carrier: Carrier, number: str = "", did: str = NUMBER, keys: str = ""
) -> tuple[CarrierCall, str]:
    """A caller who speaks (their tone) from the moment ehd answers, after pressing ``keys``
    (a menu choice) if any; the call and its id once it is queued."""
    number = number or "+4673" + str(uuid.uuid4().int)[:7]
    call = await carrier.call(did, caller=number)
    await call.wait_answered()
    if keys:  # before the tone: the carrier's channel runs its commands one after the other
        await asyncio.sleep(2.0)
        await call.send_dtmf(keys)
    await call.play(tone(carrier, CALLER_HZ))

    async def queued() -> str | None:
        return entered_queue(server, number)

    return call, await eventually(queued, timeout=20, what="the caller queued")


async def answered_on(farm: PhoneFarm, extension: str) -> CarrierCall:
    """The call the desk phone ``extension`` answered last, once it has."""

    async def answered() -> CarrierCall | None:
        rings = farm.answered_by(extension)
        return rings[-1].call if rings else None

    return await eventually(answered, timeout=20, what=f"{extension} answered")


async def answered_by_alice(farm: PhoneFarm) -> CarrierCall:
    return await answered_on(farm, "1001")


def desk_phones_speak(farm: Carrier, bob_after: float = 0.3) -> dict[str, Policy]:
    """Alice's phone (1001) answers with her tone, bob's (1002) with his."""
    return {
        "1001": Policy(media=tone(farm, AGENT_HZ), after=0.3),
        "1002": Policy(media=tone(farm, SECOND_AGENT_HZ), after=bob_after),
    }


async def phone_transfers(
    farm: Carrier, server: EhdProcess, call: CarrierCall, refer_to: str, replaces: str = ""
) -> None:
    """The farm phone on ``call`` presses transfer: a SIP REFER to ``refer_to`` (a user
    part), with ``replaces`` (escaped) for an attended transfer."""
    await call.stop_playing()  # else the farm runs the request after the phone's tone
    headers = f"?Replaces={replaces}" if replaces else ""
    target = f"PJSIP/sip:{refer_to}@127.0.0.1:{server.sip_port}{headers}"
    await farm.ari.request("POST", f"channels/{call.id}/redirect", {"endpoint": target})


async def ears(
    caller: CarrierCall, agent: CarrierCall, name: str, seconds: int = TALK_SECONDS
) -> tuple[Path, Path]:
    """What the caller and the agent each hear over the same talk time."""
    return await asyncio.gather(
        caller.listen(f"ear-caller-{name}", seconds),
        agent.listen(f"ear-agent-{name}", seconds),
    )


async def console_of(server: EhdProcess, username: str) -> Api:
    """The agent's own web session, as their console uses it."""
    password = next(a.password for a in server.demo_site().accounts if a.username == username)
    return Api(await logged_in_session(server.web_url, username, password))


async def served_by_alice(
    api: Api,
    farm: Carrier,
    caller: CarrierCall,
    call_id: str,
    queue: str = QUEUE,
    during: Callable[[], T] | None = None,
    agent_hangs_up: bool = False,
) -> tuple[CarrierCall, T | None]:
    """Alice logs in and answers, speaking her tone; both ears are checked over the talk time,
    then the caller hangs up (or alice does). Her call, and what ``during`` found while they
    talked."""
    agent_tone = Policy(media=tone(farm, AGENT_HZ), after=0.3)
    async with serving(farm, {"1001": agent_tone}) as phones:
        await api.call("POST", "/api/agents/alice/login", {"queues": [queue]})
        agent = await answered_by_alice(phones)
        caller_ear, agent_ear = await ears(caller, agent, call_id)
        found = during() if during is not None else None
        await (agent if agent_hangs_up else caller).hangup()
    assert_hears(caller_ear, AGENT_HZ, "the caller heard the agent")
    assert_hears(agent_ear, CALLER_HZ, "the agent heard the caller")
    return agent, found


async def bob_staffs_another_queue(api: Api) -> None:
    """Queue `ears-bob` (DID 4763) with bob as its only member: where a transfer reaches him."""
    await api.call("PUT", "/api/queues/ears-bob", {**QUEUE_SETTINGS, "number": "4763"})
    await api.call("PUT", "/api/queues/ears-bob/members/bob", {"penalty": 0})


@asynccontextmanager
async def alice_answers_at_her_console(
    server: EhdProcess, api: Api, farm: Carrier, *, bob_ready: bool = True
) -> AsyncIterator[tuple[Page, PhoneFarm, CarrierCall]]:
    """Alice's console open in the browser and her phone answering the waiting caller, each
    desk phone speaking its agent's tone; unless not ``bob_ready``, bob logged in to
    `ears-bob` (and out afterwards). Her page, the phones and her call."""
    if bob_ready:
        await bob_staffs_another_queue(api)
    try:
        async with headless_chromium() as browser, serving(farm, desk_phones_speak(farm)) as phones:
            page = await browser.new_page()
            await log_in(page, server, "alice", "/agent")
            await expect(page.locator("#connection")).to_have_text("live")
            await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
            alice = await answered_by_alice(phones)
            await expect(page.locator("#call-state")).to_have_text("talking", timeout=10_000)
            if bob_ready:
                await api.call("POST", "/api/agents/bob/login", {"queues": ["ears-bob"]})
            yield page, phones, alice
    finally:
        if bob_ready:
            await api.call("POST", "/api/agents/bob/logout")


Ears = tuple[Path, Path]  # what the customer heard, what the agent heard


def assert_held_then_resumed(
    talking: Ears, on_hold: Ears, resumed: Ears, customer_hz: int = CALLER_HZ
) -> None:
    """Before the hold the customer and the agent hear each other; on hold neither hears the
    other and the customer hears music; after resume both hear each other again."""
    assert_hears(talking[0], AGENT_HZ, "before the hold, the customer heard the agent")
    assert_hears(talking[1], customer_hz, "before the hold, the agent heard the customer")
    assert_does_not_hear(on_hold[0], AGENT_HZ, "the held customer heard the agent")
    assert_does_not_hear(on_hold[1], customer_hz, "the agent heard the held customer")
    music = sounding_per_second(on_hold[0])
    assert music.share >= 0.6, f"the held customer heard no music: {music.timeline()}"
    assert_hears(resumed[0], AGENT_HZ, "after resume, the customer heard the agent")
    assert_hears(resumed[1], customer_hz, "after resume, the agent heard the customer")


async def parts_of(server: EhdProcess, call_id: str, count: int) -> list[dict[str, object]]:
    """The call's agents' parts, once there are ``count`` of them."""

    async def recorded() -> list[dict[str, object]] | None:
        parts = call_handlings(server.database, call_id)
        return parts if len(parts) == count else None

    return await eventually(recorded, timeout=10, what=f"{count} agents' parts recorded")
