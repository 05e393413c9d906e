"""Real-estate disposal (不动产司法处置一件事) end to end: real Temporal, the simulators (registry title search,
auction platforms, case-account bank), agency tasks answered as the agencies would, the judge's decisions,
and every legal period on the accelerated legal clock (one legal day = 0.1 s)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from activities.tasks import CalendarSource
from config.settings import Settings
from domain.actors import Actor, Role
from domain.distribution import RESIDENCE_RESERVE, ClaimKind
from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit
from domain.parties import Party, PartyKind
from domain.residence import OtherAsset
from domain.tasks import TaskView
from security.identity import acting_as
from store.sealing import Sealer
from tests.case_probe import close, effects, ledger, open_case, probe_worker
from tests.helpers import (
    case_number,
    credit_code,
    decide,
    eventually,
    record_history,
    resident_id,
    start,
    status,
    wait_status,
)
from web.db import Database
from web.services.party_space import served_documents
from workflows.agency_task.workflow import CASE_ENDED
from workflows.foundation.case_link import CaseRef, EffectKind, MatterEffect
from workflows.foundation.messages import COMPLETE_TASK, TASK_VIEW_QUERY
from workflows.foundation.task_models import Completion
from workflows.real_estate_disposal.models import (
    APPROVE_PLAN,
    CONFIRM_SALE,
    CORRECT_REFERENCE,
    COUNTER_OBJECTION,
    DECLARE_CLAIM,
    DISTRIBUTION_OBJECTION,
    IN_KIND,
    OBJECTOR_SUIT,
    PROCEED,
    REFUSE_SALE,
    RESIDENCE_EXCEPTION,
    SET_TERMS,
    STOP,
    Cost,
    Creditor,
    PropertyUnit,
    RealEstateDisposalRequest,
    RealEstateDisposalResult,
    ReferenceMethod,
)

pytestmark = pytest.mark.usefixtures("stack")

COURT = "诸暨市人民法院"
REGISTRY = "realestate-registry"
PLATFORM = "auction-platform"
PLATFORMS = ("auction-platform", "auction-platform-b")
YUAN = 100


def agency(agency_id: str) -> Actor:
    return Actor(user_id=f"{agency_id}-clerk", role=Role.AGENCY, agency=agency_id)


def unit_number() -> str:
    return f"330681{uuid.uuid4().int % 10**6:06d}GB{uuid.uuid4().int % 10**5:05d}W00000000"


def title_record(unit: str, owner: Party, case: str, **over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "unit_number": unit,
        "owner_id_number": owner.id_number,
        "owner_name": owner.name,
        "land_use": "industrial",
        "area_m2": 6_000.0,
        "address": "诸暨市某镇工业区",
        "mortgages": [],
        "seizures": [
            {
                "court": COURT,
                "case_number": case,
                "rank": "first",
                "registered_at": "2025-06-01T09:00:00+08:00",
                "expires_on": "2028-06-01",
            }
        ],
        "purchase_restricted": False,
    }
    return record | over


async def seed(sim: str, unit: str, record: dict[str, Any], valuations: tuple[int, ...] = (), **rounds: Any) -> None:
    """The register's entry for the unit and, on each platform, its valuation and scripted bidders."""
    async with httpx.AsyncClient(base_url=sim) as http:
        (await http.put(f"/partners/{REGISTRY}/_admin/units/{unit}", json=record)).raise_for_status()
        for i, platform in enumerate(PLATFORMS):
            script: dict[str, Any] = {"valuation_after_hours": 2}
            if i < len(valuations):
                script["valuation_fen"] = valuations[i]
            if platform == PLATFORM:
                script |= rounds
            (await http.put(f"/partners/{platform}/_admin/scripts/{unit}", json=script)).raise_for_status()


def bidder(bidder_id: str, *bids: tuple[str, float, int], **kw: Any) -> dict[str, Any]:
    """A scripted bidder; each bid is (``after_open`` | ``before_close``, minutes, amount in fen)."""
    return {
        "bidder_id": bidder_id,
        "bids": [{f"minutes_{when}": minutes, "amount_fen": fen} for when, minutes, fen in bids],
        **kw,
    }


def request(
    debtor: Party, unit: str, case: str, owed: int, creditors: list[Creditor] | None = None, **over: Any
) -> RealEstateDisposalRequest:
    creditors = creditors or [
        Creditor(
            claim_id="applicant",
            creditor="诸暨某银行股份有限公司",
            kind=ClaimKind.ORDINARY,
            amount_fen=owed,
            id_number=credit_code(),
            account="6222020000000000019",
        )
    ]
    base: dict[str, Any] = dict(
        case_number=case,
        court=COURT,
        debtor=debtor,
        property=PropertyUnit(unit_number=unit, description="诸暨市某镇工业用地及厂房"),
        amount_owed_fen=owed,
        creditors=creditors,
        execution_costs=[
            Cost(
                cost_id="auction-aux",
                title="拍辅费用",
                payee="诸暨拍辅服务中心",
                amount_fen=8_000 * YUAN,
                id_number=credit_code(),
                account="6217000000000000011",
            )
        ],
    )
    return RealEstateDisposalRequest(**(base | over))


async def new_case(client: Client, settings: Settings, req: RealEstateDisposalRequest) -> WorkflowHandle[Any, Any]:
    return await start(client, settings, "real-estate-disposal", req)


async def complete_task(client: Client, task_id: str, agency_id: str, result: dict[str, Any]) -> None:
    """Completes an agency task as the agency's clerk, once the workflow has created it."""
    handle = client.get_workflow_handle(task_id)
    for _ in range(200):
        try:
            with acting_as(agency(agency_id)):
                await handle.execute_update(COMPLETE_TASK, Completion(result=result))
            return
        except (RPCError, WorkflowUpdateFailedError):
            await asyncio.sleep(0.05)
    raise AssertionError(f"task {task_id} never became completable")


async def joint_review(
    client: Client, wid: str, arrears: list[dict[str, Any]] | None = None, survey: dict[str, Any] | None = None
) -> None:
    await asyncio.gather(
        complete_task(client, f"{wid}:task:tax", "tax-hangzhou", {"arrears": arrears or []}),
        complete_task(client, f"{wid}:task:survey", "survey-zhuji", survey or {"occupant": "vacant"}),
    )


