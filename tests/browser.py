"""What every browser test shares: Debian's chromium driven by Playwright (Playwright's own browser
download cannot work here), a logged-in page, and waiting for a server-rendered page to change."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect

from tests.helpers import eventually

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: `make browser` installs it (apt-get install chromium)")
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        await b.close()


async def logged_in(
    browser: Browser,
    web: str,
    username: str,
    *,
    via: str = "/ui/login",
    viewport: ViewportSize = VIEWPORT,
    downloads: bool = False,
    accept_dialogs: bool = False,
) -> Page:
    """A Chinese-locale page logged in as ``username`` (sandbox password = user name). ``via``: a page
    asked for first — one behind the login is expected to send the browser to the login page and back."""
    context = await browser.new_context(base_url=web, viewport=viewport, locale="zh-CN", accept_downloads=downloads)
    context.set_default_timeout(20_000)
    page = await context.new_page()
    if accept_dialogs:
        page.on("dialog", lambda d: d.accept())
    await page.goto(via)
    if via != "/ui/login":
        await expect(page).to_have_url(re.compile(r"/ui/login\?next="))
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", username)
    await page.click("button[type=submit]")
    await expect(page.get_by_test_id("whoami")).to_contain_text(username)
    return page


async def logged_in_at_cases(browser: Browser, web: str, username: str) -> Page:
    """Asks for 我的案件 first (sent to the login page and back), takes downloads and confirms dialogs."""
    return await logged_in(browser, web, username, via="/ui/cases", downloads=True, accept_dialogs=True)


async def reload_until(page: Page, selector: str, timeout: float = 30) -> None:
    """Reloads until ``selector`` shows: the pages are server-rendered, the workflow moves on its own."""

    async def present() -> bool:
        await page.reload()
        return await page.locator(selector).count() > 0

    await eventually(present, timeout=timeout, interval=0.3)


AXE = Path(__file__).resolve().parent.parent / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


async def axe_violations(page: Page) -> list[str]:
    """What axe-core finds wrong with the page as shown (WCAG 2.1 AA and best practices): one line per
    rule and element. The page's CSP forbids inline scripts, so axe runs through the DevTools protocol."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make axe` installs it (npm)")
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    found = await page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .flatMap(v => v.nodes.map(n => `${v.id} (${v.impact}): ${n.target.join(' ')}`))"""
    )
    return [str(f) for f in found]
