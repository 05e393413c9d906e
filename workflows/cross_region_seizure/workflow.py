"""Cross-region seizure (异地扣押) by item delegation (事项委托, 委托执行规定 Art. 2): with one request the
requesting court has a vehicle in another region seized. The receiving court accepts (it opens no case),
the seizure is registered in the vehicle registry in the requesting court's name (keeping its priority,
Art. 6), the traffic police locate and seize it, the auction car station takes custody with photos, the
receiving court confirms; then the vehicle is handed to a disposal there or returned. If the debtor pays
meanwhile, the request is cancelled and the seizure released."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.asset_disposals import AssetDisposalActivities, ClaimAssetInput, EndAssetInput
    from activities.partners import MeasureInput, PartnerActivities, ReleaseMeasureInput
    from domain.actors import SYSTEM_ACTOR
    from domain.assets import AssetKind, disposal_key
    from domain.legal_time import LegalClock, LegalDuration, TimeUnit, calendar_end
    from domain.measures import MAX_TERM_BY_ASSET, MeasureKind
    from domain.tasks import DueRule, TaskSpec, TaskState
    from workflows.cross_region_seizure.models import (
        DEBTOR_PAID,
        HAND_OVER,
        NAME,
        RETURN,
        VEHICLE_SOLD,
        CrossRegionSeizureInput,
        CrossRegionSeizureRequest,
        CrossRegionSeizureResult,
        Step,
    )
    from workflows.cross_region_seizure.words import WORDS
    from workflows.foundation import retries
    from workflows.foundation.base import ScenarioWorkflow
    from workflows.foundation.case_effects import CaseNotices, CaseReporter
    from workflows.foundation.case_link import CASE_NOTICE_SIGNAL, CaseNotice, EffectKind, RegisterKind
    from workflows.foundation.clock import CaseClock, load_calendar
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.models import DecisionInput, DecisionOutcome
    from workflows.foundation.task_models import TaskOutcome
    from workflows.foundation.tasks import run_agency_task, task_id
    from workflows.foundation.timeline import failure_code

DECISIONS = (
    DecisionSpec(DEBTOR_PAID, reason_required=True),
    DecisionSpec(HAND_OVER, reason_required=True),
    DecisionSpec(RETURN, reason_required=True),
    DecisionSpec(VEHICLE_SOLD, reason_required=True),
)
SEIZURE_KEY = "registry-seizure"  # the vehicle's seizure in the case's register
POLICE_ANSWER = LegalDuration(amount=5, unit=TimeUnit.WORKING_DAY)  # Huzhou practice (seed 002)
# Runs recorded before a hand-over claimed the vehicle for its disposal (one asset, one disposal) handed it
# over unchecked.
ONE_DISPOSAL_PATCH = "vehicle-one-disposal"
# Runs recorded before the claim was released ended at the hand-over, holding the vehicle for ever.
CLAIM_RELEASE_PATCH = "vehicle-claim-released"
CALL = timedelta(seconds=30)


@workflow.defn(name="CrossRegionSeizure")
class CrossRegionSeizure(ScenarioWorkflow[CrossRegionSeizureResult]):
    scenario = NAME

    def __init__(self) -> None:
        super().__init__(DECISIONS, WORDS, "requested")
        self.inp: CrossRegionSeizureInput | None = None
        self.outcomes: list[TaskOutcome] = []
        self.open_task: str | None = None
        self.paid_reason: str | None = None
        self.disposition: DecisionInput | None = None
        self.disposal_end: DecisionInput | None = None  # sold or returned, once the vehicle was handed over
        self.measure_id: str | None = None
        self.case = CaseReporter(None, NAME, self.timeline)
        self.case_notices = CaseNotices(self.timeline)

    @workflow.run
    async def run(self, inp: CrossRegionSeizureInput) -> CrossRegionSeizureResult:
        self.inp = inp
        req = inp.request
        self.case = CaseReporter(req.case, NAME, self.timeline)
        self.desk.offer(DEBTOR_PAID)  # until the end: the debtor may pay at any step
        self.timeline.record("requested", plate=_masked_plate(req.vehicle.plate), receiving_court=req.receiving_court)
        await load_calendar(inp.context.calendar)
        for step in _steps(req):
            if step.key == "police" and not await self._register_seizure(inp):
                return await self._close("registry_refused")  # e.g. no such vehicle on the register
            outcome = await self._run_task(inp, step)
            if outcome.state is not TaskState.COMPLETED:
                return await self._end_early(inp, outcome)
        while True:
            self._set_status("awaiting_disposition")
            self.desk.offer(HAND_OVER, RETURN)
            await workflow.wait_condition(lambda: self.disposition is not None or self.paid_reason is not None)
            if self.paid_reason is not None:
                return await self._end_early(inp, None)
            assert self.disposition is not None
            if self.disposition.decision != HAND_OVER or await self._claim_vehicle(inp):
                break
            self.disposition = None  # another matter disposes of it: the judge returns it or waits its turn
            self.desk.offer(DEBTOR_PAID)
        if self.disposition.decision == RETURN:
            await self._release(inp, self.disposition.reason)
            return await self._close("returned")
        if not workflow.patched(CLAIM_RELEASE_PATCH):
            return await self._close("handed_over")
        return await self._disposing(inp)

    async def _disposing(self, inp: CrossRegionSeizureInput) -> CrossRegionSeizureResult:
        """Handed over, the vehicle is this matter's disposal's until that ends: sold (title passed: never
        disposed of again), returned unsold, or the debtor paid (or the case was performed) — then the seizure
        is released and the claim with it, so the next court in line (轮候) may dispose of the vehicle."""
        self._set_status("disposing")
        self.desk.offer(VEHICLE_SOLD, RETURN, DEBTOR_PAID)
        await workflow.wait_condition(lambda: self.disposal_end is not None or self.paid_reason is not None)
        if self.disposal_end is None:
            await self._release(inp, f"debtor paid: {self.paid_reason}")
            await self._free_vehicle(inp, transferred=False)
            return await self._close("cancelled_paid")
        sold = self.disposal_end.decision == VEHICLE_SOLD
        await self._release(inp, self.disposal_end.reason)
        await self._free_vehicle(inp, transferred=sold)
        return await self._close("sold" if sold else "returned")

    async def _free_vehicle(self, inp: CrossRegionSeizureInput, transferred: bool) -> None:
        """The claim ends: transferred for good (sold), or free for the next disposal."""
        req = inp.request
        await workflow.execute_activity_method(
            AssetDisposalActivities.end,
            EndAssetInput(key=disposal_key(AssetKind.VEHICLE, req.vehicle.plate), transferred=transferred),
            start_to_close_timeout=CALL,
            retry_policy=retries.ARCHIVE,
        )
        self.timeline.record("vehicle_transferred" if transferred else "vehicle_claim_released", actor=SYSTEM_ACTOR)

    async def _claim_vehicle(self, inp: CrossRegionSeizureInput) -> bool:
        """One asset, one disposal (一物一处置), as a unit of real estate: the hand-over claims the vehicle (its
        plate) for this matter's disposal; a vehicle another matter is disposing of, or has transferred, is
        refused, naming that court and case. Held from then on: the disposal there is this matter's."""
        if not workflow.patched(ONE_DISPOSAL_PATCH):
            return True
        req = inp.request
        holder = await workflow.execute_activity_method(
            AssetDisposalActivities.claim,
            ClaimAssetInput(
                key=disposal_key(AssetKind.VEHICLE, req.vehicle.plate), court=req.court, case_number=req.case_number
            ),
            start_to_close_timeout=CALL,
            retry_policy=retries.ARCHIVE,
        )
        if holder is None:
            self.timeline.record("vehicle_claimed_for_disposal", plate=_masked_plate(req.vehicle.plate))
            return True
        self.timeline.record(
            "asset_held_elsewhere",
            holder.refusal(req.court),
            actor=SYSTEM_ACTOR,
            code="ASSET_UNDER_DISPOSAL",
            holder_case=holder.case_number,
            state=holder.state.value,
        )
        return False

    async def _run_task(self, inp: CrossRegionSeizureInput, step: Step) -> TaskOutcome:
        req = inp.request
        spec = TaskSpec(
            task_type=f"{NAME}.{step.key}",
            agency=step.agency,
            case_number=req.case_number,
            court=req.court,
            title=step.title,
            instructions=f"{req.ruling_ref}; 号牌 {req.vehicle.plate}; VIN {req.vehicle.vin}",
            result_type=step.result_type,
            rule=DueRule(due=step.due),
            context={"plate": req.vehicle.plate, "vin": req.vehicle.vin, "owner": req.vehicle.owner.name},
        )
        self._set_status(f"waiting_{step.key}")
        self.open_task = task_id(step.key)
        outcome = await run_agency_task(
            step.key, spec, self._clock(inp), self.timeline, cancel_when=self._paid_reason_for_task
        )
        self.open_task = None
        self.outcomes.append(outcome)
        return outcome

    def _paid_reason_for_task(self) -> str | None:
        return f"debtor paid: {self.paid_reason}" if self.paid_reason is not None else None

    async def _register_seizure(self, inp: CrossRegionSeizureInput) -> bool:
        """Registers the seizure in the requesting court's name, so its priority runs from now (Art. 6)."""
        req = inp.request
        clock = self._clock(inp)
        expires = calendar_end(clock.legal_now(workflow.now()), MAX_TERM_BY_ASSET[AssetKind.VEHICLE])
        try:
            answer = await workflow.execute_activity_method(
                PartnerActivities.register_measure,
                MeasureInput(
                    partner_id=req.vehicle_registry,
                    step="registry-seizure",
                    kind=MeasureKind.SEIZE,
                    asset_reference=req.vehicle.plate,
                    expires_on=expires.date(),
                    court=req.court,
                    case_number=req.case_number,
                    document_ref=req.ruling_ref,
                ),
                activity_id="registry-seizure",
                start_to_close_timeout=timedelta(seconds=20),
                retry_policy=retries.PARTNER,
            )
        except ActivityError as exc:
            self.timeline.record(
                "registry_seizure_refused", actor=SYSTEM_ACTOR, code=failure_code(exc), partner=req.vehicle_registry
            )
            return False
        self.measure_id = answer.measure_id
        self.timeline.record("registry_seizure", rank=answer.rank, expires_on=expires.date().isoformat())
        await self.case.placed(
            SEIZURE_KEY,
            RegisterKind.SEIZE,
            f"{req.vehicle_registry} 机动车 {_masked_plate(req.vehicle.plate)}",
            effective_from=clock.legal_now(workflow.now()).date(),
            expires_on=expires.date(),
            partner_id=req.vehicle_registry,
            partner_measure_id=answer.measure_id,
            asset_kind=AssetKind.VEHICLE.value,
        )
        return True

    async def _release(self, inp: CrossRegionSeizureInput, reason: str) -> None:
        if self.measure_id is None:
            return
        await workflow.execute_activity_method(
            PartnerActivities.release_measure,
            ReleaseMeasureInput(
                partner_id=inp.request.vehicle_registry,
                step="registry-release",
                measure_id=self.measure_id,
                reason=reason,
                document_ref=inp.request.ruling_ref,
            ),
            activity_id="registry-release",
            start_to_close_timeout=timedelta(seconds=20),
            retry_policy=retries.PARTNER,
        )
        self.timeline.record("registry_released", reason=reason)
        clock = CaseClock.of(self._clock(inp))
        if self.case_notices.performed_at is not None:
            due = await self.case_notices.lift_due(clock, inp.prompt_lift_within)
            self.case_notices.record_lift(clock, due, SEIZURE_KEY)
        await self.case.measure_changed(
            EffectKind.MEASURE_RELEASED,
            "registry-release",
            SEIZURE_KEY,
            RegisterKind.SEIZE,
            effective_from=clock.now().date(),
            description=reason,
        )

    async def _end_early(self, inp: CrossRegionSeizureInput, outcome: TaskOutcome | None) -> CrossRegionSeizureResult:
        if self.paid_reason is not None:
            await self._release(inp, f"debtor paid: {self.paid_reason}")
            return await self._close("cancelled_paid")
        await self._release(inp, f"task {outcome.state.value if outcome else 'ended'}")
        return await self._close("task_failed")

    @workflow.signal(name=CASE_NOTICE_SIGNAL)
    def on_case_notice(self, notice: CaseNotice) -> None:
        """Full performance ends the seizure as the debtor's payment does: tasks cancelled, released."""
        if self.case_notices.take(notice) and self.case_notices.performed() and self.paid_reason is None:
            if self.result is None:
                self.paid_reason = "被执行人已履行全部义务, 依职权解除 (查扣冻规定 第二十八条)"

    def take(self, decision: DecisionInput) -> DecisionOutcome:
        outcome = self.desk.accept(decision)
        self.desk.taken = None  # the run reads each decision from its own field (a refused hand-over re-offers)
        self.desk.withdraw()
        if decision.decision == DEBTOR_PAID:
            self.paid_reason = decision.reason
        elif self.status == "disposing":
            self.disposal_end = decision
        else:
            self.disposition = decision
        return outcome

    def summary(self) -> dict[str, object]:
        assert self.inp is not None
        return {
            "plate": _masked_plate(self.inp.request.vehicle.plate),
            "open_task": self.open_task,
            "tasks": [o.model_dump(mode="json", include={"task_id", "state", "agency"}) for o in self.outcomes],
        }

    async def report_end(self, status: str, result: CrossRegionSeizureResult) -> None:
        await self.case.ended(status)

    def outcome(self, status: str) -> CrossRegionSeizureResult:
        self.timeline.record(status)
        return CrossRegionSeizureResult(
            status=status,
            tasks=self.outcomes,
            registry_measure_id=self.measure_id,
            disposition=self.disposition.decision if self.disposition else None,
        )

    def _clock(self, inp: CrossRegionSeizureInput) -> LegalClock:
        return LegalClock(epoch=workflow.info().start_time, scale=inp.context.time_scale)


def _masked_plate(plate: str) -> str:
    return plate[:2] + "*" * max(0, len(plate) - 4) + plate[-2:]


def _steps(req: CrossRegionSeizureRequest) -> list[Step]:
    days7 = LegalDuration(amount=7, unit=TimeUnit.CALENDAR_DAY)
    days3 = LegalDuration(amount=3, unit=TimeUnit.WORKING_DAY)
    return [
        Step(
            key="accept",
            agency=req.receiving_court,
            title="受托法院接受事项委托",
            result_type="acknowledgement",
            due=days7,
        ),
        Step(
            key="police",
            agency=req.traffic_police,
            title="查控并扣押车辆",
            result_type="vehicle-seizure-report",
            due=POLICE_ANSWER,
        ),
        Step(
            key="custody",
            agency=req.car_station,
            title="车辆入库保管 (附照片)",
            result_type="custody-record",
            due=days3,
        ),
        Step(
            key="confirm",
            agency=req.receiving_court,
            title="受托法院确认扣押与保管",
            result_type="court-confirmation",
            due=days3,
        ),
    ]
