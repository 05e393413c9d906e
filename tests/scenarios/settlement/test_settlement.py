"""Settlement in enforcement (执行和解) on the real stack: the judge suspends and chooses which measures
are released (through the partners), the case-account bank notices payments through its inbox, a clerk's
confirmation counts too; full performance releases the rest and lifts 失信/限消; a default lets the
applicant resume (refused while the debtor is performing), what was paid is deducted and asset
inquiries go on against the debtor and the guarantor; the period to resume runs out."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from config.settings import Settings
from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit
from domain.parties import Party, PartyKind
from domain.settlement import Instalment
from simulators import task_agents
from simulators.case_account import reference
from simulators.task_agents import work_once
from tests.helpers import (
    account_number,
    assistance_notice,
    case_number,
    decide,
    eventually,
    login,
    pdf_words,
    record_history,
    refusal_code,
    resident_id,
    seed_subject,
    settled_history_length,
    start,
    status,
    wait_status,
)
from workflows.asset_inquiry.models import REJECT
from workflows.settlement.models import (
    CONFIRM_PERFORMED,
    RECORD_INTERRUPTION,
    RECORD_OBSTACLE,
    RECORD_PAYMENT,
    RESUME,
    SUE,
    SUSPEND,
    Guarantee,
    HeldMeasure,
    SettlementRequest,
    SettlementResult,
)

pytestmark = pytest.mark.usefixtures("stack")
# One legal day a second: slow enough for a bank clerk (the test) to act inside an instalment's window;
# the instalments fall due days out, so a loaded machine still acts in time.
DAY_A_SECOND = 86_400.0


def today() -> date:
    return datetime.now(CHINA_TZ).date()


def person(name: str) -> Party:
    return Party(kind=PartyKind.PERSON, name=name, id_number=resident_id())


async def freeze_at(simulator: str, settings: Settings, partner: str, debtor: Party, fen: int) -> HeldMeasure:
    """A freeze already in force in the case (as an earlier asset inquiry left it), made at the bank."""
    ref = account_number()
    asset = {
        "partner_id": partner,
        "kind": "deposit",
        "reference": ref,
        "description": "活期存款",
        "available_fen": fen,
    }
    await seed_subject(simulator, debtor.model_dump(mode="json"), [asset])
    body = {
        "kind": "freeze",
        "asset_reference": ref,
        "amount_fen": fen,
        "expires_on": (today() + timedelta(days=300)).isoformat(),
        "court": "杭州市上城区人民法院",
        "case_number": "(2026)浙0102执1号",
        "document_ref": "(2026)浙0102执1号之一",
        "document": await assistance_notice(settings, partner, ref, fen),
    }
    headers = {"Authorization": f"Bearer sandbox-{partner}", "Idempotency-Key": f"test-{uuid.uuid4().hex}/freeze"}
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{simulator}/partners/{partner}/measures", json=body, headers=headers)
        r.raise_for_status()
        return HeldMeasure(partner_id=partner, measure_id=r.json()["measure_id"], asset=f"{partner} 存款冻结")


async def measure_status(simulator: str, partner: str, measure_id: str) -> str:
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{simulator}/partners/{partner}/_admin/measures")
        r.raise_for_status()
        return str(next(m for m in r.json() if m["measure_id"] == measure_id)["status"])


def request(debtor: Party, instalments: list[tuple[int, int]], **extra: Any) -> SettlementRequest:
    return SettlementRequest(
        case_number=case_number(),
        court="杭州市上城区人民法院",
        applicant=person("申某某"),
        debtor=debtor,
        amount_owed_fen=extra.pop("amount_owed_fen", 2000_00),
        signed_on=today(),
        instalments=[Instalment(due_on=today() + timedelta(days=d), amount_fen=f) for d, f in instalments],
        **extra,
    )


def actions(st: Any) -> list[str]:
    return [e.action for e in st.timeline]


async def bank_notices(
    web: str, handle: WorkflowHandle[Any, Any], amount_fen: int, reference: str, instalment: int | None = None
) -> None:
    """The case-account bank's clerk notices ``amount_fen`` arrived under ``reference``, on the open notice
    of this case (naming ``instalment`` if given)."""
    async with await login(web, "bank-icbc") as bank:

        async def open_notice() -> str | None:
            r = await bank.get("/api/tasks", params={"status": "open"})
            r.raise_for_status()
            mine = [t["task_id"] for t in r.json() if t["workflow_id"] == handle.id]
            return mine[0] if mine else None

        task = await eventually(open_notice, timeout=20)
        (await bank.post(f"/api/tasks/{task}/claim")).raise_for_status()
        result = {"amount_fen": amount_fen, "received_on": today().isoformat(), "bank_reference": reference}
        if instalment is not None:
            result["instalment"] = instalment
        r = await bank.post(f"/api/tasks/{task}/complete", json={"result": result})
        assert r.status_code < 400, r.text


async def pay_into_case_account(simulator: str, case: str, amount_fen: int) -> str:
    """The debtor pays into the court's case account at the sandbox bank (what a demo does by hand); the
    bank's serial number of the credit."""
    body = {"case_number": case, "amount_fen": amount_fen, "received_on": today().isoformat()}
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{simulator}/partners/bank-icbc/_admin/case-accounts/credits", json=body)
        r.raise_for_status()
    return reference(r.json()["id"])