async def awaiting(
    handle: WorkflowHandle[Any, Any], decision: str, rounds: int | None = None, timeout: float = 60
) -> Any:
    """The status once ``decision`` is pending (and, if given, after that many rounds were announced)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        st = await status(handle)
        if decision in {p.name for p in st.pending_decisions} and (
            rounds is None or len(st.summary["rounds"]) == rounds
        ):
            return st
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{decision} never pending (status {st.status})")
        await asyncio.sleep(0.05)


async def set_terms(
    handle: WorkflowHandle[Any, Any], round_: str, start_fen: int, rounds: int | None = None, reason: str = "合议庭评议"
) -> None:
    await wait_status(handle, f"awaiting_terms_{round_}", timeout=60)
    await awaiting(handle, SET_TERMS, rounds)
    await decide(
        handle, SET_TERMS, reason, start_price_fen=start_fen, deposit_fen=start_fen // 10, increment_fen=10_000 * YUAN
    )


async def confirm_and_transfer(client: Client, handle: WorkflowHandle[Any, Any]) -> None:
    await wait_status(handle, "awaiting_ruling", timeout=60)
    await decide(handle, CONFIRM_SALE, "价款已全额交付", ruling_ref="(2026)浙0681执恢1号之一")
    await complete_task(
        client,
        f"{handle.id}:task:title-transfer",
        REGISTRY,
        {
            "certificate_no": "浙(2026)诸暨市不动产权第0012345号",
            "registered_at": datetime.now(UTC).isoformat(),
            "seizures_released": True,
            "mortgages_cancelled": True,
        },
    )


async def approve_plan(handle: WorkflowHandle[Any, Any]) -> Any:
    """The judge approves the distribution plan (it is served on every creditor and the debtor after)."""
    st = await awaiting(handle, APPROVE_PLAN)
    await decide(handle, APPROVE_PLAN, "分配方案经合议庭审核")
    return st


async def result_of(handle: WorkflowHandle[Any, Any]) -> RealEstateDisposalResult:
    return await asyncio.wait_for(handle.result(), timeout=90)


async def auctions_of(sim: str, unit: str, platform: str = PLATFORM) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=sim) as http:
        r = await http.get(f"/partners/{platform}/_admin/auctions", params={"unit_number": unit})
        r.raise_for_status()
        return r.json()


async def bank_items(sim: str, wid: str, bank: str = "bank-zjrcu") -> list[dict[str, Any]]:
    """The case bank's ledger of batch items paid for this workflow, one row per item key."""
    async with httpx.AsyncClient(base_url=sim) as http:
        r = await http.get(f"/partners/{bank}/_admin/batch-items", params={"key_prefix": f"{wid}/"})
        r.raise_for_status()
        return r.json()


def debtor_person() -> Party:
    return Party(kind=PartyKind.PERSON, name="陈某某", id_number=resident_id())


def assert_balanced(result: RealEstateDisposalResult) -> None:
    assert result.plan is not None
    plan = result.plan
    assert sum(line.paid_fen for line in plan.lines) + plan.surplus_to_debtor_fen == plan.proceeds_fen


# --- one test per branch -----------------------------------------------------------------------------


