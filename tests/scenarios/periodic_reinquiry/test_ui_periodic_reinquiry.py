"""The closure watch (终本) in a real browser (Debian's chromium, driven by Playwright): a judge starts it
from the schema-generated form, reaches the closure decision, ticks the checklist of 终本规定 Art. 1 and
closes; the case then shows the watch with its next inquiry. Fixtures as in tests/web/test_ui_browser.py."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from domain.legal_time import CHINA_TZ
from tests.browser import logged_in, reload_until
from tests.helpers import case_number, login, president_signs_on_the_web, resident_id

pytestmark = pytest.mark.usefixtures("stack")

CHECKLIST = (
    "notice_served",
    "consumption_order_issued",
    "investigation_exhausted",
    "whereabouts_and_obstruction",
    "applicant_heard",
)


async def test_judge_starts_the_closure_watch_and_closes_on_the_checklist(
    browser: Browser, web: str, tmp_path: Path
) -> None:
    case = case_number()
    filed_on = (datetime.now(CHINA_TZ).date() - timedelta(days=120)).isoformat()

    page = await logged_in(browser, web, "judge")
    # The asset inquiry's start form proposes the application fee as its costs (诉讼费用交纳办法 Art. 14).
    await page.goto("/ui/cases/new")
    await page.click("a[data-scenario='asset-inquiry']")
    fee_hint = "留空则按《诉讼费用交纳办法》第十四条计算申请执行费"
    await expect(page.get_by_test_id("start-form")).to_contain_text(fee_hint)
    await page.goto("/ui/cases/new")
    await page.click("a[data-scenario='periodic-reinquiry']")
    form = page.get_by_test_id("start-form")
    # The form is drawn from the request model, labelled by the scenario's words.
    await expect(form).to_contain_text("立案日期")
    await expect(form).to_contain_text("立案满三个月后方可终本")
    await form.locator("[name='f.case_number']").fill(case)
    # The court is the judge's own, filled in and read-only.
    assert await form.locator("[name='f.court']").input_value() == "杭州市上城区人民法院"
    await form.locator("[name='f.debtor.kind']").select_option("person")
    await form.locator("[name='f.debtor.name']").fill("钱某某")
    await form.locator("[name='f.debtor.id_number']").fill(resident_id())
    await form.locator("[name='f.outstanding_fen']").fill("320,000.00")
    await form.locator("[name='f.filed_on']").fill(filed_on)
    await form.locator("button[type=submit]").click()

    await expect(page).to_have_url(re.compile(r"/ui/cases/periodic-reinquiry-[0-9a-f]+\?done=started"))
    wid = page.url.split("/ui/cases/")[1].split("?")[0]
    # The first decision: closing the current procedure, with Art. 1's checklist as its form.
    await reload_until(page, "form[data-decision='close-procedure']")
    await expect(page.get_by_test_id("case-status")).to_have_text("待法官决定终本")
    close = page.locator("form[data-decision='close-procedure']")
    await expect(close).to_contain_text("已穷尽财产调查措施")
    for item in CHECKLIST:
        await close.locator(f"[name='f.{item}']").check()
    await close.locator("[name='f.applicant_opinion']").fill("申请执行人同意终本")
    await close.locator("[name='f.ruling_number']").fill("(2026)浙0102执1234号之一")
    await close.locator("textarea[name=reason]").fill("已穷尽财产调查措施, 未发现可供执行的财产")
    await page.screenshot(path=str(tmp_path / "closure-decision.png"), full_page=True)
    await close.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"\?done=decided"))
    # The president signs the 终本裁定 (DOMAIN §18.2) before the procedure closes.
    await reload_until(page, "[data-testid=case-status]:text('待院长签发')")
    await president_signs_on_the_web(web, wid)

    await reload_until(page, "[data-testid=case-status]:text('终本后定期查询中')")
    await expect(page.get_by_test_id("timeline")).to_contain_text("终结本次执行程序")

    # The applicant brings a lead; the judge registers it on the case page and the inquiry runs at once.
    await reload_until(page, "form[data-decision='register-lead']")
    lead = page.locator("form[data-decision='register-lead']")
    await lead.locator("[name='f.asset_lead']").fill("工商银行杭州分行 账户 6222020000001234567")
    await lead.locator("[name='f.urgent']").check()
    await lead.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"\?done=decided"))
    await reload_until(page, "[data-testid=timeline]:has-text('网络查控查询完毕')")
    timeline = page.get_by_test_id("timeline")
    await expect(timeline).to_contain_text("收到财产线索")
    await expect(timeline).not_to_contain_text("6222020000001234567")  # the lead's text stays out of it
    async with await login(web, "judge") as api:
        detail = (await api.get(f"/api/workflows/{wid}")).json()
        docs = (await api.get(f"/api/workflows/{wid}/documents")).json()
    issued = [(d["kind"], d["president"], tuple(d["addressed_to"])) for d in docs]
    assert issued[0] == ("执行裁定书（终结本次执行程序）", True, ("applicant", "debtor"))
    # Each inquiry's result to the applicant (终本规定 Art. 9), once the round has ended.
    assert set(issued[1:]) <= {("财产查询结果告知书", False, ("applicant",))}
    # The network found nothing on the lead: the judge checks it before resuming (终本规定 Art. 9 para 1).
    assert detail["status"] in ("reinquiring", "awaiting_lead_verification")
    assert detail["summary"]["reinquiries"] >= 1
    lead_rounds = [e for e in detail["timeline"] if e["action"] == "reinquiry_completed" and e["detail"]["lead"] == 1]
    assert lead_rounds and lead_rounds[0]["detail"]["trigger"] == "lead"
    assert detail["summary"]["ruling_number"] == "(2026)浙0102执1234号之一"
    closed_at = datetime.fromisoformat(detail["summary"]["closed_at"])
    next_inquiry = datetime.fromisoformat(detail["summary"]["next_inquiry_at"])
    assert timedelta(days=181) <= next_inquiry - closed_at <= timedelta(days=184)  # six months (Art. 9)
