"""The web app in headless Chromium: logging in, a ticket created and answered, an internal
note whose @mention mails the colleague, the dispatcher's mass edit, the wallboard updating
live as a real call enters a queue (then the call in the statistics' chart and the call log),
the pages at phone width, and a live chat between a visitor and an agent."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Locator, Page, expect

from tests.harness.api import Api
from tests.harness.browser import headless_chromium, log_in
from tests.harness.carrier import Carrier
from tests.harness.ehd_process import EhdProcess
from tests.harness.mail_sink import MailSink
from tests.harness.web_client import add_user_with_phone

pytestmark = pytest.mark.asterisk

ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def _new_ticket(page: Page, server: EhdProcess, subject: str, email: str) -> str:
    await page.goto(f"{server.web_url}/tickets/new")
    await page.fill("input[name=subject]", subject)
    await page.fill("input[name=email]", email)
    await page.fill("textarea[name=description]", f"{subject}: details")
    await page.click("form[action='/tickets/new'] button[type=submit]")
    await page.wait_for_url(re.compile(r"/tickets/[0-9]+$"))
    return page.url.rsplit("/", 1)[1]


async def test_a_dispatcher_works_tickets_in_the_browser(
    ehd_server: EhdProcess, mail_server: MailSink
) -> None:
    await add_user_with_phone(ehd_server, "carl", "1077", email="carl@ehd.example")
    async with headless_chromium() as browser:
        page = await browser.new_page()
        await page.goto(f"{ehd_server.web_url}/tickets")
        await expect(page.locator("h1")).to_have_text("Log in")  # a login first
        await page.fill("input[name=username]", "admin")
        await page.fill("input[name=password]", "wrong")
        await page.click("button[type=submit]")
        await expect(page.locator(".error")).to_contain_text("Wrong username or password")
        await log_in(page, ehd_server, "admin", "/tickets")

        number = await _new_ticket(page, ehd_server, "Router dead", "dora@example.com")
        await expect(page.locator("h1")).to_have_text(f"#{number} Router dead")
        await page.fill("trix-editor#reply-editor", "Please restart the router.")
        await page.select_option("#reply-form select[name=status]", "with_contact")
        await page.click("#reply-form button[type=submit]")
        await expect(page.locator("[role=status]")).to_have_text("Reply sent.")
        await expect(page.locator("#ticket-status")).to_have_attribute(
            "data-status", "with_contact"
        )
        await expect(page.locator("#ticket-status")).to_have_text("Waiting for the customer")
        reply = await mail_server.wait_for("dora@example.com")
        plain = reply.get_body(preferencelist=("plain",))  # rich text: HTML and plain
        assert plain is not None and "Please restart the router." in plain.get_content()
        assert f"[#{number}]" in str(reply["Subject"])

        await page.fill("#note-text", "@carl can you phone her <b>today</b>?")
        await page.click("#note-form button[type=submit]")
        await expect(page.locator("[role=status]")).to_have_text("Note saved. @carl told.")
        note = page.locator("article.internal").last
        await expect(note).to_contain_text("<b>today</b>")  # shown as text, never as markup
        mention = await mail_server.wait_for("carl@ehd.example")
        assert f"ticket {number}" in mention.get_content()

        # carl was not logged in: the mention waits in his notification centre
        carls = await browser.new_context()
        carl = await carls.new_page()
        await log_in(carl, ehd_server, "carl", "/", password="carol-pass-1")
        await expect(carl.locator("#bell-count")).to_have_text("1")
        await carl.click("#bell")
        waiting = carl.locator("li.notification.unread")
        await expect(waiting).to_contain_text(f"mentioned you on ticket {number}")
        await waiting.locator("button").click()  # opens the note, and it is read
        await expect(carl.locator("h1")).to_have_text(f"#{number} Router dead")
        await expect(carl.locator("#bell-count")).to_be_hidden()
        await carls.close()

        others = [await _new_ticket(page, ehd_server, f"Invoice {n}", "erik@example.com")
                  for n in (1, 2)]  # fmt: skip
        await page.goto(f"{ehd_server.web_url}/tickets?q=Invoice")
        for other in others:
            await page.check(f"input[name=number][value='{other}']")
        await page.select_option("#mass select[name=action]", "assign")
        await page.select_option("#mass select[name=agent]", "bob")
        await page.click("#mass button[type=submit]")
        await expect(page.locator("[role=status]")).to_have_text("2 changed.")
        for other in others:
            row = page.locator(f"tr[data-number='{other}'] td.col-agent")
            await expect(row).to_have_text("bob")


async def test_a_call_shows_on_the_wallboard_live_then_in_the_statistics_and_call_log(
    ehd_server: EhdProcess, carrier: Carrier
) -> None:
    api = await Api.admin(ehd_server)
    await api.call("PUT", "/api/calendars/board-q", {"weekly": ALWAYS})
    await api.call("PUT", "/api/queues/board-q", {"calendar": "board-q", "greeting": "goodbye"})
    await api.call("PUT", "/api/sites/brd", {"description": "The board's brand"})
    await api.call("PUT", "/api/dids/4860", {"route_type": "queue", "queue": "board-q",
                                             "site": "brd"})  # fmt: skip
    await api.close()
    async with headless_chromium() as browser:
        page = await browser.new_page()
        await log_in(page, ehd_server, "admin", "/wallboard")
        await expect(page.locator("#board-state")).to_contain_text("live")
        header = page.locator("#queues-table thead th")
        await expect(header.filter(has_text="board-q")).to_have_count(1)
        column = await header.all_inner_texts()
        index = column.index("board-q") + 1  # nth-child counts from 1

        def figure(row: str) -> Locator:
            line = page.locator("#queues-table tbody tr", has_text=row)
            return line.locator(f"td:nth-child({index})")

        await expect(figure("Calls in queue")).to_have_text("0")
        call = await carrier.call("4860", caller="+46731110000")
        await call.wait_answered()
        await expect(figure("Calls in queue")).to_have_text("1", timeout=20000)
        await call.hangup()
        await expect(figure("Calls in queue")).to_have_text("0", timeout=20000)
        await expect(figure("Lost")).to_have_text("1", timeout=20000)
        await page.click("button[data-view=agents]")
        await expect(page.locator("[data-panel=agents]")).to_be_visible()
        await expect(page.locator("[data-panel=queues]")).to_be_hidden()

        # the statistics have the call as soon as it ended: offered, abandoned, in the chart
        await page.goto(f"{ehd_server.web_url}/statistics/calls?queue=board-q&granularity=hour")
        totals = page.locator("#call-totals")
        await expect(totals.locator("[data-measure=offered]")).to_have_text("1")
        await expect(totals.locator("[data-measure=abandoned]")).to_have_text("1")
        chart = page.locator("#volume-chart svg")
        await expect(chart).to_be_visible()
        drawn = await chart.evaluate(
            """svg => [...svg.querySelectorAll('rect')]
                 .filter(bar => bar.querySelector('title')?.textContent.endsWith('Abandoned 1'))
                 .map(bar => bar.getBoundingClientRect().height)"""
        )
        assert len(drawn) == 1 and drawn[0] > 10, drawn  # a bar as tall as the axis allows
        await page.goto(f"{ehd_server.web_url}/calls?number=%2B46731110000")
        await expect(page.locator("[data-call]")).to_have_count(1)
        await expect(page.locator("[data-call] [data-site]")).to_have_text("brd")

        # the call records' figures per site follow within seconds (settled, then folded)
        row = page.locator("#call-periods tr[data-group=brd]")
        for _ in range(30):
            await page.goto(f"{ehd_server.web_url}/statistics/calls?group=site")
            if await row.count():
                break
            await page.wait_for_timeout(1000)
        await expect(row.locator("[data-measure=offered]")).to_have_text("1")
        await expect(row.locator("[data-measure=abandoned]")).to_have_text("1")


async def test_pages_fit_a_phone_screen(ehd_server: EhdProcess) -> None:
    api = await Api.admin(ehd_server)
    try:
        ticket = await api.call("POST", "/api/tickets", {"subject": "Narrow screen check"})
    finally:
        await api.close()
    async with headless_chromium() as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        await log_in(page, ehd_server, "alice", "/m")
        for path in ("/", "/m", "/tickets", "/wallboard", "/crm/contacts", "/search?q=printer",
                     f"/tickets/{ticket['number']}", "/notifications", "/calls"):  # fmt: skip
            await page.goto(f"{ehd_server.web_url}{path}")
            main = await page.locator("main").bounding_box()
            menu = await page.locator("nav.menu").bounding_box()
            assert main is not None and menu is not None
            assert main["width"] <= 390 and menu["x"] + menu["width"] <= 390, path
            wide = await page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 390, (path, wide)  # nothing scrolls sideways
            await page.click("nav.menu summary >> text=Tickets/CRM")
            await expect(page.locator("nav.menu a[href='/tickets/new']")).to_be_visible()


async def test_a_keyboard_skips_the_menu_and_dark_mode_follows_the_system(
    ehd_server: EhdProcess,
) -> None:
    async with headless_chromium() as browser:
        page = await browser.new_page(color_scheme="dark")
        await log_in(page, ehd_server, "alice", "/tickets")
        await page.keyboard.press("Tab")  # the first stop is the skip link, now shown
        skip = page.locator("a.skip-link")
        await expect(skip).to_be_focused()
        box = await skip.bounding_box()
        assert box is not None and box["x"] >= 0
        await page.keyboard.press("Enter")
        await expect(page.locator("main")).to_be_focused()
        background = await page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        red, green, blue = (int(n) for n in re.findall(r"[0-9]+", background)[:3])
        assert red + green + blue < 150, background  # dark, as the system asked
        await page.emulate_media(color_scheme="light")
        background = await page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert sum(int(n) for n in re.findall(r"[0-9]+", background)[:3]) > 600, background


async def test_finding_paging_and_sorting_tickets_in_the_browser(ehd_server: EhdProcess) -> None:
    api = await Api.admin(ehd_server)
    try:
        await api.call("POST", "/api/contacts", {"name": "Vera Lindqvist",
                                                 "emails": ["vera@example.com"]})  # fmt: skip
        numbers = []
        for n in range(55):
            ticket = await api.call("POST", "/api/tickets", {"subject": f"Batch case {n:02}"})
            numbers.append(int(ticket["number"]))
        vera = await api.call("POST", "/api/tickets", {"subject": "Printer offline",
                                                       "email": "vera@example.com"})  # fmt: skip
        await api.call("POST", f"/api/tickets/{numbers[7]}/entries",
                       {"kind": "note", "text": "The cable was chewed by a hamster"})  # fmt: skip
        async with headless_chromium() as browser:
            page = await browser.new_page()
            await log_in(page, ehd_server, "admin", "/")
            for text, expected in (("hamster", numbers[7]), (str(numbers[12]), numbers[12]),
                                   ("Lindqvist", int(vera["number"]))):  # fmt: skip
                await page.fill("form.topsearch input[name=q]", text)
                await page.press("form.topsearch input[name=q]", "Enter")
                found = page.locator("#found-tickets a[href^='/tickets/']").first
                await expect(found).to_have_attribute("href", f"/tickets/{expected}")
            await expect(page.locator("#found-tickets mark")).to_have_text("Lindqvist")

            # the server is shared with other scenarios: the batch is the tickets saying "batch"
            await page.goto(f"{ehd_server.web_url}/tickets?size=25&q=batch")
            await expect(page.locator("#ticket-count strong")).to_have_text("55")
            rows = page.locator("table.tickets tbody tr")
            await expect(rows).to_have_count(25)
            await page.click("th a.sort >> text=No.")  # sort by number, newest first
            await page.click("th a.sort >> text=No.")  # and again: oldest first
            await expect(page.locator("th[aria-sort=ascending]")).to_contain_text("No.")
            await expect(rows.first).to_have_attribute("data-number", str(numbers[0]))
            await page.click("nav.pager a[rel=next]")
            await expect(rows.first).to_have_attribute("data-number", str(numbers[25]))
            await page.click("nav.pager a[rel=next]")
            await expect(rows).to_have_count(5)  # 55 = 25 + 25 + 5
            await expect(page.locator("nav.pager a[rel=next]")).to_have_count(0)
            await page.click("nav.pager a[rel=prev]")
            await expect(rows.first).to_have_attribute("data-number", str(numbers[25]))
    finally:
        await api.close()


async def test_the_list_and_a_ticket_side_by_side_from_the_keyboard(
    ehd_server: EhdProcess,
) -> None:
    api = await Api.admin(ehd_server)
    try:
        first = await api.call("POST", "/api/tickets", {"subject": "Sidebyside one"})
        second = await api.call("POST", "/api/tickets", {"subject": "Sidebyside two"})
    finally:
        await api.close()
    async with headless_chromium() as browser:
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        await log_in(page, ehd_server, "admin", "/tickets")
        await page.fill("#filters input[name=q]", "sidebyside")
        await page.click("#filters button[type=submit]")
        await page.click("#split-toggle")
        await expect(page.locator("#ticket-pane")).to_be_visible()
        await page.locator("h1").click()  # the keys work wherever the page has focus
        await page.keyboard.press("j")
        await page.keyboard.press("j")  # the newest first: the second row is the first ticket
        await page.keyboard.press("Enter")
        pane = page.frame_locator("#ticket-pane")
        await expect(pane.locator("h1")).to_have_text(f"#{first['number']} Sidebyside one")
        await expect(pane.locator("header.topbar")).to_be_hidden()  # the list keeps the bar
        await pane.locator("#note-text").fill("Checked from the list")
        await pane.locator("#note-form button[type=submit]").click()
        await expect(pane.locator("[role=status]")).to_have_text("Note saved.")
        await page.locator("h1").click()  # back to the list (the keys went to the pane)
        await page.keyboard.press("k")
        await page.keyboard.press("Enter")
        await expect(pane.locator("h1")).to_have_text(f"#{second['number']} Sidebyside two")
        await expect(page).to_have_url(re.compile(r"view=split"))  # the list never left
        await page.keyboard.press("/")
        await expect(page.locator("#filters input[name=q]")).to_be_focused()


async def test_the_personal_in_tray_updates_itself(ehd_server: EhdProcess) -> None:
    api = await Api.admin(ehd_server)
    try:
        async with headless_chromium() as browser:
            page = await browser.new_page()
            await log_in(page, ehd_server, "bob", "/tickets?mine=1")
            await expect(page.locator("h1")).to_have_text("My tickets")
            ticket = await api.call("POST", "/api/tickets", {"subject": "Phone broken"})
            await api.call("PATCH", f"/api/tickets/{ticket['number']}", {"agent": "bob"})
            row = page.locator(f"tr[data-number='{ticket['number']}']")
            await expect(row).to_contain_text("Phone broken", timeout=20000)
            await expect(page.locator("#inbox-state")).to_contain_text("Updated")
    finally:
        await api.close()


async def test_a_visitor_chats_with_an_agent_live(ehd_server: EhdProcess) -> None:
    api = await Api.admin(ehd_server)
    try:
        await api.call("PUT", "/api/calendars/chat", {"weekly": ALWAYS})
        async with headless_chromium() as browser:
            agent = await browser.new_page()
            await log_in(agent, ehd_server, "bob", "/chats")
            await agent.click("#chat-ready")
            await expect(agent.locator("#chat-ready")).to_have_text("Log out of chat")
            visitor = await (await browser.new_context()).new_page()  # no cookies: a stranger
            await visitor.goto(f"{ehd_server.web_url}/chat/DEMO")
            await visitor.fill("input[name=name]", "Vera Visitor")
            await visitor.fill("textarea[name=message]", "Is my order on its way?")
            await visitor.click("#chat-start button[type=submit]")
            await expect(visitor.locator("#chat-waiting-note")).to_be_visible()
            waiting = agent.locator("#chat-waiting tr", has_text="Vera Visitor")
            await expect(waiting).to_be_visible(timeout=15000)  # the list updated itself
            await waiting.locator("button").click()
            await agent.wait_for_url(re.compile(r"/chats/[0-9]+$"))
            await expect(agent.locator("#chat-log")).to_contain_text("Is my order on its way?")
            await agent.fill(".chat-send textarea", "Yes, it left today.")
            await agent.press(".chat-send textarea", "Enter")
            await expect(visitor.locator("#chat-log")).to_contain_text("Yes, it left today.",
                                                                        timeout=15000)  # fmt: skip
            await expect(visitor.locator("#chat-waiting-note")).to_be_hidden()
            await visitor.fill(".chat-send textarea", "Great, thanks!")
            await visitor.click(".chat-send button")
            await expect(agent.locator("#chat-log")).to_contain_text("Great, thanks!",
                                                                      timeout=15000)  # fmt: skip
            await visitor.click(".chat-end button")
            await expect(agent.locator("#chat-ended")).to_be_visible(timeout=15000)
            await expect(agent.locator(".chat-send")).to_have_count(0)
    finally:
        await api.close()