async def test_sold_in_round_one(client: Client, settings: Settings, simulator: str):
    debtor, unit, case = debtor_person(), unit_number(), case_number()
    await seed(
        simulator,
        unit,
        title_record(unit, debtor, case),
        valuations=(2_000_000 * YUAN, 2_200_000 * YUAN),
        first=[
            {
                "bidders": [
                    bidder("bidder-a", ("after_open", 30, 1_470_000 * YUAN), ("before_close", 2, 1_500_000 * YUAN)),
                    bidder("bidder-b", ("before_close", 1, 1_510_000 * YUAN), pay_after_hours=20),
                    bidder("bidder-c"),  # registers and pays a deposit, never bids
                ]
            }
        ],
    )
    handle = await new_case(client, settings, request(debtor, unit, case, owed=1_000_000 * YUAN))
    await joint_review(client, handle.id)

    # Reference price: the average of both platforms' reports (参考价规定 Art. 13), then 5 days for objections.
    st = await wait_status(handle, "awaiting_terms_first", timeout=60)
    assert st.summary["reference_price_fen"] == 2_100_000 * YUAN
    assert st.summary["lowest_start_price_fen"] == 1_470_000 * YUAN  # 70 % (网拍规定 Art. 10)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await decide(handle, SET_TERMS, start_price_fen=1_400_000 * YUAN, deposit_fen=140_000 * YUAN, increment_fen=1)
    assert "start_price_fen" in str(err.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await decide(handle, SET_TERMS, start_price_fen=1_470_000 * YUAN, deposit_fen=300_000 * YUAN, increment_fen=1)
    assert "deposit_fen" in str(err.value.cause)
    await set_terms(handle, "first", 1_470_000 * YUAN)

    await confirm_and_transfer(client, handle)
    await approve_plan(handle)
    # Within the 15 days for objections to the plan (民诉法解释 Art. 509) the disputed part is escrowed.
    st = await awaiting(handle, DISTRIBUTION_OBJECTION)
    assert st.summary["plan"]["proceeds_fen"] == 1_510_000 * YUAN
    with pytest.raises(WorkflowUpdateFailedError):
        await decide(handle, DISTRIBUTION_OBJECTION, "异议", ref="applicant", disputed_fen=2_000_000 * YUAN)
    await decide(
        handle, DISTRIBUTION_OBJECTION, "被执行人对利息计算提出异议", ref="applicant", disputed_fen=100_000 * YUAN
    )
    # 民诉法解释 Art. 510: the applicant, told of the objection, opposes it within 15 days; the debtor then
    # sues within 15 days, so the disputed amount stays deposited (提存) while the suit runs.
    await awaiting(handle, COUNTER_OBJECTION)
    with pytest.raises(WorkflowUpdateFailedError) as err:  # no objection to that line
        await decide(handle, COUNTER_OBJECTION, "反对", ref="auction-aux")
    assert "第五百一十条" in str(err.value.cause)
    await decide(handle, COUNTER_OBJECTION, "申请执行人认为利息计算无误", ref="applicant")
    await awaiting(handle, OBJECTOR_SUIT)
    await decide(handle, OBJECTOR_SUIT, ref="applicant", suit_ref="(2026)浙0681民初77号")
    result = await result_of(handle)
    assert result.status == "completed", result.reason
    assert result.sold_price_fen == 1_510_000 * YUAN and result.buyer == "bidder-b"
    first = result.rounds[0]
    assert first.result is not None and first.result.extensions >= 2  # last-minute bids extended the end
    # Announced at least 30 days before bidding; bidding at least 24 h (网拍规定 Arts. 12, 20).
    assert first.opens_at - first.announced_at >= timedelta(days=30)
    assert first.closes_at - first.opens_at >= timedelta(hours=24)
    assert first.result.ends_at > first.closes_at
    # Losing deposits back within 24 h of the end (Art. 23).
    refunded = [d for d in first.result.deposits if d.status == "refunded"]
    assert {d.bidder_id for d in refunded} == {"bidder-a", "bidder-c"}
    assert all(d.changed_at and d.changed_at - first.result.ends_at <= timedelta(hours=24) for d in refunded)

    # Distribution: costs, then the applicant; the surplus goes back to the debtor; the bank moved each once.
    assert_balanced(result)
    assert result.plan is not None and result.plan.paid_to("auction-aux") == 8_000 * YUAN
    assert result.plan.paid_to("applicant") == 1_000_000 * YUAN
    # The application fee of ¥1,000,000 (诉讼费用交纳办法 Art. 14(一)): 50 + 1.5 % × 490,000 + 1 % × 500,000.
    assert result.plan.paid_to("application-fee") == 12_400 * YUAN
    assert result.plan.surplus_to_debtor_fen == 1_510_000 * YUAN - 1_008_000 * YUAN - 12_400 * YUAN
    assert sorted((p.ref, p.status, p.amount_fen) for p in result.payments) == [
        ("applicant", "escrowed", 100_000 * YUAN),
        ("applicant", "paid", 900_000 * YUAN),
        ("application-fee", "held", 12_400 * YUAN),  # the court's own fee stays in the case account
        ("auction-aux", "paid", 8_000 * YUAN),
        ("surplus", "held", 489_600 * YUAN),  # the debtor gave no account: the court holds it
    ]
    assert result.escrowed_fen == 100_000 * YUAN
    items = {row["item_key"].rsplit("/", 1)[-1]: row for row in await bank_items(simulator, handle.id)}
    assert {ref: (row["amount_fen"], row["status"]) for ref, row in items.items()} == {
        "auction-aux": (8_000 * YUAN, "paid"),
        "applicant": (900_000 * YUAN, "paid"),
    }
    assert result.shortfall_fen == 0
    assert result.title_transfer is not None and result.title_transfer.state.value == "completed"

    # Title passes on service; the registry's transfer task was created within a second of it.
    st = await status(handle)
    served = next(e for e in st.timeline if e.action == "ruling_served")
    assigned = next(
        e for e in st.timeline if e.action == "task_assigned" and e.detail["task"].endswith("title-transfer")
    )
    assert timedelta(0) <= assigned.at - served.at < timedelta(seconds=1)
    # Its documents, each numbered in the case's series: the ruling to sell, the round's announcement,
    # the ruling confirming the sale (CPL 255, 262; 网拍规定 Art. 12), the distribution plan (民诉法解释 Art. 509)
    # and the notice of the applicant's payment, its escrowed part named.
    issued = [e.detail for e in st.timeline if e.action == "document_issued"]
    assert [d["title"] for d in issued] == [
        "执行裁定书（拍卖）",
        "拍卖公告",
        "执行裁定书（成交确认）",
        "执行财产分配方案",
        "执行款发放通知书",
    ]
    assert [d["number"][-3:] for d in issued] == ["号之一", "号之二", "号之三", "号之四", "号之五"]
    plan_served = next(i for i, e in enumerate(st.timeline) if e.action == "plan_served")
    objected = next(i for i, e in enumerate(st.timeline) if e.action == "distribution_objection")
    plan_issued = next(i for i, e in enumerate(st.timeline) if e.detail.get("title") == "执行财产分配方案")
    assert plan_served < plan_issued < objected, "the plan is served before its objection window runs"
    await record_history(handle, "real-estate-disposal-round-one")


async def test_unsold_in_round_one_then_sold_in_round_two(client: Client, settings: Settings, simulator: str):
    """Also: a home under purchase restriction (限购) — the ruling is refused to a buyer who lacks the
    qualification (竞买人资格规定 Art. 3) and the round is held again without them. And the debtor's only home:
    sold on the rent deduction the applicant agreed to (异议复议规定 Art. 20(1)(3)), five years at ¥6,000 a
    month = ¥360,000 wanted; the concession is the applicant's, so it is capped at the applicant's share and the
    workflow records the cap (residence_reserve_capped), never silently."""
    debtor, unit, case = debtor_person(), unit_number(), case_number()
    await seed(
        simulator,
        unit,
        title_record(unit, debtor, case, land_use="residential", area_m2=120.0, purchase_restricted=True),
        valuations=(1_000_000 * YUAN, 1_000_000 * YUAN),
        first=[{"bidders": []}],
        second=[
            {"bidders": [bidder("no-hukou", ("after_open", 60, 600_000 * YUAN), purchase_qualified=False)]},
            {"bidders": [bidder("b2", ("after_open", 60, 560_000 * YUAN))]},
        ],
    )
    home = PropertyUnit(unit_number=unit, description="被执行人唯一住房", necessary_residence=True)
    handle = await new_case(client, settings, request(debtor, unit, case, owed=300_000 * YUAN, property=home))
    await wait_status(handle, "awaiting_residence_decision", timeout=30)
    rent: dict[str, Any] = {
        "ground": "rent_deduction",
        "rent_years": 5,
        "monthly_rent_fen": 6_000 * YUAN,
        "conceded_by": "applicant",
    }
    await decide(handle, RESIDENCE_EXCEPTION, "申请执行人同意从变价款中扣除五年租金", **rent)
    await joint_review(client, handle.id)
    await set_terms(handle, "first", 700_000 * YUAN)
    st = await wait_status(handle, "awaiting_terms_second", timeout=60)
    assert st.summary["lowest_start_price_fen"] == 560_000 * YUAN  # at most 20 % below (Art. 26)
    first_end = datetime.fromisoformat(next(e for e in st.timeline if e.action == "bidding_ended").detail["ends_at"])
    # Re-auction within 30 days (Art. 26), the last day rolled forward over rest days (CPL Art. 85):
    # 3 days' notice and 15 days' announcement must still fit.
    thirty_days = LegalDuration(amount=30, unit=TimeUnit.CALENDAR_DAY)
    limit = CalendarSource().current().due(first_end.astimezone(CHINA_TZ), thirty_days)
    assert datetime.fromisoformat(st.summary["terms_due_by"]) == limit.due_at - timedelta(days=3 + 15)
    with pytest.raises(WorkflowUpdateFailedError):
        await decide(handle, SET_TERMS, start_price_fen=559_999 * YUAN, deposit_fen=56_000 * YUAN, increment_fen=1)
    await set_terms(handle, "second", 560_000 * YUAN)

    await awaiting(handle, CONFIRM_SALE)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await decide(handle, CONFIRM_SALE, ruling_ref="(2026)浙0681执恢2号之一")
    assert "限购" in str(err.value.cause)
    await decide(handle, REFUSE_SALE, "买受人不具备购房资格, 不予出具成交裁定")
    await set_terms(handle, "second", 560_000 * YUAN, rounds=2)
    await confirm_and_transfer(client, handle)
    await approve_plan(handle)
    result = await result_of(handle)
    assert result.status == "completed" and result.sold_price_fen == 560_000 * YUAN and result.buyer == "b2"
    assert [(r.kind.value, r.attempt, r.result.status if r.result else None) for r in result.rounds] == [
        ("first", 1, "unsold"),
        ("second", 1, "sold"),
        ("second", 2, "sold"),
    ]
    [published] = [a for a in await auctions_of(simulator, unit) if a["request"]["attempt"] == 2]
    assert published["request"]["excluded_bidders"] == ["no-hukou"]
    assert any("限购" in d for d in published["request"]["disclosures"])
    second = result.rounds[1]
    assert second.opens_at - second.announced_at >= timedelta(days=15)
    st = await status(handle)
    # In tests a legal day passes in 0.1 s, so the test's own pace can miss the 30 days; if it does, it shows.
    late = second.opens_at - first_end > timedelta(days=30)
    assert late == any(e.action == "reauction_deadline_missed" for e in st.timeline)
    notices = [e for e in st.timeline if e.action == "parties_notified"]
    assert len(notices) == 3 and "第十六条" in notices[0].detail["basis"]
    assert_balanced(result)
    plan = result.plan
    assert plan is not None
    reserved = plan.paid_to(RESIDENCE_RESERVE)
    assert 0 < reserved < 360_000 * YUAN and plan.paid_to("applicant") == 0  # all the applicant had, no more
    [capped] = [e for e in st.timeline if e.action == "residence_reserve_capped"]
    assert capped.detail == {
        "wanted_fen": 360_000 * YUAN,
        "reserved_fen": reserved,
        "conceded_by": "applicant",
        "basis": "异议复议规定 第二十条第一款第三项",
    }


async def test_unsold_twice_then_sold_in_the_sale_period(client: Client, settings: Settings, simulator: str):
    debtor, unit, case = debtor_person(), unit_number(), case_number()
    three_days = 3 * 24 * 60
    await seed(
        simulator,
        unit,
        title_record(unit, debtor, case),
        valuations=(1_000_000 * YUAN,),
        first=[{"bidders": []}],
        second=[{"bidders": []}],
        sale=[
            {
                "bidders": [
                    bidder("s1", ("after_open", three_days, 600_000 * YUAN)),
                    bidder("s2", ("after_open", three_days + 120, 610_000 * YUAN)),
                ]
            }
        ],
    )
    handle = await new_case(
        client, settings, request(debtor, unit, case, owed=300_000 * YUAN, inquiry_platforms=[PLATFORM])
    )
    await joint_review(client, handle.id)
    # An objection to the inquiry report upheld within the 5 days (参考价规定 Arts. 22, 26): corrected price.
    await awaiting(handle, CORRECT_REFERENCE)
    await decide(handle, CORRECT_REFERENCE, "询价报告遗漏附属车位, 异议成立", reference_price_fen=1_050_000 * YUAN)
    st = await awaiting(handle, SET_TERMS)
    assert st.summary["reference_price_fen"] == 1_050_000 * YUAN
    assert st.summary["lowest_start_price_fen"] == 735_000 * YUAN
    await set_terms(handle, "first", 750_000 * YUAN)
    await set_terms(handle, "second", 600_000 * YUAN)
    await wait_status(handle, "bidding_sale", timeout=60)
    await confirm_and_transfer(client, handle)
    await approve_plan(handle)
    result = await result_of(handle)
    assert result.status == "completed" and result.sold_price_fen == 610_000 * YUAN and result.buyer == "s2"
    sale = result.rounds[-1]
    assert sale.kind.value == "sale" and sale.terms.start_price_fen == 600_000 * YUAN  # the 二拍 price
    # 60 days, the last one rolled forward to a working day when it is a rest day (CPL Art. 85).
    assert timedelta(days=60) <= sale.closes_at - sale.opens_at <= timedelta(days=63)
    assert sale.result is not None and sale.result.ends_at < sale.closes_at  # 24 h countdown after the first bid
    assert_balanced(result)


async def test_unsold_everywhere_then_taken_in_kind(client: Client, settings: Settings, simulator: str):
    debtor, unit, case = debtor_person(), unit_number(), case_number()
    await seed(
        simulator,
        unit,
        title_record(unit, debtor, case),
        valuations=(1_000_000 * YUAN,),
        first=[{"bidders": []}],
        second=[{"bidders": []}],
        sale=[{"bidders": []}],
    )
    handle = await new_case(
        client, settings, request(debtor, unit, case, owed=800_000 * YUAN, inquiry_platforms=[PLATFORM])
    )
    await joint_review(client, handle.id)
    await set_terms(handle, "first", 700_000 * YUAN)
    await set_terms(handle, "second", 560_000 * YUAN)
    await wait_status(handle, "awaiting_unsold_decision", timeout=60)
    with pytest.raises(WorkflowUpdateFailedError):
        await decide(handle, IN_KIND, "申请执行人同意以物抵债", claim_id="nobody", ruling_ref="(2026)抵1号")
    await decide(handle, IN_KIND, "申请执行人同意以物抵债", claim_id="applicant", ruling_ref="(2026)浙0681执恢1号之二")
    await complete_task(
        client,
        f"{handle.id}:task:title-transfer",
        REGISTRY,
        {
            "certificate_no": "浙(2026)诸暨市不动产权第0099999号",
            "registered_at": datetime.now(UTC).isoformat(),
            "seizures_released": True,
            "mortgages_cancelled": True,
        },
    )
    await approve_plan(handle)
    result = await result_of(handle)
    assert result.status == "completed" and result.buyer == "applicant"
    assert [r.kind.value for r in result.rounds] == ["first", "second", "sale"]
    assert result.sold_price_fen == 560_000 * YUAN  # at the last reserve price
    taken = {p.ref: p for p in result.payments}
    # Costs first: the auction's and the enforcement application fee on ¥800,000 (¥10,400, 诉讼费用交纳办法
    # Art. 14); the applicant takes the rest of the price as a set-off.
    set_off = (560_000 - 8_000 - 10_400) * YUAN
    assert taken["applicant"].status == "set_off" and taken["applicant"].amount_fen == set_off
    assert result.shortfall_fen == 800_000 * YUAN - set_off
    assert_balanced(result)


async def test_buyer_default_forfeits_the_deposit_and_the_round_is_held_again(
    client: Client, settings: Settings, simulator: str
):
    debtor, unit, case = debtor_person(), unit_number(), case_number()
    await seed(
        simulator,
        unit,
        title_record(unit, debtor, case),
        valuations=(1_000_000 * YUAN,),
        first=[
            {"bidders": [bidder("flake", ("after_open", 10, 800_000 * YUAN), pays=False)]},
            {
                "bidders": [
                    bidder("flake", ("after_open", 5, 700_000 * YUAN)),  # excluded: may not bid again
                    bidder("solid", ("after_open", 20, 760_000 * YUAN)),
                ]
            },
        ],
    )
    handle = await new_case(
        client,
        settings,
        request(debtor, unit, case, owed=900_000 * YUAN, inquiry_platforms=[PLATFORM], auction_costs_fen=5_000 * YUAN),
    )
    await joint_review(client, handle.id)
    await set_terms(handle, "first", 700_000 * YUAN)
    await set_terms(handle, "first", 700_000 * YUAN, rounds=1)  # the round is held again after the default
    await confirm_and_transfer(client, handle)
    await approve_plan(handle)
    result = await result_of(handle)
    assert result.status == "completed" and result.buyer == "solid" and result.sold_price_fen == 760_000 * YUAN
    again = result.rounds[1].result
    assert again is not None and again.bidder_count == 1, "the defaulting buyer was not admitted"
    [forfeit] = result.forfeitures
    # Deposit 70,000: (1) costs 5,000, (2) the gap 800,000 − 760,000 = 40,000, (3) the case debt 25,000.
    assert (forfeit.deposit_fen, forfeit.auction_costs_fen, forfeit.price_gap_fen, forfeit.case_debt_fen) == (
        70_000 * YUAN,
        5_000 * YUAN,
        40_000 * YUAN,
        25_000 * YUAN,
    )
    assert result.plan is not None and result.plan.proceeds_fen == 760_000 * YUAN + 70_000 * YUAN
    assert result.plan.paid_to("default-costs-1") == 5_000 * YUAN  # the costs the default caused, first
    assert_balanced(result)
    await record_history(handle, "real-estate-disposal-buyer-default")


async def test_a_blocking_joint_review_finding_goes_to_the_judge_who_stops(
    client: Client, settings: Settings, simulator: str
):
    debtor, unit, case = debtor_person(), unit_number(), case_number()
    stranger = Party(kind=PartyKind.PERSON, name="他人", id_number=resident_id())
    record = title_record(
        unit,
        stranger,
        case,
        mortgages=[
            {
                "holder": "某农商银行",
                "secured_amount_fen": 500_000 * YUAN,
                "registered_at": "2019-03-01T10:00:00+08:00",
            }
        ],
    )
    await seed(simulator, unit, record, valuations=(1_000_000 * YUAN,))
    handle = await new_case(client, settings, request(debtor, unit, case, owed=300_000 * YUAN))
    lease = {"lessee": "某公司", "start_on": "2020-01-01", "end_on": "2030-12-31", "annual_rent_fen": 100_000 * YUAN}
    await joint_review(client, handle.id, survey={"occupant": "tenant", "leases": [lease]})
    st = await wait_status(handle, "awaiting_joint_review_decision", timeout=60)
    codes = {f["code"]: f["severity"] for f in st.summary["defects"]["findings"]}
    assert codes["TITLE_NOT_DEBTOR"] == "blocking"
    assert codes["LEASE_IMPAIRS_MORTGAGE"] == "blocking"  # a lease after the mortgage is removed first
    assert codes["MORTGAGE"] == "disclose"
    assert {p.name for p in st.pending_decisions} == {PROCEED, STOP}
    # One asset, one disposal: while this one runs, another case's disposal of the unit is refused at
    # once, naming this case (the web refuses it before it starts: test_asset_disposals).
    other = await new_case(client, settings, request(debtor, unit, case_number(), owed=100_000 * YUAN))
    refused = await result_of(other)
    assert refused.status == "refused" and refused.reason is not None
    assert refused.reason.startswith("ASSET_UNDER_DISPOSAL") and case in refused.reason
    with pytest.raises(WorkflowUpdateFailedError):
        await decide(handle, STOP, reason="")  # the grounds are required
    await decide(handle, STOP, "登记权利人非被执行人, 终止处置")
    result = await result_of(handle)
    assert result.status == "stopped" and result.rounds == [] and result.plan is None
    assert await auctions_of(simulator, unit) == []
    # Stopped unsold, the unit is free: the next court in line (轮候) gets its turn.
    queued = await new_case(client, settings, request(debtor, unit, case_number(), owed=100_000 * YUAN))
    await wait_status(queued, "joint_review", timeout=30)
    assert any(e.action == "asset_freed" for e in (await status(handle)).timeline)


async def test_zhuji_the_plot_covers_the_claim_and_the_home_is_never_put_up(
    client: Client, settings: Settings, simulator: str
):
    """The seed's case (诸暨): the joint review clears the industrial plot's defects and publishes them; it
    sells at a 235 % premium; the claim is paid in full and the debtor's only home is never put up."""
    debtor, plot, home, case = debtor_person(), unit_number(), unit_number(), case_number()
    record = title_record(
        plot,
        debtor,
        case,
        mortgages=[
            {
                "holder": "诸暨某农商银行",
                "secured_amount_fen": 400_000 * YUAN,
                "registered_at": "2019-03-01T10:00:00+08:00",
            }
        ],
    )
    start_fen = 700_000 * YUAN
    won = start_fen * 335 // 100  # 溢价率 235 %
    await seed(
        simulator,
        plot,
        record,
        first=[
            {
                "bidders": [
                    bidder("factory-1", ("after_open", 60, start_fen), ("before_close", 3, 2_000_000 * YUAN)),
                    bidder("factory-2", ("after_open", 90, 1_000_000 * YUAN), ("before_close", 1, won)),
                ]
            }
        ],
    )
    creditors = [
        Creditor(
            claim_id="applicant",
            creditor="申请执行人 王某",
            kind=ClaimKind.ORDINARY,
            amount_fen=1_200_000 * YUAN,
            id_number=resident_id(),
            account="6222020000000000027",
            principal_fen=1_200_000 * YUAN,
            performance_due_on=date(2025, 6, 30),
        ),
        Creditor(
            claim_id="mortgagee",
            creditor="诸暨某农商银行",
            kind=ClaimKind.SECURED,
            amount_fen=350_000 * YUAN,
            registered_at=datetime(2019, 3, 1, 2, 0, tzinfo=UTC),
            id_number=credit_code(),
            account="6228480000000000018",
        ),
    ]
    req = request(
        debtor,
        plot,
        case,
        owed=1_200_000 * YUAN,
        creditors=creditors,
        reference_method=ReferenceMethod.APPRAISAL,
        other_assets=[
            OtherAsset(
                description="诸暨市某小区住宅 (唯一住房)",
                unit_number=home,
                estimated_value_fen=1_500_000 * YUAN,
                necessary_residence=True,
            )
        ],
        debtor_account="6228480000000000026",
    )
    handle = await new_case(client, settings, req)
    lease = {"lessee": "某物流公司", "start_on": "2018-05-01", "end_on": "2027-04-30", "annual_rent_fen": 60_000 * YUAN}
    await joint_review(
        client,
        handle.id,
        arrears=[{"tax_type": "城镇土地使用税", "amount_fen": 30_000 * YUAN, "arrears_since": "2022-01-01"}],
        survey={"occupant": "tenant", "leases": [lease]},
    )
    await complete_task(
        client,
        f"{handle.id}:task:appraisal",
        "appraiser-zhejiang",
        {"price_fen": 1_000_000 * YUAN, "report_ref": "浙评(2026)001号", "valid_until": "2027-11-30T00:00:00+08:00"},
    )
    st = await wait_status(handle, "awaiting_terms_first", timeout=60)
    assert st.summary["reference_price_fen"] == 1_000_000 * YUAN
    assert not [f for f in st.summary["defects"]["findings"] if f["severity"] == "blocking"]
    await set_terms(handle, "first", start_fen)
    await confirm_and_transfer(client, handle)
    await approve_plan(handle)
    result = await result_of(handle)

    assert result.status == "completed"
    assert result.sold_price_fen == won and (won - start_fen) * 100 // start_fen == 235
    # The defects found in the joint review went out with the announcement.
    [published] = await auctions_of(simulator, plot)
    disclosures = " ".join(published["request"]["disclosures"])
    assert "抵押" in disclosures and "带租拍卖" in disclosures and "城镇土地使用税" in disclosures
    # Distribution: costs, the 2019 mortgage, the 2022 tax (after the mortgage), the applicant, then the
    # doubled interest to the day the ruling took effect; the rest back to the debtor.
    plan = result.plan
    assert plan is not None
    assert [line.class_key for line in plan.lines][-4:] == ["secured", "tax", "ordinary", "doubled_interest"]
    assert {line.ref for line in plan.lines if line.class_key == "costs"} >= {"application-fee"}
    assert plan.paid_to("mortgagee") == 350_000 * YUAN and plan.paid_to("tax-1") == 30_000 * YUAN
    interest = next(line for line in plan.lines if line.class_key == "doubled_interest")
    assert interest.ref == "applicant" and interest.paid_fen == interest.claimed_fen > 0
    assert plan.surplus_to_debtor_fen > 0 and result.shortfall_fen == 0
    assert_balanced(result)
    assert {p.ref: p.status for p in result.payments}["surplus"] == "paid"
    # The debtor keeps the home: it was never put up on any platform.
    assert result.residences_kept == ["诸暨市某小区住宅 (唯一住房)"]
    for platform in PLATFORMS:
        assert await auctions_of(simulator, home, platform) == []
    await record_history(handle, "real-estate-disposal-zhuji")


async def test_a_necessary_residence_is_not_sold_while_other_assets_cover_the_claim(
    client: Client, settings: Settings, simulator: str
):
    debtor, unit, case = debtor_person(), unit_number(), case_number()
    home = PropertyUnit(unit_number=unit, description="被执行人唯一住房", necessary_residence=True)
    shop = OtherAsset(description="商铺", estimated_value_fen=2_000_000 * YUAN)
    handle = await new_case(
        client, settings, request(debtor, unit, case, owed=500_000 * YUAN, property=home, other_assets=[shop])
    )
    result = await result_of(handle)
    assert result.status == "residence_protected" and result.rounds == []
    assert result.residences_kept == ["被执行人唯一住房"]

    # Not covered otherwise: the sale needs the judge's decision on a ground of 异议复议规定 Art. 20.
    handle = await new_case(
        client, settings, request(debtor, unit_number(), case_number(), owed=500_000 * YUAN, property=home)
    )
    st = await wait_status(handle, "awaiting_residence_decision", timeout=30)
    assert {p.name for p in st.pending_decisions} == {RESIDENCE_EXCEPTION, STOP}
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await decide(
            handle,
            RESIDENCE_EXCEPTION,
            "申请执行人同意扣除租金",
            ground="rent_deduction",
            rent_years=9,
            monthly_rent_fen=1,
        )
    assert "rent_years" in str(err.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as err:  # a money claim: 第二十条第二款 is no ground
        await decide(handle, RESIDENCE_EXCEPTION, "执行依据确定交付", ground="delivery_title")
    assert "delivery_title" in str(err.value.cause)
    with pytest.raises(WorkflowUpdateFailedError):
        await decide(handle, RESIDENCE_EXCEPTION, "", ground="supporter_has_housing")  # grounds must be stated
    await decide(handle, STOP, "被执行人及其所扶养家属生活所必需的居住房屋")
    assert (await result_of(handle)).status == "stopped"


# --- the distribution plan is a decision (issue 22) ---------------------------------------------------

DEMO_COURT = "杭州市上城区人民法院"
MORTGAGEE = "杭州某农商银行"


async def demo_office_unit_sold(
    client: Client, settings: Settings, simulator: str, case_ref: CaseRef | None = None
) -> tuple[WorkflowHandle[Any, Any], str]:
    """The demo office unit (simulators.title_search.DEMO_UNITS): the company's unit, mortgaged for
    ¥1,200,000 on 2021-04-08 to a bank that has not applied; one applicant owed ¥500,000; sold for
    ¥2,850,000. Returns once the sale is ruled on and title has passed."""
    debtor = Party(kind=PartyKind.ORGANISATION, name="杭州某某贸易有限公司", id_number=credit_code())
    unit, case = unit_number(), case_number()
    record = title_record(
        unit,
        debtor,
        case,
        land_use="commercial",
        area_m2=186.4,
        address="杭州市上城区钱江路某大厦12层1208室",
        mortgages=[
            {"holder": MORTGAGEE, "secured_amount_fen": 1_200_000 * YUAN, "registered_at": "2021-04-08T10:00:00+08:00"}
        ],
    )
    record["seizures"][0]["court"] = DEMO_COURT
    await seed(
        simulator,
        unit,
        record,
        valuations=(3_000_000 * YUAN, 3_000_000 * YUAN),
        first=[{"bidders": [bidder("bidder-a", ("before_close", 2, 2_850_000 * YUAN))]}],
    )
    req = request(
        debtor,
        unit,
        case,
        owed=500_000 * YUAN,
        court=DEMO_COURT,
        execution_costs=[],
        debtor_account="6222020000000000035",
    ).model_copy(update={"case": case_ref})
    handle = await new_case(client, settings, req)
    await joint_review(client, handle.id)
    st = await wait_status(handle, "awaiting_terms_first", timeout=60)
    codes = {f["code"] for f in st.summary["defects"]["findings"]}
    assert {"MORTGAGE", "MORTGAGEE_NOT_PARTICIPATING"} <= codes
    await set_terms(handle, "first", 2_100_000 * YUAN)
    await confirm_and_transfer(client, handle)
    return handle, debtor.name


async def test_the_known_mortgagee_is_invited_and_paid_before_anything_reaches_the_debtor(
    client: Client, settings: Settings, simulator: str
):
    """拍卖变卖规定 Art. 28: the auction extinguishes the mortgage and the mortgagee is paid from the price;
    民诉法解释 Arts. 506, 509: known creditors declare, the judge's plan is served on every creditor and the
    debtor. The issue's case: ¥2,850,000 = ¥7,400 fee + ¥1,200,000 mortgagee + ¥500,000 applicant +
    ¥1,142,600 to the debtor (not ¥2,342,600). The case's ledger books the price and each payment."""
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], case_number())
        await the_mortgagee_paid_first(client, settings, simulator, ref, case)
        await close(case)