async def test_performed_in_full_releases_measures_and_lifts_the_listing(
    client, settings: Settings, simulator: str, web: str, monkeypatch: pytest.MonkeyPatch
):
    debtor = person("郑某某")
    kept = await freeze_at(simulator, settings, "bank-ccb", debtor, 800_00)
    released = await freeze_at(simulator, settings, "bank-abc", debtor, 500_00)
    req = request(
        debtor,
        [(20, 300_00), (40, 700_00)],
        measures=[released, kept],
        dishonest_listed=True,
        consumption_restricted=True,
    )
    handle = await start(client, settings, "settlement", req, acceleration=DAY_A_SECOND)
    st = await wait_status(handle, "awaiting_suspension")
    assert {d.name for d in st.pending_decisions} == {SUSPEND, "decline-settlement"}

    await decide(handle, SUSPEND, reason="双方达成执行和解, 中止执行; 解除农行冻结", release=[1])
    st = await wait_status(handle, "performing")
    # The agreement as recorded: a 执行和解笔录 for both sides, the terms in capital numerals.
    async with await login(web, "judge") as api:
        docs = (await api.get(f"/api/workflows/{handle.id}/documents")).json()
        assert [(d["kind"], d["addressed_to"]) for d in docs] == [("执行和解笔录", ["applicant", "debtor"])]
        text = pdf_words((await api.get(f"/api/documents/{docs[0]['document_id']}")).content)
    assert "支付人民币叁佰元整" in text and "支付人民币柒佰元整" in text and debtor.name in text
    assert "执行员：judge" in text
    assert [m["state"] for m in st.summary["measures"]] == ["released", "kept"]
    assert await measure_status(simulator, "bank-abc", released.measure_id) == "released"
    assert await measure_status(simulator, "bank-ccb", kept.measure_id) == "active"

    # The sandbox's bank and credit desk work their inboxes as the agents of `make run` do; the bank
    # notices only what arrived in the case account.
    monkeypatch.setitem(task_agents.CASE_ACCOUNTS, "url", simulator)
    agents = {a: await login(web, a) for a in ("bank-icbc", "court-credit")}

    async def drive(wanted: str) -> bool:
        for agency, http in agents.items():
            await work_once(http, agency)
        return (await status(handle)).status == wanted

    async def first_paid() -> bool:
        await drive("performing")
        return bool((await status(handle)).summary["instalments"][0]["state"] == "paid")

    try:
        for _ in range(3):
            await drive("performing")
        assert (await status(handle)).summary["received_fen"] == 0  # nothing paid, nothing noticed
        await pay_into_case_account(simulator, req.case_number, 300_00)
        await eventually(first_paid, timeout=30, interval=0.2)
        st = await status(handle)
        assert (st.summary["received_fen"], st.summary["instalments"][1]["state"]) == (300_00, "upcoming")
        await pay_into_case_account(simulator, req.case_number, 700_00)
        # 履行完毕 is the judge's finding on the ledger (issue 22): nothing is lifted before it.
        await eventually(lambda: drive("awaiting_performance_confirmation"), timeout=60, interval=0.2)
        assert await measure_status(simulator, "bank-ccb", kept.measure_id) == "active"
        await decide(handle, CONFIRM_PERFORMED, reason="核对案款账户流水, 和解款项 1,000 元已全部到账")
        await eventually(lambda: drive("performed"), timeout=60, interval=0.2)
    finally:
        for http in agents.values():
            await http.aclose()
    result: SettlementResult = await handle.result()
    assert result.status == "performed"
    assert (result.total_fen, result.paid_fen) == (1000_00, 1000_00)
    assert sorted(result.released_measures) == [1, 2]  # the kept freeze is released on full performance
    assert sorted(result.lifted) == ["delist", "lift-restriction"]
    assert await measure_status(simulator, "bank-ccb", kept.measure_id) == "released"
    st = await status(handle)
    assert [i["state"] for i in st.summary["instalments"]] == ["paid", "paid"]
    assert actions(st).count("payment_noticed") == 2
    noticed = [e for e in st.timeline if e.action == "task_completed"]
    assert {e.actor.agency for e in noticed} == {"bank-icbc", "court-credit"}
    # The credit desk is told which decision to take in the dishonest-list and restriction cases.
    async with await login(web, "court-credit") as desk:
        asked = {}
        for step in ("delist", "lift-restriction"):
            r = await desk.get(f"/api/tasks/{handle.id}:task:{step}")
            r.raise_for_status()
            asked[step] = r.json()["task"]["spec"]["context"]
    assert asked == {
        "delist": {"decision": "remove-entry", "ground": "settlement-performed"},
        "lift-restriction": {"decision": "lift-order", "ground": "full-performance"},
    }
    await record_history(handle, "settlement-performed")


