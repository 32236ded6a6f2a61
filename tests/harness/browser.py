"""Headless Chromium (Debian's package) driven by Playwright, for the web pages."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

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


def speaking_chromium_flags(microphone: Path) -> list[str]:
    """A browser whose microphone speaks ``microphone`` (a WAV, looped), that allows it
    without asking and plays audio without a click. ICE runs as in a user's browser: Chromium
    offers no loopback candidates, so its media comes from the machine's own network address
    to Asterisk on 127.0.0.1, the path an agent's browser on the ehd machine takes."""
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
        "--autoplay-policy=no-user-gesture-required",
        "--ignore-certificate-errors",  # ehd's self-signed HTTPS certificate
    ]


@asynccontextmanager
async def headless_chromium(extra_flags: Sequence[str] = ()) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=[*CHROMIUM_FLAGS, *extra_flags]
        )
        try:
            yield browser
        finally:
            await browser.close()


def demo_password(server: EhdProcess, username: str) -> str:
    return next(a.password for a in server.demo_site().accounts if a.username == username)


async def log_in(
    page: Page, server: EhdProcess, username: str, path: str, password: str = "", base: str = ""
) -> None:
    """Log in through the login form (a demo user's password unless given), landing on
    ``path``; over ``base`` (the HTTPS address, say) instead of the plain web address."""
    await page.goto(f"{base or server.web_url}/login?next={path}")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password or demo_password(server, username))
    await page.click("button[type=submit]")
    await page.wait_for_url(f"**{path}")