async def the_mortgagee_paid_first(
    client: Client, settings: Settings, simulator: str, ref: CaseRef, case: WorkflowHandle[Any, Any]
) -> None:
    handle, debtor = await demo_office_unit_sold(client, settings, simulator, ref)
    st = await awaiting(handle, DECLARE_CLAIM)
    assert st.status == "claim_declaration"
    [known] = st.summary["known_creditors"]
    assert (known["claim_id"], known["holder"], known["secured_amount_fen"]) == (
        "mortgage-1",
        MORTGAGEE,
        1_200_000 * YUAN,
    )
    invited = [e for e in st.timeline if e.action == "creditor_invited"]
    assert [e.detail["holder"] for e in invited] == [MORTGAGEE]
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await decide(handle, DECLARE_CLAIM, claim_id="mortgage-9", amount_fen=1 * YUAN)
    assert "claim_id" in str(err.value.cause)
    await decide(
        handle,
        DECLARE_CLAIM,
        "抵押权人书面申报",
        claim_id="mortgage-1",
        amount_fen=1_200_000 * YUAN,
        id_number=credit_code(),
        account="6228480000000000042",
    )
    # The plan goes to the judge before anyone is told of it or paid.
    st = await approve_plan(handle)
    plan = st.summary["plan"]
    paid = {line["ref"]: line["paid_fen"] for line in plan["lines"]}
    assert paid == {"application-fee": 7_400 * YUAN, "mortgage-1": 1_200_000 * YUAN, "applicant": 500_000 * YUAN}
    assert plan["surplus_to_debtor_fen"] == 1_142_600 * YUAN
    result = await result_of(handle)
    assert result.status == "completed", result.reason
    st = await status(handle)
    served = next(e for e in st.timeline if e.action == "plan_served")
    assert set(served.detail["served_on"]) == {MORTGAGEE, "诸暨某银行股份有限公司", debtor}
    approved = next(e for e in st.timeline if e.detail.get("decision") == APPROVE_PLAN)
    assert approved.at <= served.at
    # The bank moved the mortgagee's ¥1,200,000 in the creditors' batch, and the debtor's share after it.
    items = {row["item_key"].rsplit("/", 1)[-1]: row for row in await bank_items(simulator, handle.id)}
    assert (items["mortgage-1"]["amount_fen"], items["mortgage-1"]["status"]) == (1_200_000 * YUAN, "paid")
    assert (items["surplus"]["amount_fen"], items["surplus"]["status"]) == (1_142_600 * YUAN, "paid")
    assert items["surplus"]["batch_id"] != items["mortgage-1"]["batch_id"]
    assert items["mortgage-1"]["booked_at"] <= items["surplus"]["booked_at"]
    # The case's ledger: its own share of the price in (the applicant's ¥500,000 and the ¥7,400 fee, not the
    # mortgagee's or the debtor's money), and what reached the applicant out.
    taken = await eventually(lambda: _paid_out_effects(case, 1))
    assert ledger(taken) == {
        "recovered_fen": 507_400 * YUAN,
        "recovered.auction": 507_400 * YUAN,
        "paid_out_fen": 500_000 * YUAN,
    }
    # In the parties' case space: the plan on both sides (Art. 509), the payout's notice on the applicant's only.
    mine = {side: await _served_titles(settings, ref.case_number, st.court, side) for side in ("applicant", "debtor")}
    assert mine["applicant"][-2:] == ["执行财产分配方案", "执行款发放通知书"]
    assert "执行财产分配方案" in mine["debtor"] and "执行款发放通知书" not in mine["debtor"]


