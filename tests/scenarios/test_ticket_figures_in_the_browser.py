"""Ticket SLA and ticket statistics as a supervisor sees them in real Chromium: the wallboard's
SLA view counts down the overdue ticket first, and the ticket statistics draw their charts
(the bars as tall as the figures say)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role, SlaPolicy
from ehd.platform import create_platform_app
from ehd.stats.ticket_feed import fold_new
from ehd.tickets import service
from ehd.tickets.sla_tracking import escalate_due
from tests.adapter.test_ticket_sla import _age
from tests.adapter.test_ticket_statistics import LATER, STOCKHOLM, seed_history
from tests.harness.browser import headless_chromium


async def test_the_wallboard_and_the_ticket_statistics_in_the_browser(tmp_path: Path) -> None:
    async with TestServer(create_platform_app(Config(data_dir=tmp_path), telephony=False)) as web:
        await create_user("boss", "boss-pass-1", role=Role.ADMIN)
        await seed_history()  # a November week of three tickets, and a default SLA policy
        await SlaPolicy.filter(name="default").update(first_response_minutes=None,
                                                      resolution_minutes=30)  # fmt: skip
        overdue = await service.create_ticket("Printer on fire", "", "email", None, [])
        await _age(overdue, timedelta(days=3))
        fresh = await service.create_ticket("Fresh question", "", "email", None, [])
        await escalate_due(None)
        await fold_new(STOCKHOLM, LATER)
        base = str(web.make_url("")).rstrip("/")

        async with headless_chromium() as browser:
            page = await browser.new_page()
            await page.goto(f"{base}/login?next=/wallboard")
            await page.fill("input[name=username]", "boss")
            await page.fill("input[name=password]", "boss-pass-1")
            await page.click("button[type=submit]")
            await page.wait_for_url("**/wallboard")
            await page.click("button[data-view=sla]")
            panel = page.locator("[data-panel=sla]")
            await expect(panel).to_be_visible()
            await expect(page.locator("#sla-breached")).to_have_text("2")  # with seeded C
            rows = page.locator("#sla-table tbody tr")  # the longest overdue first
            await expect(rows).to_have_count(3)
            await expect(rows.nth(0)).to_contain_text("C")  # seeded, open since November
            await expect(rows.nth(1)).to_contain_text(str(overdue.number))
            await expect(rows.nth(1)).to_contain_text("overdue")
            await expect(rows.nth(2)).to_contain_text(str(fresh.number))
            await expect(rows.nth(2)).not_to_contain_text("overdue")

            await page.goto(f"{base}/statistics/tickets?from=2026-11-02&to=2026-11-04")
            await expect(page.locator("#ticket-totals [data-measure=created]")).to_have_text("3")
            chart = page.locator("#ticket-volume-chart svg")
            await expect(chart).to_be_visible()
            heights = await chart.evaluate(
                """svg => Object.fromEntries([...svg.querySelectorAll('rect')]
                     .map(bar => [bar.querySelector('title')?.textContent,
                                  bar.getBoundingClientRect().height])
                     .filter(([title]) => title))"""
            )
            created_2nd = heights["2026-11-02: Created 2"]
            assert created_2nd > 10, heights
            assert abs(heights["2026-11-03: Created 1"] - created_2nd / 2) < 2, heights
            await expect(page.locator("#ticket-backlog-chart svg")).to_be_visible()
