"""Closure of the current procedure (终本) and its five-year watch, end to end: real Temporal, real
simulators, real worker. The checklist and the three months of 终本规定 Art. 1, the inquiry every six
months for five years (Art. 9), a hit offering resumption, the applicant's lead inquiring at once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from config.settings import Settings
from domain.closure import (
    ClosureChecklist,
    closure_periods_at,
    closure_problems,
    earliest_closure,
    hits,
    lead_resumption_problem,
)
from domain.legal_params import MissingParameter
from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit, calendar_end
from domain.parties import Party, PartyKind
from domain.party_requests import PartySide
from security.identity import acting_as
from store.sealing import Sealer
from tests.case_probe import notify, open_case, probe_worker
from tests.helpers import (
    AUDITOR,
    JUDGE,
    account_number,
    case_number,
    decide,
    eventually,
    president_signs,
    record_history,
    refusal_code,
    resident_id,
    seed_subject,
    start,
    status,
    wait_status,
)
from web.db import Database
from web.services.party_space import ServedDocument, served_documents
from workflows.foundation.case_link import CaseNotice, CaseNoticeKind
from workflows.foundation.child_matters import AssetInquiryResult
from workflows.periodic_reinquiry.models import (
    CLOSE,
    CONTINUE,
    CORRECT_DATABASE_ENTRY,
    KEEP_CLOSED,
    NAME,
    REGISTER_LEAD,
    REMOVE_FROM_DATABASE,
    RESUME,
    SANCTION,
    SUBMIT_LEAD_UPDATE,
    Lead,
    LeadReceipt,
    PeriodicReinquiryRequest,
    PeriodicReinquiryResult,
)
from workflows.periodic_reinquiry.workflow import _scheduled

pytestmark = pytest.mark.usefixtures("stack")

CHECKLIST: dict[str, Any] = {
    "notice_served": True,
    "consumption_order_issued": True,
    "investigation_exhausted": True,
    "whereabouts_and_obstruction": True,
    "applicant_heard": True,
    "applicant_opinion": "申请执行人同意终本, 将继续查找财产线索",
    "ruling_number": "(2026)浙0102执1234号之一",
}


async def _result_notices(settings: Settings, case_number: str, sides: set[PartySide]) -> list[ServedDocument]:
    """The 财产查询结果告知书 a side sees in its case space (web/services/party_space.served_documents)."""
    db = Database(settings.web_database_url, Sealer.for_keys(settings.codec_keys))
    try:
        served = await db.run(served_documents, db, case_number, "杭州市上城区人民法院", sides)
    finally:
        db.dispose()
    return [d for d in served if d.title == "财产查询结果告知书"]


def request(debtor: Party, filed_days_ago: int) -> PeriodicReinquiryRequest:
    return PeriodicReinquiryRequest(
        case_number=case_number(),
        court="杭州市上城区人民法院",
        debtor=debtor,
        outstanding_fen=320_000_00,
        filed_on=datetime.now(CHINA_TZ).date() - timedelta(days=filed_days_ago),
    )


def new_debtor() -> Party:
    return Party(kind=PartyKind.PERSON, name="李某某", id_number=resident_id())


async def submit_lead(handle: WorkflowHandle[Any, Any], lead: Lead) -> LeadReceipt:
    with acting_as(JUDGE):
        return await handle.execute_update(SUBMIT_LEAD_UPDATE, lead, result_type=LeadReceipt)


async def test_closing_needs_more_than_three_months_since_filing(client: Client, settings: Settings) -> None:
    handle = await start(client, settings, NAME, request(new_debtor(), filed_days_ago=40))
    st = await wait_status(handle, "awaiting_closure")
    assert [d.name for d in st.pending_decisions] == [CLOSE, CONTINUE]
    assert st.pending_decisions[0].title == "裁定终结本次执行程序"

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, CLOSE, reason="经穷尽财产调查, 未发现可供执行财产", **CHECKLIST)
    assert refusal_code(refused.value) == "UNLAWFUL_DECISION"
    assert "三个月" in str(refused.value.cause)
    # A lead belongs to the enforcement still under way: the watch does not take it before closure.
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await submit_lead(handle, Lead(asset_lead="工商银行杭州分行账户"))
    assert refusal_code(early.value) == "WRONG_STATE"
    # Refusals leave no trace: the timeline still holds only the start.
    assert [e.action for e in (await status(handle)).timeline] == ["started"]

    await decide(handle, CONTINUE, reason="立案未满三个月, 继续执行")
    result = PeriodicReinquiryResult.model_validate(await handle.result())
    assert result.status == "enforcement_continued" and result.closed_at is None and result.inquiries == 0


async def test_a_lead_inquires_at_once_and_a_hit_offers_resumption(
    client: Client, settings: Settings, simulator: str
) -> None:
    debtor = new_debtor()
    handle = await start(client, settings, NAME, request(debtor, filed_days_ago=120))
    await wait_status(handle, "awaiting_closure")

    # Art. 1's checklist, item by item: an unticked item is refused and named.
    incomplete = {**CHECKLIST, "investigation_exhausted": False}
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, CLOSE, reason="终本", **incomplete)
    assert refusal_code(refused.value) == "UNLAWFUL_DECISION"
    assert "Art. 1(三)" in str(refused.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as no_reason:
        await decide(handle, CLOSE, reason=" ", **CHECKLIST)
    assert refusal_code(no_reason.value) == "REASON_REQUIRED"

    # 民诉法解释 Art. 517: the applicant has not signed, so ruling on the applicant's signature is refused by the
    # rule's code; the panel's ruling goes to the president.
    with pytest.raises(WorkflowUpdateFailedError) as unsigned:
        await decide(handle, CLOSE, reason="终本", approval="applicant-signature", **CHECKLIST)
    assert refusal_code(unsigned.value) == "CLOSURE_SIGNATURE_OR_APPROVAL_REQUIRED"
    assert "第五百一十七条" in str(unsigned.value.cause)
    await decide(handle, CLOSE, reason="已穷尽财产调查措施, 未发现可供执行的财产", **CHECKLIST)
    await president_signs(handle)
    st = await wait_status(handle, "closure_watch")
    approved = next(e for e in st.timeline if e.action == "closure_approved")
    assert approved.detail["path"] == "president" and approved.detail["signed_by"] == "approver"
    closed_at = datetime.fromisoformat(st.summary["closed_at"])
    assert datetime.fromisoformat(st.summary["watch_ends_at"]) == calendar_end(
        closed_at, LegalDuration(amount=5, unit=TimeUnit.YEAR)
    )
    assert datetime.fromisoformat(st.summary["next_inquiry_at"]) == calendar_end(
        closed_at, LegalDuration(amount=6, unit=TimeUnit.MONTH)
    )
    assert st.summary["ruling_number"] == CHECKLIST["ruling_number"]
    # While watched, the case page offers the judge a form to register the applicant's lead (and to
    # sanction obstruction after closing, Art. 17).
    assert [d.name for d in st.pending_decisions] == [
        REGISTER_LEAD,
        SANCTION,
        REMOVE_FROM_DATABASE,
        CORRECT_DATABASE_ENTRY,
    ]

    # The applicant finds a deposit and brings the lead; the inquiry runs at once, long before the first
    # six-monthly one (18 s away at the tests' acceleration).
    deposit = account_number()
    await seed_subject(
        simulator,
        debtor.model_dump(mode="json"),
        [
            {
                "partner_id": "bank-icbc",
                "kind": "deposit",
                "reference": deposit,
                "description": "活期存款",
                "available_fen": 45_000_00,
            }
        ],
    )
    receipt = await submit_lead(handle, Lead(asset_lead=f"工商银行账户 {deposit}"))
    assert receipt.lead == 1
    # Checked within 7 days (财产调查规定 Art. 2), counted by the legal clock from its receipt.
    assert receipt.due_by >= closed_at + timedelta(days=7)  # legal time runs on fast here: a lower bound
    st = await wait_status(handle, "awaiting_resumption", timeout=30)
    last = st.summary["last_inquiry"]
    assert last["trigger"] == "lead" and last["lead"] == 1 and last["round"] == 1
    assert st.summary["scheduled_done"] == 0
    assert [(h["partner_id"], h["available_fen"]) for h in last["hits"]] == [("bank-icbc", 45_000_00)]
    assert all(deposit not in str(h) and "*" in h["reference"] for h in last["hits"]), "references are masked"
    assert [d.name for d in st.pending_decisions] == [RESUME, KEEP_CLOSED]
    # The lead's text (an account) stays out of the timeline the judge and auditors read.
    assert deposit not in str([e.detail for e in st.timeline])
    # Art. 9: the result is served on the applicant — in its case space beside the ruling, not the debtor's.
    notice = await eventually(lambda: _result_notices(settings, st.case_number, {PartySide.APPLICANT}), timeout=30)
    assert [d.title for d in notice] == ["财产查询结果告知书"]
    assert await _result_notices(settings, st.case_number, {PartySide.DEBTOR}) == []

    # The inquiry is the asset inquiry itself, in report-only mode: it decided nothing, froze nothing.
    child = client.get_workflow_handle(last["inquiry_id"])
    with acting_as(AUDITOR):
        inquiry = AssetInquiryResult.model_validate(await child.result())
    assert inquiry.status == "reported" and inquiry.measures == [] and inquiry.frozen_fen == 0

    await decide(handle, RESUME, reason="发现可供执行财产, 恢复执行", resumed_case_number="(2026)浙0102执恢12号")
    result = PeriodicReinquiryResult.model_validate(await handle.result())
    assert result.status == "resumed"
    assert result.resumed_case_number == "(2026)浙0102执恢12号"
    assert result.resumed_on is not None and result.resumed_on.trigger == "lead"
    assert result.inquiries == 1 and result.rounds_with_hits == 1
    # Resumed enforcement takes control of what was found: a full asset inquiry before the judge, its target
    # the outstanding amount plus the application fee (¥320,000 → 50 + 1.5 % × 310,000 = ¥4,700).
    assert result.control_inquiry == f"{handle.id}:control"
    control = await wait_status(client.get_workflow_handle(result.control_inquiry), "awaiting_decision")
    assert control.summary["target_fen"] == 320_000_00 + 4_700_00
    assert [r["partner_id"] for r in control.summary["report"]] == ["bank-icbc"]
    await record_history(handle, "periodic-reinquiry-lead-resumed")
    entries = [(e.action, e.actor.user_id) for e in (await status(handle)).timeline]
    assert ("procedure_closed", "judge") in entries and ("lead_received", "judge") in entries
    assert entries[-1] == ("resumed", "judge")


async def test_every_six_months_for_five_years_then_the_watch_ends(client: Client, settings: Settings) -> None:
    # Ten times the tests' acceleration: five legal years in about twenty seconds.
    handle = await start(
        client, settings, NAME, request(new_debtor(), filed_days_ago=200), acceleration=settings.time_acceleration * 10
    )
    await wait_status(handle, "awaiting_closure")
    await decide(handle, CLOSE, reason="已穷尽财产调查措施", **CHECKLIST)
    await president_signs(handle)
    result = PeriodicReinquiryResult.model_validate(await handle.result())

    assert result.status == "watch_ended"
    assert result.inquiries == 10 and result.rounds_with_hits == 0
    assert result.closed_at is not None
    st = await status(handle)
    rounds = [e.detail for e in st.timeline if e.action == "reinquiry_completed"]
    assert [r["round"] for r in rounds] == list(range(1, 11))
    assert {r["trigger"] for r in rounds} == {"schedule"}
    # Each inquiry at or after its six-month mark from closure, never before it. (At this acceleration one
    # inquiry lasts months of legal time, so a round can start late; the marks stay counted from closure.)
    for k, r in enumerate(rounds, start=1):
        due = calendar_end(result.closed_at, LegalDuration(amount=6 * k, unit=TimeUnit.MONTH))
        at = datetime.fromisoformat(r["at"])
        assert due <= at < due + timedelta(days=365), (k, at, due)
    assert rounds[-1]["at"] >= calendar_end(result.closed_at, LegalDuration(amount=5, unit=TimeUnit.YEAR)).isoformat()
    # Each inquiry ended a run (continue-as-new): the history a run keeps stays small.
    assert len((await handle.fetch_history()).events) < 60
    await record_history(handle, "periodic-reinquiry-watch-ended")
    # After the watch no lead is taken (the watch is over): the applicant applies to resume (Art. 9).
    with pytest.raises(RPCError, match="already completed"):
        await submit_lead(handle, Lead(asset_lead="某小区 3 幢 101 室"))


async def test_a_scheduled_hit_the_judge_keeps_closed_comes_back_at_the_next_inquiry(
    client: Client, settings: Settings, simulator: str
) -> None:
    debtor = new_debtor()
    # A car the registry knows: property, but the judge may find it cannot be disposed of (already
    # pledged, scrapped …) and keep the case closed; the next six-monthly inquiry finds it again.
    plate = "浙A·" + resident_id()[-5:]
    car = {"partner_id": "vehicle-registry", "kind": "vehicle", "reference": plate, "description": "小型轿车"}
    await seed_subject(simulator, debtor.model_dump(mode="json"), [car])
    handle = await start(
        client, settings, NAME, request(debtor, filed_days_ago=200), acceleration=settings.time_acceleration * 10
    )
    await wait_status(handle, "awaiting_closure")
    await decide(handle, CLOSE, reason="已穷尽财产调查措施", **CHECKLIST)
    await president_signs(handle)

    st = await wait_status(handle, "awaiting_resumption", timeout=60)
    assert st.summary["last_inquiry"]["trigger"] == "schedule" and st.summary["last_inquiry"]["round"] == 1
    assert [h["kind"] for h in st.summary["last_inquiry"]["hits"]] == ["vehicle"]
    with pytest.raises(WorkflowUpdateFailedError) as no_reason:
        await decide(handle, KEEP_CLOSED, reason="")
    assert refusal_code(no_reason.value) == "REASON_REQUIRED"
    await decide(handle, KEEP_CLOSED, reason="该车辆已灭失, 无法处置")

    async def hit_again() -> bool:
        now = await status(handle)
        return now.status == "awaiting_resumption" and now.summary["last_inquiry"]["round"] == 2

    await eventually(hit_again, timeout=60)
    await decide(handle, RESUME, reason="车辆已找到, 恢复执行")
    result = PeriodicReinquiryResult.model_validate(await handle.result())
    assert result.status == "resumed" and result.inquiries == 2 and result.rounds_with_hits == 2
    assert result.resumed_on is not None and result.resumed_on.trigger == "schedule"
    timeline = (await status(handle)).timeline
    kept = [e.reason for e in timeline if e.action == "decision" and e.detail["decision"] == KEEP_CLOSED]
    assert kept == ["该车辆已灭失, 无法处置"]


def test_inquiries_fall_every_six_months_from_closure_month_ends_clamped() -> None:
    closed = datetime(2026, 8, 31, 10, 0, tzinfo=CHINA_TZ)
    periods = closure_periods_at(date(2026, 8, 31))
    assert periods.rounds == 10  # Art. 9: every six months within five years
    assert _scheduled(closed, 1, periods).date() == date(2027, 2, 28)
    assert _scheduled(closed, 2, periods).date() == date(2027, 8, 31)  # counted from closure: no drift
    assert _scheduled(closed, 10, periods).date() == date(2031, 8, 31)  # the tenth at five years


def test_closure_checklist_and_the_three_months() -> None:
    checklist = ClosureChecklist.model_validate(CHECKLIST)
    filed = date(2026, 1, 10)
    # 超过三个月: the three months end on 04-10 (the filing day is not counted); closing from 04-11.
    assert earliest_closure(filed) == date(2026, 4, 11)
    assert closure_problems(checklist, filed, date(2026, 4, 11)) == []
    assert len(closure_problems(checklist, filed, date(2026, 4, 10))) == 1
    missing = checklist.model_copy(update={"consumption_order_issued": False, "notice_served": False})
    problems = closure_problems(missing, filed, date(2026, 6, 1))
    assert len(problems) == 2 and "Art. 1(一)" in problems[0] and "Art. 1(二)" in problems[1]


def test_a_hit_is_property_the_court_can_act_on() -> None:
    def asset(kind: str, status: str = "normal", available: int | None = None) -> dict[str, Any]:
        return {"kind": kind, "status": status, "available_fen": available, "reference": "****1234"}

    report = [
        asset("deposit", available=0),  # an empty account
        asset("deposit", "frozen_elsewhere", 100),  # frozen in full by another court
        asset("payment_balance", available=500),
        asset("real_estate"),
        asset("vehicle", "closed"),
    ]
    assert [r["kind"] for r in hits(report)] == ["payment_balance", "real_estate"]


def test_art_5_the_applicant_is_told_and_heard_before_closing_and_the_opinion_recorded() -> None:
    """终本规定 Art. 5: 终本前告知申请执行人 … 并听取其对终结本次执行程序的意见, 记录入卷."""
    filed, closing = date(2026, 1, 10), date(2026, 6, 1)
    unheard = ClosureChecklist.model_validate({**CHECKLIST, "applicant_heard": False})
    assert ["Art. 5" in p for p in closure_problems(unheard, filed, closing)] == [True]
    silent = ClosureChecklist.model_validate({**CHECKLIST, "applicant_opinion": " "})
    assert closure_problems(silent, filed, closing)[0].startswith("applicant_opinion")


def test_art_1_and_9_the_periods_are_versioned_parameters() -> None:
    """终本规定 Arts. 1(四) and 9 as legal_params.json holds them (from 2016-12-01); none before."""
    periods = closure_periods_at(date(2026, 12, 6))
    assert (periods.min_since_filing, periods.reinquiry_interval, periods.watch_period) == (
        LegalDuration(amount=3, unit=TimeUnit.MONTH),
        LegalDuration(amount=6, unit=TimeUnit.MONTH),
        LegalDuration(amount=5, unit=TimeUnit.YEAR),
    )
    with pytest.raises(MissingParameter):
        closure_periods_at(date(2016, 11, 30))


def test_art_9_para_1_a_verified_lead_resumes_whatever_the_network_found() -> None:
    assert lead_resumption_problem(found_on_network=True, lead_verified=False) is None
    assert lead_resumption_problem(found_on_network=False, lead_verified=True) is None
    assert "第九条第一款" in (lead_resumption_problem(found_on_network=False, lead_verified=False) or "")


async def test_a_lead_the_network_does_not_confirm_resumes_once_verified_and_obstruction_is_still_fined(
    client: Client, settings: Settings
) -> None:
    """Art. 9 para 1: the applicant's lead finds nothing on the network; the court checks it (核查属实) and
    resumes. Art. 17: after closing, obstruction is still fined — within the CPL's cap. Art. 9 para 2: each
    inquiry's result is told to the applicant."""
    handle = await start(client, settings, NAME, request(new_debtor(), filed_days_ago=120))
    await wait_status(handle, "awaiting_closure")
    await decide(handle, CLOSE, reason="已穷尽财产调查措施", **CHECKLIST)
    await president_signs(handle)
    st = await wait_status(handle, "closure_watch")
    assert {d.name for d in st.pending_decisions} >= {REGISTER_LEAD, SANCTION}
    over_cap: dict[str, Any] = {"measure": "fine", "fine_fen": 200_000_00, "conduct": "转移名下车辆"}
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, SANCTION, reason="终本后转移财产", **over_cap)
    assert refusal_code(refused.value) == "UNLAWFUL_DECISION"  # a person: at most ¥100,000 (CPL Art. 118)
    await decide(handle, SANCTION, reason="终本后转移财产", **{**over_cap, "fine_fen": 10_000_00})
    st = await status(handle)
    assert st.status == "closure_watch" and "sanctioned_after_closure" in [e.action for e in st.timeline]

    await submit_lead(handle, Lead(asset_lead="被执行人在某公司持有股权, 尚未登记"))
    st = await wait_status(handle, "awaiting_lead_verification", timeout=30)
    assert "result_told_to_applicant" in [e.action for e in st.timeline]
    with pytest.raises(WorkflowUpdateFailedError) as unverified:
        await decide(handle, RESUME, reason="恢复执行")
    assert "第九条第一款" in str(unverified.value.cause)
    await decide(handle, RESUME, reason="线索经核查属实", lead_verified=True)
    result = PeriodicReinquiryResult.model_validate(await handle.result())
    assert result.status == "resumed" and result.rounds_with_hits == 0


