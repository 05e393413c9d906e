"""Matters report their effects to their case and react to its notices (workflows/foundation/case_effects.py),
against real Temporal, the real worker and the simulators; the case is the test's stand-in
(tests/case_probe.py), which takes each effect once as the case does."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import Client

from config.settings import Settings
from domain.case_term import ExclusionGround
from domain.legal_time import CHINA_TZ
from domain.measures import Measure
from domain.parties import Party, PartyKind
from security.identity import acting_as
from simulators.task_agents import work_once
from tests.case_probe import close, effects, ledger, notify, open_case, probe_worker, register
from tests.helpers import (
    JUDGE,
    case_number,
    credit_code,
    decide,
    eventually,
    login,
    president_signs,
    record_history,
    resident_id,
    seed_subject,
    start,
    status,
    wait_status,
)
from tests.helpers import ledger as partner_ledger
from tests.scenarios.cross_region_seizure import test_cross_region_seizure as seizure
from tests.scenarios.mass_payout import test_mass_payout as payout
from tests.scenarios.real_estate_disposal import test_real_estate_disposal as disposal
from tests.scenarios.settlement.test_settlement import freeze_at
from workflows.asset_inquiry.models import APPROVE
from workflows.foundation.case_link import (
    CASE_NOTICE_SIGNAL,
    CaseFacts,
    CaseNotice,
    CaseNoticeKind,
    CaseRef,
    EffectKind,
    MatterEffect,
    RegisteredMeasure,
    RegisterKind,
)
from workflows.foundation.child_matters import AssetInquiryResult
from workflows.foundation.models import ScenarioStatus
from workflows.registry import SCENARIOS

pytestmark = pytest.mark.usefixtures("stack")
COURT = "杭州市上城区人民法院"


def case_facts(ref: CaseRef, debtor: Party, balance_fen: int) -> CaseFacts:
    return CaseFacts(
        ref=ref,
        court=COURT,
        applicants=[Party(kind=PartyKind.ORGANISATION, name="某银行", id_number=credit_code())],
        debtors=[debtor],
        title_document_number="(2025)浙0102民初1号",
        principal_fen=balance_fen,
        owed_fen=balance_fen,
        balance_fen=balance_fen,
    )


async def ended(case: Any, matter: str) -> list[MatterEffect]:
    async def check() -> list[MatterEffect] | None:
        taken = await effects(case)
        return (
            taken if any(e.kind is EffectKind.MATTER_ENDED and e.matter_workflow_id == matter for e in taken) else None
        )

    result: list[MatterEffect] = await eventually(check)
    return result


async def test_an_inquiry_awaiting_the_judge_ends_without_control_when_the_case_is_performed(
    client: Client, settings: Settings
) -> None:
    """Full performance before the judge decided (DOMAIN §17.7): nothing is left to control, and an inquiry left
    waiting would hold the case open for ever — it ends as performed, with no measure and no decision open."""
    debtor = Party(kind=PartyKind.PERSON, name="钱某某", id_number=resident_id())
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], case_number())
        request = SCENARIOS["asset-inquiry"].from_case(case_facts(ref, debtor, 10_000_00), {})
        handle = await start(client, settings, "asset-inquiry", request)
        await wait_status(handle, "awaiting_decision")
        notice = CaseNotice(notice_id="fp-early", kind=CaseNoticeKind.FULL_PERFORMANCE, at=datetime.now(UTC))
        await notify(case, notice, handle.id)
        result: AssetInquiryResult = await handle.result()
        assert result.status == "performed" and result.measures == [] and result.frozen_fen == 0
        end = next(e for e in await ended(case, handle.id) if e.kind is EffectKind.MATTER_ENDED)
        assert end.status == "performed"
        assert (await status(handle)).pending_decisions == []
        await close(case)


async def test_an_inquiry_reports_its_measures_and_money_and_full_performance_releases_what_stays(
    client: Client, settings: Settings, simulator: str
) -> None:
    house = "330102001001GB00002F00010001"
    debtor = Party(kind=PartyKind.PERSON, name="王某某", id_number=resident_id())
    await seed_subject(
        simulator,
        debtor.model_dump(mode="json"),
        [
            {"partner_id": "bank-icbc", "kind": "deposit", "reference": "6222000011112222", "available_fen": 2_000_00},
            {"partner_id": "realestate-registry", "kind": "real_estate", "reference": house, "description": "某路1号"},
        ],
    )
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], case_number())
        # Started from the case with nothing typed: the case's debtor, for the case's balance.
        request = SCENARIOS["asset-inquiry"].from_case(case_facts(ref, debtor, 304_400_00), {})
        handle = await start(client, settings, "asset-inquiry", request)
        await wait_status(handle, "awaiting_decision")
        await decide(handle, APPROVE, reason="冻结扣划存款, 查封不动产")
        result: AssetInquiryResult = await handle.result()
        taken = await ended(case, handle.id)

        # The ledger reconciles to the fen: the case books what the bank deducted, once.
        deducted = [
            r["amount_fen"]
            for r in await partner_ledger(simulator, "bank-icbc")
            if r["operation"] == "deduct" and r["idempotency_key"].startswith(handle.id)
        ]
        assert ledger(taken)["recovered.deduction"] == result.deducted_fen == sum(deducted) == 2_000_00
        # The register: the deducted freeze released, the seizure in force until its expiry, held by its watcher.
        rows = register(taken)
        seizure = next(m for m in result.measures if m.kind.value == "seize")
        [watcher_id] = result.term_watchers
        freeze_row = next(r for (_, key), r in rows.items() if key.startswith("freeze/"))
        seize_row = rows[(handle.id, f"seize/{seizure.asset_index}")]
        assert freeze_row["state"] == "released" and freeze_row["amount_fen"] == 2_000_00
        assert seize_row["state"] == "in-force"
        # Each row says where and what, the reference masked: never a placeholder, never the number.
        assert freeze_row["description"] == "中国工商银行 (沙箱) 存款 账号 ************2222", freeze_row
        assert seize_row["description"] == f"不动产登记中心 (沙箱) 不动产 不动产单元号 {'*' * 24}0001 (某路1号)"
        assert seize_row["expires_on"] == seizure.expires_at.date()
        assert seize_row["holder_workflow_id"] == watcher_id
        assert seize_row["partner_measure_id"] == seizure.measure_id
        end = next(e for e in taken if e.kind is EffectKind.MATTER_ENDED)
        assert end.status == "completed" and end.result["real_estate"] == 1
        assert end.result["shortfall_fen"] == result.shortfall_fen

        # Full performance: the case tells the holder, which releases at once, on the legal clock.
        notice = CaseNotice(notice_id="fp-1", kind=CaseNoticeKind.FULL_PERFORMANCE, at=datetime.now(UTC))
        watcher = client.get_workflow_handle(watcher_id, result_type=Measure)
        # Only the case tells a holder: the same notice signed for a judge is refused, and nothing is lifted.
        with acting_as(JUDGE):
            await watcher.signal(CASE_NOTICE_SIGNAL, notice.model_copy(update={"notice_id": "forged"}))

        async def refused() -> ScenarioStatus | None:
            st = await status(watcher)
            return st if any(e.action == "case_notice_refused" for e in st.timeline) else None

        assert (await eventually(refused)).status != "released"
        await notify(case, notice, watcher_id, watcher_id)
        released = await watcher.result()
        assert released.status == "released"
        releases = [
            r
            for r in await partner_ledger(simulator, "realestate-registry")
            if r["operation"] == "release" and r["idempotency_key"].startswith(watcher_id)
        ]
        assert len(releases) == 1
        lift = next(e for e in (await status(watcher)).timeline if e.action == "performed_lift")
        assert lift.detail["on_time"] is True and lift.detail["due_at"] > lift.detail["lifted_at"]
        assert sum(e.action == "case_notice" for e in (await status(watcher)).timeline) == 1  # a repeat taken once

        async def released_on_case() -> bool:
            row = register(await effects(case))[(handle.id, f"seize/{seizure.asset_index}")]
            return bool(row["state"] == "released" and row.get("released_on"))

        await eventually(released_on_case)
        # Replayed from then on (tests/structure/test_replay.py): the reports and the release are commands now.
        await record_history(handle, "asset-inquiry-with-case")
        await record_history(watcher, "measure-term-released-on-full-performance")
        await close(case)


async def test_a_matter_without_a_case_reports_nothing(client: Client, settings: Settings, simulator: str) -> None:
    debtor = Party(kind=PartyKind.PERSON, name="李某", id_number=resident_id())
    await seed_subject(simulator, debtor.model_dump(mode="json"), [])
    request = SCENARIOS["asset-inquiry"].request_model(
        case_number=case_number(), court=COURT, debtor=debtor, amount_owed_fen=1_000_00
    )
    handle = await start(client, settings, "asset-inquiry", request)
    await wait_status(handle, "awaiting_decision")
    await decide(handle, "reject-control", reason="无财产可供控制")
    await handle.result()
    history = await handle.fetch_history()
    assert not [
        e for e in history.events if e.HasField("signal_external_workflow_execution_initiated_event_attributes")
    ]


def enter_payload() -> dict[str, Any]:
    return {
        "ground": "evasion",
        "extension_years": 0,
        "decision_number": "(2026)浙0102执88号失信决定书",
        "restriction_order_number": "(2026)浙0102执88号限制消费令",
    }


async def test_full_performance_deletes_the_listing_in_three_working_days_and_lifts_the_order_with_notices(
    client: Client, settings: Settings
) -> None:
    debtor = Party(kind=PartyKind.PERSON, name="孙某某", id_number=resident_id())
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], case_number())
        facts = case_facts(ref, debtor, 350_000_00)
        facts.filed_on = date(2026, 3, 2)
        # Legal time at wall speed: the legal periods are checked against what really happened.
        order_request = SCENARIOS["consumption-restriction"].from_case(facts, {"order_number": "(2026)浙0102执9号"})
        order = await start(client, settings, "consumption-restriction", order_request, acceleration=1.0)
        await wait_status(order, "restricted")

        async def order_registered() -> list[RegisteredMeasure]:
            rows = register(await effects(case))
            return [RegisteredMeasure.model_validate(r) for r in rows.values()]

        facts.measures = await eventually(order_registered)
        # The listing picks the case's order from the register: no workflow id typed.
        listing_request: Any = SCENARIOS["dishonest-list"].from_case(facts, {"applicant_requested": False})
        assert listing_request.restriction_workflow_id == order.id
        listing = await start(client, settings, "dishonest-list", listing_request, acceleration=1.0)
        await wait_status(listing, "awaiting_entry_decision")
        await decide(listing, "enter-list", reason="隐匿财产规避执行", **enter_payload())
        await president_signs(listing)
        st = await wait_status(listing, "listed")
        assert any(e.action == "restriction_signalled" for e in st.timeline)

        notice = CaseNotice(notice_id="fp-2", kind=CaseNoticeKind.FULL_PERFORMANCE, at=datetime.now(UTC))
        await notify(case, notice, listing.id, order.id)

        async def removed() -> Any:
            current = await status(listing)
            return current if "removed_on_time" in current.summary else None

        st = await eventually(removed)
        assert st.summary["removal_ground"] == "full-performance"
        assert st.summary["removed_on_time"] is True
        received = next(e.at for e in st.timeline if e.action == "case_notice")
        due = datetime.fromisoformat(st.summary["removal_due"]["due_at"])
        # Three working days (失信规定 Art. 10(1)): at least three calendar days, weekends and holidays added.
        assert timedelta(days=3) <= due - received <= timedelta(days=12)

        async def lifted() -> Any:
            # The lift notices are assigned beside the lift: wait for all seven (every ban's unit, Art. 6).
            current = await status(order)
            notices = [e for e in current.timeline if e.action == "task_assigned" and "lift-notice" in e.detail["task"]]
            lift = any(e.action == "performed_lift" for e in current.timeline)
            return current if lift and len(notices) == 7 else None

        lifted_status = await eventually(lifted)
        lift = next(e for e in lifted_status.timeline if e.action == "performed_lift")
        assert lift.detail["on_time"] is True
        # Every unit told of the order is told of the lift (限消规定 Art. 9).
        told = {e.detail["agency"] for e in lifted_status.timeline if e.action == "task_assigned"}
        lift_tasks = [
            e for e in lifted_status.timeline if e.action == "task_assigned" and "lift-notice" in e.detail["task"]
        ]
        assert {e.detail["agency"] for e in lift_tasks} == told and len(told) == 7

        async def both_released() -> bool:
            rows = register(await effects(case))
            return len(rows) == 2 and all(r["state"] == "released" and r.get("released_on") for r in rows.values())

        await eventually(both_released)
        await record_history(order, "consumption-restriction-lifted-on-full-performance")
        kinds = {r["register_kind"] for r in register(await effects(case)).values()}
        assert kinds == {RegisterKind.DISHONEST_LIST, RegisterKind.CONSUMPTION_RESTRICTION}
        await close(case)


async def test_a_settlement_books_its_instalments_and_leaves_the_lifts_to_the_case(
    client: Client, settings: Settings, simulator: str
) -> None:
    debtor = Party(kind=PartyKind.PERSON, name="褚某某", id_number=resident_id())
    freeze = await freeze_at(simulator, settings, "bank-abc", debtor, 800_00)
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], case_number())
        facts = case_facts(ref, debtor, 1_000_00)
        # The freeze an inquiry of the case left in force, and the 失信 entry: both from the register.
        facts.measures = [
            RegisteredMeasure(
                measure_key="freeze/1",
                matter_workflow_id="inquiry-of-the-case",
                holder_workflow_id="inquiry-of-the-case:term:1",
                scenario="asset-inquiry",
                register_kind=RegisterKind.FREEZE,
                description=freeze.asset,
                amount_fen=800_00,
                partner_id=freeze.partner_id,
                partner_measure_id=freeze.measure_id,
            ),
            RegisteredMeasure(
                measure_key="entry",
                matter_workflow_id="listing-of-the-case",
                scenario="dishonest-list",
                register_kind=RegisterKind.DISHONEST_LIST,
            ),
        ]
        signed = datetime.now(CHINA_TZ).date()
        own = {"signed_on": signed, "instalments": [{"due_on": signed + timedelta(days=30), "amount_fen": 1_000_00}]}
        request: Any = SCENARIOS["settlement"].from_case(facts, own)
        assert request.dishonest_listed and [m.measure_id for m in request.measures] == [freeze.measure_id]
        handle = await start(client, settings, "settlement", request, acceleration=1.0)
        await wait_status(handle, "awaiting_suspension")
        await decide(handle, "suspend-enforcement", reason="达成和解, 中止执行; 解除农行冻结", release=[1])
        await wait_status(handle, "performing")
        for fen in (400_00, 600_00):
            await decide(
                handle,
                "record-payment",
                reason="书记员核实",
                amount_fen=fen,
                paid_on=signed.isoformat(),
                channel="direct",
            )
        await wait_status(handle, "awaiting_performance_confirmation")
        await decide(handle, "confirm-performed", reason="和解款项已全部给付")
        result = await handle.result()
        assert result.status == "performed" and result.paid_fen == 1_000_00
        taken = await ended(case, handle.id)

        # The ledger: both instalments, once each, to the fen; the end says the agreement was performed.
        assert ledger(taken)["recovered.settlement"] == 1_000_00
        end = next(e for e in taken if e.kind is EffectKind.MATTER_ENDED)
        assert end.status == "performed" and end.result["settlement_performed"] is True
        # The freeze the judge released is released in the register under the inquiry that placed it.
        released = [e for e in taken if e.kind is EffectKind.MEASURE_RELEASED]
        assert [(e.matter_workflow_id, e.measure_key) for e in released] == [("inquiry-of-the-case", "freeze/1")]
        # The suspension (中止执行) is reported for the case's term, and the case ends it with the matter.
        [period] = [e for e in taken if e.kind is EffectKind.PERIOD_STARTED]
        assert (
            period.ground is ExclusionGround.SUSPENSION
            and period.effect_id == f"{handle.id}:term-period-started:period/suspension"
        )
        # No task to the credit desk: the case lifts the 失信 entry on full performance.
        st = await status(handle)
        assert "lifts_left_to_case" in {e.action for e in st.timeline}
        await record_history(handle, "settlement-performed-with-case")
        assert not [e for e in st.timeline if e.action == "task_assigned" and e.detail["agency"] == request.credit_desk]
        await close(case)


async def test_a_disposal_books_the_case_share_of_the_proceeds_and_what_reached_the_applicant(
    client: Client, settings: Settings, simulator: str
) -> None:
    debtor, unit, number = disposal.debtor_person(), disposal.unit_number(), case_number()
    await disposal.seed(
        simulator,
        unit,
        disposal.title_record(unit, debtor, number),
        valuations=(2_000_000 * disposal.YUAN, 2_200_000 * disposal.YUAN),
        first=[{"bidders": [disposal.bidder("bidder-a", ("after_open", 30, 1_470_000 * disposal.YUAN))]}],
    )
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], number)
        request = disposal.request(debtor, unit, number, owed=1_000_000 * disposal.YUAN).model_copy(
            update={"case": ref}
        )
        handle = await disposal.new_case(client, settings, request)
        await disposal.joint_review(client, handle.id)
        await disposal.set_terms(handle, "first", 1_470_000 * disposal.YUAN)
        await disposal.confirm_and_transfer(client, handle)
        await disposal.approve_plan(handle)
        result = await disposal.result_of(handle)
        assert result.status == "completed", result.reason
        taken = await ended(case, handle.id)

        assert result.plan is not None
        # Recovered for the case: the applicant's share and the case's fee, not the costs or the surplus.
        share = result.plan.paid_to("applicant") + result.plan.paid_to("application-fee")
        assert ledger(taken)["recovered.auction"] == share == (1_000_000 + 12_400) * disposal.YUAN
        # Paid out: what the bank paid the applicant, to the fen.
        items = {row["item_key"].rsplit("/", 1)[-1]: row for row in await disposal.bank_items(simulator, handle.id)}
        assert ledger(taken)["paid_out_fen"] == items["applicant"]["amount_fen"] == 1_000_000 * disposal.YUAN
        end = next(e for e in taken if e.kind is EffectKind.MATTER_ENDED)
        assert end.status == "completed" and end.result["sold_price_fen"] == result.sold_price_fen
        # The appraisal's and the sale's periods, each begun and ended, for the term (审限规定 Art. 9).
        periods = [(e.kind, e.ground) for e in taken if e.ground is not None]
        assert periods == [
            (EffectKind.PERIOD_STARTED, ExclusionGround.AUDIT_VALUATION),
            (EffectKind.PERIOD_ENDED, ExclusionGround.AUDIT_VALUATION),
            (EffectKind.PERIOD_STARTED, ExclusionGround.AUCTION_SALE),
            (EffectKind.PERIOD_ENDED, ExclusionGround.AUCTION_SALE),
        ]
        await close(case)


async def test_full_performance_releases_a_cross_region_seizure_and_cancels_its_open_task(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    standalone = await seizure.new_request(simulator)
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], case_number())
        facts = case_facts(ref, standalone.vehicle.owner, 50_000_00)
        facts.court = standalone.court
        # The judge enters the ruling and the vehicle; its owner is the case's debtor.
        own = {
            "ruling_ref": standalone.ruling_ref,
            "vehicle": {"plate": standalone.vehicle.plate, "vin": standalone.vehicle.vin},
        }
        request: Any = SCENARIOS["cross-region-seizure"].from_case(facts, own)
        assert request.vehicle.owner == standalone.vehicle.owner
        handle = await start(client, settings, "cross-region-seizure", request)
        court = await login(web, "court-gongshu")
        async with court:
            await eventually(lambda: work_once(court, "court-gongshu"), timeout=30)
        await wait_status(handle, "waiting_police")

        placed = await eventually(lambda: _register_of(case, handle.id))
        assert placed["state"] == "in-force" and placed["asset_kind"] == "vehicle"
        notice = CaseNotice(notice_id="fp-3", kind=CaseNoticeKind.FULL_PERFORMANCE, at=datetime.now(UTC))
        await notify(case, notice, handle.id)
        result = await handle.result()
        assert result.status == "cancelled_paid"
        assert [t.state.value for t in result.tasks] == ["completed", "cancelled"]
        ops = [
            r["operation"]
            for r in await partner_ledger(simulator, "vehicle-registry")
            if r["idempotency_key"].startswith(handle.id)
        ]
        assert ops == ["seize", "release"]
        lift = next(e for e in (await status(handle)).timeline if e.action == "performed_lift")
        assert lift.detail["on_time"] is True

        async def released() -> bool:
            row = await _register_of(case, handle.id)
            return bool(row and row["state"] == "released")

        await eventually(released)
        await close(case)


async def _register_of(case: Any, matter: str) -> dict[str, Any] | None:
    rows = register(await effects(case))
    return rows.get((matter, "registry-seizure"))


async def test_a_payout_books_what_the_bank_paid_and_its_end(
    client: Client, settings: Settings, simulator: str
) -> None:
    standalone = await payout.funded_request(simulator, settings, 300_00, 450_00)  # under the four-eyes line
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], standalone.case_number)
        request = standalone.model_copy(update={"case": ref})
        handle = await start(client, settings, "mass-payout", request, overrides={"tuning": payout.tuning()})
        await wait_status(handle, "awaiting_approval", timeout=30)
        await decide(handle, payout.APPROVE, "经审核, 准予发放")
        result = await handle.result()
        assert result.status == "completed"
        taken = await ended(case, handle.id)
        paid = [r for r in await payout.bank_items(simulator, handle.id) if r["status"] == "paid"]
        # Paid out to the fen: what the bank paid, once, however many batches and runs it took.
        assert ledger(taken)["paid_out_fen"] == result.paid_fen == sum(r["amount_fen"] for r in paid) == 750_00
        end = next(e for e in taken if e.kind is EffectKind.MATTER_ENDED)
        assert end.status == "completed" and end.result["paid_fen"] == 750_00
        await close(case)


async def test_a_debtor_who_performed_before_the_decision_is_not_listed(client: Client, settings: Settings) -> None:
    debtor = Party(kind=PartyKind.PERSON, name="冯某某", id_number=resident_id())
    async with probe_worker(client, settings):
        ref, case = await open_case(client, uuid.uuid4().hex[:12], case_number())
        facts = case_facts(ref, debtor, 10_000_00)
        facts.filed_on = date(2026, 3, 2)
        listing = await start(client, settings, "dishonest-list", SCENARIOS["dishonest-list"].from_case(facts, {}))
        await wait_status(listing, "awaiting_entry_decision")
        notice = CaseNotice(notice_id="fp-4", kind=CaseNoticeKind.FULL_PERFORMANCE, at=datetime.now(UTC))
        await notify(case, notice, listing.id)
        result = await listing.result()
        assert result.status == "entry_declined" and result.entry_id is None
        declined = next(e for e in (await status(listing)).timeline if e.action == "entry_declined")
        assert declined.actor.user_id == "system" and "已履行全部义务" in (declined.reason or "")
        end = next(e for e in await ended(case, listing.id) if e.kind is EffectKind.MATTER_ENDED)
        assert end.status == "entry_declined"
        await close(case)