async def test_default_resumes_against_debtor_and_guarantor_less_what_was_paid(
    client, settings: Settings, simulator: str, web: str
):
    debtor, guarantor = person("冯某某"), person("陈某某")
    req = request(
        debtor,
        [(8, 500_00), (60, 500_00)],
        amount_owed_fen=1500_00,
        execution_costs_fen=100_00,
        guarantees=[Guarantee(guarantor=guarantor, cap_fen=300_00, undertook_direct_enforcement=True)],
    )
    handle = await start(client, settings, "settlement", req, acceleration=DAY_A_SECOND)
    await wait_status(handle, "awaiting_suspension")
    await decide(handle, SUSPEND, reason="达成和解, 中止执行")
    await wait_status(handle, "performing")

    # The applicant applies to resume while the first instalment is not yet due: refused, no trace.
    before = await settled_history_length(handle)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, RESUME, reason="申请执行人申请恢复执行", against_guarantor=True)
    assert refusal_code(refused.value) == "UNLAWFUL_DECISION"
    assert "Art. 11" in str(refused.value.cause)
    assert await settled_history_length(handle) == before

    paid = await pay_into_case_account(simulator, req.case_number, 200_00)
    await bank_notices(web, handle, 200_00, paid)  # only part of the first instalment arrives
    st = await wait_status(handle, "defaulted", timeout=30)
    first = st.summary["instalments"][0]
    assert (first["state"], first["received_fen"]) == ("partial", 200_00)
    assert "instalment_partial" in actions(st)

    await decide(handle, RESUME, reason="被执行人未按期足额履行, 申请恢复执行", against_guarantor=True)
    st = await wait_status(handle, "resumed")
    # 200 paid meet the costs (100) first, then the principal: 1,400 of the original claim remain.
    resumed = next(e for e in st.timeline if e.action == "enforcement_resumed")
    assert (resumed.detail["owed_fen"], resumed.detail["costs_fen"]) == (1400_00, 0)
    children = {who: client.get_workflow_handle(f"{handle.id}:resume:{who}") for who in ("debtor", "guarantor-1")}
    targets = {}
    for who, child in children.items():
        child_st = await wait_status(child, "awaiting_decision", timeout=60)
        targets[who] = child_st.summary["target_fen"]
        await decide(child, REJECT, reason="测试: 不予查控")
    assert targets == {"debtor": 1400_00, "guarantor-1": 300_00}  # the guarantor up to the guarantee
    result: SettlementResult = await handle.result()
    assert (result.status, result.paid_fen, result.resumed_claim_fen) == ("resumed", 200_00, 1400_00)
    assert sorted(result.inquiries) == sorted(c.id for c in children.values())