async def test_art_12_and_16_the_closed_case_enters_the_database_and_leaves_it_on_full_performance(
    client: Client, settings: Settings
) -> None:
    """终本规定 Art. 12: the closed case enters the 终本 database (within 7 days of the ruling's service);
    Art. 16(一): the case's full performance ends the watch and withdraws it within 3 days. Only the case's own
    (system-signed) notice counts."""
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], case_number())
        handle = await start(
            client, settings, NAME, request(new_debtor(), filed_days_ago=120).model_copy(update={"case": ref})
        )
        await wait_status(handle, "awaiting_closure")
        await decide(handle, CLOSE, reason="已穷尽财产调查措施", **CHECKLIST)
        await president_signs(handle)
        st = await wait_status(handle, "closure_watch")
        entered = next(e for e in st.timeline if e.action == "closure_database_entered")
        closed_at = datetime.fromisoformat(st.summary["closed_at"])
        assert datetime.fromisoformat(entered.detail["due_at"]) == closed_at + timedelta(days=7)

        notice = CaseNotice(notice_id="fp-closure", kind=CaseNoticeKind.FULL_PERFORMANCE, at=datetime.now(UTC))
        await notify(case, notice, handle.id)
        result = PeriodicReinquiryResult.model_validate(await handle.result())
        assert result.status == "performed"
        removed = next(e for e in (await status(handle)).timeline if e.action == "closure_database_removed")
        assert "第十六条" in removed.detail["basis"]


