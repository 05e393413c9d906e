"""Work queues in a real browser (issue 26 item 2): the approver's 待我审批 holds the payouts awaiting a
second approval (with the payout's list, paged), the documents awaiting the president's signature and the
term extensions, each decided from there; the command centre's 待督办 lists decisions waiting past the
court's period. Each counted in the header; axe-core finds nothing; nothing scrolls sideways at 390 px."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect
from temporalio.client import Client

from config.settings import Settings
from tests.browser import axe_violations, chromium, logged_in, reload_until
from tests.helpers import case_number, decide, login, start, wait_status
from tests.scenarios.agency_task.test_agency_tasks import spec, start_task
from tests.scenarios.case.test_case_api import file
from tests.scenarios.dishonest_list.test_dishonest_list import enter, new_request
from tests.scenarios.mass_payout.test_mass_payout import PayeeSet, request, store_list, tuning
from tests.web.test_web_api import inquiry_request
from web.accounts import DEMO_COURT
from workflows.dishonest_list.models import ENTER
from workflows.mass_payout.models import APPROVE

pytestmark = pytest.mark.usefixtures("stack")

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b


async def fits_a_phone(page: Page) -> None:
    """axe-core finds nothing, and at 390 px nothing scrolls sideways."""
    assert await axe_violations(page) == []
    size = page.viewport_size
    await page.set_viewport_size(PHONE)
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"
    if size:
        await page.set_viewport_size(size)


async def test_the_approver_pages_through_a_payouts_list_and_approves_it(
    browser: Browser,
    client: Client,
    settings: Settings,
    web: str,
    shots: Path,
) -> None:
    payees = PayeeSet()
    for i in range(120):
        payees.add(i)
    ref = store_list(settings, payees)
    handle = await start(client, settings, "mass-payout", request(ref), overrides={"tuning": tuning()})
    await wait_status(handle, "awaiting_approval", timeout=30)
    await decide(handle, APPROVE, "经审核, 准予发放")
    await wait_status(handle, "awaiting_second_approval", timeout=30)

    page = await logged_in(browser, web, "approver")
    await expect(page).to_have_url(re.compile(r"/ui/queue$"))  # the approver lands on the queue
    await reload_until(page, f"[data-testid=queue] tr[data-workflow='{handle.id}']")
    row = page.get_by_test_id("queue").locator(f"tr[data-workflow='{handle.id}']")
    await expect(row).to_contain_text("待第二位法官批准")
    await expect(page.get_by_test_id("nav-queue").locator("[data-count=decide]")).to_have_text(re.compile(r"^[1-9]"))
    await fits_a_phone(page)
    await row.locator("a").click()
    # The list itself, fifty rows a page, numbers masked, money in yuan.
    listed = page.get_by_test_id("payee-list")
    await expect(listed).to_contain_text("第 1–50 行, 共 120 行")
    await expect(listed.locator("tbody tr")).to_have_count(50)
    await expect(listed).to_contain_text("收款人0")
    await expect(listed).not_to_contain_text(payees.rows[0][3])  # the ID number, masked
    await expect(listed).to_contain_text("¥")
    await listed.get_by_test_id("payees-next").click()
    await expect(page.get_by_test_id("payee-list")).to_contain_text("第 51–100 行, 共 120 行")
    await page.screenshot(path=str(shots / "screenshot-approver-payout-list.png"), full_page=True)
    await page.get_by_test_id("payees-next").click()
    await expect(page.get_by_test_id("payee-list").locator("tbody tr")).to_have_count(20)
    await expect(page.get_by_test_id("payees-next")).to_have_count(0)
    await fits_a_phone(page)
    approve = page.locator("form[data-decision='approve-release']")
    await expect(approve.get_by_test_id("decision-effect")).to_contain_text("另一审批人复核")
    await approve.locator("textarea[name=reason]").fill("复核同意")
    await approve.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"\?done=decided"))
    await page.context.close()


async def test_the_president_signs_and_extends_a_term_from_the_queue(
    browser: Browser,
    client: Client,
    settings: Settings,
    web: str,
    shots: Path,
) -> None:
    listing = await start(client, settings, "dishonest-list", new_request())
    await wait_status(listing, "awaiting_entry_decision")  # the desk is open for the entry
    await decide(listing, ENTER, reason="规避执行", **enter())
    await wait_status(listing, "awaiting_president_signature")

    page = await logged_in(browser, web, "approver")
    async with await login(web, "clerk") as clerk, await login(web, "judge") as judge:
        filed = await file(clerk)
        asked = await judge.post(f"/api/cases/{filed['case_id']}/term/extension", json={"reason": "财产处置中"})
        assert asked.status_code == 200, asked.text
        # The term's extension reaches the queue once the case has written its register row.
        await reload_until(page, f"[data-testid=queue-extensions] [data-case='{filed['case_id']}']")
        await expect(page.get_by_test_id("queue").locator(f"tr[data-workflow='{listing.id}']")).to_contain_text(
            "待院长签发"
        )
        extension = page.get_by_test_id("queue-extensions").locator(f"[data-case='{filed['case_id']}']")
        approve = extension.locator("form[data-decision='approve-term-extension']")
        await expect(approve.get_by_test_id("decision-effect")).to_contain_text("延长审限三个月")
        await fits_a_phone(page)
        await page.screenshot(path=str(shots / "screenshot-approver-queue.png"), full_page=True)
        await approve.locator("textarea[name=reason]").fill("同意延长三个月")
        await approve.locator("button[type=submit]").click()
        await expect(page).to_have_url(re.compile(r"/ui/queue\?done=decided"))
        case = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
        assert case["term"]["extensions"] == 1
        entry = next(e for e in case["timeline"] if e["action"] == "term-extended")
        assert entry["actor"]["user_id"] == "approver" and entry["reason"] == "同意延长三个月"

    # The signature, from the queue to the case page's panel.
    await page.get_by_test_id("queue").locator(f"tr[data-workflow='{listing.id}'] a").click()
    sign = page.locator("form[data-decision='president-sign']")
    await expect(sign.get_by_test_id("decision-effect")).to_contain_text("加盖院印")
    await sign.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"\?done=decided"))
    await reload_until(page, "[data-testid=case-status]:text('已纳入失信名单')")
    await page.context.close()


async def test_the_command_centre_lists_decisions_waiting_past_their_period(
    browser: Browser,
    web: str,
    shots: Path,
) -> None:
    async with await login(web, "judge") as judge:
        started = await judge.post("/api/scenarios/asset-inquiry/workflows", json=inquiry_request(case_number()))
        assert started.status_code in (200, 201, 202), started.text
        wid = started.json()["workflow_id"]
    page = await logged_in(browser, web, "supervisor")
    await expect(page).to_have_url(re.compile(r"/ui/queue$"))
    # Three working days pass in well under a second of test time.
    await reload_until(page, f"[data-testid=queue-overdue] tr[data-workflow='{wid}']", timeout=60)
    row = page.get_by_test_id("queue-overdue").locator(f"tr[data-workflow='{wid}']")
    await expect(row).to_contain_text("批准查控措施")
    await expect(row.locator("a[href^='/ui/dashboard/judges/']")).to_have_text("judge")
    await expect(page.get_by_test_id("nav-queue").locator("[data-count=overdue]")).to_have_text(re.compile(r"^[1-9]"))
    await fits_a_phone(page)
    await page.screenshot(path=str(shots / "screenshot-supervisor-queue.png"), full_page=False)
    # The command centre's view of that judge: the same case, overdue and waiting.
    await row.locator("a[href^='/ui/dashboard/judges/']").click()
    await expect(page.locator("h1")).to_have_text("法官 judge")
    await expect(page.get_by_test_id("judge-overdue").locator(f"tr[data-workflow='{wid}']")).to_be_visible()
    await expect(page.get_by_test_id("judge-waiting").locator(f"tr[data-workflow='{wid}']")).to_be_visible()
    await expect(
        page.get_by_test_id("judge-matters").locator("tr[data-scenario='asset-inquiry']").first
    ).to_be_visible()
    await fits_a_phone(page)
    await page.context.close()


async def test_the_command_centre_views_one_agency(browser: Browser, client: Client, settings: Settings, web: str):
    task = await start_task(client, settings, spec("police-hangzhou").model_copy(update={"court": DEMO_COURT}))
    page = await logged_in(browser, web, "supervisor")
    await expect(page).to_have_url(re.compile(r"/ui/queue$"))  # the command centre lands on its queue
    await page.goto("/ui/dashboard")
    # Every agency in the board's tables leads to its own view, and every judge of the courts is listed.
    await reload_until(page, "[data-testid=table-agencies] tr[data-agency='police-hangzhou'] a")
    await expect(page.get_by_test_id("dash-judges").locator("a[href='/ui/dashboard/judges/judge']")).to_be_visible()
    await page.get_by_test_id("table-agencies").locator("tr[data-agency='police-hangzhou'] a").click()
    await expect(page).to_have_url(re.compile(r"/ui/dashboard/agencies/police-hangzhou$"))
    await expect(page.locator("h1")).to_contain_text("公安")
    await expect(page.get_by_test_id("agency-tasks").locator(f"tr[data-task='{task.id}']")).to_be_visible()
    await fits_a_phone(page)
    await page.context.close()
