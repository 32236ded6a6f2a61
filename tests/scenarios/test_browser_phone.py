"""The browser phone over real WebRTC: an agent's phone window in headless Chromium, served
over ehd's HTTPS with its own certificate, registers over the relayed websocket; a carrier
call through a queue rings it, and each side hears the other's tone (the carrier records what
the caller hears; the page analyses what its own phone plays). Hold, mute and hang-up act on
the call; the phone registers again by itself after Asterisk restarts.

The browser's microphone is a tone file (Chromium's fake capture device), so the agent speaks
AGENT_HZ and the caller CALLER_HZ, as in :mod:`tests.scenarios.ears`.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from ehd.ari.events import ChannelDtmfReceived
from tests.harness.api import Api
from tests.harness.browser import headless_chromium, log_in, speaking_chromium_flags
from tests.harness.carrier import Carrier, CarrierCall
from tests.harness.ehd_process import EhdProcess, endpoint_state, queue_log
from tests.harness.page_ear import assert_page_does_not_hear, assert_page_hears, page_hears
from tests.harness.phone_farm import Policy, serving
from tests.harness.polling import eventually
from tests.harness.records import call_records
from tests.harness.tones import (
    AGENT_HZ,
    CALLER_HZ,
    SECOND_AGENT_HZ,
    Heard,
    assert_does_not_hear,
    assert_hears,
    make_tone,
    sounding_per_second,
    tone_file,
)
from tests.harness.web_client import add_user_with_phone
from tests.scenarios.ears import QUEUE_SETTINGS, answered_on, call_in

pytestmark = pytest.mark.asterisk

AGENT = "wendy"
EXTENSION = "1050"
PASSWORD = "carol-pass-1"  # what add_user_with_phone gives
QUEUE = "browser"
NUMBER = "4770"
SECONDS = 8


@pytest.fixture
async def api(ehd_server: EhdProcess) -> AsyncIterator[Api]:
    """Queue `browser` on DID 4770 with wendy (extension 1050, no desk phone) its only member."""
    client = await Api.admin(ehd_server)
    async with client.session.get(f"/admin/users/{AGENT}") as found:
        if found.status == 404:
            await add_user_with_phone(ehd_server, AGENT, EXTENSION)
    await client.call("PUT", f"/api/queues/{QUEUE}", {**QUEUE_SETTINGS, "number": NUMBER})
    await client.call("PUT", f"/api/queues/{QUEUE}/members/{AGENT}", {"penalty": 0})
    await client.call("PUT", f"/api/dids/{NUMBER}", {"route_type": "queue", "queue": QUEUE})
    try:
        yield client
    finally:
        await client.call("POST", f"/api/agents/{AGENT}/logout")
        await client.close()


@asynccontextmanager
async def phone_window(server: EhdProcess, folder: Path) -> AsyncIterator[Page]:
    """Wendy's phone window over HTTPS, switched to the browser phone and registered."""
    microphone = tone_file(folder, AGENT_HZ, rate=48000)
    async with headless_chromium(speaking_chromium_flags(microphone)) as browser:
        context = await browser.new_context(ignore_https_errors=True)
        page = await context.new_page()
        await log_in(page, server, AGENT, "/phone", password=PASSWORD, base=server.https_url)
        state = page.locator("#phone-state")
        await expect(state).not_to_have_text("starting…")
        if await state.text_content() == "desk phone":
            await page.click("#phone-use-browser")
        await expect(state).to_have_text("ready", timeout=20_000)
        try:
            yield page
        finally:
            await context.close()


# Every status and problem the page shows, kept for the test (they may last a moment only).
_WATCH_STATES = """() => {
  window.phoneStatesShown = [];
  window.phoneProblemsShown = [];
  const keep = (id, into) => new MutationObserver(() => {
    into.push(document.getElementById(id).textContent);
  }).observe(document.getElementById(id), { childList: true, characterData: true, subtree: true });
  keep("phone-state", window.phoneStatesShown);
  keep("phone-problem", window.phoneProblemsShown);
}"""


