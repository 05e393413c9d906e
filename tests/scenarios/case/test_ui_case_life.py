"""One enforcement case's life in a real browser (Debian's chromium, driven by Playwright), on the tests'
accelerated legal clock: the filing clerk files it on the filing page; the judge starts an asset inquiry
from the case page and approves freezing and deducting the deposit found (the flat found is seized, and its
disposal's form from the case has it chosen from the register); 限消 and 失信 are started from the
case (the listing picks the order from the register); a settlement of the case is performed; the case lifts
what is left ex officio (the flat's seizure released by its term watcher, the 失信 entry deleted, the 限消
order lifted) and closes itself as 执行完毕. At every step the ledger and the register of measures on the case page
reconcile, to the fen, with what the partners booked and what the matters reported."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from temporalio.client import Client

from domain.legal_time import CHINA_TZ
from domain.money import format_yuan
from domain.parties import Party, PartyKind
from tests.browser import logged_in_at_cases, reload_until
from tests.helpers import (
    credit_code,
    decide,
    eventually,
    ledger,
    login,
    president_signs,
    resident_id,
    seed_subject,
    status,
    wait_status,
)
from tests.scenarios.dishonest_list.test_dishonest_list import agencies_work

pytestmark = pytest.mark.usefixtures("stack")

DEPOSIT_FEN = 2_000_00
# Who is told of a 限消 order (限消规定 Art. 9) and of a 失信 entry (失信规定 Art. 8): told again of the lifts.
NOTIFIED = ("airlines-caac", "railway-12306", "hotels-zhejiang", "credit-pboc", "market-regulation")
ENTRY: dict[str, Any] = {
    "ground": "evasion",
    "extension_years": 0,
    "decision_number": "(2026)浙0102执88号失信决定书",
    "restriction_order_number": "(2026)浙0102执88号限制消费令",
}
INSTALMENT_FEN = 1_000_00
HOUSE = "330102001001GB00009F00010001"


async def _case(api: httpx.AsyncClient, case_id: str, check: Any = bool) -> dict[str, Any]:
    async def ready() -> dict[str, Any] | None:
        r = await api.get(f"/api/cases/{case_id}")
        doc: dict[str, Any] = r.json()
        return doc if r.status_code == 200 and check(doc) else None

    found: dict[str, Any] = await eventually(ready, timeout=60)
    return found


async def _shows(page: Page, case_id: str, *texts: str) -> str:
    """The case page, reloaded until it says all of ``texts``; its text."""

    async def says() -> str | None:
        await page.goto(f"/ui/dockets/{case_id}")
        body = await page.locator("main").inner_text()
        return body if all(t in body for t in texts) else None

    body: str = await eventually(says, timeout=60, interval=0.5)
    return body


def _reconciled(doc: dict[str, Any], deducted: int, settled: int) -> None:
    """The ledger adds up, to the fen: recovered by source, the balance, what the matters reported."""
    led = doc["ledger"]
    assert led["recovered_by_source"] == {k: v for k, v in (("deduction", deducted), ("settlement", settled)) if v}, led
    assert led["recovered_fen"] == deducted + settled
    owed = led["principal_fen"] + led["interest_fen"] + led["delayed_interest_fen"] + led["costs_fen"] + led["fee_fen"]
    assert led["owed_fen"] == owed
    assert led["balance_fen"] == max(owed - led["recovered_fen"], 0)
    assert led["held_fen"] == led["recovered_fen"] - led["paid_out_fen"]


async def test_a_case_from_filing_to_full_performance(
    browser: Browser,
    web: str,
    simulator: str,
    client: Client,
    shots: Path,
) -> None:
    debtor = Party(kind=PartyKind.PERSON, name="卢某某", id_number=resident_id())
    await seed_subject(
        simulator,
        debtor.model_dump(mode="json"),
        [
            {
                "partner_id": "bank-icbc",
                "kind": "deposit",
                "reference": "6222000055556666",
                "available_fen": DEPOSIT_FEN,
            },
            {"partner_id": "realestate-registry", "kind": "real_estate", "reference": HOUSE, "description": "某路9号"},
        ],
    )

    # 立案: the clerk types the application; the number comes from the court's sequence.
    clerk = await logged_in_at_cases(browser, web, "clerk")
    await clerk.goto("/ui/dockets")
    await clerk.get_by_test_id("file-case-link").click()
    form = clerk.get_by_test_id("filing-form")
    await expect(form.locator("[name='f.court']")).to_have_value("杭州市上城区人民法院")
    party = {
        "applicants": ("organisation", "杭州某贸易有限公司", credit_code()),
        "debtors": ("person", debtor.name, debtor.id_number),
    }
    for side, (kind, name, number) in party.items():
        await form.locator(f"[name='f.{side}.0.kind']").select_option(kind)
        await form.locator(f"[name='f.{side}.0.name']").fill(name)
        await form.locator(f"[name='f.{side}.0.id_number']").fill(number)
    await form.locator("[name='f.title.document_number']").fill("(2026)浙0102民初321号")
    await form.locator("[name='f.title.issuer']").fill("杭州市上城区人民法院")
    await form.locator("[name='f.title.effective_on']").fill("2026-09-01")
    await form.locator("[name='f.title.performance_due_on']").fill("2026-09-30")
    await form.locator("[name='f.claim.principal_fen']").fill("50,000.00")
    await form.locator("[name='f.judge']").fill("judge")
    await form.locator("button[type=submit]").click()
    await expect(clerk).to_have_url(re.compile(r"/ui/dockets/[0-9a-f]{16}\?done=filed"))
    case_id = clerk.url.split("/ui/dockets/")[1].split("?")[0]
    await expect(clerk.get_by_test_id("docket-done")).to_contain_text("已立案")
    number = (await clerk.locator("h1").inner_text()).split()[0]
    assert re.match(r"^（2026）浙0102执\d+号$", number), number
    await clerk.context.close()

    api = await login(web, "judge")
    doc = await _case(api, case_id)
    assert doc["ledger"]["principal_fen"] == 50_000_00 and doc["judge"] == "judge"
    _reconciled(doc, 0, 0)

    # The judge starts an inquiry from the case (nothing typed) and approves freezing and deducting.
    judge = await logged_in_at_cases(browser, web, "judge")
    await judge.goto(f"/ui/dockets/{case_id}")
    await judge.get_by_test_id("docket-matters").locator("button[type=submit]").click()
    await expect(judge).to_have_url(re.compile(r"\?done=started"))
    inquiry_link = judge.get_by_test_id("docket-matters").locator("a[href^='/ui/cases/asset-inquiry-']")
    inquiry = (await inquiry_link.get_attribute("href") or "").removeprefix("/ui/cases/")
    await inquiry_link.click()
    await reload_until(judge, "form[data-decision='approve-control']")
    approve = judge.locator("form[data-decision='approve-control']")
    await expect(approve.locator("[name='f.deduct']")).to_be_checked()
    await approve.locator("textarea[name=reason]").fill("经审查, 依法冻结并扣划存款, 查封不动产")
    await approve.locator("button[type=submit]").click()
    await wait_status(client.get_workflow_handle(inquiry), "completed", timeout=60)

    # The ledger takes what the bank deducted, once; the register shows the freeze spent and the flat seized.
    deducted = sum(
        r["amount_fen"]
        for r in await ledger(simulator, "bank-icbc")
        if r["operation"] == "deduct" and r["idempotency_key"].startswith(inquiry)
    )
    assert deducted == DEPOSIT_FEN
    doc = await _case(api, case_id, lambda d: d["ledger"]["recovered_fen"] == deducted and len(d["measures"]) == 2)
    _reconciled(doc, deducted, 0)
    measures = {m["kind"]: m for m in doc["measures"]}
    assert measures["freeze"]["state"] == "released" and measures["freeze"]["amount_fen"] == DEPOSIT_FEN
    seizure = measures["seize"]
    assert seizure["state"] == "in-force" and seizure["description"].endswith("0001 (某路9号)")
    assert seizure["expires_on"] and seizure["matter"] == inquiry
    body = await _shows(judge, case_id, "扣划", format_yuan(deducted), seizure["description"], seizure["expires_on"])
    assert "在执行" in body and "已解除" in body
    # The flat's disposal is offered from the case: its form has the unit the register holds seized, chosen.
    await judge.get_by_test_id("docket-next-steps").locator("li[data-scenario='real-estate-disposal'] a").click()
    await expect(judge.locator("select[name='f.property.unit_number']")).to_have_value(HOUSE)
    await expect(judge.locator("[name='f.property.description']")).to_have_value("某路9号")

    # 限消 and 失信 started from the case: the listing picks the order from the case's register.
    r = await api.post(
        f"/api/cases/{case_id}/matters/consumption-restriction", json={"order_number": "(2026)浙0102执9号"}
    )
    assert r.status_code == 201, r.text
    order = client.get_workflow_handle(r.json()["workflow_id"])
    await wait_status(order, "restricted", timeout=60)
    await _case(api, case_id, lambda d: any(m["kind"] == "consumption-restriction" for m in d["measures"]))
    r = await api.post(f"/api/cases/{case_id}/matters/dishonest-list", json={"applicant_requested": False})
    assert r.status_code == 201, r.text
    listing = client.get_workflow_handle(r.json()["workflow_id"])
    await wait_status(listing, "awaiting_entry_decision", timeout=60)
    await decide(listing, "enter-list", reason="隐匿财产规避执行", **ENTRY)
    await president_signs(listing)
    await wait_status(listing, "listed", timeout=60)
    doc = await _case(api, case_id, lambda d: len([m for m in d["measures"] if m["state"] == "in-force"]) == 3)
    _reconciled(doc, deducted, 0)
    await _shows(judge, case_id, "失信名单", "限制消费")

    # A settlement of the case, performed: the agreement's instalment paid (执行和解规定 Art. 8).
    today = datetime.now(CHINA_TZ).date()
    own = {"signed_on": today.isoformat(), "instalments": [{"due_on": _far(today), "amount_fen": INSTALMENT_FEN}]}
    r = await api.post(f"/api/cases/{case_id}/matters/settlement", json=own)
    assert r.status_code == 201, r.text
    settlement = client.get_workflow_handle(r.json()["workflow_id"])
    await wait_status(settlement, "awaiting_suspension", timeout=60)
    await decide(settlement, "suspend-enforcement", reason="达成和解, 中止执行; 查封保留", release=[])
    await wait_status(settlement, "performing", timeout=60)
    await decide(
        settlement,
        "record-payment",
        reason="书记员核实",
        amount_fen=INSTALMENT_FEN,
        paid_on=today.isoformat(),
        channel="direct",
    )
    await wait_status(settlement, "awaiting_performance_confirmation", timeout=60)
    await decide(settlement, "confirm-performed", reason="和解协议约定款项已全部支付")
    await wait_status(settlement, "performed", timeout=60)

    # Ex officio: the seizure released by its holder on the case's notice, then 执行完毕 — the case closes itself.
    # The units told of the order and the listing are told of the lifts; once they have it, the matters end.
    async def closed() -> bool:
        return (await api.get(f"/api/cases/{case_id}")).json()["closed"] is not None

    await wait_status(order, "lifting", timeout=60)
    told = set(NOTIFIED)
    for matter in (order, listing):
        told |= {e.detail["agency"] for e in (await status(matter)).timeline if e.action == "task_assigned"}
    await agencies_work(web, tuple(sorted(told)), closed)
    doc = await _case(api, case_id, lambda d: d["closed"] is not None)
    _reconciled(doc, deducted, INSTALMENT_FEN)
    assert doc["closed"]["mode"] == "completed" and doc["closed"]["by"] == "system"
    assert all(m["state"] == "released" for m in doc["measures"])
    actions = [e["action"] for e in doc["timeline"]]
    assert "full-performance" in actions and "notice-sent" in actions
    released = next(m for m in doc["measures"] if m["kind"] == "seize")
    releases = [
        r
        for r in await ledger(simulator, "realestate-registry")
        if r["operation"] == "release" and inquiry in r["idempotency_key"]
    ]
    assert len(releases) == 1  # released once, at the registry
    ended = {m["scenario"]: m["status"] for m in doc["matters"]}
    assert ended["asset-inquiry"] == "completed" and ended["settlement"] == "performed", ended
    lifted = {m["kind"]: m for m in doc["measures"]}
    assert lifted["dishonest-list"]["state"] == lifted["consumption-restriction"]["state"] == "released"
    body = await _shows(judge, case_id, "执行完毕", "和解履行", format_yuan(INSTALMENT_FEN))
    assert "在执行" not in body and released["description"] in body
    await judge.screenshot(path=str(shots / "screenshot-case-life.png"), full_page=True)
    await judge.context.close()
    await api.aclose()


def _far(today: date) -> str:
    """An instalment's due day the accelerated legal clock (ten legal days a second) does not reach before
    the payment is recorded, and within the years the working-day calendar knows."""
    return (today + timedelta(days=365)).isoformat()
