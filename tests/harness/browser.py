"""Headless Chromium (Debian's package) driven by Playwright, for the web pages."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import Browser, Page, async_playwright

from tests.harness.ehd_process import EhdProcess

CHROMIUM_FLAGS = [
    "--no-sandbox",  # tests run as root in containers
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("chromium is not installed (apt-get install chromium)")


@asynccontextmanager
async def headless_chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            await browser.close()


def demo_password(server: EhdProcess, username: str) -> str:
    return next(a.password for a in server.demo_site().accounts if a.username == username)


async def log_in(
    page: Page, server: EhdProcess, username: str, path: str, password: str = ""
) -> None:
    """Log in through the login form (a demo user's password unless given), landing on
    ``path``."""
    await page.goto(f"{server.web_url}/login?next={path}")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password or demo_password(server, username))
    await page.click("button[type=submit]")
    await page.wait_for_url(f"**{path}")