async def registered(server: EhdProcess, extension: str = EXTENSION) -> bool:
    return await endpoint_state(server, extension) == "online"


async def ears(
    caller: CarrierCall, page: Page, name: str, seconds: int = SECONDS
) -> tuple[Path, Heard]:
    """What the caller (recorded by the carrier) and the page (analysed in it) hear."""
    return await asyncio.gather(
        caller.listen(f"ear-caller-{name}", seconds), page_hears(page, CALLER_HZ, seconds)
    )


async def both_hear(
    caller: CarrierCall, page: Page, name: str, when: str, seconds: int = SECONDS
) -> None:
    caller_ear, page_ear = await ears(caller, page, name, seconds)
    assert_hears(caller_ear, AGENT_HZ, f"{when}, the caller heard the browser agent")
    assert_page_hears(page_ear, f"{when}, the browser agent heard the caller")


async def test_a_queue_call_rings_the_browser_phone_and_both_hear_each_other(
    ehd_server: EhdProcess, carrier: Carrier, api: Api, tmp_path: Path
) -> None:
    async with phone_window(ehd_server, tmp_path) as page:
        await eventually(lambda: registered(ehd_server), timeout=10, what="1050 registered")
        await api.call("POST", f"/api/agents/{AGENT}/login", {"queues": [QUEUE]})
        caller, call_id = await call_in(ehd_server, carrier, did=NUMBER)
        await expect(page.locator("#phone-state")).to_have_text("ringing", timeout=15_000)
        await expect(page.locator("#phone-queue")).to_have_text(QUEUE)
        await page.click("#phone-answer")
        await expect(page.locator("#phone-state")).to_have_text("in call", timeout=10_000)

        async def wendys() -> bool:
            rows = call_records(ehd_server.database, call_id=call_id)
            return bool(rows) and rows[0]["agent"] == AGENT

        await eventually(wendys, timeout=10, what="the call connected to wendy")
        await both_hear(caller, page, f"{call_id}-talk", "talking")

        # Mute: the caller stops hearing the agent; the agent still hears the caller.
        await page.click("#phone-mute")
        await expect(page.locator("#phone-mute")).to_have_attribute("aria-pressed", "true")
        caller_ear, page_ear = await ears(caller, page, f"{call_id}-muted", 5)
        assert_does_not_hear(caller_ear, AGENT_HZ, "the caller heard the muted agent")
        assert_page_hears(page_ear, "the muted agent heard the caller")
        await page.click("#phone-mute")

        # Hold goes through ehd: the caller hears the queue's music, neither hears the other.
        await page.click("#phone-hold")
        await expect(page.locator("#phone-hold")).to_have_attribute("aria-pressed", "true")
        caller_ear, page_ear = await ears(caller, page, f"{call_id}-held", 5)
        assert_does_not_hear(caller_ear, AGENT_HZ, "the held caller heard the agent")
        assert_page_does_not_hear(page_ear, "the agent heard the held caller")
        music = sounding_per_second(caller_ear)
        assert music.share >= 0.6, f"the held caller heard no music: {music.timeline()}"
        await page.click("#phone-hold")
        await expect(page.locator("#phone-hold")).to_have_attribute("aria-pressed", "false")
        await both_hear(caller, page, f"{call_id}-resumed", "after resume", 5)

        await page.click("#phone-hangup")
        await caller.wait_ended()
        await expect(page.locator("#phone-state")).to_have_text("ready")

    async def completed() -> bool:
        return any(line[4] == "COMPLETEAGENT" for line in queue_log(ehd_server, call_id))

    await eventually(completed, timeout=10, what="COMPLETEAGENT in the queue log")


