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
    from workflows.foundation.base import ScenarioWorkflow
    from workflows.foundation.case_effects import CaseReporter
    from workflows.foundation.clock import CaseClock
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.tasks import run_agency_task

DECISIONS = (DecisionSpec(CONTROL, payload=ControlAsset), DecisionSpec(NO_ACTION, reason_required=True))


@workflow.defn(name="PropertyLeadCheck")
class PropertyLeadCheck(ScenarioWorkflow[PropertyLeadResult]):
    """The procedure and its state; the foundation's base gives it the ``decide`` Update, the status query,
    ``_set_status`` and ``_close``."""

    scenario = NAME

    def __init__(self) -> None:
        super().__init__(DECISIONS, WORDS, "checking")
        self.inp: PropertyLeadInput | None = None
        self.facts: dict[str, Any] = {}

    @workflow.run
    async def run(self, inp: PropertyLeadInput) -> PropertyLeadResult:
        self.inp, req = inp, inp.request
        clock = CaseClock(inp.context.time_scale)
        period = LegalDuration(amount=3 if req.urgent else 7, unit=TimeUnit.CALENDAR_DAY)
        due = await clock.deadline(period)
        self.facts = {"due_by": due.due_at.isoformat(), "provisional": due.provisional}
        self.timeline.record("lead_received", **self.facts)

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
        self.facts["found"] = found
        if not found:
            return await self._close("lead_unfounded")

        self._set_status("awaiting_decision")
        decision = await self.desk.wait(CONTROL, NO_ACTION)
        assert decision is not None
        return await self._close("control_ordered" if decision.decision == CONTROL else "no_action")

    def summary(self) -> dict[str, Any]:
        return self.facts

    async def report_end(self, status: str, result: PropertyLeadResult) -> None:
        assert self.inp is not None
        await CaseReporter(self.inp.request.case, NAME, self.timeline).ended(status, {"found": result.found})

    def outcome(self, status: str) -> PropertyLeadResult:
        return PropertyLeadResult(
            status=status,
            found=bool(self.facts["found"]),
            due_by=self.facts["due_by"],
            provisional=self.facts["provisional"],
        )
