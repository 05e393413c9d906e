"""Consumption restriction (限制消费令, 限消规定 2015): the court president signs the order (Art. 5) —
at once when the debtor is on the dishonest list, which obliges it (Art. 1) — the assisting units that
enforce its bans are notified (Art. 6); while it stands the judge approves or refuses exemptions in
advance (Art. 8) and decides on reported breaches (Art. 11); it is lifted on security or the applicant's
consent, and must be on full performance (Art. 9), with notices to the same units. One order lives as
long as the restriction does: few events (decisions, notices), so no continue-as-new is needed."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from domain.consumption_restriction import (
        ENFORCED_BY,
        AssistingUnit,
        LiftingGround,
        RestrictedItem,
        RestrictionTrigger,
        declining_problem,
        lifting_problem,
        unit_liability_problem,
        units_to_notify,
        violation_problem,
    )
    from domain.documents import DEBTOR, DocumentKind
    from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit
    from domain.parties import PartyKind
    from domain.tasks import DueRule, TaskSpec
    from workflows.consumption_restriction.models import (
        APPROVE_EXEMPTION,
        DECLINE,
        DISMISS,
        ISSUE,
        LIFT,
        NAME,
        NOTICE_RECEIPT,
        REFUSE_EXEMPTION,
        REPORT_VIOLATION,
        SANCTION,
        ConsumptionRestrictionResult,
        Exemption,
        IssueOrder,
        LiftOrder,
        Sanction,
        ViolationRecord,
        ViolationReport,
    )
    from workflows.consumption_restriction.words import WORDS
    from workflows.foundation.base import ScenarioWorkflow
    from workflows.foundation.case_effects import CaseNotices, CaseReporter
    from workflows.foundation.case_link import CASE_NOTICE_SIGNAL, CaseNotice, EffectKind, RegisterKind
    from workflows.foundation.child_matters import (
        CONSUMPTION_RESTRICTION_TYPE,
        DISHONEST_LIST_SIGNAL,
        ConsumptionRestrictionInput,
        DishonestListChange,
    )
    from workflows.foundation.clock import CaseClock, load_calendar
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.issuing import PRESIDENT_DECISIONS, DocumentIssuer, IssuedRef, PresidentSignature
    from workflows.foundation.task_models import TaskOutcome
    from workflows.foundation.tasks import run_agency_task

DECISIONS = (
    DecisionSpec(ISSUE, payload=IssueOrder),
    DecisionSpec(DECLINE, reason_required=True),
    DecisionSpec(APPROVE_EXEMPTION, payload=Exemption, reason_required=True),
    DecisionSpec(REFUSE_EXEMPTION, payload=Exemption, reason_required=True),
    DecisionSpec(REPORT_VIOLATION, payload=ViolationReport),
    DecisionSpec(SANCTION, payload=Sanction, reason_required=True),
    DecisionSpec(DISMISS, reason_required=True),
    DecisionSpec(LIFT, payload=LiftOrder, reason_required=True),
    *PRESIDENT_DECISIONS,
)
# Histories recorded before the president signed the order on the desk and it was issued as a document.
DOCUMENTS_PATCH = "consumption-restriction-documents"
# Orders recorded before bans (三)(五)(七)(八) were sent to their units (限消规定 Art. 6) told only the airlines,
# railways and hotels.
EVERY_BAN_PATCH = "restriction-every-ban-told"
WHILE_RESTRICTED = (APPROVE_EXEMPTION, REFUSE_EXEMPTION, REPORT_VIOLATION, LIFT)
# No instrument sets the units' answer period; three working days is our choice (DOMAIN.md [I]), so the
# supervisors' yellow and red marks have something to measure against.
NOTICE_DUE = LegalDuration(amount=3, unit=TimeUnit.WORKING_DAY)
ORDER_KEY = "order"  # the order in the case's register of measures
TASK_TITLES = {
    "order-notice": "协助执行限制消费令",
    "exemption-notice": "准予例外消费通知",
    "lift-notice": "解除限制消费通知",
}


@workflow.defn(name=CONSUMPTION_RESTRICTION_TYPE)
class ConsumptionRestriction(ScenarioWorkflow[ConsumptionRestrictionResult]):
    scenario = NAME

    def __init__(self) -> None:
        super().__init__(DECISIONS, WORDS, "awaiting_order")
        self.inp: ConsumptionRestrictionInput | None = None
        self.clock: CaseClock | None = None
        self.order_number: str | None = None
        self.items: list[RestrictedItem] = []
        self.units: list[AssistingUnit] = []
        self.listed = False
        self.must_lift: str | None = None  # why the order must be lifted now (full performance)
        self.lifted: LiftingGround | None = None
        self.exemptions: list[Exemption] = []
        self.violations: list[ViolationRecord] = []
        self.notices: list[asyncio.Task[TaskOutcome]] = []
        self.order_in_force = False
        self.case = CaseReporter(None, NAME, self.timeline)
        self.case_notices = CaseNotices(self.timeline)
        self.president = PresidentSignature(self.desk, self.timeline, self._set_status)
        self.documents: DocumentIssuer | None = None
        self.order_document: IssuedRef | None = None
        self.order_date: date | None = None
        self.signer: str | None = None  # the president who signed the order here (院长签发)

    @workflow.run
    async def run(self, inp: ConsumptionRestrictionInput) -> ConsumptionRestrictionResult:
        self.inp, req = inp, inp.request
        self.clock = CaseClock(inp.context.time_scale)
        self.case = CaseReporter(req.case, NAME, self.timeline)
        self.documents = DocumentIssuer(self.timeline, req.court, req.case_number, req.case)
        self.listed = self.listed or req.trigger is RestrictionTrigger.DISHONEST_LISTED
        self.timeline.record(
            "restriction_requested", trigger=req.trigger.value, applicant_requested=req.applicant_requested
        )
        await load_calendar(inp.context.calendar)
        order = await self._order(inp)
        if order is None:
            return await self._close("order_declined")
        self.order_number, self.items = order.order_number, list(order.items or req.items)
        self.order_in_force = True
        self.order_date = self.clock.now().astimezone(CHINA_TZ).date()
        self.timeline.record("order_issued", order_number=self.order_number, items=[i.value for i in self.items])
        self.units = units_to_notify(self.items, every_ban=workflow.patched(EVERY_BAN_PATCH))
        if self.signer is not None:
            self.order_document = await self._issue_order(self.signer)
        for unit in self.units:
            self._notify(f"order-notice.{unit.value}", "order-notice", unit, self.items)
        await self.case.placed(
            ORDER_KEY,
            RegisterKind.CONSUMPTION_RESTRICTION,
            f"限制消费令 {self.order_number}",
            effective_from=self.clock.now().date(),
        )
        self._set_status("restricted")
        lifting = await self._while_restricted()
        self._set_status("lifting")
        self.lifted = lifting.ground
        self.order_in_force = False
        await self._issue_lifting(lifting)
        for unit in self.units:  # the same scope as the order's notice (Art. 9)
            self._notify(f"lift-notice.{unit.value}", "lift-notice", unit, self.items, lifting.document_number)
        if self.case_notices.performed_at is not None:
            # Lifted "及时" (Art. 9): the notices went out now; the limit is the deployment's (§17.7).
            due = await self.case_notices.lift_due(self.clock, inp.prompt_lift_within)
            self.case_notices.record_lift(self.clock, due, ORDER_KEY)
        await self.case.measure_changed(
            EffectKind.MEASURE_RELEASED,
            "lift",
            ORDER_KEY,
            RegisterKind.CONSUMPTION_RESTRICTION,
            effective_from=self.clock.now().date(),
            description=f"{lifting.document_number}; 解除事由: {lifting.ground.value}",
        )
        await asyncio.gather(*self.notices)
        self.timeline.record("lifted", ground=lifting.ground.value, document_number=lifting.document_number)
        return await self._close("lifted")

    # --- steps --------------------------------------------------------------------------------------

    async def _order(self, inp: ConsumptionRestrictionInput) -> IssueOrder | None:
        req = inp.request
        if req.order_number:  # signed with the dishonest-list decision: no second decision to wait for
            return IssueOrder(order_number=req.order_number, items=req.items)
        decision = await self.desk.wait(ISSUE, DECLINE)
        assert decision is not None
        if decision.decision == DECLINE:
            self.timeline.record("order_declined", reason=decision.reason)
            return None
        order: IssueOrder = self.desk.payload(decision)
        # The president signs the order (Art. 5): it issues only then.
        self.signer = await self.president.ask("限制消费令", DOCUMENTS_PATCH)
        if self.signer is None:
            self.timeline.record("order_declined", reason="院长不予签发")
            return None
        return order

    def _debtor_fields(self) -> dict[str, str]:
        assert self.inp is not None
        debtor = self.inp.request.debtor
        return {"debtor_name": debtor.name, "debtor_id": debtor.id_number}

    def _unit_agencies(self) -> list[str]:
        assert self.inp is not None
        req = self.inp.request
        return [req.agency_of(u) for u in self.units]

    async def _issue_order(self, signer: str) -> IssuedRef | None:
        """The 限制消费令, signed by the president, served on the debtor and the units that enforce it (Art. 6)."""
        assert self.documents is not None
        items = "\n".join(f"{n}. {WORDS.enum_zh(i.value)}" for n, i in enumerate(self.items, 1))
        fields = {**self._debtor_fields(), "items": items, "order_reference": self.order_number}
        return await self.documents.issue(
            "order",
            DocumentKind.CONSUMPTION_ORDER,
            fields,
            patch=DOCUMENTS_PATCH,
            president_name=signer,
            addressed_to=(DEBTOR, *self._unit_agencies()),
        )

    async def _issue_lifting(self, lifting: LiftOrder) -> None:
        """The 解除限制消费令 (Art. 9), to the same addressees as the order."""
        if self.order_document is None or self.documents is None:
            return  # an order issued before documents, or with the 失信 decision: its lifting has no paper here
        fields = {
            **self._debtor_fields(),
            "order_date": self.order_date,
            "order_number": self.order_document.number,
            "reason": WORDS.enum_zh(lifting.ground.value),
            "lifting_reference": lifting.document_number,
        }
        await self.documents.issue(
            "lift",
            DocumentKind.CONSUMPTION_LIFTING,
            fields,
            patch=DOCUMENTS_PATCH,
            addressed_to=self.order_document.addressed_to,
        )

    async def _while_restricted(self) -> LiftOrder:
        """Exemptions and breach reports until the order is lifted (by the judge, or because the debtor
        performed in full, which the dishonest list reports)."""
        while True:
            if self.must_lift is not None:
                self.desk.withdraw()
                self.timeline.record("must_lift", reason=self.must_lift)
                return LiftOrder(ground=LiftingGround.FULL_PERFORMANCE, document_number=f"{self.order_number}之解除")
            self.desk.offer(*WHILE_RESTRICTED)
            await workflow.wait_condition(lambda: self.desk.taken is not None or self.must_lift is not None)
            decision, self.desk.taken = self.desk.taken, None
            if decision is None:
                continue
            payload: Any = self.desk.payload(decision)
            if decision.decision == LIFT:
                self.desk.withdraw()
                lift: LiftOrder = payload
                return lift
            if decision.decision == APPROVE_EXEMPTION:
                self.exemptions.append(payload)
                self.timeline.record(
                    "exemption_approved", item=payload.item.value, until=payload.valid_until.isoformat()
                )
                n = len(self.exemptions)
                for unit in self.units:
                    if payload.item in ENFORCED_BY[unit]:
                        self._notify(f"exemption-notice.{n}.{unit.value}", "exemption-notice", unit, [payload.item])
            elif decision.decision == REFUSE_EXEMPTION:
                self.timeline.record("exemption_refused", item=payload.item.value)
            elif decision.decision == REPORT_VIOLATION:
                await self._review_violation(payload)

    async def _review_violation(self, report: ViolationReport) -> None:
        self.desk.withdraw()
        self.timeline.record("violation_reported", item=report.item.value, occurred_on=report.occurred_on.isoformat())
        self._set_status("violation_review")
        decision = await self.desk.wait(SANCTION, DISMISS)
        assert decision is not None
        if decision.decision == SANCTION:
            sanction: Sanction = self.desk.payload(decision)
            self.violations.append(ViolationRecord(report=report, decision=SANCTION, sanction=sanction))
            self.timeline.record(
                "violation_sanctioned",
                measure=sanction.measure.value,
                fine_fen=sanction.fine_fen,
                against_unit=sanction.against_unit or None,
            )
        else:
            self.violations.append(ViolationRecord(report=report, decision=DISMISS))
            self.timeline.record("violation_dismissed")
        self._set_status("restricted")

    def _notify(
        self, step: str, kind: str, unit: AssistingUnit, items: list[RestrictedItem], document: str | None = None
    ) -> None:
        """Assigns a notice to an assisting unit; it runs beside the order. An order notice still open
        when the order is lifted is cancelled: there is nothing left to enforce."""
        assert self.inp is not None and self.clock is not None
        req = self.inp.request
        agency = req.agency_of(unit)
        spec = TaskSpec(
            task_type=f"{NAME}.{kind}",
            agency=agency,
            case_number=req.case_number,
            court=req.court,
            title=TASK_TITLES[kind],
            instructions=f"{document or self.order_number}; 事项: {', '.join(i.value for i in items)}",
            result_type=NOTICE_RECEIPT,
            rule=DueRule(due=NOTICE_DUE),
            context={
                "name": req.debtor.name,
                "id_number": req.debtor.id_number,
                "order_number": self.order_number,
                "items": [i.value for i in items],
                # Whole objects, so the audit trail masks each name under its "name" key.
                "bound_persons": [p.model_dump(mode="json") for p in req.bound_persons],
                # The sealed order the unit acts on (and may verify), where this matter issued one.
                **({"document": self.order_document.model_dump(mode="json")} if self.order_document else {}),
            },
        )

        def no_longer_needed() -> str | None:
            return "限制消费令已解除" if kind == "order-notice" and not self.order_in_force else None

        self.notices.append(
            asyncio.ensure_future(
                run_agency_task(step, spec, self.clock.clock, self.timeline, cancel_when=no_longer_needed)
            )
        )

    # --- messages -----------------------------------------------------------------------------------

    @workflow.signal(name=CASE_NOTICE_SIGNAL)
    def on_case_notice(self, notice: CaseNotice) -> None:
        if self.case_notices.take(notice) and self.case_notices.performed() and self.must_lift is None:
            self.must_lift = "被执行人已履行全部义务 (限消规定 第九条)"

    @workflow.signal(name=DISHONEST_LIST_SIGNAL)
    def dishonest_list_changed(self, change: DishonestListChange) -> None:
        assert self.inp is not None
        req = self.inp.request
        if (change.case_number, change.court) != (req.case_number, req.court):
            # Another case's list entry says nothing about this order: recorded, not followed.
            self.timeline.record("dishonest_list_other_case", case_number=change.case_number)
            return
        self.listed = change.listed
        self.timeline.record("dishonest_list_changed", listed=change.listed, removal_ground=change.removal_ground)
        if not change.listed and change.removal_ground == LiftingGround.FULL_PERFORMANCE.value:
            self.must_lift = "被执行人已履行全部义务 (限消规定 第九条)"

    def law_check(self, name: str, payload: BaseModel) -> str | None:
        assert self.inp is not None
        if name == DECLINE:
            return declining_problem(
                self.inp.request.trigger if not self.listed else RestrictionTrigger.DISHONEST_LISTED
            )
        if name == LIFT and isinstance(payload, LiftOrder):
            return lifting_problem(payload.ground, self.listed)
        if name in (APPROVE_EXEMPTION, REFUSE_EXEMPTION) and isinstance(payload, Exemption):
            if payload.item not in self.items:
                return f"item: {payload.item.value} is not banned by this order"
            if payload.valid_until < payload.valid_from:
                return "valid_until: ends before it starts"
        if name == SANCTION and isinstance(payload, Sanction):
            fined = payload.fined or self.inp.request.debtor.kind
            if payload.against_unit:  # Art. 11 para 2: the unit that let the debtor consume, fined as a unit
                fined = payload.fined or PartyKind.ORGANISATION
                problem = unit_liability_problem(payload.against_unit, self._unit_agencies(), fined)
                if problem:
                    return problem
            today = (self.clock.now() if self.clock else workflow.now()).astimezone(CHINA_TZ).date()
            return violation_problem(payload.measure, payload.fine_fen, fined, today)
        return None

    def summary(self) -> dict[str, object]:
        return {
            "order_number": self.order_number,
            "items": [i.value for i in self.items],
            "dishonest_listed": self.listed,
            "units": [u.value for u in self.units],
            "exemptions": [
                e.model_dump(mode="json", include={"item", "valid_from", "valid_until"}) for e in self.exemptions
            ],
            "violations": [{"item": v.report.item.value, "decision": v.decision} for v in self.violations],
            "lifted": self.lifted.value if self.lifted else None,
        }

    async def report_end(self, status: str, result: ConsumptionRestrictionResult) -> None:
        await self.case.ended(status)

    def outcome(self, status: str) -> ConsumptionRestrictionResult:
        return ConsumptionRestrictionResult(
            status=status,
            order_number=self.order_number,
            items=self.items,
            lifted=self.lifted,
            exemptions=self.exemptions,
            violations=self.violations,
            notices=[t.result() for t in self.notices if t.done()],
        )
