"""Issue 24, as a party would on a phone (390 × 844, Debian's chromium): register with a real name, read the
code from the SMS, log in, find the case that names you, follow it and send the judge a property report —
with no horizontal scroll on any page. Against the real stack."""

from __future__ import annotations

import asyncio
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, FilePayload, Page, ViewportSize, expect

from config.settings import Settings
from domain.documents import DocumentKind, DocumentRequest
from store.db import Database
from tests.browser import axe_violations, chromium
from tests.helpers import eventually, login, resident_id, seed_subject
from tests.scenarios.case.test_case_api import application as filing
from tests.web.test_parties import last_code, phone
from web.services.documents import office_for
from web.ui.pages_party import PARTY_COOKIE

pytestmark = pytest.mark.usefixtures("stack")
PHONE_SIZE: ViewportSize = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "docs"


async def fits_the_phone(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_SIZE["width"], f"{page.url} is {width} px wide at 390 px"


async def signed_in(browser: Browser, web: str, token: str) -> Page:
    """A phone-sized page with the party's session, as logging in by phone and code leaves it."""
    context = await browser.new_context(viewport=PHONE_SIZE, base_url=web, locale="zh-CN")
    host = web.split("//", 1)[1].split(":")[0]
    await context.add_cookies([{"name": PARTY_COOKIE, "value": token, "domain": host, "path": "/p"}])
    return await context.new_page()


async def the_case_opens(page: Page, case_number: str) -> None:
    """From 我的案件, the case's own space: its number, the ledger in yuan, and the filing among its nodes."""
    await page.click(f"text={case_number}")
    await expect(page.locator("h1.case-number")).to_have_text(case_number)
    await expect(page.get_by_test_id("ledger")).to_contain_text("¥")
    await expect(page.get_by_test_id("nodes")).to_contain_text("立案")


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

        await the_case_opens(page, filed["case_number"])
        await fits_the_phone(page)
        # The report in 财产调查规定 Art 5's parts; an empty one must say so, and the page says which field.
        await page.click("#report button[type=submit]")
        await expect(page.get_by_role("alert")).to_contain_text("请逐项报告财产")
        await page.select_option("#money-0-kind", "deposit")
        await page.fill("#money-0-description", "储蓄存款")
        await page.fill("#money-0-value", "20000")
        await page.fill("#money-0-where", "工商银行")
        await fits_the_phone(page)
        await page.click("#report button[type=submit]")
        await expect(page.get_by_test_id("requests")).to_contain_text("报告财产")
        await expect(page.get_by_test_id("property-report")).to_contain_text("储蓄存款")
        await expect(page.get_by_test_id("property-report")).to_contain_text("银行存款")
        await fits_the_phone(page)
        if os.environ.get("OM_SCREENSHOTS") == "1":
            await page.screenshot(path=str(SHOTS / "screenshot-party-case.png"), full_page=True)

        # The staff pages are not a party's: the party's session opens none of them.
        staff = await page.request.get("/api/cases")
        assert staff.status in (401, 403)
        await context.close()


async def test_a_debtor_reports_late_sees_the_sanction_and_pays_in_full_from_a_phone(web: str, simulator: str) -> None:
    """The debtor's side of issue 24's browser tests: a late report meets the judge's decision with its basis,
    then the debtor pays in full on the payment platform's page and sees the case closed."""
    from tests.web.test_parties import registered

    debtor, d = await registered(web, simulator, name="冯十一")
    token = debtor.headers["Authorization"].removeprefix("Bearer ")
    clerk, judge = await login(web, "clerk"), await login(web, "judge")
    async with clerk, judge, debtor:
        body = filing(
            debtors=[{"kind": "person", "name": d["name"], "id_number": d["id_number"]}],
            claim={"principal_fen": 500_00, "interest_fen": 0, "costs_fen": 0, "fee_fen": 0},
        )
        r = await clerk.post("/api/cases", json=body)
        assert r.status_code == 201, r.text
        filed = r.json()
        async with chromium() as browser:
            page = await signed_in(browser, web, token)
            await asyncio.sleep(2.5)  # the report order's period passes (legal time is fast in tests)
            await page.goto(f"/p/cases/{filed['case_id']}")
            await page.check("#no_property")
            await page.click("#report button[type=submit]")
            await expect(page.get_by_test_id("requests")).to_contain_text("逾期报告")
            report = (await debtor.get(f"/api/my/cases/{filed['case_id']}")).json()["requests"][0]
            sanction = {"breach": "late", "kind": "fine", "amount_fen": 5_000_00}
            r = await judge.post(
                f"/api/cases/{filed['case_id']}/party-requests/{report['request_id']}/answer",
                json={"answer": "sanction", "reason": "逾期报告财产", "sanction": sanction},
            )
            assert r.status_code == 200, r.text
            await page.reload()
            await expect(page.get_by_test_id("sanction")).to_contain_text("第一百一十八条")
            await fits_the_phone(page)

            for _ in range(4):  # the doubled delay interest runs on while paying: pay what is left, again
                if await page.get_by_test_id("pay").count() == 0:
                    break
                await page.click("[data-testid=pay] button[type=submit]")
                await expect(page.get_by_test_id("pay-order")).to_contain_text(filed["case_number"])
                await fits_the_phone(page)
                await page.click("#to-platform")
                await expect(page.locator("#case")).to_have_text(filed["case_number"])  # the platform's page
                await fits_the_phone(page)
                await page.click("#pay")
                await expect(page.get_by_test_id("paid")).to_contain_text("缴费已到账")
            await fits_the_phone(page)

            async def closed() -> bool:
                await page.reload()
                return await page.locator("text=已结案").count() > 0

            assert await eventually(closed, timeout=60), "paid in full, the case closes itself"
            await page.context.close()


async def test_an_applicant_follows_the_case_and_sends_a_lead_from_a_phone(
    web: str, simulator: str, settings: Settings, browser: Browser, shots: Path
) -> None:
    """The applicant's side at 390 px: logs in by phone and code, finds the case, reads the ledger, the case's
    nodes, the judge's node with its short video and the document addressed to the applicant, files a lead."""
    from tests.web.test_parties import registered
    from tests.web.test_parties_online import MP4, case_of

    applicant, a = await registered(web, simulator, name="陈十二")
    token = applicant.headers["Authorization"].removeprefix("Bearer ")
    case = await case_of(web, applicant=a)
    cid = case["case_id"]
    judge = await login(web, "judge")
    async with applicant, judge:
        r = await judge.post(f"/api/cases/{cid}/node-videos", files={"file": ("scene.mp4", MP4)})
        assert r.status_code == 201, r.text
        node = {"title": "查封现场", "text": "查封被执行人厂房设备", "attachments": [r.json()["sha256"]]}
        assert (await judge.post(f"/api/cases/{cid}/nodes", json=node)).status_code == 201
    notice = DocumentRequest(
        kind=DocumentKind.ACCEPTANCE_NOTICE,
        court=str(filing()["court"]),
        case_number=case["case_number"],
        issued_on=date.today(),
        case_id=cid,
        workflow_id=case["workflow_id"],
        idempotency_key=f"{case['workflow_id']}:test-acceptance-notice",
        addressed_to=["applicant"],
        fields={
            "applicant_name": a["name"],
            "debtor_name": "张某",
            "cause": "买卖合同纠纷",
            "filing_date": str(date.today()),
            "judge": "judge",
            "claim_fen": 30_420_000,
        },
    )
    await asyncio.to_thread(office_for(settings, Database(settings.web_database_url)).issue, notice)

    # Logged in by phone and code when registering (the code's form is the debtor's test above).
    page = await signed_in(browser, web, token)
    await page.goto("/p/cases")
    await expect(page.get_by_test_id("my-cases")).to_contain_text(case["case_number"])
    await fits_the_phone(page)
    await the_case_opens(page, case["case_number"])
    await expect(page.get_by_test_id("pushed-nodes")).to_contain_text("查封现场")
    await expect(page.get_by_test_id("node-video")).to_have_count(1)
    await expect(page.get_by_test_id("documents")).to_contain_text("受理通知书")
    assert await page.get_by_test_id("pay").count() == 0, "paying is the debtor's"
    await fits_the_phone(page)
    assert await axe_violations(page) == []

    await page.select_option("#kind", "lead")
    await page.fill("#text", "被执行人在杭州市西湖区有一处商铺, 产权证号待查")
    await page.click("#requests button[type=submit]")
    await expect(page.get_by_test_id("requests")).to_contain_text("财产线索")
    await expect(page.get_by_test_id("requests")).to_contain_text("西湖区有一处商铺")
    await fits_the_phone(page)
    await page.screenshot(path=str(shots / "screenshot-party-applicant.png"), full_page=True)
    await page.context.close()


async def test_an_applicant_applies_from_a_phone_and_both_parties_follow_the_case_to_its_end(
    web: str, simulator: str, browser: Browser
) -> None:
    """Issue 24's whole story at 390 px: the applicant applies online with the title's PDF (a wrong field is named
    and nothing is queued), sees it docketed with its 案号, sends a lead and sees it verified; the debtor pays in
    full; both see the measure lifted and the case closed."""
    from tests.web.test_parties import PDF, registered
    from tests.web.test_parties_online import pay_on_the_platform

    applicant, a = await registered(web, simulator, name="褚十三")
    debtor, d = await registered(web, simulator, name="卫十四")
    deposit = {"partner_id": "bank-icbc", "kind": "deposit", "reference": "6222000077778888", "available_fen": 500_00}
    await seed_subject(simulator, {"kind": "person", "name": d["name"], "id_number": d["id_number"]}, [deposit])
    page = await signed_in(browser, web, applicant.headers["Authorization"].removeprefix("Bearer "))
    clerk, judge = await login(web, "clerk"), await login(web, "judge")
    async with applicant, debtor, clerk, judge:
        await page.goto("/p/cases")
        await page.get_by_test_id("apply-link").click()
        await expect(page.get_by_test_id("apply-applicant")).to_contain_text(a["name"])
        await fits_the_phone(page)
        await page.select_option("#court", "杭州市上城区人民法院")
        await page.fill("#debtor_name", d["name"])
        await page.fill("#debtor_id_number", d["id_number"])
        await page.fill("#title_number", "(2026)浙0102民初789号")
        await page.fill("#title_issuer", "杭州市上城区人民法院")
        await page.fill("#effective_on", "2026-09-01")
        await page.fill("#performance_due_on", "2026-09-15")
        await page.fill("#principal", "1,2a0")
        title: FilePayload = {"name": "判决书.pdf", "mimeType": "application/pdf", "buffer": PDF}
        await page.set_input_files("#title_pdf", files=title)
        await page.click("[data-testid=apply] button[type=submit]")
        await expect(page.get_by_role("alert")).to_contain_text("「本金」须是大于零的元数")
        assert (await applicant.get("/api/my/applications")).json() == [], "nothing queued"
        await expect(page.locator("#debtor_name")).to_have_value(d["name"])  # what was typed is kept
        await page.fill("#principal", "1,200.00")
        await page.set_input_files("#title_pdf", files=title)
        await page.click("[data-testid=apply] button[type=submit]")
        await expect(page.get_by_test_id("applications")).to_contain_text("待立案审查")
        await fits_the_phone(page)

        (queued,) = [
            x
            for x in (await clerk.get("/api/applications")).json()
            if x["application"]["applicants"][0]["id_number"] == a["id_number"]
        ]
        r = await clerk.post(f"/api/applications/{queued['application_id']}/accept", json={})
        assert r.status_code == 200, r.text
        accepted = r.json()
        await page.reload()
        await expect(page.get_by_test_id("applications")).to_contain_text(accepted["case_number"])
        cid = accepted["case_id"]

        async def listed() -> bool:
            await page.reload()
            return await page.get_by_test_id("my-cases").get_by_text(accepted["case_number"]).count() > 0

        assert await eventually(listed)
        await the_case_opens(page, accepted["case_number"])

        await page.select_option("#kind", "lead")
        await page.fill("#text", "被执行人名下另有存款, 开户行不详")
        await page.click("#requests button[type=submit]")
        await expect(page.get_by_test_id("requests")).to_contain_text("财产线索")
        (lead,) = [x for x in (await applicant.get(f"/api/my/cases/{cid}")).json()["requests"] if x["kind"] == "lead"]
        url = f"/api/cases/{cid}/party-requests/{lead['request_id']}/answer"
        r = await judge.post(url, json={"answer": "verify", "reason": "线索具体, 启动网络查控"})
        assert r.status_code == 200, r.text
        inquiry = r.json()["matter_workflow_id"]
        await page.reload()
        await expect(page.get_by_test_id("request-action")).to_contain_text("查控")
        await fits_the_phone(page)

        # The inquiry the lead started finds the deposit; the judge freezes it: a measure in force.
        async def reported() -> bool:
            found = (await judge.get(f"/api/workflows/{inquiry}")).json()
            return "approve-control" in {d["name"] for d in found.get("pending_decisions", [])}

        assert await eventually(reported, timeout=60)
        r = await judge.post(
            f"/api/workflows/{inquiry}/decisions/approve-control", json={"reason": "经审查, 依法冻结", "deduct": False}
        )
        assert r.status_code == 200, r.text

        async def frozen() -> bool:
            measures = (await debtor.get(f"/api/my/cases/{cid}")).json()["measures"]
            return any(m["state"] == "in-force" for m in measures)

        assert await eventually(frozen, timeout=60)
        await page.reload()
        await expect(page.get_by_test_id("measures").locator("[data-state=in-force]")).to_have_count(1)

        # The debtor pays the whole balance online.
        for _ in range(4):  # the doubled delay interest runs on while paying: pay what is left, again
            owed = (await debtor.get(f"/api/my/cases/{cid}")).json()["ledger"]["balance_fen"]
            if owed == 0:
                break
            r = await debtor.post(f"/api/my/cases/{cid}/payments", json={"amount_fen": owed})
            assert r.status_code == 201, r.text
            await pay_on_the_platform(r.json()["pay_url"])
            r = await debtor.post(f"/api/my/cases/{cid}/payments/{r.json()['order_id']}/confirm")
            assert r.status_code == 200, r.text

        async def ended(party: Any) -> bool:
            space = (await party.get(f"/api/my/cases/{cid}")).json()
            return space["closed"] is not None and all(m["state"] != "in-force" for m in space["measures"])

        assert await eventually(lambda: ended(debtor), timeout=90), (
            "the debtor sees the measure lifted, the case closed"
        )
        assert await eventually(lambda: ended(applicant), timeout=30)
        await page.reload()
        await expect(page.locator("text=已结案")).to_have_count(1)
        await expect(page.get_by_test_id("measures").locator("[data-state=released]")).to_contain_text("已解除")
        await expect(page.get_by_test_id("measures").locator("[data-state=in-force]")).to_have_count(0)
        await fits_the_phone(page)
        assert await axe_violations(page) == []
        await page.context.close()