async def test_money_in_counts_only_when_the_case_accounts_statement_shows_it(
    client, settings: Settings, simulator: str, web: str
):
    """A bank's credit notice counts when the statement (入账流水) shows it: a notice of ¥10,000,000,000 that
    the bank never booked, or one naming the 2nd instalment while the 1st is watched, is an incident for
    the judge and counts nothing; the same credit noticed as booked counts once."""
    req = request(person("卫某某"), [(8, 500_00), (60, 500_00)])
    handle = await start(client, settings, "settlement", req, acceleration=DAY_A_SECOND)
    await wait_status(handle, "awaiting_suspension")
    await decide(handle, SUSPEND, reason="达成和解, 中止执行")
    await wait_status(handle, "performing")

    await bank_notices(web, handle, 10**12, "LS99999999")
    st = await eventually(lambda: _with_incidents(handle, 1))
    assert st.incidents[0].code == "CREDIT_NOT_ON_STATEMENT" and st.summary["received_fen"] == 0
    paid = await pay_into_case_account(simulator, req.case_number, 250_00)
    await bank_notices(web, handle, 250_00, paid, instalment=2)
    st = await eventually(lambda: _with_incidents(handle, 2))
    assert st.incidents[1].code == "CREDIT_OTHER_INSTALMENT" and st.summary["received_fen"] == 0
    await bank_notices(web, handle, 250_00, paid, instalment=1)
    st = await eventually(lambda: _received(handle, 250_00))
    assert actions(st).count("payment_noticed") == 1 and actions(st).count("credit_not_counted") == 2
    await bank_notices(web, handle, 250_00, paid)  # the same credit again: counted once
    st = await eventually(lambda: _with_incidents(handle, 3))
    assert st.incidents[2].code == "CREDIT_ALREADY_COUNTED" and st.summary["received_fen"] == 250_00
    await handle.terminate("test done")


async def _with_incidents(handle: WorkflowHandle[Any, Any], count: int) -> Any:
    st = await status(handle)
    return st if len(st.incidents) >= count else None


async def _received(handle: WorkflowHandle[Any, Any], fen: int) -> Any:
    st = await status(handle)
    return st if st.summary["received_fen"] == fen else None


async def test_clerk_confirms_a_payment_and_the_period_to_resume_runs_out(client, settings: Settings):
    req = request(person("褚某某"), [(5, 100_00)])
    ten_days = LegalDuration(amount=10, unit=TimeUnit.CALENDAR_DAY)
    handle = await start(
        client, settings, "settlement", req, acceleration=DAY_A_SECOND, overrides={"resumption_period": ten_days}
    )
    await wait_status(handle, "awaiting_suspension")
    await decide(handle, SUSPEND, reason="达成和解, 中止执行")
    await wait_status(handle, "performing")

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, RECORD_PAYMENT, reason="书记员核实", amount_fen=500_00, paid_on=today().isoformat())
    assert refusal_code(refused.value) == "UNLAWFUL_DECISION"  # more than the agreement still asks
    await decide(
        handle,
        RECORD_PAYMENT,
        reason="申请执行人确认收到现金, 书记员核实",
        amount_fen=40_00,
        paid_on=today().isoformat(),
        channel="direct",
    )
    st = await status(handle)
    assert st.summary["received_fen"] == 40_00 and "payment_confirmed" in actions(st)

    st = await wait_status(handle, "defaulted", timeout=30)
    assert st.summary["instalments"][0]["state"] == "partial"
    assert st.summary["period_ends"] is not None
    result: SettlementResult = await handle.result()  # nobody applies to resume within the period
    assert (result.status, result.paid_fen) == ("resumption_lapsed", 40_00)
    st = await status(handle)
    cancelled = [e for e in st.timeline if e.action == "task_cancelled"]
    assert cancelled and "past its due day" in (cancelled[0].reason or "")