async def _served_titles(settings: Settings, case_number: str, court: str, side: str) -> list[str]:
    """What a side sees in its case space (web/services/party_space.served_documents), oldest first."""
    db = Database(settings.web_database_url, Sealer.for_keys(settings.codec_keys))
    try:
        served = await db.run(served_documents, db, case_number, court, {side})
    finally:
        db.dispose()
    return [d.title for d in served]


async def _paid_out_effects(case: WorkflowHandle[Any, Any], count: int) -> list[MatterEffect] | None:
    taken = await effects(case)
    return taken if sum(e.kind is EffectKind.MONEY_PAID_OUT for e in taken) >= count else None


async def test_an_undeclared_mortgage_keeps_its_amount_and_the_debtor_share_in_the_case_account(
    client: Client, settings: Settings, simulator: str
):
    """The mortgagee did not declare in the 15 days: its registered amount ranks all the same and is held
    (提存), and nothing reaches the debtor while that security is open (拍卖变卖规定 Art. 28)."""
    handle, _ = await demo_office_unit_sold(client, settings, simulator)
    await approve_plan(handle)  # the declaration period ended with no declaration
    result = await result_of(handle)
    assert result.status == "completed", result.reason
    payments = {p.ref: (p.status, p.amount_fen) for p in result.payments}
    assert payments["mortgage-1"] == ("held", 1_200_000 * YUAN)
    assert payments["surplus"] == ("held", 1_142_600 * YUAN)
    assert payments["applicant"] == ("paid", 500_000 * YUAN)
    items = {row["item_key"].rsplit("/", 1)[-1] for row in await bank_items(simulator, handle.id)}
    assert items == {"applicant"}
    st = await status(handle)
    assert any(e.action == "claims_undeclared" and e.detail["claim_ids"] == ["mortgage-1"] for e in st.timeline)
    held = next(e for e in st.timeline if e.action == "debtor_share_held")
    assert "mortgage-1" in (held.reason or "")
    # Title passed: the unit is never disposed of again, by any case.
    unit = st.summary["unit_number"]
    again = await new_case(client, settings, request(debtor_person(), unit, case_number(), owed=100_000 * YUAN))
    refused = await result_of(again)
    assert refused.status == "refused" and "已过户" in (refused.reason or "")