async def test_the_agent_dials_a_colleague_from_the_phone_window(
    ehd_server: EhdProcess, farm: Carrier, api: Api, tmp_path: Path
) -> None:
    """Wendy types 1001 and presses Call: ehd rings her browser phone, which answers by
    itself, then alice's desk phone; they hear each other, the keys wendy presses on the
    keypad reach alice's phone, and wendy hangs up."""
    alice_speaks = {"1001": Policy(media=make_tone(farm.instance.spec.folder / "tones",
                                                   SECOND_AGENT_HZ), after=0.5)}  # fmt: skip
    async with phone_window(ehd_server, tmp_path) as page, serving(farm, alice_speaks) as desk:
        await eventually(lambda: registered(ehd_server), timeout=10, what="1050 registered")
        await eventually(
            lambda: registered(ehd_server, "1001"), timeout=20, what="alice's desk phone registered"
        )
        await page.fill("#phone-number", "1001")
        await page.click("#phone-dial button[type=submit]")
        await expect(page.locator("#phone-state")).to_have_text("in call", timeout=15_000)
        await expect(page.locator("#phone-direction")).to_have_text("In call with")
        alice = await answered_on(desk, "1001")
        alice_ear, page_ear = await asyncio.gather(
            alice.listen("browser-dials-alice", 6), page_hears(page, SECOND_AGENT_HZ, 6)
        )
        for key in "12#":
            await page.click(f"#phone-keypad [data-key='{key}']")

        def keys_heard() -> str:
            events = farm.events.by_channel[alice.id]
            return "".join(e.digit for e in events if isinstance(e, ChannelDtmfReceived))

        try:
            await farm.events.wait(lambda: keys_heard() == "12#", timeout=10)
        except TimeoutError:
            raise AssertionError(f"alice's phone got keys {keys_heard()!r}, not '12#'") from None
        await page.click("#phone-hangup")
        await alice.wait_ended(timeout=10)
        await expect(page.locator("#phone-state")).to_have_text("ready")
    assert_hears(alice_ear, AGENT_HZ, "alice heard wendy's browser phone")
    assert_page_hears(page_ear, "wendy heard alice")


async def test_the_browser_phone_registers_again_after_asterisk_restarts(
    ehd_server: EhdProcess, carrier: Carrier, api: Api, tmp_path: Path
) -> None:
    async with phone_window(ehd_server, tmp_path) as page:
        pid_file = ehd_server.data_dir / "asterisk" / "run" / "ehd-asterisk.pid"
        old_pid = int(pid_file.read_text())
        await page.evaluate(_WATCH_STATES)
        os.kill(old_pid, signal.SIGKILL)  # ehd's watchdog starts it again

        async def restarted() -> bool:
            return pid_file.exists() and int(pid_file.read_text() or old_pid) != old_pid

        await eventually(restarted, timeout=30, what="Asterisk started again")
        await expect(page.locator("#phone-state")).to_have_text("ready", timeout=60_000)
        await expect(page.locator("#phone-problem")).to_be_hidden()
        shown = await page.evaluate("() => window.phoneStatesShown")
        assert "connecting…" in shown, f"the phone never showed the lost connection: {shown}"
        problems = await page.evaluate("() => window.phoneProblemsShown")
        assert any("lost" in text for text in problems), problems
        await eventually(lambda: registered(ehd_server), timeout=10, what="1050 registered")

        async def ari_back() -> bool:  # the phone may be back before ehd's ARI connection
            status, health = await asyncio.to_thread(ehd_server.health)
            return status == 200 and health["checks"] == {
                "asterisk": True,
                "ari": True,
                "database": True,
            }

        await eventually(ari_back, timeout=30, what="ehd connected to the new Asterisk")

        # and a queue call reaches it again, heard both ways
        await api.call("POST", f"/api/agents/{AGENT}/login", {"queues": [QUEUE]})
        caller, call_id = await call_in(ehd_server, carrier, did=NUMBER)
        await expect(page.locator("#phone-state")).to_have_text("ringing", timeout=15_000)
        await page.click("#phone-answer")
        await expect(page.locator("#phone-state")).to_have_text("in call", timeout=10_000)
        await both_hear(caller, page, f"{call_id}-after-restart", "after the restart", 5)
        await caller.hangup()
        await expect(page.locator("#phone-state")).to_have_text("ready", timeout=10_000)