async def test_not_suspended_or_the_applicant_sues_on_the_agreement(client, settings: Settings):
    declined = await start(client, settings, "settlement", request(person("卫某某"), [(5, 100_00)]))
    await wait_status(declined, "awaiting_suspension")
    await decide(declined, "decline-settlement", reason="和解协议损害案外人利益, 不予中止执行")
    assert (await declined.result()).status == "declined"

    handle = await start(
        client, settings, "settlement", request(person("蒋某某"), [(4, 100_00)]), acceleration=DAY_A_SECOND
    )
    await wait_status(handle, "awaiting_suspension")
    await decide(handle, SUSPEND, reason="达成和解, 中止执行")
    await wait_status(handle, "performing")  # the agreement recorded and issued, the measures handled
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, SUE, reason="申请执行人就和解协议另行起诉")
    assert refusal_code(refused.value) == "UNLAWFUL_DECISION"  # nothing in default yet
    await wait_status(handle, "defaulted", timeout=30)
    await decide(handle, SUE, reason="申请执行人就和解协议另行起诉 (执行和解规定 第九条)")
    result: SettlementResult = await handle.result()
    assert (result.status, result.paid_fen, result.inquiries) == ("applicant_sued", 0, [])


async def test_the_period_to_resume_moves_with_an_interruption_and_performance_is_the_judges_finding(
    client, settings: Settings
):
    """CPL Art. 250 in the workflow: the judge records a demand after the last due date and the two years run
    again from it (民法典 Art. 195; 执行程序解释 Art. 20); an obstacle is recorded once ended (Art. 194). When
    the ledger reaches the agreed sum the case waits for the judge to confirm 履行完毕."""
    req = request(person("卫某某"), [(3, 100_00)])
    handle = await start(client, settings, "settlement", req, acceleration=DAY_A_SECOND)
    await wait_status(handle, "awaiting_suspension")
    await decide(handle, SUSPEND, reason="达成和解, 中止执行")
    st = await wait_status(handle, "defaulted", timeout=30)
    due = date.fromisoformat(st.summary["instalments"][0]["due_on"])
    first_end = date.fromisoformat(st.summary["period_ends"])
    with pytest.raises(WorkflowUpdateFailedError) as early:  # before the period began: nothing to interrupt
        await decide(handle, RECORD_INTERRUPTION, reason="催告", on=due.isoformat(), event="demand")
    assert refusal_code(early.value) == "UNLAWFUL_DECISION"
    demand = due + timedelta(days=1)
    await decide(handle, RECORD_INTERRUPTION, reason="申请执行人书面催告", on=demand.isoformat(), event="demand")

    async def recomputed() -> bool:
        return "period_recomputed" in actions(await status(handle))

    await eventually(recomputed, timeout=30, interval=0.2)
    st = await status(handle)
    ends = date.fromisoformat(st.summary["period_ends"])
    again = demand.replace(year=demand.year + 2)
    # Two years from the demand, not from the due date; a rest day rolled forward (CPL Art. 85).
    assert again <= ends <= again + timedelta(days=9) and ends >= first_end
    assert {"period_interrupted", "period_recomputed"} <= set(actions(st))
    with pytest.raises(WorkflowUpdateFailedError):  # an obstacle still going on is not recorded yet
        await decide(
            handle,
            RECORD_OBSTACLE,
            reason="疫情封控",
            started_on=demand.isoformat(),
            ended_on="2099-01-01",
            cause="封控",
        )

    with pytest.raises(WorkflowUpdateFailedError):  # not offered while the ledger falls short
        await decide(handle, CONFIRM_PERFORMED, reason="履行完毕")
    await decide(
        handle, RECORD_PAYMENT, reason="书记员核实", amount_fen=100_00, paid_on=demand.isoformat(), channel="counter"
    )
    st = await wait_status(handle, "awaiting_performance_confirmation", timeout=30)
    assert {d.name for d in st.pending_decisions} == {CONFIRM_PERFORMED, RECORD_PAYMENT}
    await decide(handle, CONFIRM_PERFORMED, reason="款项已全部给付, 和解协议履行完毕")
    result: SettlementResult = await handle.result()
    assert (result.status, result.paid_fen) == ("performed", 100_00)
