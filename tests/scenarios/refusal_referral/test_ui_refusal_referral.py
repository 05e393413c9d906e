"""The refusal-to-execute referral (拒执移送) in a real browser (Debian's chromium, driven by Playwright):
a judge starts it from the form generated from its request model and words, sees the granule checklist
on the case page, and — once the sandbox's departments have answered the evidence granules through
their inboxes — takes the first decision: the referral to the police.

Screenshots go to a temporary folder, or to docs/ with OM_SCREENSHOTS=1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from domain.parties import Party, PartyKind
from simulators.refusal_agents import REFUSAL_INBOXES
from simulators.task_agents import work_once
from tests.browser import logged_in, reload_until
from tests.helpers import case_number, eventually, login, resident_id

pytestmark = pytest.mark.usefixtures("stack")

REPO = Path(__file__).resolve().parents[3]


async def sandbox_departments_answer(web: str, wid: str) -> None:
    """The sandbox's departments work their inboxes (as `make run`'s inbox agents do) until the case
    waits for the judge's referral."""
    clients = [await login(web, agency) for agency in REFUSAL_INBOXES]
    try:
        async with await login(web, "judge") as judge:

            async def drive() -> bool:
                for agency, http in zip(REFUSAL_INBOXES, clients, strict=True):
                    await work_once(http, agency)
                r = await judge.get(f"/api/workflows/{wid}")
                return r.status_code == 200 and r.json()["status"] == "awaiting_referral"

            await eventually(drive, timeout=60, interval=0.3)
    finally:
        for c in clients:
            await c.aclose()


async def test_judge_starts_a_referral_sees_the_checklist_and_refers(browser: Browser, web: str, shots: Path):
    person = Party(kind=PartyKind.PERSON, name="沈某某", id_number=resident_id())
    case = case_number()

    page = await logged_in(browser, web, "judge")
    await page.goto("/ui/cases/new")
    await page.click("a[data-scenario='refusal-referral']")
    form = page.get_by_test_id("start-form")
    await form.locator("[name='f.case_number']").fill(case)
    # The judge's own court, filled in for them (a case of another court would be refused).
    await expect(form.locator("[name='f.court']")).to_have_value("杭州市上城区人民法院")
    await form.locator("[name='f.person.kind']").select_option("person")
    await form.locator("[name='f.person.name']").fill(person.name)
    await form.locator("[name='f.person.id_number']").fill(person.id_number)
    await form.locator("[name='f.owed_fen']").fill("860,000.00")
    grounds = form.locator("[data-multi='f.refusal_grounds']")
    await expect(grounds).to_contain_text("无偿处分、虚假和解或转让")  # the enum's words, not its value
    await grounds.locator("input[value='serious-1-gratuitous-disposal']").check()
    await grounds.locator("input[value='serious-4-reporting-after-sanction']").check()
    await form.locator("[name='f.conduct']").fill("判决生效后将房产低价转让给亲属, 经司法拘留后仍拒不报告财产")
    await form.locator("[name='f.sanctioned']").check()
    await page.screenshot(path=str(shots / "screenshot-refusal-start.png"), full_page=True)
    await form.locator("button[type=submit]").click()

    await expect(page).to_have_url(re.compile(r"/ui/cases/refusal-referral-[0-9a-f]+\?done=started"))
    wid = page.url.split("/ui/cases/")[1].split("?")[0]
    await reload_until(page, "[data-testid=case-status]:text('证据收集中')", timeout=60)
    summary = page.get_by_test_id("summary")
    await expect(summary).to_contain_text("任务颗粒清单")
    await expect(summary).to_contain_text("调取被执行人银行账户交易流水")
    await expect(summary).not_to_contain_text(person.name)  # the checklist shows no personal data

    await sandbox_departments_answer(web, wid)
    await reload_until(page, "form[data-decision='refer-to-police']", timeout=60)
    await expect(page.get_by_test_id("case-status")).to_have_text("待决定是否移送")
    refer = page.locator("form[data-decision='refer-to-police']")
    await refer.locator("[name='f.letter_ref']").fill("(2026)浙0102执移3号")
    await refer.locator("[name='f.statement']").fill("有能力执行而拒不执行, 情节严重, 依法移送")
    reason = refer.locator("textarea[name=reason]")
    if await reason.count():
        await reason.fill("证据颗粒均已查实")
    await page.screenshot(path=str(shots / "screenshot-refusal-decision.png"), full_page=True)
    await refer.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"\?done=decided"))
    await reload_until(page, "[data-testid=case-status]:text('待公安机关受案立案')", timeout=60)
    await expect(page.get_by_test_id("timeline")).to_contain_text("发出移送函")
    await page.context.close()
