"""Every path that puts a caller through, checked by ear: each party sends its own tone and
what reaches each side is recorded separately, per second of talk time.

A recording of the call would mix both voices and hide one-way audio (a caller hearing music
on hold while the agent hears them), so these tests never look at one.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import pytest
from playwright.async_api import expect

from ehd.asterisk.instance import SOUNDS_DIR
from tests.harness.api import Api
from tests.harness.audio import contains_prompt
from tests.harness.browser import headless_chromium, log_in
from tests.harness.carrier import Carrier, CarrierCall
from tests.harness.ehd_process import EhdProcess, endpoint_state, queue_log
from tests.harness.phone_farm import PhoneFarm, Policy, serving
from tests.harness.polling import eventually
from tests.harness.records import call_handlings, call_monitorings, call_records
from tests.harness.sockets import udp_listeners
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

pytestmark = pytest.mark.asterisk
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


@pytest.fixture
async def api(ehd_server: EhdProcess, farm: Carrier) -> AsyncIterator[Api]:
    """Queue `ears` on DID 4760 with alice as its only member, logged out."""
    client = await Api.admin(ehd_server)
    await client.call("PUT", f"/api/queues/{QUEUE}", QUEUE_SETTINGS)
    await client.call("PUT", f"/api/queues/{QUEUE}/members/alice", {"penalty": 0})
    await client.call("POST", "/api/agents/alice/logout")
    await client.call("PUT", f"/api/dids/{NUMBER}", {"route_type": "queue", "queue": QUEUE})

    async def online() -> bool:
        return await endpoint_state(ehd_server, "1001") == "online"

    await eventually(online, timeout=15, what="alice's phone registered")
    yield client
    await client.call("POST", "/api/agents/alice/logout")
    await client.close()


def _asterisk_pid(server: EhdProcess) -> int:
    return int((server.data_dir / "asterisk" / "run" / "ehd-asterisk.pid").read_text())


def _rtp_ports(server: EhdProcess) -> range:
    conf = (server.data_dir / "asterisk" / "etc" / "rtp.conf").read_text()
    values = dict(re.findall(r"^(rtpstart|rtpend)\s*=\s*([0-9]+)", conf, re.MULTILINE))
    return range(int(values["rtpstart"]), int(values["rtpend"]) + 1)


def _tone(carrier: Carrier, hz: int) -> str:
    return make_tone(carrier.instance.spec.folder / "tones", hz)


async def _call_in(
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
    await call.play(_tone(carrier, CALLER_HZ))

    async def queued() -> str | None:
        rows = call_records(server.database, caller_number=number)
        if not rows:
            return None
        call_id = str(rows[0]["call_id"])
        return (
            call_id if any(line[4] == "ENTERQUEUE" for line in queue_log(server, call_id)) else None
        )

    return call, await eventually(queued, timeout=20, what="the caller queued")


async def _answered_by_alice(farm: PhoneFarm) -> CarrierCall:
    async def answered() -> CarrierCall | None:
        rings = farm.answered_by("1001")
        return rings[-1].call if rings else None

    return await eventually(answered, timeout=20, what="alice answered")


async def _ears(
    caller: CarrierCall, agent: CarrierCall, name: str, seconds: int = TALK_SECONDS
) -> tuple[Path, Path]:
    """What the caller and the agent each hear over the same talk time."""
    return await asyncio.gather(
        caller.listen(f"ear-caller-{name}", seconds),
        agent.listen(f"ear-agent-{name}", seconds),
    )


async def _console_of(server: EhdProcess, username: str) -> Api:
    """The agent's own web session, as their console uses it."""
    password = next(a.password for a in server.demo_site().accounts if a.username == username)
    return Api(await logged_in_session(server.web_url, username, password))


