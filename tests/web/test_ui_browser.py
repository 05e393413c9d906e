"""The UI in a real browser (Debian's chromium, driven by Playwright): a judge starts an asset inquiry
from the schema-generated form and approves the freeze; an agency user completes a task; another agency
gets 403 on it; an auditor finds both acts with their actors and verifies the signed export offline.

Screenshots of each role's main page go to a temporary folder, or to docs/ with OM_SCREENSHOTS=1.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, ViewportSize, expect

from config.settings import Settings
from domain.legal_time import CHINA_TZ
from domain.parties import Party, PartyKind
from tests import browser as browser_kit
from tests.browser import axe_violations, logged_in_at_cases, reload_until
from tests.helpers import account_number, case_number, eventually, login, resident_id, seed_subject, start, status
from workflows.cross_region_seizure.models import CrossRegionSeizureRequest, Vehicle

pytestmark = pytest.mark.usefixtures("stack")

REPO = Path(__file__).resolve().parents[2]
# A 1×1 PNG and a one-page PDF, as an agency's clerk would upload them.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082"
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PHONE: ViewportSize = {"width": 390, "height": 844}
# What the tests share, in file order: the judge's case, the agency's task.
SHARED: dict[str, Any] = {}


async def test_judge_starts_an_inquiry_and_approves_the_freeze(browser: Browser, web: str, simulator: str, shots: Path):
    debtor = Party(kind=PartyKind.PERSON, name="赵某某", id_number=resident_id())
    deposit = {
        "partner_id": "bank-icbc",
        "kind": "deposit",
        "reference": account_number(),
        "description": "活期存款",
        "available_fen": 20_000_00,
    }
    await seed_subject(simulator, debtor.model_dump(mode="json"), [deposit])
    case = case_number()

    page = await logged_in_at_cases(browser, web, "judge")
    await page.click("a[href='/ui/cases/new']")
    await page.click("a[data-scenario='asset-inquiry']")
    form = page.get_by_test_id("start-form")
    await form.locator("[name='f.case_number']").fill(case)
    # The court is the judge's own, filled in and read-only.
    assert await form.locator("[name='f.court']").input_value() == "杭州市上城区人民法院"
    await form.locator("[name='f.debtor.kind']").select_option("person")
    await form.locator("[name='f.debtor.name']").fill(debtor.name)
    await form.locator("[name='f.debtor.id_number']").fill(debtor.id_number)
    await form.locator("[name='f.amount_owed_fen']").fill("5,000.00")  # yuan, typed as people do
    await form.locator("[name='f.execution_costs_fen']").fill("100.5")
    await expect(form.locator(".money .preview").first).to_have_text("¥5,000.00")  # yuan, never fen
    await form.locator("button[type=submit]").click()

    await expect(page).to_have_url(re.compile(r"/ui/cases/asset-inquiry-[0-9a-f]+\?done=started"))
    wid = page.url.split("/ui/cases/")[1].split("?")[0]
    await reload_until(page, "form[data-decision='approve-control']")
    assert await axe_violations(page) == []  # the case page with its decision
    await expect(page.get_by_test_id("case-status")).to_have_text("待法官决定")
    # 待我决定: the case is in the judge's queue, counted in the header.
    await page.goto("/ui/queue")
    assert await axe_violations(page) == []
    await expect(page.get_by_test_id("queue").locator(f"tr[data-workflow='{wid}']")).to_contain_text("待法官决定")
    await expect(page.get_by_test_id("nav-queue").locator("[data-count=decide]")).to_have_text(re.compile(r"^[1-9]"))
    await page.get_by_test_id("queue").locator(f"tr[data-workflow='{wid}'] a").click()
    approve = page.locator("form[data-decision='approve-control']")
    await expect(approve.locator("[name='f.deduct']")).to_be_checked()
    # Assets are ticked in the report's rows (all by default), never typed as indexes.
    picks = approve.locator("input[type=checkbox][name^='f.selection.']")
    await expect(picks.first).to_be_checked()
    await expect(approve.locator("textarea[name='f.selection']")).to_have_count(0)
    await expect(approve.locator("button[type=submit]")).to_have_class(re.compile("intent-approve"))
    await approve.locator("textarea[name=reason]").fill("经审查, 依法冻结被执行人存款")
    await page.screenshot(path=str(shots / "screenshot-judge-decision.png"), full_page=True)
    await approve.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"\?done=decided"))
    await reload_until(page, "[data-testid=case-status]:text('已完成')")
    timeline = page.get_by_test_id("timeline")
    await expect(timeline).to_contain_text("法官决定")
    await expect(timeline).to_contain_text("经审查, 依法冻结被执行人存款")

    await page.screenshot(path=str(shots / "screenshot-judge-case.png"), full_page=True)
    await page.set_viewport_size(PHONE)  # the judge's case page on a phone: no sideways scrolling
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.set_viewport_size(browser_kit.VIEWPORT)
    async with await login(web, "judge") as api:
        summary = (await api.get(f"/api/workflows/{wid}")).json()["summary"]
    assert summary["target_fen"] == 5_100_50  # ¥5,000.00 + ¥100.50, exactly
    assert summary["frozen_fen"] == 5_100_50

    await page.goto("/ui/cases")
    await expect(page.get_by_test_id("cases")).to_contain_text(case)
    await page.screenshot(path=str(shots / "screenshot-judge.png"), full_page=False)
    SHARED["inquiry"] = {"workflow_id": wid, "case_number": case}
    await page.get_by_role("button", name="退出").click()
    await expect(page).to_have_url(re.compile(r"/ui/login$"))
    assert await axe_violations(page) == []
    await page.goto(f"/ui/cases/{wid}")
    await expect(page).to_have_url(re.compile(r"/ui/login\?next="))
    await page.context.close()


async def test_start_form_reports_errors_next_to_the_field(browser: Browser, web: str):
    page = await logged_in_at_cases(browser, web, "judge")
    await page.goto("/ui/cases/new")
    assert await axe_violations(page) == []
    await page.goto("/ui/cases/new/asset-inquiry")
    assert await axe_violations(page) == []
    form = page.get_by_test_id("start-form")
    await form.locator("[name='f.case_number']").fill(case_number())
    # The court is the judge's own, filled in and read-only.
    assert await form.locator("[name='f.court']").input_value() == "杭州市上城区人民法院"
    await form.locator("[name='f.debtor.kind']").select_option("person")
    await form.locator("[name='f.debtor.name']").fill("孙某某")
    await form.locator("[name='f.debtor.id_number']").fill("110105194912310029")  # wrong check digit
    await form.locator("[name='f.amount_owed_fen']").fill("10.005")
    await form.evaluate("f => f.noValidate = true")  # let the server judge the amount, not the browser
    await form.locator("button[type=submit]").click()
    await expect(page.locator(".field.has-error")).to_have_count(1)
    await expect(page.locator("[name='f.amount_owed_fen']")).to_have_value("10.005")
    # A negative or a huge amount: said in Chinese beside the field, the rest of the form kept.
    for typed, said in (("-5", "金额不能为负数"), ("1e30", "金额过大"), ("9" * 30, "金额过大")):
        await page.locator("[name='f.amount_owed_fen']").fill(typed)
        await page.get_by_test_id("start-form").evaluate("f => f.noValidate = true")
        await page.get_by_test_id("start-form").locator("button[type=submit]").click()
        await expect(page.locator(".field.has-error")).to_contain_text(said)
        await expect(page.locator("[name='f.debtor.name']")).to_have_value("孙某某")
    await page.locator("[name='f.amount_owed_fen']").fill("10")
    await page.get_by_test_id("start-form").evaluate("f => f.noValidate = true")
    await page.get_by_test_id("start-form").locator("button[type=submit]").click()
    error = page.locator(".field.has-error")
    await expect(error).to_have_count(1)
    await expect(error).to_contain_text("居民身份证号不正确")
    assert await axe_violations(page) == []  # a form with its errors
    await expect(error).not_to_contain_text("cn.ric")
    await expect(page).to_have_url(re.compile(r"/ui/cases/new/asset-inquiry$"))
    await page.context.close()


async def test_agency_completes_its_task_and_others_get_403(
    browser: Browser, web: str, simulator: str, client: Any, settings: Settings, shots: Path
):
    owner = Party(kind=PartyKind.PERSON, name="钱某某", id_number=resident_id())
    plate = f"浙A{resident_id()[-6:-1]}"
    vehicle = {"partner_id": "vehicle-registry", "kind": "vehicle", "reference": plate, "description": "小型轿车"}
    await seed_subject(simulator, owner.model_dump(mode="json"), [vehicle])
    req = CrossRegionSeizureRequest(
        case_number=case_number(),
        court="杭州市上城区人民法院",
        ruling_ref="(2026)浙04执恢12号之一",
        vehicle=Vehicle(plate=plate, vin="LSVAU2180N2123456", owner=owner),
    )
    handle = await start(client, settings, "cross-region-seizure", req)
    task_id = f"{handle.id}:task:accept"

    page = await logged_in_at_cases(browser, web, "court-gongshu")
    await expect(page).to_have_url(re.compile(r"/ui/inbox"))
    await reload_until(page, f"tr[data-task='{task_id}']")
    await page.screenshot(path=str(shots / "screenshot-agency.png"), full_page=False)
    assert await axe_violations(page) == []
    await page.locator(f"tr[data-task='{task_id}'] a").click()
    await expect(page.get_by_test_id("task-state")).to_have_text("待签收")
    await page.screenshot(path=str(shots / "screenshot-agency-task.png"), full_page=True)
    assert await axe_violations(page) == []
    # Before 签收 there is nothing to submit: the result form waits for the claim.
    await expect(page.get_by_test_id("claim-first")).to_be_visible()
    await expect(page.get_by_test_id("result-form")).to_have_count(0)
    await page.get_by_role("button", name="签收", exact=True).click()
    await expect(page).to_have_url(re.compile(r"\?done=claimed"))
    await reload_until(page, "[data-testid=task-state]:text('办理中')")
    # A photo and a PDF go up from the task page: the photo shows as a thumbnail opening the full file.
    for name, content, mime in (("photo.png", PNG, "image/png"), ("letter.pdf", PDF, "application/pdf")):
        await (
            page.get_by_test_id("upload-form")
            .locator("input[type=file]")
            .set_input_files({"name": name, "mimeType": mime, "buffer": content})
        )
        await page.get_by_test_id("upload-form").locator("button[type=submit]").click()
        await expect(page).to_have_url(re.compile(r"done=uploaded"))
    thumb = page.get_by_test_id("attachments").locator("img.thumb")
    await expect(thumb).to_have_count(1)
    assert await thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    full = await page.request.get(await thumb.evaluate("img => img.parentElement.href"))
    assert full.ok and await full.body() == PNG
    await expect(page.get_by_test_id("attachments").locator("a.file-link")).to_have_text("PDF 文件 2")
    await (
        page.get_by_test_id("upload-form")
        .locator("input[type=file]")
        .set_input_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture"})
    )
    await page.get_by_test_id("upload-form").locator("button[type=submit]").click()
    await expect(page.get_by_test_id("upload-error")).to_have_text("仅可上传 PDF、JPEG 或 PNG 文件")
    await expect(page.get_by_test_id("attachments").locator("li")).to_have_count(2)
    result = page.get_by_test_id("result-form")
    await expect(result.locator("[name='f.accepted']")).to_be_checked()
    await result.locator("[name='f.reference']").fill("(2026)浙0105执协8号")
    await result.locator("textarea[name=note]").fill("已接受委托, 安排交警查控")
    await result.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"\?done=completed"))
    await expect(page.get_by_test_id("task-state")).to_have_text("已完成")
    await expect(page.get_by_test_id("attachments").locator("img.thumb")).to_have_count(1)

    async def moved_on() -> bool:
        return (await status(handle)).status == "waiting_police"

    await eventually(moved_on, timeout=30)
    await page.goto("/ui/inbox/done")
    await expect(page.get_by_test_id("inbox")).to_contain_text("受托法院接受事项委托")
    await page.context.close()

    # On a phone (390 px): the inbox and the task page fit the screen, nothing scrolls sideways.
    phone = await browser_kit.logged_in(browser, web, "court-gongshu", viewport=PHONE)
    for path in ("/ui/inbox/done", f"/ui/tasks/{task_id}"):
        await phone.goto(path)
        assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    await phone.context.close()

    # Another agency opening that task: 403, in the page and in the API alike.
    police = await logged_in_at_cases(browser, web, "police-hangzhou")
    response = await police.goto(f"/ui/tasks/{task_id}")
    assert response is not None and response.status == 403
    await expect(police.get_by_test_id("error-message")).to_be_visible()
    await police.context.close()
    SHARED["seizure"] = {"workflow_id": handle.id, "case_number": req.case_number, "task_id": task_id}


async def test_auditor_finds_both_acts_and_verifies_the_export(browser: Browser, web: str, shots: Path, tmp_path: Path):
    inquiry, seizure = SHARED.get("inquiry"), SHARED.get("seizure")
    if inquiry is None or seizure is None:
        pytest.fail("the judge's and the agency's tests must run first")
    page = await logged_in_at_cases(browser, web, "auditor")
    await expect(page).to_have_url(re.compile(r"/ui/audit"))
    search = page.get_by_test_id("audit-search")
    assert await axe_violations(page) == []
    await search.locator("[name=case_number]").fill(inquiry["case_number"])
    await search.locator("button[type=submit]").click()
    results = page.get_by_test_id("audit-results")
    await expect(results).to_contain_text(inquiry["case_number"])
    await page.screenshot(path=str(shots / "screenshot-auditor.png"), full_page=False)
    today = datetime.now(CHINA_TZ).date().isoformat()
    await page.goto(f"/ui/audit?case_number={inquiry['case_number']}&from={today}&to={today}")
    await expect(results).to_contain_text(inquiry["case_number"])
    await results.locator("a", has_text="审计轨迹").first.click()

    trail = page.get_by_test_id("trail")
    decision = trail.locator("tr[data-action='decide:approve-control']")
    await expect(decision).to_have_count(1)
    await expect(decision).to_have_attribute("data-actor", "judge")
    await expect(decision).to_contain_text("法官")
    await expect(decision).to_contain_text("经审查, 依法冻结被执行人存款")
    await expect(trail.locator("tr[data-action='register_measure']").first).to_contain_text("中国工商银行")
    assert await axe_violations(page) == []
    await expect(trail.locator("tr[data-action='workflow_started']")).to_have_attribute("data-actor", "judge")

    await page.screenshot(path=str(shots / "screenshot-auditor-trail.png"), full_page=True)
    async with page.expect_download() as info:
        await page.get_by_test_id("export").click()
    download = await info.value
    export = tmp_path / "inquiry-export.json"
    await download.save_as(str(export))
    key = tmp_path / "key.json"
    async with httpx.AsyncClient(base_url=web) as anon:
        key.write_text((await anon.get("/api/audit/public-key")).text)
    verified = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "web.audit_cli", "verify", str(export), "--public-key-file", str(key)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("OK:")

    # The agency's completion is in the seizure's trail, under the task's workflow, by that agency.
    await page.goto(f"/ui/audit?case_number={seizure['case_number']}")
    await page.get_by_test_id("audit-results").locator("a", has_text="审计轨迹").first.click()
    done = page.get_by_test_id("trail").locator("tr[data-action='complete']")
    await expect(done).to_have_count(1)
    await expect(done).to_have_attribute("data-actor", "court-gongshu")
    await expect(done).to_contain_text(seizure["task_id"])
    await expect(done).to_contain_text("已接受委托, 安排交警查控")

    # English on request.
    await page.click("a.lang")
    await expect(page.get_by_test_id("export")).to_have_text("Download signed export")
    await page.context.close()


async def test_judge_cancels_with_a_reason_and_the_trail_says_who(browser: Browser, web: str):
    seizure = SHARED.get("seizure")
    if seizure is None:
        pytest.fail("the agency's test must run first")
    wid = seizure["workflow_id"]
    page = await logged_in_at_cases(browser, web, "judge")
    await page.goto(f"/ui/cases/{wid}")
    cancel = page.locator(f"form[action='/ui/cases/{wid}/cancel']")
    await cancel.locator("textarea[name=reason]").fill("申请执行人撤回执行申请")
    await cancel.locator("button[type=submit]").click()  # confirms in a dialog, accepted by the test
    await expect(page).to_have_url(re.compile(r"\?done=cancelled"))
    await reload_until(page, ".badge.t-CANCELED")
    await page.context.close()

    async with await login(web, "auditor") as auditor:
        events = (await auditor.get(f"/api/workflows/{wid}/audit")).json()["events"]
    asked = next(e for e in events if e["action"] == "signal:om-cancel-requested")
    assert asked["actor"]["user_id"] == "judge" and asked["actor"]["role"] == "judge"
    assert asked["reason"] == "申请执行人撤回执行申请"
    assert any(e["action"] == "cancel_requested" and "judge" in (e["reason"] or "") for e in events)
    own = [e for e in events if e["workflow_id"] == wid]
    assert own[-1]["action"] == "workflow_cancelled"


async def test_forms_without_the_csrf_token_are_refused(web: str):
    async with await login(web, "judge") as api:
        token = api.headers["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=web, cookies={"om_session": token}) as browserless:
        page = await browserless.get("/ui/cases/new/asset-inquiry")
        assert page.status_code == 200 and 'name="csrf"' in page.text
        forged = await browserless.post("/ui/cases/new/asset-inquiry", data={"f.case_number": case_number()})
        assert forged.status_code == 403
        assert "表单已过期" in forged.text
        logout = await browserless.post("/ui/logout", data={"csrf": "not-it"})
        assert logout.status_code == 403
    async with httpx.AsyncClient(base_url=web) as anon:
        login_post = await anon.post("/ui/login", data={"username": "judge", "password": "judge", "csrf": "x"})
        assert login_post.status_code == 403  # no login CSRF cookie: a cross-site login attempt