async def test_art_16_terminated_or_bankrupt_the_case_leaves_the_database_and_a_wrong_entry_is_corrected(
    client: Client, settings: Settings
) -> None:
    """终本规定 Art. 16: besides full performance, termination, non-enforcement, a performed settlement and the
    debtor's bankruptcy withdraw the case within 3 days of the ground, and the watch ends; a wrong entry is
    corrected (or deleted) as its own act, the watch going on. Each records who, when and why."""
    handle = await start(client, settings, NAME, request(new_debtor(), filed_days_ago=120))
    await wait_status(handle, "awaiting_closure")
    await decide(handle, CLOSE, reason="已穷尽财产调查措施", **CHECKLIST)
    await president_signs(handle)
    st = await wait_status(handle, "closure_watch")
    closed_on = datetime.fromisoformat(st.summary["closed_at"]).astimezone(CHINA_TZ).date()

    with pytest.raises(WorkflowUpdateFailedError) as empty:  # a correction states what replaces the error
        await decide(handle, CORRECT_DATABASE_ENTRY, reason="未履行金额有误", error="未履行金额记载为 32 万")
    assert refusal_code(empty.value) == "UNLAWFUL_DECISION"
    fix: dict[str, Any] = {"error": "未履行金额记载为 32 万", "correction": "未履行金额 31.5 万"}
    await decide(handle, CORRECT_DATABASE_ENTRY, reason="录入有误, 依职权更正", **fix)
    st = await eventually(lambda: _acted(handle, "closure_database_corrected"), timeout=30)
    corrected = next(e for e in st.timeline if e.action == "closure_database_corrected")
    assert corrected.actor.user_id == "judge" and corrected.reason == "录入有误, 依职权更正"
    assert st.status == "closure_watch"  # the ruling and the watch stand

    bankrupt: dict[str, Any] = {"ground": "bankruptcy-accepted", "document_ref": "(2026)浙0102破申3号"}
    early = (closed_on - timedelta(days=1)).isoformat()
    with pytest.raises(WorkflowUpdateFailedError) as before:  # the case was not in the database yet
        await decide(handle, REMOVE_FROM_DATABASE, reason="破产受理", ground_arose_on=early, **bankrupt)
    assert refusal_code(before.value) == "UNLAWFUL_DECISION" and "第十六条" in str(before.value.cause)
    await decide(handle, REMOVE_FROM_DATABASE, reason="法院裁定受理破产申请", ground_arose_on=closed_on, **bankrupt)
    result = PeriodicReinquiryResult.model_validate(await handle.result())
    assert result.status == "withdrawn_from_database"
    timeline = (await status(handle)).timeline
    decided = next(e for e in timeline if e.action == "closure_database_removal_decided")
    assert decided.actor.user_id == "judge" and decided.reason == "法院裁定受理破产申请"
    removed = next(e for e in timeline if e.action == "closure_database_removed")
    assert removed.detail["ground"] == "bankruptcy-accepted" and "第十六条" in removed.detail["basis"]
    arose = datetime.combine(closed_on, datetime.min.time(), tzinfo=CHINA_TZ)
    assert datetime.fromisoformat(removed.detail["due_at"]) == arose + timedelta(days=3)  # 3 days from the ground


async def _acted(handle: WorkflowHandle[Any, Any], action: str) -> Any:
    st = await status(handle)
    return st if any(e.action == action for e in st.timeline) else None