def test_art_1_of_the_interest_interpretation_the_doubled_interest_needs_the_principal(settings: Settings):
    """迟延利息解释 Art. 1: the doubled interest runs on the principal, never on the whole adjudicated
    amount (interest and costs in it). A creditor whose interest the plan computes must give it."""
    from domain.errors import ValidationFailed
    from tests.helpers import context
    from workflows.real_estate_disposal import build_input

    debtor = debtor_person()
    creditor = Creditor(
        claim_id="applicant",
        creditor="申请执行人 王某",
        kind=ClaimKind.ORDINARY,
        amount_fen=1_060_000 * YUAN,
        performance_due_on=date(2025, 6, 30),
    )
    req = request(debtor, unit_number(), case_number(), owed=1_060_000 * YUAN, creditors=[creditor])
    with pytest.raises(ValidationFailed) as err:
        build_input(req, context(settings, "wf-principal"))
    assert err.value.code == "PRINCIPAL_REQUIRED" and err.value.field == "creditors[0].principal_fen"
    given = creditor.model_copy(update={"principal_fen": 1_000_000 * YUAN})
    build_input(req.model_copy(update={"creditors": [given]}), context(settings, "wf-principal"))


async def test_a_failed_title_search_is_the_registrys_refusal_and_closes_the_review_tasks(
    client: Client, settings: Settings, simulator: str
):
    """Once "终止处置 · 法官 judge · title search failed", its two 一门联审 tasks left open in the inboxes."""
    unit = unit_number()  # on no register: the registry answers UNIT_NOT_FOUND
    handle = await new_case(client, settings, request(debtor_person(), unit, case_number(), owed=100_000 * YUAN))
    result = await result_of(handle)
    assert result.status == "stopped"
    stopped = (await status(handle)).timeline[-1]
    assert stopped.action == "stopped" and stopped.actor.role is Role.SYSTEM  # never the judge's act
    assert stopped.detail["code"] == "UNIT_NOT_FOUND" and stopped.detail["partner"] == "realestate-registry"
    for step in ("tax", "survey"):
        task = client.get_workflow_handle(f"{handle.id}:task:{step}")

        async def closed(task: WorkflowHandle[Any, Any] = task) -> TaskView | None:
            view: TaskView = await task.query(TASK_VIEW_QUERY, result_type=TaskView)
            return view if view.state == "cancelled" else None

        view = await eventually(closed, timeout=30)
        assert view.history[-1].actor.role is Role.SYSTEM and view.history[-1].reason == CASE_ENDED
