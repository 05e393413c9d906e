"""Property-lead check (财产线索核查, 财产调查规定 Art. 2): the applicant names a specific asset; the
court has it verified within 7 days (3 if urgent) and decides what to do with a lead that holds."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.legal_time import LegalDuration, TimeUnit
    from domain.tasks import DueRule, TaskSpec, TaskState
    from tests.scenarios.property_lead.models import (
        CONTROL,
        LEAD_CHECK,
        NAME,
        NO_ACTION,
        ControlAsset,
        PropertyLeadInput,
        PropertyLeadResult,
    )
    from tests.scenarios.property_lead.words import WORDS
    from workflows.kit.archive import archive_audit_trail
    from workflows.kit.case_effects import CaseReporter
    from workflows.kit.clock import CaseClock
    from workflows.kit.decisions import DecisionDesk, DecisionSpec
    from workflows.kit.messages import DECIDE_UPDATE, STATUS_QUERY
    from workflows.kit.models import DecisionInput, DecisionOutcome, ScenarioStatus
    from workflows.kit.status import publish_status
    from workflows.kit.tasks import run_agency_task
    from workflows.kit.timeline import Timeline

DECISIONS = (DecisionSpec(CONTROL, payload=ControlAsset), DecisionSpec(NO_ACTION, reason_required=True))


@workflow.defn(name="PropertyLeadCheck")
class PropertyLeadCheck:
    def __init__(self) -> None:
        self.timeline = Timeline()
        self.desk = DecisionDesk(DECISIONS, WORDS, self.timeline)
        self.status = "checking"
        self.inp: PropertyLeadInput | None = None
        self.summary: dict[str, Any] = {}

    @workflow.run
    async def run(self, inp: PropertyLeadInput) -> PropertyLeadResult:
        self.inp, req = inp, inp.request
        clock = CaseClock(inp.context.time_scale)
        period = LegalDuration(amount=3 if req.urgent else 7, unit=TimeUnit.CALENDAR_DAY)
        due = await clock.deadline(period)
        self.summary = {"due_by": due.due_at.isoformat(), "provisional": due.provisional}
        self.timeline.record("lead_received", **self.summary)

        spec = TaskSpec(
            task_type=f"{NAME}.check",
            agency=req.agency,
            case_number=req.case_number,
            court=req.court,
            title="核查财产线索",
            instructions=req.lead,
            result_type=LEAD_CHECK,
            rule=DueRule(due=period),
        )
        outcome = await run_agency_task("check", spec, clock.clock, self.timeline)
        found = outcome.state is TaskState.COMPLETED and bool(outcome.result and outcome.result["found"])
        self.summary["found"] = found
        if not found:
            return await self._close("lead_unfounded", due.due_at.isoformat(), due.provisional, found)

        self._set_status("awaiting_decision")
        decision = await self.desk.wait(CONTROL, NO_ACTION)
        assert decision is not None
        status = "control_ordered" if decision.decision == CONTROL else "no_action"
        return await self._close(status, due.due_at.isoformat(), due.provisional, found)

    @workflow.update(name=DECIDE_UPDATE)
    async def decide(self, decision: DecisionInput) -> DecisionOutcome:
        return self.desk.accept(decision)

    @decide.validator
    def _validate_decision(self, decision: DecisionInput) -> None:
        self.desk.validate(decision)

    @workflow.query(name=STATUS_QUERY)
    def get_status(self) -> ScenarioStatus:
        assert self.inp is not None
        return ScenarioStatus(
            scenario=NAME,
            case_number=self.inp.request.case_number,
            court=self.inp.request.court,
            status=self.status,
            summary=self.summary,
            pending_decisions=self.desk.pending(),
            timeline=self.timeline.entries,
        )

    def _set_status(self, status: str) -> None:
        self.status = status
        publish_status(status)

    async def _close(self, status: str, due_by: str, provisional: bool, found: bool) -> PropertyLeadResult:
        self._set_status(status)
        assert self.inp is not None
        await CaseReporter(self.inp.request.case, NAME, self.timeline).ended(status, {"found": found})
        await archive_audit_trail()
        return PropertyLeadResult(status=status, found=found, due_by=due_by, provisional=provisional)
