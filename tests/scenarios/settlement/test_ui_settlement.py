"""The settlement (执行和解) in a real browser (Debian's chromium, driven by Playwright): a judge fills the
schema-generated start form — parties, instalment rows in yuan with due dates, a measure in force — and
reaches the first decision, the suspension (中止执行), whose form lets her choose what to release."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from domain.legal_time import CHINA_TZ
from tests.browser import logged_in_at_cases, reload_until
from tests.helpers import case_number, login, resident_id

pytestmark = pytest.mark.usefixtures("stack")


async def test_judge_starts_a_settlement_and_reaches_the_suspension(browser: Browser, web: str, shots: Path):
    today = datetime.now(CHINA_TZ).date()
    case = case_number()
    page = await logged_in_at_cases(browser, web, "judge")
    await page.click("a[href='/ui/cases/new']")
    await page.click("a[data-scenario='settlement']")
    form = page.get_by_test_id("start-form")
    await expect(form).to_contain_text("分期履行计划")
    await expect(form).to_contain_text("已采取的控制措施")
    await form.locator("[name='f.case_number']").fill(case)
    await expect(form.locator("[name='f.court']")).not_to_have_value("")  # the judge's own court, filled in
    for who, name in (("applicant", "申某某"), ("debtor", "郑某某")):
        await form.locator(f"[name='f.{who}.kind']").select_option("person")
        await form.locator(f"[name='f.{who}.name']").fill(name)
        await form.locator(f"[name='f.{who}.id_number']").fill(resident_id())
    await form.locator("[name='f.amount_owed_fen']").fill("20,000.00")
    await form.locator("[name='f.signed_on']").fill(today.isoformat())

    instalments = form.locator("fieldset[data-rows='f.instalments']")
    for i, (days, yuan) in enumerate(((30, "3,000.00"), (60, "7,000.00"))):
        if not await form.locator(f"[name='f.instalments.{i}.due_on']").count():  # a required list shows one row
            await instalments.locator("button.add-row").click()
        await form.locator(f"[name='f.instalments.{i}.due_on']").fill((today + timedelta(days=days)).isoformat())
        await form.locator(f"[name='f.instalments.{i}.amount_fen']").fill(yuan)
    await form.locator("fieldset[data-rows='f.measures'] button.add-row").click()
    await form.locator("[name='f.measures.0.partner_id']").select_option("bank-ccb")  # the partners, by name
    await form.locator("[name='f.measures.0.measure_id']").fill("M-TEST-0001")
    await form.locator("fieldset[data-rows='f.measures'] details.more summary").click()  # optional, folded
    await form.locator("[name='f.measures.0.asset']").fill("建行存款冻结")
    await form.locator("[name='f.dishonest_listed']").check()
    await form.locator("button[type=submit]").click()

    await expect(page).to_have_url(re.compile(r"/ui/cases/settlement-[0-9a-f]+\?done=started"))
    wid = page.url.split("/ui/cases/")[1].split("?")[0]
    await reload_until(page, "form[data-decision='suspend-enforcement']")
    await expect(page.get_by_test_id("case-status")).to_have_text("待裁定中止执行")
    suspend = page.locator("form[data-decision='suspend-enforcement']")
    await expect(suspend).to_contain_text("解除的措施")
    await expect(page.locator("form[data-decision='decline-settlement']")).to_have_count(1)
    await page.screenshot(path=str(shots / "screenshot-settlement-decision.png"), full_page=True)

    async with await login(web, "judge") as api:
        case_view = (await api.get(f"/api/workflows/{wid}")).json()
    assert case_view["summary"]["agreed_fen"] == 10_000_00  # ¥3,000 + ¥7,000, in fen exactly
    assert [i["due_on"] for i in case_view["summary"]["instalments"]] == [
        (today + timedelta(days=d)).isoformat() for d in (30, 60)
    ]
    assert case_view["summary"]["measures"][0]["state"] == "kept"
    await page.context.close()