async def _served_by_alice(
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
    agent_tone = Policy(media=_tone(farm, AGENT_HZ), after=0.3)
    async with serving(farm, {"1001": agent_tone}) as phones:
        await api.call("POST", "/api/agents/alice/login", {"queues": [queue]})
        agent = await _answered_by_alice(phones)
        caller_ear, agent_ear = await _ears(caller, agent, call_id)
        found = during() if during is not None else None
        await (agent if agent_hangs_up else caller).hangup()
    assert_hears(caller_ear, AGENT_HZ, "the caller heard the agent")
    assert_hears(agent_ear, CALLER_HZ, "the agent heard the caller")
    return agent, found


async def test_caller_and_agent_hear_each_other_from_the_answer(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    number = "+4673" + str(uuid.uuid4().int)[:7]
    caller, call_id = await _call_in(ehd_server, carrier, number)
    pid = _asterisk_pid(ehd_server)
    agent, listening = await _served_by_alice(
        api, farm, caller, call_id, during=lambda: udp_listeners(pid)
    )
    assert listening is not None
    # The call's RTP (two legs, RTP and RTCP each) listens on the configured address only.
    rtp = [(host, port) for host, port in listening if port in _rtp_ports(ehd_server)]
    assert len(rtp) >= 4, listening
    assert {host for host, _ in rtp} == {"127.0.0.1"}, rtp
    # Alice's phone showed who called and for which queue, not the queue's own number.
    ringing = next(start.channel for start in farm.events.incoming if start.channel.id == agent.id)
    assert ringing.caller_number == number, ringing
    assert QUEUE in ringing.caller_name, ringing


async def test_a_connect_during_the_position_announcement_stops_it(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """The announcement (about 7 s) starts a second after the caller queues; alice answers in
    the middle of it. Before the fix the caller heard hold music for the whole call."""
    await api.call(
        "PUT", f"/api/queues/{QUEUE}", {"announce_frequency": 30.0, "announce_start_delay": 1.0}
    )
    caller, call_id = await _call_in(ehd_server, carrier)
    await asyncio.sleep(2.0)  # "you are number one in the queue…" is playing now
    await _served_by_alice(api, farm, caller, call_id)
    events = [line[4] for line in queue_log(ehd_server, call_id)]
    assert events[:2] == ["ENTERQUEUE", "CONNECT"], events


async def test_a_caller_who_chose_the_queue_in_a_menu_hears_the_agent(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    menu = {"prompt": "demo-menu", "options": {"1": {"kind": "queue", "target": QUEUE}}}
    await api.call("PUT", "/api/menus/ears-menu", menu)
    await api.call("PUT", "/api/dids/4761", {"route_type": "ivr", "menu": "ears-menu"})
    caller, call_id = await _call_in(ehd_server, carrier, did="4761", keys="1")
    await _served_by_alice(api, farm, caller, call_id)


async def test_a_caller_moved_by_overflow_hears_the_agent_of_the_next_queue(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    await api.call("PUT", "/api/queues/ears-overflow", {**QUEUE_SETTINGS, "number": "4762"})
    await api.call("PUT", "/api/queues/ears-overflow/members/alice", {"penalty": 0})
    await api.call(
        "PUT",
        f"/api/queues/{QUEUE}",
        {"overflow_after": 2.0, "overflow_kind": "queue", "overflow_target": "ears-overflow"},
    )
    caller, call_id = await _call_in(ehd_server, carrier)

    async def moved() -> bool:
        return any(line[4] == "EXITWITHTIMEOUT" for line in queue_log(ehd_server, call_id))

    await eventually(moved, timeout=15, what="the overflow to ears-overflow")
    await _served_by_alice(api, farm, caller, call_id, "ears-overflow")


async def test_a_caller_who_stays_for_the_survey_heard_the_agent_then_the_survey(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    question = {"id": "csat", "prompt": "survey-question-csat", "low": 1, "high": 5}
    await api.call("PUT", "/api/surveys/ears-survey", {"questions": [question]})
    await api.call("PUT", f"/api/queues/{QUEUE}", {"survey": "ears-survey"})
    caller, call_id = await _call_in(ehd_server, carrier)
    try:
        await _served_by_alice(api, farm, caller, call_id, agent_hangs_up=True)
        # Long enough for a loaded machine (four workers on two cores once started the
        # survey more than four seconds after the hang-up, and once later than seven); a
        # survey never played still fails.
        after = await caller.listen(f"ear-survey-{call_id}", 16)
    finally:
        await caller.hangup()
        await api.call("PUT", f"/api/queues/{QUEUE}", {"survey": None})
    heard, _ = contains_prompt(after, SOUNDS_DIR / "en" / "survey-intro.wav", max_lag_seconds=11)
    assert heard > 0.8, f"the survey was not heard after the agent hung up ({heard:.2f})"


async def test_hold_gives_the_caller_music_and_resume_brings_both_back(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """Alice holds from her console in the browser: for the hold neither hears the other and
    the caller hears the queue's music; after resume both hear each other again. Bob, not on
    the call, may not hold it; the record keeps hold time apart from talk time."""
    number = "+4673" + str(uuid.uuid4().int)[:7]
    caller, call_id = await _call_in(ehd_server, carrier, number)
    bob = await _console_of(ehd_server, "bob")
    agent_tone = Policy(media=_tone(farm, AGENT_HZ), after=0.3)
    try:
        async with headless_chromium() as browser, serving(farm, {"1001": agent_tone}) as phones:
            page = await browser.new_page()
            await log_in(page, ehd_server, "alice", "/agent")
            await expect(page.locator("#connection")).to_have_text("live")
            await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
            agent = await _answered_by_alice(phones)
            await expect(page.locator("#call-state")).to_have_text("talking", timeout=10_000)
            await expect(page.locator("#call-waited")).to_have_text(re.compile(r"^0:[0-5]\d$"))
            talking = await _ears(caller, agent, f"{call_id}-talk", 5)
            # the duration runs in the page: at least the five seconds just heard
            await expect(page.locator("#call-duration")).to_have_text(
                re.compile(r"^0:(0[5-9]|[1-5]\d)$")
            )
            async with bob.session.post(f"/api/calls/{call_id}/hold", json={}) as refused:
                assert refused.status == 403, await refused.text()
            await page.click("#hold")
            await expect(page.locator("#call-state")).to_have_text("on hold")
            on_hold = await _ears(caller, agent, f"{call_id}-hold", 7)
            await page.click("#resume")
            await expect(page.locator("#call-state")).to_have_text("talking")
            await expect(page.locator("#call-hold")).to_contain_text("on hold for")
            after = await _ears(caller, agent, f"{call_id}-resumed", 5)
            await caller.hangup()
            await expect(page.locator("#call-controls")).to_be_hidden(timeout=10_000)
    finally:
        await bob.close()
    assert_hears(talking[0], AGENT_HZ, "before the hold, the caller heard the agent")
    assert_hears(talking[1], CALLER_HZ, "before the hold, the agent heard the caller")
    assert_does_not_hear(on_hold[0], AGENT_HZ, "the held caller heard the agent")
    assert_does_not_hear(on_hold[1], CALLER_HZ, "the agent heard the held caller")
    music = sounding_per_second(on_hold[0])
    assert music.share >= 0.6, f"the held caller heard no music: {music.timeline()}"
    assert_hears(after[0], AGENT_HZ, "after resume, the caller heard the agent")
    assert_hears(after[1], CALLER_HZ, "after resume, the agent heard the caller")

    async def closed() -> dict[str, object] | None:
        rows = call_records(ehd_server.database, caller_number=number)
        return rows[0] if rows and rows[0]["hold_seconds"] is not None else None

    record = await eventually(closed, timeout=10, what="the call record closed")
    hold, talk = float(str(record["hold_seconds"])), float(str(record["talk_seconds"]))
    assert 7 <= hold < 20 and talk >= 10, record


async def test_a_blind_transfer_from_the_console_puts_the_caller_through_to_bob(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """Alice hands the caller to bob from her console in the browser: bob's phone rings (he
    staffs another queue), and from his answer the caller and bob hear each other and nobody
    hears alice, whose phone is hung up. queue_log and the call's parts name both agents."""
    await api.call("PUT", "/api/queues/ears-bob", {**QUEUE_SETTINGS, "number": "4763"})
    await api.call("PUT", "/api/queues/ears-bob/members/bob", {"penalty": 0})
    caller, call_id = await _call_in(ehd_server, carrier)
    phones_speak = {
        "1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3),
        "1002": Policy(media=_tone(farm, SECOND_AGENT_HZ), after=0.3),
    }
    try:
        async with headless_chromium() as browser, serving(farm, phones_speak) as phones:
            page = await browser.new_page()
            await log_in(page, ehd_server, "alice", "/agent")
            await expect(page.locator("#connection")).to_have_text("live")
            await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
            alice = await _answered_by_alice(phones)
            await expect(page.locator("#call-state")).to_have_text("talking", timeout=10_000)
            await api.call("POST", "/api/agents/bob/login", {"queues": ["ears-bob"]})
            with_alice = await _ears(caller, alice, f"{call_id}-alice", 4)
            await page.click("#transfer")
            await page.select_option("#transfer-target", "agent:bob")
            await page.click("#transfer-form button[type=submit]")
            await expect(page.locator("#message")).to_have_text("Transferred.")
            await expect(page.locator("#call-controls")).to_be_hidden(timeout=10_000)
            await alice.wait_ended(timeout=10)

            async def answered_by_bob() -> CarrierCall | None:
                rings = phones.answered_by("1002")
                return rings[-1].call if rings else None

            bob = await eventually(answered_by_bob, timeout=20, what="bob answered")
            with_bob = await _ears(caller, bob, f"{call_id}-bob", TALK_SECONDS)
            await caller.hangup()
    finally:
        await api.call("POST", "/api/agents/bob/logout")
    assert_hears(with_alice[0], AGENT_HZ, "before the transfer, the caller heard alice")
    assert_hears(with_alice[1], CALLER_HZ, "before the transfer, alice heard the caller")
    assert_hears(with_bob[0], SECOND_AGENT_HZ, "after the transfer, the caller heard bob")
    assert_hears(with_bob[1], CALLER_HZ, "after the transfer, bob heard the caller")
    assert_does_not_hear(with_bob[0], AGENT_HZ, "the caller still heard alice")
    assert_does_not_hear(with_bob[1], AGENT_HZ, "bob heard alice")
    rows = [(line[3], line[4], line[5]) for line in queue_log(ehd_server, call_id)]
    assert ("alice", "BLINDTRANSFER", "bob") in rows, rows
    assert rows.index(("alice", "BLINDTRANSFER", "bob")) < next(
        n for n, row in enumerate(rows) if row[:2] == ("bob", "CONNECT")
    ), rows

    async def both_parts() -> list[dict[str, object]] | None:
        parts = call_handlings(ehd_server.database, call_id)
        return parts if len(parts) == 2 else None

    parts = await eventually(both_parts, timeout=10, what="both agents' parts recorded")
    assert [(p["agent"], p["ended_by"], p["transferred_to"]) for p in parts] == [
        ("alice", "transfer", "agent:bob"),
        ("bob", "hangup", ""),
    ], parts


async def test_an_attended_transfer_consults_switches_and_completes_by_ear(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """Alice consults bob from her console while the caller holds, switches back to the caller
    and over to bob again, then completes: each step is checked by what each of the three
    hears, and at the end the caller and bob talk and nobody hears alice."""
    await api.call("PUT", "/api/queues/ears-bob", {**QUEUE_SETTINGS, "number": "4763"})
    await api.call("PUT", "/api/queues/ears-bob/members/bob", {"penalty": 0})
    caller, call_id = await _call_in(ehd_server, carrier)
    phones_speak = {
        "1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3),
        "1002": Policy(media=_tone(farm, SECOND_AGENT_HZ), after=0.3),
    }

    async def ears(alice: CarrierCall, bob: CarrierCall, name: str) -> tuple[Path, ...]:
        return tuple(
            await asyncio.gather(
                caller.listen(f"ear-caller-{call_id}-{name}", 5),
                alice.listen(f"ear-alice-{call_id}-{name}", 5),
                bob.listen(f"ear-bob-{call_id}-{name}", 5),
            )
        )

    try:
        async with headless_chromium() as browser, serving(farm, phones_speak) as phones:
            page = await browser.new_page()
            await log_in(page, ehd_server, "alice", "/agent")
            await expect(page.locator("#connection")).to_have_text("live")
            await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
            alice = await _answered_by_alice(phones)
            await expect(page.locator("#call-state")).to_have_text("talking", timeout=10_000)
            await api.call("POST", "/api/agents/bob/login", {"queues": ["ears-bob"]})
            await page.click("#transfer")
            await page.select_option("#transfer-target", "agent:bob")
            await page.click("#consult")

            async def answered_by_bob() -> CarrierCall | None:
                rings = phones.answered_by("1002")
                return rings[-1].call if rings else None

            bob = await eventually(answered_by_bob, timeout=20, what="bob answered")
            state = page.locator("#consult-state")
            await expect(state).to_have_text("talking to the colleague", timeout=10_000)
            consulting = await ears(alice, bob, "consult")
            await page.click("#consult-toggle")
            await expect(state).to_have_text("talking to the customer")
            switched = await ears(alice, bob, "switched")
            await page.click("#consult-toggle")
            await expect(state).to_have_text("talking to the colleague")
            await page.click("#consult-complete")
            await expect(page.locator("#call-controls")).to_be_hidden(timeout=10_000)
            await alice.wait_ended(timeout=10)
            done = await asyncio.gather(
                caller.listen(f"ear-caller-{call_id}-done", TALK_SECONDS),
                bob.listen(f"ear-bob-{call_id}-done", TALK_SECONDS),
            )
            await caller.hangup()
    finally:
        await api.call("POST", "/api/agents/bob/logout")
    caller_ear, alice_ear, bob_ear = consulting
    assert_hears(alice_ear, SECOND_AGENT_HZ, "consulting, alice heard bob")
    assert_hears(bob_ear, AGENT_HZ, "consulting, bob heard alice")
    assert_does_not_hear(caller_ear, AGENT_HZ, "the held caller heard alice")
    assert_does_not_hear(caller_ear, SECOND_AGENT_HZ, "the held caller heard bob")
    assert_does_not_hear(bob_ear, CALLER_HZ, "bob heard the held caller")
    caller_ear, alice_ear, bob_ear = switched
    assert_hears(caller_ear, AGENT_HZ, "switched back, the caller heard alice")
    assert_hears(alice_ear, CALLER_HZ, "switched back, alice heard the caller")
    assert_does_not_hear(alice_ear, SECOND_AGENT_HZ, "switched back, alice still heard bob")
    assert_does_not_hear(bob_ear, AGENT_HZ, "the held bob heard alice")
    assert_does_not_hear(bob_ear, CALLER_HZ, "the held bob heard the caller")
    assert_hears(done[0], SECOND_AGENT_HZ, "after the transfer, the caller heard bob")
    assert_hears(done[1], CALLER_HZ, "after the transfer, bob heard the caller")
    assert_does_not_hear(done[0], AGENT_HZ, "after the transfer, the caller heard alice")
    rows = [(line[3], line[4]) for line in queue_log(ehd_server, call_id)]
    assert ("alice", "ATTENDEDTRANSFER") in rows and ("bob", "COMPLETECALLER") in rows, rows


async def test_a_supervisor_listens_unheard_then_whispers_to_the_agent_only(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """Bob (given the monitor permission on his user page) listens to alice's call on his own
    phone: he hears both and nobody hears him. Then he whispers: alice hears him, the caller
    does not. Both sessions are on record."""
    caller, call_id = await _call_in(ehd_server, carrier)
    phones_speak = {
        "1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3),
        "1002": Policy(media=_tone(farm, SECOND_AGENT_HZ), after=0.3),
    }
    bob_web = await _console_of(ehd_server, "bob")
    monitor = "select[name='perm:calls.monitor']"
    async with headless_chromium() as browser, serving(farm, phones_speak) as phones:
        page = await browser.new_page()
        await log_in(page, ehd_server, "admin", "/admin/users/bob")
        await page.select_option(monitor, "grant")
        await page.click("form[action='/admin/users/bob'] button[type=submit]")
        await expect(page.locator("p.ok")).to_be_visible()
        try:
            await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
            alice = await _answered_by_alice(phones)

            async def bob_answers(count: int) -> CarrierCall:
                async def answered() -> CarrierCall | None:
                    rings = phones.answered_by("1002")
                    return rings[-1].call if len(rings) >= count else None

                found = await eventually(answered, timeout=20, what="bob's phone answered")
                await asyncio.sleep(1.5)  # the snoop joins his bridge
                return found

            heard: dict[str, tuple[Path, ...]] = {}
            for count, mode in enumerate(("listen", "whisper"), start=1):
                async with bob_web.session.post(
                    f"/api/calls/{call_id}/monitor", json={"mode": mode}
                ) as asked:
                    assert asked.status == 202, await asked.text()
                bob = await bob_answers(count)
                heard[mode] = tuple(
                    await asyncio.gather(
                        caller.listen(f"ear-caller-{call_id}-{mode}", 5),
                        alice.listen(f"ear-alice-{call_id}-{mode}", 5),
                        bob.listen(f"ear-bob-{call_id}-{mode}", 5),
                    )
                )
                await bob.hangup()
            await caller.hangup()
        finally:
            await page.goto(f"{ehd_server.web_url}/admin/users/bob")
            await page.select_option(monitor, "")
            await page.click("form[action='/admin/users/bob'] button[type=submit]")
            await bob_web.close()
    caller_ear, alice_ear, bob_ear = heard["listen"]
    both = 0.25  # each of two voices heard together holds about half of what bob hears
    assert_hears(bob_ear, CALLER_HZ, "listening, bob heard the caller", dominance=both)
    assert_hears(bob_ear, AGENT_HZ, "listening, bob heard alice", dominance=both)
    unheard = {"dominance": both}  # bob's voice would be one of two: look for it as such
    assert_does_not_hear(caller_ear, SECOND_AGENT_HZ, "the caller heard bob listening", **unheard)
    assert_does_not_hear(alice_ear, SECOND_AGENT_HZ, "alice heard bob listening", **unheard)
    assert_hears(caller_ear, AGENT_HZ, "listened to, the caller still heard alice")
    caller_ear, alice_ear, bob_ear = heard["whisper"]
    assert_hears(alice_ear, SECOND_AGENT_HZ, "alice heard bob's whisper", dominance=both)
    assert_hears(alice_ear, CALLER_HZ, "whispered to, alice heard the caller", dominance=both)
    assert_does_not_hear(caller_ear, SECOND_AGENT_HZ, "the caller heard bob's whisper", **unheard)
    assert_hears(bob_ear, CALLER_HZ, "whispering, bob heard the caller", dominance=both)

    async def both_ended() -> list[dict[str, object]] | None:
        rows = call_monitorings(ehd_server.database, call_id)
        return rows if len(rows) == 2 and all(r["ended_at"] for r in rows) else None

    rows = await eventually(both_ended, timeout=10, what="both monitoring sessions recorded")
    assert [(r["supervisor"], r["agent"], r["mode"]) for r in rows] == [
        ("bob", "alice", "listen"),
        ("bob", "alice", "whisper"),
    ]


async def test_a_three_way_conference_then_the_agent_leaves_by_hanging_up(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """Alice consults bob and joins all three: each hears the other two. Alice hangs up her
    phone: the caller and bob go on hearing each other, and alice is free."""
    await api.call("PUT", "/api/queues/ears-bob", {**QUEUE_SETTINGS, "number": "4763"})
    await api.call("PUT", "/api/queues/ears-bob/members/bob", {"penalty": 0})
    caller, call_id = await _call_in(ehd_server, carrier)
    phones_speak = {
        "1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3),
        "1002": Policy(media=_tone(farm, SECOND_AGENT_HZ), after=0.3),
    }
    try:
        async with headless_chromium() as browser, serving(farm, phones_speak) as phones:
            page = await browser.new_page()
            await log_in(page, ehd_server, "alice", "/agent")
            await expect(page.locator("#connection")).to_have_text("live")
            await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
            alice = await _answered_by_alice(phones)
            await expect(page.locator("#call-state")).to_have_text("talking", timeout=10_000)
            await api.call("POST", "/api/agents/bob/login", {"queues": ["ears-bob"]})
            await page.click("#transfer")
            await page.select_option("#transfer-target", "agent:bob")
            await page.click("#consult")
            state = page.locator("#consult-state")
            await expect(state).to_have_text("talking to the colleague", timeout=20_000)
            bob = phones.answered_by("1002")[-1].call
            await page.click("#consult-join")
            await expect(state).to_have_text("all three talking")
            together = await asyncio.gather(
                caller.listen(f"ear-caller-{call_id}-conf", 5),
                alice.listen(f"ear-alice-{call_id}-conf", 5),
                bob.listen(f"ear-bob-{call_id}-conf", 5),
            )
            await alice.hangup()
            await expect(page.locator("#call-controls")).to_be_hidden(timeout=10_000)
            after = await asyncio.gather(
                caller.listen(f"ear-caller-{call_id}-left", 5),
                bob.listen(f"ear-bob-{call_id}-left", 5),
            )
            alice_state = await api.call("GET", "/api/agents/alice")
            await caller.hangup()
    finally:
        await api.call("POST", "/api/agents/bob/logout")
    two = 0.25  # each hears two voices at once
    caller_ear, alice_ear, bob_ear = together
    assert_hears(caller_ear, AGENT_HZ, "in the conference, the caller heard alice", dominance=two)
    assert_hears(caller_ear, SECOND_AGENT_HZ, "the caller heard bob", dominance=two)
    assert_hears(alice_ear, CALLER_HZ, "alice heard the caller", dominance=two)
    assert_hears(alice_ear, SECOND_AGENT_HZ, "alice heard bob", dominance=two)
    assert_hears(bob_ear, CALLER_HZ, "bob heard the caller", dominance=two)
    assert_hears(bob_ear, AGENT_HZ, "bob heard alice", dominance=two)
    assert_hears(after[0], SECOND_AGENT_HZ, "after alice left, the caller heard bob")
    assert_hears(after[1], CALLER_HZ, "after alice left, bob heard the caller")
    assert alice_state["state"] in ("ready", "wrap_up"), alice_state


async def test_a_transfer_from_the_agents_phone_puts_the_caller_through_to_bob(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """Alice presses transfer on her phone and dials bob's extension (a SIP REFER): the caller
    is put through to bob, the same way as from the console."""
    await api.call("PUT", "/api/queues/ears-bob", {**QUEUE_SETTINGS, "number": "4763"})
    await api.call("PUT", "/api/queues/ears-bob/members/bob", {"penalty": 0})
    caller, call_id = await _call_in(ehd_server, carrier)
    phones_speak = {
        "1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3),
        "1002": Policy(media=_tone(farm, SECOND_AGENT_HZ), after=0.3),
    }
    try:
        async with serving(farm, phones_speak) as phones:
            await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
            alice = await _answered_by_alice(phones)
            await api.call("POST", "/api/agents/bob/login", {"queues": ["ears-bob"]})
            await asyncio.sleep(2.0)  # talking
            # Alice's phone sends REFER with Refer-To: sip:1002@ehd (her transfer key).
            await alice.stop_playing()  # else the farm runs the request after her tone
            to_bob = f"PJSIP/sip:1002@127.0.0.1:{ehd_server.sip_port}"
            await farm.ari.request("POST", f"channels/{alice.id}/redirect", {"endpoint": to_bob})

            async def answered_by_bob() -> CarrierCall | None:
                rings = phones.answered_by("1002")
                return rings[-1].call if rings else None

            bob = await eventually(answered_by_bob, timeout=20, what="bob answered")
            with_bob = await _ears(caller, bob, f"{call_id}-refer", 6)
            await caller.hangup()
    finally:
        await api.call("POST", "/api/agents/bob/logout")
    assert_hears(with_bob[0], SECOND_AGENT_HZ, "after the REFER, the caller heard bob")
    assert_hears(with_bob[1], CALLER_HZ, "after the REFER, bob heard the caller")
    assert_does_not_hear(with_bob[0], AGENT_HZ, "after the REFER, the caller heard alice")
    rows = [(line[3], line[4], line[5]) for line in queue_log(ehd_server, call_id)]
    assert ("alice", "BLINDTRANSFER", "bob") in rows, rows


async def test_a_transfer_from_the_phone_to_a_number_of_ours_follows_its_route(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """Alice's phone transfers the caller to one of our numbers that rings bob's desk phone
    (bob is not logged in to any queue): the call leaves the queue, bob's phone rings, and
    from his answer the caller and bob hear each other and nobody hears alice."""
    await api.call("PUT", "/api/dids/4764", {"route_type": "sip_account", "user": "bob"})
    caller, call_id = await _call_in(ehd_server, carrier)
    phones_speak = {
        "1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3),
        "1002": Policy(media=_tone(farm, SECOND_AGENT_HZ), after=1.0),
    }
    async with serving(farm, phones_speak) as phones:
        await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
        alice = await _answered_by_alice(phones)
        await asyncio.sleep(2.0)  # talking
        await alice.stop_playing()  # else the farm runs the request after her tone
        to_route = f"PJSIP/sip:4764@127.0.0.1:{ehd_server.sip_port}"
        await farm.ari.request("POST", f"channels/{alice.id}/redirect", {"endpoint": to_route})

        async def answered_by_bob() -> CarrierCall | None:
            rings = phones.answered_by("1002")
            return rings[-1].call if rings else None

        bob = await eventually(answered_by_bob, timeout=20, what="bob answered")
        state = await api.call("GET", "/api/agents/alice")
        with_bob = await _ears(caller, bob, f"{call_id}-route", 6)
        await caller.hangup()
    assert state["state"] == "ready", state
    assert_hears(with_bob[0], SECOND_AGENT_HZ, "after the transfer, the caller heard bob")
    assert_hears(with_bob[1], CALLER_HZ, "after the transfer, bob heard the caller")
    assert_does_not_hear(with_bob[0], AGENT_HZ, "after the transfer, the caller heard alice")
    rows = [line[3:7] for line in queue_log(ehd_server, call_id)]
    assert ["alice", "BLINDTRANSFER", "4764", "route"] in rows, rows


async def test_an_attended_transfer_from_the_agents_phone_puts_the_caller_through_to_bob(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """Alice's phone calls bob's extension while the caller waits, then transfers (a REFER
    that replaces that call, as a desk phone's consultation does): both of alice's calls end,
    the caller and bob hear each other and nobody hears alice."""
    caller, call_id = await _call_in(ehd_server, carrier)
    phones_speak = {
        "1001": Policy(media=_tone(farm, AGENT_HZ), after=0.3),
        "1002": Policy(media=_tone(farm, SECOND_AGENT_HZ), after=0.5),
    }
    async with serving(farm, phones_speak) as phones:
        await api.call("POST", "/api/agents/alice/login", {"queues": [QUEUE]})
        alice = await _answered_by_alice(phones)
        await asyncio.sleep(1.0)  # talking
        consulting = await farm.dial_from("1001", "1002")  # the phone's second line
        await consulting.wait_answered(timeout=20)

        async def answered_by_bob() -> CarrierCall | None:
            rings = phones.answered_by("1002")
            return rings[-1].call if rings else None

        bob = await eventually(answered_by_bob, timeout=20, what="bob answered")
        dialog = {  # the consultation's SIP dialog, as alice's phone knows it
            name: (await farm.ari.request("GET", f"channels/{consulting.id}/variable",
                                          {"variable": f"CHANNEL(pjsip,{name})"}))["value"]
            for name in ("call-id", "local_tag", "remote_tag")
        }  # fmt: skip
        replaces = quote(
            f"{dialog['call-id']};to-tag={dialog['remote_tag']};from-tag={dialog['local_tag']}",
            safe="",
        )
        await alice.stop_playing()  # else the farm runs the request after her tone
        target = f"PJSIP/sip:1002@127.0.0.1:{ehd_server.sip_port}?Replaces={replaces}"
        await farm.ari.request("POST", f"channels/{alice.id}/redirect", {"endpoint": target})
        await alice.wait_ended(timeout=10)
        await consulting.wait_ended(timeout=10)
        state = await api.call("GET", "/api/agents/alice")
        with_bob = await _ears(caller, bob, f"{call_id}-attended-refer", 6)
        await caller.hangup()
        await bob.wait_ended(timeout=10)
    assert state["state"] == "ready", state
    assert_hears(with_bob[0], SECOND_AGENT_HZ, "after the transfer, the caller heard bob")
    assert_hears(with_bob[1], CALLER_HZ, "after the transfer, bob heard the caller")
    assert_does_not_hear(with_bob[0], AGENT_HZ, "after the transfer, the caller heard alice")
    rows = [line[3:6] for line in queue_log(ehd_server, call_id)]
    assert ["alice", "ATTENDEDTRANSFER", "BRIDGE"] in rows, rows
    [part] = call_handlings(ehd_server.database, call_id)
    assert (part["agent"], part["transferred_to"]) == ("alice", "extension:1002"), part
