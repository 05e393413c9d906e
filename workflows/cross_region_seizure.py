"""Cross-region seizure (异地扣押) by item delegation (事项委托, 委托执行规定 Art. 2): with one request the
requesting court has a vehicle in another region seized. The receiving court accepts (it opens no case),
the seizure is registered in the vehicle registry in the requesting court's name (keeping its priority,
Art. 6), the traffic police locate and seize it, the auction car station takes custody with photos, the
receiving court confirms; then the vehicle is handed to a disposal there or returned. If the debtor pays
meanwhile, the request is cancelled and the seizure released."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows.common import (
    DECIDE_UPDATE,
    STATUS_QUERY,
    DecisionInput,
    DecisionOutcome,
    PendingDecision,
    ScenarioStatus,
    Timeline,
    archive_audit_trail,
    failure_code,
    refuse,
    require_role,
)

with workflow.unsafe.imports_passed_through():
    from activities.partners import MeasureInput, PartnerActivities, ReleaseMeasureInput
    from core.temporal import STATUS
    from domain.actors import Role
    from domain.assets import AssetKind
    from domain.legal_time import LegalClock, LegalDuration, TimeUnit, calendar_end
    from domain.measures import MAX_TERM_BY_ASSET, MeasureKind
    from domain.tasks import DueRule, TaskSpec, TaskState
    from workflows.agency_task import CANCEL_SIGNAL, AgencyTask
    from workflows.models.agency_task import AgencyTaskInput, TaskOutcome
    from workflows.models.cross_region_seizure import (
        CrossRegionSeizureInput,
        CrossRegionSeizureRequest,
        CrossRegionSeizureResult,
        Step,
    )
    from workflows.scenario import Scenario, wrap_request

NAME = "cross-region-seizure"
DEBTOR_PAID, HAND_OVER, RETURN = "debtor-paid", "hand-over-to-disposal", "return-vehicle"
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
POLICE_ANSWER = LegalDuration(amount=5, unit=TimeUnit.WORKING_DAY)  # Huzhou practice (seed 002)


@workflow.defn(name="CrossRegionSeizure")
class CrossRegionSeizure:
    def __init__(self) -> None:
        self.timeline = Timeline()
        self.status = "requested"
        self.inp: CrossRegionSeizureInput | None = None
        self.outcomes: list[TaskOutcome] = []
        self.open_task: str | None = None
        self.paid_reason: str | None = None
        self.disposition: DecisionInput | None = None
        self.measure_id: str | None = None
        self.result_status: str | None = None

    @workflow.run
    async def run(self, inp: CrossRegionSeizureInput) -> CrossRegionSeizureResult:
        self.inp = inp
        req = inp.request
        self.timeline.record("requested", plate=_masked_plate(req.vehicle.plate), receiving_court=req.receiving_court)
        for step in _steps(req):
            if step.key == "police" and not await self._register_seizure(inp):
                return await self._close("registry_refused")  # e.g. no such vehicle on the register
            outcome = await self._run_task(inp, step)
            if outcome is None or outcome.state is not TaskState.COMPLETED:
                return await self._end_early(inp, outcome)
        self._set_status("awaiting_disposition")
        await workflow.wait_condition(lambda: self.disposition is not None or self.paid_reason is not None)
        if self.paid_reason is not None:
            return await self._end_early(inp, None)
        assert self.disposition is not None
        if self.disposition.decision == RETURN:
            await self._release(inp, self.disposition.reason)
        return await self._close("handed_over" if self.disposition.decision == HAND_OVER else "returned")

    async def _run_task(self, inp: CrossRegionSeizureInput, step: Step) -> TaskOutcome | None:
        req = inp.request
        task_id = f"{workflow.info().workflow_id}:task:{step.key}"
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
        self.open_task = task_id
        handle = await workflow.start_child_workflow(
            AgencyTask.run,
            AgencyTaskInput(spec=spec, clock=self._clock(inp)),
            id=task_id,
        )
        self.timeline.record("task_assigned", task=task_id, agency=step.agency)
        await workflow.wait_condition(lambda: handle.done() or self.paid_reason is not None)
        if self.paid_reason is not None and not handle.done():
            await handle.signal(CANCEL_SIGNAL, f"debtor paid: {self.paid_reason}")
        outcome = await handle
        self.open_task = None
        self.outcomes.append(outcome)
        self.timeline.record(f"task_{outcome.state.value}", task=task_id, agency=outcome.agency, reason=outcome.reason)
        return outcome

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
                retry_policy=RETRY,
            )
        except ActivityError as exc:
            self.timeline.record("registry_seizure_refused", code=failure_code(exc))
            return False
        self.measure_id = answer.measure_id
        self.timeline.record("registry_seizure", rank=answer.rank, expires_on=expires.date().isoformat())
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
            retry_policy=RETRY,
        )
        self.timeline.record("registry_released", reason=reason)

    async def _end_early(self, inp: CrossRegionSeizureInput, outcome: TaskOutcome | None) -> CrossRegionSeizureResult:
        if self.paid_reason is not None:
            await self._release(inp, f"debtor paid: {self.paid_reason}")
            return await self._close("cancelled_paid")
        await self._release(inp, f"task {outcome.state.value if outcome else 'ended'}")
        return await self._close("task_failed")

    @workflow.update(name=DECIDE_UPDATE)
    async def decide(self, decision: DecisionInput) -> DecisionOutcome:
        entry = self.timeline.record("decision", reason=decision.reason, decision=decision.decision)
        if decision.decision == DEBTOR_PAID:
            self.paid_reason = decision.reason
        else:
            self.disposition = decision
        return DecisionOutcome(decision=decision.decision, accepted_at=entry.at, by=entry.actor)

    @decide.validator
    def _validate(self, decision: DecisionInput) -> None:
        require_role(Role.JUDGE)
        if not decision.reason.strip():
            raise refuse("REASON_REQUIRED", "reason: required")
        if self.paid_reason is not None or self.status in ("handed_over", "returned", "cancelled_paid"):
            raise refuse("WRONG_STATE", f"nothing to decide (status: {self.status})")
        if decision.decision == DEBTOR_PAID:
            return
        if decision.decision in (HAND_OVER, RETURN):
            if self.status != "awaiting_disposition":
                raise refuse("WRONG_STATE", "the vehicle is not yet in custody and confirmed")
            return
        raise refuse("UNKNOWN_DECISION", f"unknown decision {decision.decision!r}")

    @workflow.query(name=STATUS_QUERY)
    def get_status(self) -> ScenarioStatus:
        assert self.inp is not None
        req = self.inp.request
        since = self.timeline.entries[-1].at
        pending = [
            PendingDecision(name=DEBTOR_PAID, title="被执行人已履行 / Debtor paid", input_schema={}, since=since)
        ]
        if self.status == "awaiting_disposition":
            pending += [
                PendingDecision(name=HAND_OVER, title="移交处置 / Hand over to disposal", input_schema={}, since=since),
                PendingDecision(name=RETURN, title="解除扣押并返还 / Release and return", input_schema={}, since=since),
            ]
        if self.result_status:
            pending = []
        return ScenarioStatus(
            scenario=NAME,
            case_number=req.case_number,
            court=req.court,
            status=self.status,
            summary={
                "plate": _masked_plate(req.vehicle.plate),
                "open_task": self.open_task,
                "tasks": [o.model_dump(mode="json", include={"task_id", "state", "agency"}) for o in self.outcomes],
            },
            pending_decisions=pending,
            timeline=self.timeline.entries,
        )

    async def _close(self, status: str) -> CrossRegionSeizureResult:
        result = self._finish(status)
        await archive_audit_trail()
        return result

    def _finish(self, status: str) -> CrossRegionSeizureResult:
        self._set_status(status)
        self.result_status = status
        self.timeline.record(status)
        return CrossRegionSeizureResult(
            status=status,
            tasks=self.outcomes,
            registry_measure_id=self.measure_id,
            disposition=self.disposition.decision if self.disposition else None,
        )

    def _set_status(self, status: str) -> None:
        self.status = status
        workflow.upsert_search_attributes([STATUS.value_set(status)])

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


SCENARIO = Scenario(
    name=NAME,
    title="异地扣押",
    title_en="Cross-region vehicle seizure",
    workflow=CrossRegionSeizure,
    request_model=CrossRegionSeizureRequest,
    build_input=wrap_request(CrossRegionSeizureInput),
    extra_workflows=(AgencyTask,),
)
