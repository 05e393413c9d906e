"""The dishonest-debtor list (失信) and the consumption restriction (限消) in a real browser (Debian's
chromium, driven by Playwright): a judge starts each from its schema-generated form and reaches its first
decision; the entry decision publishes to the national list and issues the order with it. Fixtures as in
tests/web/test_ui_browser.py."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser import logged_in, reload_until
from tests.helpers import case_number, login, president_signs_on_the_web, resident_id

pytestmark = pytest.mark.usefixtures("stack")


async def start_form(page: Page, scenario: str, case: str) -> None:
    await page.goto("/ui/cases/new")
    await page.click(f"a[data-scenario='{scenario}']")
    form = page.get_by_test_id("start-form")
    await form.locator("[name='f.case_number']").fill(case)
    court = form.locator("[name='f.court']")
    if await court.is_editable():  # a judge's own court may come filled in and fixed
        await court.fill("杭州市上城区人民法院")
    await form.locator("[name='f.debtor.kind']").select_option("person")
    await form.locator("[name='f.debtor.name']").fill("孙某某")
    await form.locator("[name='f.debtor.id_number']").fill(resident_id("19880808"))


async def test_judge_enters_a_debtor_on_the_list_from_the_form(browser: Browser, web: str, tmp_path: Path) -> None:
    case = case_number()
    page = await logged_in(browser, web, "judge")
    await start_form(page, "dishonest-list", case)
    form = page.get_by_test_id("start-form")
    # The form is drawn from the request model, labelled and explained by the scenario's words.
    await expect(form).to_contain_text("执行依据文号")
    await expect(form).to_contain_text("申请执行人申请的, 法院十五日内审查决定")
    await form.locator("[name='f.title_document']").fill("(2025)浙0102民初88号")
    await form.locator("[name='f.title_issuer']").fill("杭州市上城区人民法院")
    await form.locator("[name='f.obligation']").fill("支付货款 350,000 元及利息")
    await form.locator("[name='f.filed_on']").fill("2026-03-02")
    await form.locator("button[type=submit]").click()

    await expect(page).to_have_url(re.compile(r"/ui/cases/dishonest-list-[0-9a-f]+\?done=started"))
    wid = page.url.split("/ui/cases/")[1].split("?")[0]
    # The first decision: the entry, on an Art. 1 ground, with the decision's and the order's numbers.
    await reload_until(page, "form[data-decision='enter-list']")
    await expect(page.get_by_test_id("case-status")).to_have_text("待决定是否纳入")
    enter = page.locator("form[data-decision='enter-list']")
    await expect(enter).to_contain_text("有履行能力而拒不履行")  # the grounds of Art. 1, in words
    await enter.locator("[name='f.ground']").select_option("evasion")
    await enter.locator("[name='f.decision_number']").fill("(2026)浙0102执88号失信决定书")
    await enter.locator("[name='f.restriction_order_number']").fill("(2026)浙0102执88号限制消费令")
    await enter.locator("textarea[name=reason]").fill("隐匿、转移财产规避执行")
    await page.screenshot(path=str(tmp_path / "enter-list.png"), full_page=True)
    await enter.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"\?done=decided"))

    # The president signs the 失信决定书 (DOMAIN §18.2); only then is the debtor listed.
    await reload_until(page, "[data-testid=case-status]:text('待院长签发')")
    await president_signs_on_the_web(web, wid)
    await reload_until(page, "[data-testid=case-status]:text('已纳入失信名单')")
    timeline = page.get_by_test_id("timeline")
    await expect(timeline).to_contain_text("已在名单库公布")
    await expect(timeline).to_contain_text("一并限制消费")
    async with await login(web, "judge") as api:
        detail = (await api.get(f"/api/workflows/{wid}")).json()
        assert detail["summary"]["entry_id"].startswith("SX")
        restriction = (await api.get(f"/api/workflows/{detail['summary']['restriction']}")).json()
    assert restriction["status"] == "restricted"
    assert restriction["summary"]["order_number"] == "(2026)浙0102执88号限制消费令"


async def test_judge_starts_a_consumption_restriction_and_reaches_the_order(browser: Browser, web: str) -> None:
    case = case_number()
    page = await logged_in(browser, web, "judge")
    await start_form(page, "consumption-restriction", case)
    form = page.get_by_test_id("start-form")
    await expect(form).to_contain_text("限制事项")
    await expect(form).to_contain_text("纳入失信名单的, 应当限制")
    await form.locator("button[type=submit]").click()

    await expect(page).to_have_url(re.compile(r"/ui/cases/consumption-restriction-[0-9a-f]+\?done=started"))
    await reload_until(page, "form[data-decision='issue-order']")
    await expect(page.get_by_test_id("case-status")).to_have_text("待签发限制消费令")
    order = page.locator("form[data-decision='issue-order']")
    await order.locator("[name='f.order_number']").fill("(2026)浙0102执99号限制消费令")
    await order.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"\?done=decided"))

    # The president (院长) signs the order on the same page (限消规定 Art. 5); only then does it issue.
    await reload_until(page, "[data-testid=case-status]:text('待院长签发')")
    case_url = page.url.split("?")[0]
    president = await logged_in(browser, web, "approver")
    await president.goto(case_url)
    await reload_until(president, "form[data-decision='president-sign']")
    await president.locator("form[data-decision='president-sign'] button[type=submit]").click()
    await expect(president).to_have_url(re.compile(r"\?done=decided"))
    await reload_until(page, "[data-testid=case-status]:text('限制消费中')")
    await expect(page.get_by_test_id("timeline")).to_contain_text("签发限制消费令")

    # The order on the case page: its number, the president's signature, whom it goes to; the preview shows
    # the sealed PDF with the seal checked on opening, and the download is the very file (its SHA-256).
    row = page.get_by_test_id("documents").locator("tr[data-document]")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("限制消费令")
    await expect(row).to_contain_text("院长签发")
    await expect(row).to_contain_text("被执行人")
    await row.get_by_role("link", name="预览").click()
    await expect(page.get_by_test_id("seal-status")).to_have_text("电子印章有效, 文书未被改动")
    await expect(page.get_by_test_id("document-facts")).to_contain_text("杭州市上城区人民法院")
    number = await page.get_by_test_id("document-number").inner_text()
    assert number.endswith("号之一"), number
    pdf = await page.request.get(page.url + "/pdf?download=true")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(await pdf.body()).hexdigest() == pdf.headers["x-document-sha256"]
