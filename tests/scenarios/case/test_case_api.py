"""The enforcement case through the API against the real stack: filing (the court's number sequence, the
late-application warning, errors naming the field), the ledger and the register reconciling as matters'
effects arrive, an asset inquiry started from the case, the term and its extension, closing refusals and
closing as 执行完毕 after full performance, and courts as tenants."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from domain.case_term import ExclusionGround
from domain.legal_time import add_months
from security.identity import acting_as
from simulators.documents import keywords
from store.db import Database
from tests.helpers import (
    credit_code,
    decide,
    deposit,
    eventually,
    login,
    new_debtor,
    pdf_words,
    record_history,
    resident_id,
    wait_status,
)
from web.codec import SESSION_COOKIE
from web.services import cases
from web.services.cases import FilingRequest
from web.ui.session import csrf_for
from workflows.asset_inquiry.models import APPROVE, REJECT
from workflows.foundation.case_link import MATTER_EFFECT_SIGNAL, EffectKind, MatterEffect, RecoverySource, RegisterKind
from workflows.registry import SCENARIOS

COURT = "杭州市上城区人民法院"
NUMBER = re.compile(r"^（(\d{4})）浙0102执(\d+)号$")
MATTER = Actor(user_id="system", role=Role.SYSTEM)


def application(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "court": COURT,
        "judge": "judge",
        "applicants": [{"kind": "organisation", "name": "杭州某商贸有限公司", "id_number": credit_code()}],
        "debtors": [{"kind": "person", "name": "张某", "id_number": resident_id("19850312")}],
        "title": {
            "document_number": "(2026)浙0102民初100号",
            "issuer": COURT,
            "effective_on": "2026-09-01",
            "performance_due_on": "2026-09-30",
        },
        "claim": {"principal_fen": 30_000_000, "interest_fen": 400_000, "costs_fen": 20_000},
    }
    body.update(changes)
    return body


async def file(http: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    r = await http.post("/api/cases", json=application(**changes))
    assert r.status_code == 201, r.text
    filed: dict[str, Any] = r.json()
    return filed


async def effect(client: Client, case_wf: str, kind: EffectKind, step: str, **fields: Any) -> None:
    matter = fields.pop("matter", "asset-inquiry-test")
    body = MatterEffect(
        effect_id=f"{matter}:{step}",
        matter_workflow_id=matter,
        scenario="asset-inquiry",
        kind=kind,
        occurred_at=datetime.now(UTC),
        **fields,
    )
    with acting_as(MATTER):
        await client.get_workflow_handle(case_wf).signal(MATTER_EFFECT_SIGNAL, body)


async def nudge(client: Client, case_wf: str, **repeat: Any) -> None:
    """An effect the case took already, sent again (dropped as a repeat) so that the case runs a workflow
    task: its "today" — a query reads it as of the last task — moves with the compressed legal clock, where
    a quiet case otherwise wakes once a minute of wall time (MIN_WAKE)."""
    await effect(client, case_wf, **repeat)


async def test_filing_takes_the_courts_next_number_and_warns_when_late(stack: dict[str, str]) -> None:
    clerk = await login(stack["web"], "clerk")
    first = await file(clerk)
    second = await file(clerk, debtors=[{"kind": "organisation", "name": "某公司", "id_number": credit_code()}])
    a, b = NUMBER.match(first["case_number"]), NUMBER.match(second["case_number"])
    assert a and b, (first, second)
    assert int(b.group(2)) == int(a.group(2)) + 1
    assert first["judge"] == "judge" and not first["late_application"] and first["warnings"] == []
    late = await file(
        clerk, title={**application()["title"], "effective_on": "2023-01-01", "performance_due_on": "2023-01-31"}
    )
    assert late["late_application"] and "第四百八十一条" in late["warnings"][0]
    # Resumption (恢复执行): a 执恢 case of its own sequence, linked to the case it resumes.
    resumed = await file(clerk, case_type="执恢", resumes_case_id=first["case_id"])
    assert re.match(r"^（2026）浙0102执恢\d+号$", resumed["case_number"]), resumed
    r = await clerk.post("/api/cases", json=application(resumes_case_id=first["case_id"]))
    assert r.status_code == 422 and r.json()["field"] == "resumes_case_id" and "执恢" in r.json()["message"], r.text
    r = await clerk.post("/api/cases", json=application(case_type="执恢", resumes_case_id="nope"))
    assert r.status_code == 422 and r.json()["code"] == "UNKNOWN_CASE"
    judge = await login(stack["web"], "judge")
    doc = (await judge.get(f"/api/cases/{resumed['case_id']}")).json()
    assert doc["resumes"]["case_number"] == first["case_number"]
    listed = (await judge.get("/api/cases", params={"mine": "true"})).json()
    rows = {row["case_id"]: row for row in listed}
    assert {first["case_id"], second["case_id"], late["case_id"], resumed["case_id"]} <= set(rows)
    assert rows[late["case_id"]]["late_application"] is True
    # A case of the same number never appears twice.
    assert len({row["case_number"] for row in listed}) == len(listed)


async def test_filing_refuses_bad_input_naming_the_field_and_starts_nothing(stack: dict[str, str]) -> None:
    clerk = await login(stack["web"], "clerk")
    bad_id = application(debtors=[{"kind": "person", "name": "张某", "id_number": "330106198503120310"}])
    r = await clerk.post("/api/cases", json=bad_id)
    assert r.status_code == 422 and r.json()["field"] == "debtors.0.id_number", r.text
    backwards = {**application()["title"], "performance_due_on": "2026-08-01"}
    r = await clerk.post("/api/cases", json=application(title=backwards))
    assert r.status_code == 422 and r.json()["field"] == "title.performance_due_on", r.text
    r = await clerk.post("/api/cases", json=application(claim={"principal_fen": 0}))
    assert r.status_code == 422 and r.json()["field"] == "claim.principal_fen"
    r = await clerk.post("/api/cases", json=application(judge="nobody"))
    assert r.status_code == 422 and r.json()["code"] == "UNKNOWN_JUDGE" and r.json()["field"] == "judge"
    r = await clerk.post("/api/cases", json=application(court="嘉兴市中级人民法院"))
    assert r.status_code == 422 and r.json()["code"] == "COURT_FORBIDDEN" and "本院" in r.json()["message"]
    judge = await login(stack["web"], "judge")
    assert (await judge.post("/api/cases", json=application())).status_code == 403


async def test_ledger_and_register_reconcile_and_full_performance_closes_the_case(
    stack: dict[str, str], client: Client
) -> None:
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed = await file(clerk)
    case_id, case_wf = filed["case_id"], filed["workflow_id"]
    case = (await judge.get(f"/api/cases/{case_id}")).json()
    ledger = case["ledger"]
    assert case["case_number"] == filed["case_number"] and case["court"] == COURT and case["closed"] is None
    # 申请执行费 on ¥304,000: ¥50 + 1.5 % × ¥294,000 = ¥4,460.
    assert ledger["principal_fen"] == 30_000_000 and ledger["fee_fen"] == 446_000
    assert ledger["owed_fen"] == 30_000_000 + 400_000 + 20_000 + ledger["fee_fen"] + ledger["delayed_interest_fen"]
    assert ledger["balance_fen"] == ledger["owed_fen"] and ledger["recovered_fen"] == 0
    assert case["parties"]["debtors"][0]["id_number_masked"].startswith("*")
    assert case["term"]["colour"] in ("green", "yellow", "red") and case["term"]["due_on"]

    expires = date(2027, 12, 1)
    await effect(
        client,
        case_wf,
        EffectKind.MEASURE_PLACED,
        "freeze-1",
        measure_key="bank-icbc:1",
        register_kind=RegisterKind.FREEZE,
        description="工商银行 存款 冻结",
        amount_fen=5_000_000,
        expires_on=expires,
    )
    for _ in range(2):  # a repeat of the same effect is taken once
        await effect(
            client,
            case_wf,
            EffectKind.MONEY_RECOVERED,
            "deduct-1",
            amount_fen=2_000_000,
            source=RecoverySource.DEDUCTION,
        )
    await effect(client, case_wf, EffectKind.MONEY_PAID_OUT, "pay-1", amount_fen=1_500_000)

    async def reconciled() -> dict[str, Any] | None:
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{case_id}")).json()
        return doc if doc["ledger"]["paid_out_fen"] == 1_500_000 else None

    case = await eventually(reconciled)
    ledger = case["ledger"]
    assert ledger["recovered_fen"] == 2_000_000 and ledger["recovered_by_source"] == {"deduction": 2_000_000}
    assert ledger["held_fen"] == 500_000
    assert ledger["balance_fen"] == ledger["owed_fen"] - ledger["recovered_fen"] > 0
    [measure] = case["measures"]
    assert measure == {
        **measure,
        "kind": "freeze",
        "matter": "asset-inquiry-test",
        "amount_fen": 5_000_000,
        "expires_on": expires.isoformat(),
        "state": "in-force",
    }
    actions = [e["action"] for e in case["timeline"]]
    assert actions.count("money-recovered") == 1 and actions[0] == "filed"

    # Not yet: the balance is owed and a freeze is in force.
    r = await judge.post(f"/api/cases/{case_id}/close", json={"mode": "completed", "reason": "结案", "checklist": {}})
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["code"] == "CHECKLIST_INCOMPLETE"
    assert "measures:" in problem["message"] and "尚未全部执行到位" in problem["message"]

    # The rest is paid (more than enough: the surplus goes back to the debtor): full performance.
    await effect(
        client,
        case_wf,
        EffectKind.MONEY_RECOVERED,
        "voluntary-1",
        matter="settlement-test",
        amount_fen=ledger["balance_fen"] + 100_000,
        source=RecoverySource.VOLUNTARY,
    )

    async def performed() -> dict[str, Any] | None:
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{case_id}")).json()
        return doc if doc["fully_performed_on"] and "notice-failed" in str(doc["timeline"]) else None

    case = await eventually(performed)
    assert case["ledger"]["balance_fen"] == 0 and case["status"] == "fully-performed" and case["closed"] is None
    # The matter holding the freeze was told (here it does not exist, so the failure is on record).
    told = [e for e in case["timeline"] if e["action"] in ("notice-sent", "notice-failed")]
    assert {e["detail"]["matter"] for e in told} >= {"asset-inquiry-test"}
    r = await judge.post(
        f"/api/cases/{case_id}/close",
        json={"mode": "completed", "reason": "结案", "checklist": {"performance_confirmed": True}},
    )
    refusal = r.json()
    assert r.status_code == 409 and refusal["code"] == "MATTERS_OPEN", r.text
    assert "asset-inquiry-test" in refusal["message"] and "以执行完毕结案须先解除" in refusal["message"]

    # The matters release what they hold and end: the case closes itself as 执行完毕.
    await effect(client, case_wf, EffectKind.MEASURE_RELEASED, "release-1", measure_key="bank-icbc:1")
    await effect(client, case_wf, EffectKind.MATTER_ENDED, "ended", matter="settlement-test", status="completed")
    await effect(client, case_wf, EffectKind.MATTER_ENDED, "ended", status="completed")

    async def closed() -> dict[str, Any] | None:
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{case_id}")).json()
        return doc if doc["closed"] else None

    case = await eventually(closed)
    assert case["closed"]["mode"] == "completed" and case["closed"]["title"] == "执行完毕"
    assert case["closed"]["by"] == "system" and case["closed"]["document"] == "结案通知书"
    assert case["measures"][0]["state"] == "released"

    async def listed_closed() -> dict[str, Any] | None:
        # The list reads the register, whose row follows the case by an activity after the closing.
        rows = {r["case_id"]: r for r in (await judge.get("/api/cases", params={"mine": "true"})).json()}
        return rows[case_id] if rows[case_id]["closing_mode"] else None

    row = await eventually(listed_closed)
    assert row["closing_mode"] == "completed" and row["balance_fen"] == 0
    await record_history(client.get_workflow_handle(case_wf), "enforcement-case-fully-performed")


async def test_a_users_forged_matter_effect_is_refused(stack: dict[str, str], client: Client) -> None:
    """Only the platform reports a matter's effects: a judge's signal claiming money recovered (signed as
    the judge, as the web signs whatever its users send) changes nothing and is on the timeline."""
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed = await file(clerk)
    forger = Actor(user_id="judge", role=Role.JUDGE, courts=(COURT,))
    forged = MatterEffect(
        effect_id="asset-inquiry-forged:recovered",
        matter_workflow_id="asset-inquiry-forged",
        scenario="asset-inquiry",
        kind=EffectKind.MONEY_RECOVERED,
        occurred_at=datetime.now(UTC),
        amount_fen=9_999_999,
        source=RecoverySource.VOLUNTARY,
    )
    with acting_as(forger):
        await client.get_workflow_handle(filed["workflow_id"]).signal(MATTER_EFFECT_SIGNAL, forged)
    # The same effect id from the platform is still taken: the refused one did not use it up.
    await effect(
        client,
        filed["workflow_id"],
        EffectKind.MONEY_RECOVERED,
        "recovered",
        matter="asset-inquiry-forged",
        amount_fen=100,
        source=RecoverySource.VOLUNTARY,
    )

    async def taken() -> dict[str, Any] | None:
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
        return doc if doc["ledger"]["recovered_fen"] else None

    case = await eventually(taken)
    assert case["ledger"]["recovered_fen"] == 100
    [refused] = [e for e in case["timeline"] if e["action"] == "effect-refused"]
    assert refused["actor"]["user_id"] == "judge" and refused["detail"]["kind"] == "money-recovered"
    assert case["matters"] == [] or all(m["workflow_id"] == "asset-inquiry-forged" for m in case["matters"])


async def test_matters_report_the_periods_the_term_does_not_count(stack: dict[str, str], client: Client) -> None:
    """An auction and a suspension reported by matters move the term's end by the days they cover, a day
    they share once; the period a matter leaves open ends when the matter ends."""
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed = await file(clerk)
    wf = filed["workflow_id"]
    auction: dict[str, Any] = {"matter": "disposal-t", "ground": ExclusionGround.AUCTION_SALE}
    await effect(client, wf, EffectKind.PERIOD_STARTED, "auction", **auction)
    await effect(
        client, wf, EffectKind.PERIOD_STARTED, "stay", matter="settlement-t", ground=ExclusionGround.SUSPENSION
    )

    async def case_where(check: Any) -> dict[str, Any]:
        async def ready() -> dict[str, Any] | None:
            await nudge(client, wf, kind=EffectKind.PERIOD_STARTED, step="auction", **auction)
            doc: dict[str, Any] = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
            return doc if check(doc) else None

        found: dict[str, Any] = await eventually(ready, timeout=60)
        return found

    # Both run on (counted to today, once); the legal days pass quickly under the tests' acceleration.
    running = await case_where(lambda d: d["term"]["excluded_days"] >= 1)
    assert running["term"]["due_on"] > running["term"]["base_due_on"]
    await effect(
        client, wf, EffectKind.PERIOD_ENDED, "auction-end", matter="disposal-t", ground=ExclusionGround.AUCTION_SALE
    )
    await effect(client, wf, EffectKind.MATTER_ENDED, "end", matter="settlement-t", status="breached")
    ended = await case_where(lambda d: {"term-period-ended", "matter-ended"} <= {e["action"] for e in d["timeline"]})
    entries = ended["timeline"]
    [auction_start] = [
        e for e in entries if e["action"] == "term-period-started" and e["detail"]["ground"] == "auction-sale"
    ]
    [auction_end] = [e for e in entries if e["action"] == "term-period-ended"]
    start, end = date.fromisoformat(auction_start["detail"]["start"]), date.fromisoformat(auction_end["detail"]["end"])
    term = ended["term"]
    # The two overlap: the days are the union (the suspension ran from the same start to its matter's end).
    assert term["excluded_days"] >= (end - start).days
    assert date.fromisoformat(term["due_on"]) == date.fromisoformat(term["base_due_on"]) + timedelta(
        days=term["excluded_days"]
    )
    # Both periods are closed: the count no longer moves with the legal days.
    await asyncio.sleep(2)
    again = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
    assert again["term"]["excluded_days"] == term["excluded_days"]


async def test_a_performed_settlement_ends_the_case_as_full_performance(stack: dict[str, str], client: Client) -> None:
    """执行和解规定 Art. 8: the agreement performed, the case closes as 执行完毕 though the title's balance
    (with its delay interest) was never reached; a breached one does not."""
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed, breached = await file(clerk), await file(clerk)
    for case, performed in ((filed, True), (breached, False)):
        wf = case["workflow_id"]
        await effect(
            client,
            wf,
            EffectKind.MONEY_RECOVERED,
            "paid",
            matter="settle-x",
            amount_fen=1_000_00,
            source=RecoverySource.SETTLEMENT,
        )
        await effect(
            client,
            wf,
            EffectKind.MATTER_ENDED,
            "end",
            matter="settle-x",
            status="performed" if performed else "breached",
            result={"settlement_performed": performed},
        )

    async def closed() -> dict[str, Any] | None:
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
        return doc if doc["closed"] else None

    doc = await eventually(closed)
    assert doc["closed"]["mode"] == "completed" and doc["ledger"]["balance_fen"] > 0
    [entry] = [e for e in doc["timeline"] if e["action"] == "full-performance"]
    assert "第八条" in entry["reason"] and entry["detail"]["settlement"] == "settle-x"
    other = (await judge.get(f"/api/cases/{breached['case_id']}")).json()
    assert other["closed"] is None and other["fully_performed_on"] is None


async def test_asset_inquiry_started_from_the_case_with_nothing_typed(stack: dict[str, str], client: Client) -> None:
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed = await file(clerk)
    balance = (await judge.get(f"/api/cases/{filed['case_id']}")).json()["ledger"]["balance_fen"]
    r = await judge.post(f"/api/cases/{filed['case_id']}/matters/asset-inquiry", json={})
    assert r.status_code == 201, r.text
    wid = r.json()["workflow_id"]
    desc = await client.get_workflow_handle(wid).describe()
    assert desc.parent_id == filed["workflow_id"]
    inquiry = (await judge.get(f"/api/workflows/{wid}")).json()
    assert inquiry["case_number"] == filed["case_number"] and inquiry["scenario"] == "asset-inquiry"
    history = await client.get_workflow_handle(wid).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.parent_workflow_execution.workflow_id == filed["workflow_id"]
    case = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
    assert {"scenario": "asset-inquiry", "workflow_id": wid}.items() <= case["matters"][0].items()
    assert case["matters"][0]["status"] in ("running", "completed")
    # The inquiry asks for the case's balance at the start (delay interest grows with the legal day after).
    amount = inquiry["summary"].get("amount_owed_fen") or inquiry["summary"].get("owed_fen")
    assert amount is None or amount >= balance
    # A matter's own field that is wrong is refused, naming it, and nothing starts.
    r = await judge.post(f"/api/cases/{filed['case_id']}/matters/asset-inquiry", json={"execution_costs_fen": -1})
    assert r.status_code == 422 and r.json()["field"] == "execution_costs_fen"


async def test_an_inquiry_from_the_case_rules_on_control_naming_the_cases_parties_and_title(
    stack: dict[str, str], client: Client
) -> None:
    """Approving control makes the control ruling (执行裁定书, DOMAIN §18.2): it names the case's applicant, the
    debtor and the title, is addressed to both sides and the bank holding the account, and the bank's notice
    cites its number."""
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    debtor = await new_debtor(stack["simulator"], [deposit("bank-icbc", 1_000_00)])
    filed = await file(clerk, debtors=[debtor.model_dump(mode="json")])
    r = await judge.post(f"/api/cases/{filed['case_id']}/matters/asset-inquiry", json={})
    assert r.status_code == 201, r.text
    handle = client.get_workflow_handle(r.json()["workflow_id"])
    await wait_status(handle, "awaiting_decision")
    await decide(handle, APPROVE, reason="依法冻结、扣划")
    assert (await handle.result())["deducted_fen"] == 1_000_00

    listed = (await judge.get(f"/api/cases/{filed['case_id']}/documents")).json()
    [ruling] = [d for d in listed if d["kind"] == "执行裁定书（扣划）"]
    [notice] = [d for d in listed if d["kind"] == "协助执行通知书"]
    words = pdf_words((await judge.get(f"/api/documents/{ruling['document_id']}")).content)
    for named in ("杭州某商贸有限公司", debtor.name, "(2026)浙0102民初100号", "冻结、扣划被执行人", "中国工商银行"):
        assert named in words, (named, words)
    assert ruling["number"] in pdf_words((await judge.get(f"/api/documents/{notice['document_id']}")).content)
    assert ruling["addressed_to"] == ["applicant", "debtor"]
    # The bank asked to assist has the ruling's copy with its notice (served on it), and can read it.
    assert [s["recipient"] for s in ruling["served"]] == ["bank-icbc"]
    notice_pdf = (await judge.get(f"/api/documents/{notice['document_id']}")).content
    assert keywords(notice_pdf)["ruling_id"] == ruling["document_id"]  # under the seal: which ruling to fetch
    async with await login(stack["web"], "bank-icbc") as bank:
        assert (await bank.get(f"/api/documents/{ruling['document_id']}")).status_code == 200
    async with await login(stack["web"], "bank-ccb") as other:  # asked nothing: the ruling does not exist for it
        assert (await other.get(f"/api/documents/{ruling['document_id']}")).status_code == 404


async def test_term_six_months_and_the_presidents_extension(stack: dict[str, str]) -> None:
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    approver = await login(stack["web"], "approver")
    filed = await file(clerk)
    case = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
    filed_on = date.fromisoformat(case["filed_on"])
    assert case["term"]["base_due_on"] == add_months(filed_on, 6).isoformat()
    # A period the term does not count (here an auction of two days) moves its end by as many days.
    await asyncio.sleep(1)  # legal time runs fast in tests: the period is over by now
    auction = {
        "ground": "auction-sale",
        "start": filed_on.isoformat(),
        "end": (filed_on + timedelta(days=2)).isoformat(),
        "reason": "网络司法拍卖期间",
    }
    r = await judge.post(f"/api/cases/{filed['case_id']}/term/exclusions", json=auction)
    assert r.status_code == 200, r.text
    assert (
        r.json()["excluded_days"] == 2
        and r.json()["due_on"] == (add_months(filed_on, 6) + timedelta(days=2)).isoformat()
    )
    r = await judge.post(f"/api/cases/{filed['case_id']}/term/exclusions", json=auction)
    assert r.status_code == 409 and r.json()["code"] == "PERIOD_OVERLAPS"
    future = {**auction, "start": "2030-01-01", "end": "2030-01-02"}
    r = await judge.post(f"/api/cases/{filed['case_id']}/term/exclusions", json=future)
    assert r.status_code == 422 and r.json()["code"] == "INVALID_PERIOD"
    r = await judge.post(f"/api/cases/{filed['case_id']}/term/extension", json={"reason": "财产处置中, 申请延长审限"})
    assert r.status_code == 200, r.text
    r = await judge.post(f"/api/cases/{filed['case_id']}/decisions/approve-term-extension", json={"reason": "同意"})
    assert r.status_code == 403 and r.json()["code"] == "ROLE_FORBIDDEN"
    r = await approver.post(
        f"/api/cases/{filed['case_id']}/decisions/approve-term-extension", json={"reason": "同意延长三个月"}
    )
    assert r.status_code == 200, r.text
    case = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
    assert case["term"]["extensions"] == 1
    assert case["term"]["due_on"] >= add_months(filed_on, 9).isoformat()
    entry = next(e for e in case["timeline"] if e["action"] == "term-extended")
    assert entry["actor"]["user_id"] == "approver" and entry["reason"] == "同意延长三个月"


async def test_a_case_outside_your_courts_does_not_exist(stack: dict[str, str]) -> None:
    clerk, other = await login(stack["web"], "clerk"), await login(stack["web"], "judge-jiaxing")
    filed = await file(clerk)
    r = await other.get(f"/api/cases/{filed['case_id']}")
    assert r.status_code == 404 and r.json()["code"] == "CASE_NOT_FOUND"
    assert (await other.get(f"/api/cases/{uuid.uuid4().hex[:16]}")).json()["code"] == "CASE_NOT_FOUND"
    assert filed["case_id"] not in {c["case_id"] for c in (await other.get("/api/cases")).json()}
    r = await other.post(f"/api/cases/{filed['case_id']}/matters/asset-inquiry", json={})
    assert r.status_code == 404
    r = await other.post(f"/api/cases/{filed['case_id']}/close", json={"mode": "completed", "reason": "x"})
    assert r.status_code == 404
    jiaxing_clerk = await login(stack["web"], "clerk-jiaxing")
    mine = await file(jiaxing_clerk, court="嘉兴市中级人民法院", judge="judge-jiaxing")
    assert mine["case_number"].startswith("（") and "浙04执" in mine["case_number"]


async def test_the_case_continues_as_new_carrying_all_its_state(
    stack: dict[str, str], client: Client, settings: Settings
) -> None:
    db = Database(settings.web_database_url)
    clerk = Actor(user_id="clerk", role=Role.FILING_CLERK, courts=(COURT,))
    filed = await cases.file_case(
        client, settings, db, clerk, FilingRequest.model_validate(application()), history_limit=30
    )
    case_wf = filed.workflow_id
    for i in range(12):
        await effect(
            client,
            case_wf,
            EffectKind.MEASURE_PLACED,
            f"freeze-{i}",
            measure_key=f"bank-icbc:{i}",
            register_kind=RegisterKind.FREEZE,
            amount_fen=1_000 + i,
        )
        await effect(client, case_wf, EffectKind.MONEY_RECOVERED, f"deduct-{i}", amount_fen=10_000)
    judge = await login(stack["web"], "judge")

    async def carried() -> dict[str, Any] | None:
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{filed.case_id}")).json()
        # The run that took the last signals may answer before it continues as new: wait for the next.
        whole = len(doc["measures"]) == 12 and doc["ledger"]["recovered_fen"] == 120_000
        return doc if whole and doc["runs"] >= 2 else None

    before = await eventually(carried, timeout=90)  # fails unless the case continued as new with it all
    # An effect repeated after continue-as-new is still taken once; the timeline kept its first entry.
    await effect(client, case_wf, EffectKind.MONEY_RECOVERED, "deduct-0", amount_fen=10_000)
    await effect(client, case_wf, EffectKind.MONEY_PAID_OUT, "pay-1", amount_fen=5_000)

    async def paid() -> dict[str, Any] | None:
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{filed.case_id}")).json()
        return doc if doc["ledger"]["paid_out_fen"] == 5_000 else None

    after = await eventually(paid, timeout=90)
    assert after["ledger"]["recovered_fen"] == 120_000
    assert after["timeline"][0]["action"] == "filed" and after["timeline"][0] == before["timeline"][0]
    assert "continued" in [e["action"] for e in after["timeline"]]
    # Continued as new again whenever this run grows past the limit (a burst of signals may overshoot it).
    assert after["history_length"] < 60 + 40


async def test_the_case_pages_show_term_balance_measures_and_the_merged_timeline(
    stack: dict[str, str], client: Client, simulator: str
) -> None:
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    debtor = await new_debtor(simulator, [deposit("bank-icbc", 1_000_00)])
    filed = await file(clerk, debtors=[debtor.model_dump(mode="json")])
    await effect(
        client,
        filed["workflow_id"],
        EffectKind.MEASURE_PLACED,
        "freeze-ui",
        matter="asset-inquiry-ui",
        measure_key="bank-icbc:9",
        register_kind=RegisterKind.FREEZE,
        description="工商银行 存款 冻结",
        amount_fen=123_456,
        expires_on=date(2027, 12, 1),
    )
    token = judge.headers["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=stack["web"], cookies={SESSION_COOKIE: token}, timeout=30) as ui:
        listing = await ui.get("/ui/dockets")
        assert listing.status_code == 200 and filed["case_number"] in listing.text
        assert 'data-colour="green"' in listing.text or 'data-colour="yellow"' in listing.text

        async def shown() -> str | None:
            r = await ui.get(f"/ui/dockets/{filed['case_id']}")
            return r.text if "¥1,234.56" in r.text else None

        text = await eventually(shown)
        assert "工商银行 存款 冻结" in text and "2027-12-01" in text and "冻结" in text
        assert "审限" in text and "剩余" in text and "采取措施" in text
        r = await ui.post(f"/ui/dockets/{filed['case_id']}/matters/asset-inquiry", data={"csrf": csrf_for(token)})
        assert r.status_code == 303
        text = (await ui.get(r.headers["location"])).text
        assert "网络查控" in text
        # A step a matter takes shows on the case page at the next load: the page built before it is not
        # served again (each matter is described at each load; web/services/workflow_detail.py).
        matters = (await judge.get(f"/api/cases/{filed['case_id']}")).json()["matters"]
        [inquiry] = [m["workflow_id"] for m in matters if m["workflow_id"] != "asset-inquiry-ui"]  # the one started
        await wait_status(client.get_workflow_handle(inquiry), "awaiting_decision")
        badge = f'<span class="badge">{SCENARIOS["asset-inquiry"].title}</span>'

        async def matter_steps() -> int:
            page = (await ui.get(f"/ui/dockets/{filed['case_id']}")).text
            return page.split('data-testid="docket-timeline"')[1].split("</section>")[0].count(badge)

        before = await matter_steps()
        assert before >= 1 and before == await matter_steps()
        r = await judge.post(f"/api/workflows/{inquiry}/decisions/{REJECT}", json={"reason": "财产另案处置"})
        assert r.status_code == 200, r.text
        assert await matter_steps() > before
        clerk_token = clerk.headers["Authorization"].removeprefix("Bearer ")
        async with httpx.AsyncClient(base_url=stack["web"], cookies={SESSION_COOKIE: clerk_token}) as clerk_ui:
            r = await clerk_ui.get("/ui/dockets")  # the court's register is the clerk's default
            assert r.status_code == 200 and filed["case_number"] in r.text
            assert (await clerk_ui.get("/ui/", follow_redirects=False)).headers["location"] == "/ui/dockets"
        other = await login(stack["web"], "judge-jiaxing")
        other_token = other.headers["Authorization"].removeprefix("Bearer ")
        r = await ui.get(f"/ui/dockets/{filed['case_id']}", cookies={SESSION_COOKIE: other_token})
        assert r.status_code == 404
