"""The agent console in headless Chromium: log in, the call and screen pop arrive in the
browser with the right values, and a console login ends when the console is gone."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import expect

from ehd.asterisk.instance import SOUNDS_DIR
from tests.harness.api import Api
from tests.harness.audio import sox_stat
from tests.harness.browser import headless_chromium, log_in
from tests.harness.carrier import Carrier
from tests.harness.ehd_process import EhdProcess, endpoint_state
from tests.harness.phone_farm import Policy, serving
from tests.harness.polling import eventually
from tests.harness.records import call_records

pytestmark = pytest.mark.asterisk

ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def test_the_screen_pop_opens_in_the_agents_browser_with_the_call_values(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier
) -> None:
    api = await Api.admin(ehd_server)
    template = "/status?aid={AID}&bid={BID}&q={QID}&custid={CUSTID}&id={GARPNUM}"
    await api.call("PUT", "/api/calendars/console-q", {"weekly": ALWAYS})
    codes = [{"code": "SALE", "label": "Sale"}, {"code": "INFO", "label": "Information"}]
    await api.call("PUT", "/api/classifications/console-codes", {"codes": codes})
    await api.call("PUT", "/api/queues/console-q", {
        "calendar": "console-q", "greeting": "goodbye", "screen_pop_url": template,
        "customer_number": "optional", "customer_number_min": 1,
        "classification": "console-codes",
    })  # fmt: skip
    await api.call("PUT", "/api/queues/console-q/members/alice", {"penalty": 0})
    await api.call("PUT", "/api/dids/4840", {"route_type": "queue", "queue": "console-q"})

    async def online() -> bool:
        return await endpoint_state(ehd_server, "1001") == "online"

    await eventually(online, timeout=15, what="alice's phone registered")
    caller = "+46731239876"
    company = await api.call("POST", "/api/companies", {"name": "Acme AB"})
    contact = await api.call("POST", "/api/contacts", {
        "name": "Anna Andersson", "phones": ["073-123 98 76"], "company_id": company["id"],
    })  # fmt: skip
    try:
        async with headless_chromium() as browser:
            page = await browser.new_page()
            await log_in(page, ehd_server, "alice", "/agent")
            for box in await page.query_selector_all("input[name=queue]"):
                if await box.get_attribute("value") != "console-q":
                    await box.uncheck()
            await page.click("#login-form button[type=submit]")
            await expect(page.locator("#state")).to_have_text("ready")
            await expect(page.locator("#connection")).to_have_text("live")
            async with serving(farm, {"1001": Policy(after=1.5, talk=1.0)}):
                call = await carrier.call("4840", caller=caller)
                await call.wait_answered()
                await asyncio.sleep(0.4 + sox_stat(SOUNDS_DIR / "en" / "goodbye.wav").seconds + 1.0)
                async with page.expect_popup(timeout=30000) as popup_info:
                    await call.send_dtmf("5566#")
                popup = await popup_info.value
                await page.wait_for_selector("#call:not([hidden])")
                shown = await page.inner_text("#call")

                async def answered() -> bool:
                    rows = call_records(ehd_server.database, caller_number=caller)
                    return bool(rows) and rows[0]["agent"] == "alice"

                await eventually(answered, timeout=20, what="alice answered")
                await page.select_option("#classify-code", "INFO")
                await page.click("#classify button[type=submit]")
                await expect(page.locator("#message")).to_have_text("Classification saved.")
                await call.hangup()
            query = parse_qs(urlsplit(popup.url).query)
            assert urlsplit(popup.url).path == "/status"
            assert query["aid"] == [caller] and query["bid"] == ["4840"]
            assert query["q"] == ["console-q"] and query["custid"] == ["5566"]
            assert query["id"][0].startswith("ehd-")
            assert caller in shown and "5566" in shown
            assert "Anna Andersson (Acme AB)" in shown  # the caller found by number
            record = call_records(ehd_server.database, caller_number=caller)[0]
            assert record["classification"] == "INFO"
            assert record["contact_id"] == contact["id"]
            assert record["company_id"] == company["id"]
            await page.click("#logout")
            await expect(page.locator("#state")).to_have_text("logged_out")
    finally:
        await api.call("POST", "/api/agents/alice/logout")
        await api.close()


async def test_a_console_login_ends_when_the_console_is_gone_past_the_grace_period(
    ehd_server: EhdProcess,
) -> None:
    api = await Api.admin(ehd_server)
    try:
        async with headless_chromium() as browser:
            page = await browser.new_page()
            await log_in(page, ehd_server, "bob", "/agent")
            await page.click("#login-form button[type=submit]")
            await expect(page.locator("#state")).to_have_text("ready")
            await page.close()  # the console is gone
        assert (await api.call("GET", "/api/agents/bob"))["state"] == "ready"  # grace period

        async def logged_out() -> bool:
            state = await api.call("GET", "/api/agents/bob")
            return bool(state["state"] == "logged_out")

        await eventually(logged_out, timeout=20, what="bob logged out after the grace period")
    finally:
        await api.call("POST", "/api/agents/bob/logout")
        await api.close()


async def test_the_mobile_page_logs_in_to_a_number_and_lists_agents_and_calls(
    ehd_server: EhdProcess,
) -> None:
    api = await Api.admin(ehd_server)
    try:
        async with headless_chromium() as browser:
            context = await browser.new_context(viewport={"width": 390, "height": 844})
            page = await context.new_page()
            await log_in(page, ehd_server, "bob", "/m")
            await page.fill("input[name=number]", "070-111 22 55")
            await page.click("#login-form button[type=submit]")
            await expect(page.locator("#state")).to_have_text("ready")
            await expect(page.locator("#agents")).to_contain_text("bob: ready", timeout=10000)
            await expect(page.locator("#today")).to_contain_text("calls")
            await page.click("#pause")
            await expect(page.locator("#state")).to_have_text("paused")
        state = await api.call("GET", "/api/agents/bob")
        assert state["device"] == "PJSIP/+46701112255@trunk" and state["state"] == "paused"
        await asyncio.sleep(6)  # past the console grace period: a mobile login stays
        assert (await api.call("GET", "/api/agents/bob"))["state"] == "paused"
    finally:
        await api.call("POST", "/api/agents/bob/logout")
        await api.close()
