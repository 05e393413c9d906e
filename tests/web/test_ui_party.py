"""Issue 24, as a party would on a phone (390 × 844, Debian's chromium): register with a real name, read the
code from the SMS, log in, find the case that names you, follow it and send the judge a property report —
with no horizontal scroll on any page. Against the real stack."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Page, ViewportSize, expect

from tests.browser import chromium
from tests.helpers import login, resident_id
from tests.scenarios.case.test_case_api import application as filing
from tests.web.test_parties import last_code, phone

pytestmark = pytest.mark.usefixtures("stack")
PHONE_SIZE: ViewportSize = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "docs"


async def fits_the_phone(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_SIZE["width"], f"{page.url} is {width} px wide at 390 px"


async def test_a_debtor_registers_follows_the_case_and_reports_property_from_a_phone(web: str, simulator: str) -> None:
    number, id_number, name = phone(), resident_id("19850312"), "郑十"
    clerk = await login(web, "clerk")
    async with clerk:
        r = await clerk.post(
            "/api/cases", json=filing(debtors=[{"kind": "person", "name": name, "id_number": id_number}])
        )
        assert r.status_code == 201, r.text
        filed = r.json()
    async with chromium() as browser:
        context = await browser.new_context(viewport=PHONE_SIZE, base_url=web, locale="zh-CN")
        page = await context.new_page()
        await page.goto("/p/register")
        await fits_the_phone(page)
        await page.fill("#name", name)
        await page.fill("#id_number", id_number[:-1] + ("0" if id_number[-1] != "0" else "1"))
        await page.fill("#phone", number)
        await page.click("button[type=submit]")
        await expect(page.get_by_role("alert")).to_contain_text("身份证号码校验不通过")
        await page.fill("#id_number", id_number)
        await page.click("button[type=submit]")
        await expect(page.get_by_role("status")).to_contain_text("验证码已发送")
        await page.fill("#code", await last_code(simulator, number))
        await page.click("text=登录 >> nth=-1")
        await expect(page.get_by_test_id("my-cases")).to_contain_text(filed["case_number"])
        await fits_the_phone(page)

        await page.click(f"text={filed['case_number']}")
        await expect(page.locator("h1.case-number")).to_have_text(filed["case_number"])
        await expect(page.get_by_test_id("ledger")).to_contain_text("¥")
        await expect(page.get_by_test_id("nodes")).to_contain_text("立案")
        await fits_the_phone(page)
        await page.select_option("#kind", "property-report")
        await page.fill("#text", "本人名下工商银行存款约两万元, 无房产")
        await page.click("#requests button[type=submit]")
        await expect(page.get_by_test_id("requests")).to_contain_text("报告财产")
        await expect(page.get_by_test_id("requests")).to_contain_text("工商银行存款约两万元")
        await fits_the_phone(page)
        if os.environ.get("OM_SCREENSHOTS") == "1":
            await page.screenshot(path=str(SHOTS / "screenshot-party-case.png"), full_page=True)

        # The staff pages are not a party's: the party's session opens none of them.
        staff = await page.request.get("/api/cases")
        assert staff.status in (401, 403)
        await context.close()
