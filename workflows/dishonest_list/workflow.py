"""Dishonest-debtor list (失信被执行人名单, 失信规定 2017): the judge decides an entry on an Art. 1 ground —
an applicant's request within 15 days (Art. 5), never a minor (Art. 4), never ground (一) where Art. 3
bars it, re-entry as Art. 10 allows — with the term of Art. 2; the entry is published to the national
list (Art. 7) and notified to the credit and industry agencies (Art. 8); the debtor is restricted in
consumption too (限消规定 Art. 1). A correction request is decided within 15 days and a valid one
carried out within 3 working days (Art. 12); the entry is deleted within 3 working days once an Art. 10
ground occurs or the term ends, or revoked as wrong (Art. 9). Every deadline comes from the legal clock,
with its provisional flag."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from activities.dishonest_list import (
        CorrectEntryInput,
        DishonestListActivities,
        PublishEntryInput,
        RemoveEntryInput,
    )
    from domain.actors import SYSTEM_ACTOR
    from domain.calendar import Deadline
    from domain.consumption_restriction import RestrictionTrigger
    from domain.dishonest_list import (
        DishonestParam,
        EntryCorrection,
        EntryRemoval,
        ListEntry,
        RemovalGround,
        entry_problem,
        listing_term,
        reconsideration_problem,
        relisting_problem,
        removal_ground_problem,
        removal_period,
        removal_starts_on,
    )
    from domain.documents import DEBTOR, DocumentKind
    from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit, calendar_end
    from domain.tasks import DueRule, TaskSpec
    from runtime.temporal import scenario_search_attributes
    from workflows.dishonest_list.models import (
        ACCEPT_CORRECTION,
        DECLINE,
        ENTER,
        NAME,
        NOTICE_RECEIPT,
        RECONSIDERATION_RESULT,
        RECORD_RECONSIDERATION,
        REFUSE_CORRECTION,
        REGISTER_CORRECTION,
        REGISTER_RECONSIDERATION,
        REMOVE,
        CorrectionOutcome,
        CorrectionRequest,
        DeadlineView,
        DishonestListInput,
        DishonestListResult,
        EnterList,
        Reconsideration,
        ReconsiderationDecision,
        RemoveEntry,
    )
    from workflows.dishonest_list.words import WORDS
    from workflows.foundation import retries
    from workflows.foundation.base import ScenarioWorkflow
    from workflows.foundation.case_effects import CaseNotices, CaseReporter
    from workflows.foundation.case_link import CASE_NOTICE_SIGNAL, CaseNotice, EffectKind, RegisterKind
    from workflows.foundation.child_matters import (
        CONSUMPTION_RESTRICTION as RESTRICTION,
    )
    from workflows.foundation.child_matters import (
        CONSUMPTION_RESTRICTION_TYPE,
        DISHONEST_LIST_SIGNAL,
        ConsumptionRestrictionInput,
        ConsumptionRestrictionRequest,
        DishonestListChange,
    )
    from workflows.foundation.clock import CaseClock, load_calendar
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.issuing import PRESIDENT_DECISIONS, DocumentIssuer, PresidentSignature
    from workflows.foundation.models import DecisionInput
    from workflows.foundation.task_models import TaskOutcome
    from workflows.foundation.tasks import run_agency_task
    from workflows.foundation.words import RESTRICTED_ITEM_ENUMS

DECISIONS = (
    DecisionSpec(ENTER, payload=EnterList, reason_required=True),
    DecisionSpec(DECLINE, reason_required=True),
    DecisionSpec(REGISTER_CORRECTION, payload=CorrectionRequest),
    DecisionSpec(ACCEPT_CORRECTION, payload=CorrectionOutcome, reason_required=True),
    DecisionSpec(REFUSE_CORRECTION, reason_required=True),
    DecisionSpec(REMOVE, payload=RemoveEntry, reason_required=True),
    DecisionSpec(REGISTER_RECONSIDERATION, payload=Reconsideration),
    DecisionSpec(RECORD_RECONSIDERATION, payload=ReconsiderationDecision, reason_required=True),
    *PRESIDENT_DECISIONS,
)
# Histories recorded before the decision was signed by the president and issued as a 失信决定书 replay
# without either (DOMAIN §18.2: the president signs; 失信规定 Art. 5).
DOCUMENTS_PATCH = "dishonest-list-documents"
# Histories recorded before a reconsideration went to the higher court as its task had the executing court's
# judge record the higher court's decision (Art. 12).
RECONSIDERATION_TASK_PATCH = "dishonest-reconsideration-task"
# No instrument sets the agencies' answer period; five working days is our choice (DOMAIN.md [I]).
NOTICE_DUE = LegalDuration(amount=5, unit=TimeUnit.WORKING_DAY)
LIST_CALL = timedelta(seconds=30)
NOTICE_TITLES = {
    "entry-notice": "失信信息通报",
    "removal-notice": "删除失信信息通报",
    # Art. 8 paras 3–4: the debtor's unit (an official, a deputy) or superior body (a state organ, an SOE).
    "unit-notice": "失信情况通报 (失信规定 第八条第三、四款)",
    # The unit told of the entry is told of its end too: it must stop treating the debtor as listed.
    "unit-removal-notice": "删除失信信息通报 (失信规定 第八条第三、四款)",
}
RECONSIDERATION_TITLE = "失信纠正申请复议 (失信规定 第十二条): 请作出复议决定"
ENTRY_KEY = "entry"  # the entry in the case's register of measures


def _view(deadline: Deadline) -> DeadlineView:
    return DeadlineView(due_at=deadline.due_at.isoformat(), provisional=deadline.provisional)


@workflow.defn(name="DishonestList")
class DishonestList(ScenarioWorkflow[DishonestListResult]):
    scenario = NAME

    def __init__(self) -> None:
        super().__init__(DECISIONS, WORDS, "awaiting_entry_decision")
        self.inp: DishonestListInput | None = None
        self.clock: CaseClock | None = None
        self.facts: dict[str, Any] = {}  # what the case page shows beside the status
        self.entry: EnterList | None = None
        self.entry_id: str | None = None
        self.term_ends_at: datetime | None = None
        self.entered_at: datetime | None = None
        self.restriction_id: str | None = None
        self.notices: list[asyncio.Task[TaskOutcome]] = []
        self.case = CaseReporter(None, NAME, self.timeline)
        self.case_notices = CaseNotices(self.timeline)
        self.president = PresidentSignature(self.desk, self.timeline, self._set_status)
        self.documents: DocumentIssuer | None = None
        self.signer: str | None = None  # the president who signed the decision ("" before this was asked)
        # Art. 12: a refused correction may go to the higher court; the entry stays listed meanwhile.
        self.correction_refused_on: date | None = None
        self.reconsideration: Reconsideration | None = None
        self.reconsideration_due: Deadline | None = None
        # The higher court's task deciding it (None: its paper decision is recorded by the judge here).
        self.reconsideration_task: asyncio.Task[TaskOutcome] | None = None

    @workflow.run
    async def run(self, inp: DishonestListInput) -> DishonestListResult:
        self.inp, req = inp, inp.request
        self.clock = clock = CaseClock(inp.context.time_scale)
        self.case = CaseReporter(req.case, NAME, self.timeline)
        self.documents = DocumentIssuer(self.timeline, req.court, req.case_number, req.case)
        self.timeline.record(
            "entry_requested", applicant_requested=req.applicant_requested, debtor=req.debtor.masked_id
        )
        # Whom every decision here concerns, as the judge's page shows it (the summary is a query's answer,
        # encrypted like every payload; never a search attribute).
        self.facts["debtor"] = f"{req.debtor.name} ({req.debtor.masked_id})"
        await load_calendar(inp.context.calendar)
        decision = await self._entry_decision()
        if decision is None:
            # The case was performed in full before the judge decided: a debtor who performed is not listed.
            self.timeline.record(
                "entry_declined", reason="被执行人已履行全部义务 (失信规定 第一条)", actor=SYSTEM_ACTOR
            )
            return await self._close("entry_declined")
        if decision.decision == DECLINE:
            self.timeline.record("entry_declined", reason=decision.reason)
            return await self._close("entry_declined")
        self.entry = entry = self.desk.payload(decision)
        signer = self.signer = await self.president.ask("决定书（纳入失信被执行人名单）", DOCUMENTS_PATCH)
        if signer is None:
            self.timeline.record("entry_declined", reason="院长不予签发")
            return await self._close("entry_declined")
        term = listing_term(entry.ground, entry.extension_years, inp.params)
        entered_at = self.entered_at = clock.now()
        self.term_ends_at = calendar_end(entered_at, term) if term else None
        self.facts.update(
            ground=entry.ground.value, entered_at=entered_at.isoformat(), term_ends_at=self._iso(self.term_ends_at)
        )
        await self._issue_decision(entry, term, signer)

        self._set_status("publishing")
        if not await self._publish(entry, entered_at):
            return await self._close("publication_refused")
        await self.case.placed(
            ENTRY_KEY,
            RegisterKind.DISHONEST_LIST,
            f"失信决定 {entry.decision_number}",
            effective_from=entered_at.date(),
            expires_on=self.term_ends_at.date() if self.term_ends_at else None,
        )
        await self._restrict(entry)
        for agency in (req.credit_agency, req.industry_agency):
            self._notify("entry-notice", agency, f"{entry.decision_number}; 失信情形: {entry.ground.value}")
        if req.public_status is not None:  # a request field newer than every recorded history: no marker needed
            self._notify(
                "unit-notice", req.reported_to, f"{entry.decision_number}; 被执行人身份: {req.public_status.value}"
            )
        self._set_status("listed")

        ground, document_ref, occurred_at = await self._while_listed()
        removed = await self._remove(ground, document_ref, occurred_at)
        for agency in (req.credit_agency, req.industry_agency):
            self._notify("removal-notice", agency, f"{document_ref}; 删除事由: {ground.value}")
        if req.public_status is not None:  # newer than every recorded history, as at the entry: no marker
            self._notify("unit-removal-notice", req.reported_to, f"{document_ref}; 删除事由: {ground.value}")
        if self.reconsideration_task is not None:  # removed on another ground meanwhile: the task is cancelled
            await self.reconsideration_task
        await asyncio.gather(*self.notices)
        return await self._close(removed)

    # --- steps --------------------------------------------------------------------------------------

    async def _entry_decision(self) -> DecisionInput | None:
        """An applicant's request is decided within 15 days (Art. 5): past that date the delay is recorded
        (the judge still decides); the court acting ex officio has no such period."""
        assert self.inp is not None and self.clock is not None
        performed = self.case_notices.performed  # None then: the case was performed before the decision
        if not self.inp.request.applicant_requested:
            return await self.desk.wait(ENTER, DECLINE, until=performed)
        due = await self.clock.deadline(self.inp.params.duration(DishonestParam.REQUEST_DECIDED_WITHIN))
        self.facts["decide_by"] = _view(due).model_dump()
        decision = await self.desk.wait(ENTER, DECLINE, timeout=self.clock.real_until(due.due_at), until=performed)
        if decision is None and not performed():
            self.timeline.record("entry_decision_overdue", actor=SYSTEM_ACTOR, due_at=due.due_at.isoformat())
            decision = await self.desk.wait(ENTER, DECLINE, until=performed)
        return decision

    async def _issue_decision(self, entry: EnterList, term: LegalDuration | None, signer: str) -> None:
        """The 失信决定书, signed by the president, effective when made (Art. 5), served on the debtor."""
        assert self.inp is not None and self.documents is not None
        req = self.inp.request
        fields = {
            **self._debtor_fields(),
            "title_document": req.title_document,
            "ground": WORDS.enum_zh(entry.ground.value),
            "term": f"{term.amount}年" if term else "不定期（至履行完毕）",
            "decision_reference": entry.decision_number,
        }
        await self.documents.issue(
            "entry-decision",
            DocumentKind.DISHONEST_DECISION,
            fields,
            patch=DOCUMENTS_PATCH,
            president_name=signer,
            addressed_to=(DEBTOR,),
        )

    def _debtor_fields(self) -> dict[str, str]:
        assert self.inp is not None
        debtor = self.inp.request.debtor
        return {"debtor_name": debtor.name, "debtor_id": debtor.id_number}

    async def _publish(self, entry: EnterList, entered_at: datetime) -> bool:
        assert self.inp is not None
        req = self.inp.request
        record = ListEntry(
            case_number=req.case_number,
            court=req.court,
            debtor=req.debtor,
            legal_representative=req.legal_representative,
            title_document=req.title_document,
            title_issuer=req.title_issuer,
            obligation=req.obligation,
            performance=req.performance,
            ground=entry.ground,
            decision_number=entry.decision_number,
            filed_on=req.filed_on,
            entered_at=entered_at,
            term_ends_at=self.term_ends_at,
        )
        try:
            published = await workflow.execute_activity_method(
                DishonestListActivities.publish,
                PublishEntryInput(partner_id=req.list_partner, step="publish", entry=record),
                activity_id="publish",
                start_to_close_timeout=LIST_CALL,
                retry_policy=retries.PARTNER,
            )
        except ActivityError as exc:
            self.timeline.incident("publish", exc)
            self.timeline.record("publication_refused")
            return False
        self.entry_id = published.entry_id
        self.facts["entry_id"] = published.entry_id
        self.timeline.record("published", entry_id=published.entry_id, decision_number=entry.decision_number)
        return True

    async def _restrict(self, entry: EnterList) -> None:
        """A listed debtor must be restricted (限消规定 Art. 1): the case's order is told, or one is issued
        with the entry (its number signed with the decision). It outlives this entry: only full
        performance lifts it by itself."""
        assert self.inp is not None
        req = self.inp.request
        if req.restriction_workflow_id and await self._signal_order(req.restriction_workflow_id):
            self.restriction_id = req.restriction_workflow_id
        else:
            self.restriction_id = f"{workflow.info().workflow_id}:restriction"
            request = ConsumptionRestrictionRequest(
                case_number=req.case_number,
                court=req.court,
                debtor=req.debtor,
                trigger=RestrictionTrigger.DISHONEST_LISTED,
                applicant_requested=req.applicant_requested,
                order_number=entry.restriction_order_number,
                case=req.case,  # the order is the case's too: it reports to it and hears its notices
            )
            await workflow.start_child_workflow(
                CONSUMPTION_RESTRICTION_TYPE,
                ConsumptionRestrictionInput(
                    request=request, context=self.inp.context.model_copy(update={"workflow_id": self.restriction_id})
                ),
                id=self.restriction_id,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                search_attributes=scenario_search_attributes(req.case_number, RESTRICTION, "restricted", req.court),
            )
            self.timeline.record("restriction_started", workflow_id=self.restriction_id)
            await self._issue_restriction_order(request)
        self.facts["restriction"] = self.restriction_id

    async def _issue_restriction_order(self, request: ConsumptionRestrictionRequest) -> None:
        """The order issued with the entry is signed with it (限消规定 Art. 5): the same president's
        signature, one document of this matter, served on the debtor and the units that enforce it."""
        assert self.documents is not None
        if not self.signer:
            return  # a history from before the president signed here
        items = "\n".join(f"{n}. {RESTRICTED_ITEM_ENUMS[i.value].zh}" for n, i in enumerate(request.items, 1))
        fields = {**self._debtor_fields(), "items": items, "order_reference": request.order_number}
        units = (request.airlines, request.railways, request.hotels)
        await self.documents.issue(
            "restriction-order",
            DocumentKind.CONSUMPTION_ORDER,
            fields,
            patch=DOCUMENTS_PATCH,
            president_name=self.signer,
            addressed_to=(DEBTOR, *units),
        )

    async def _signal_order(self, workflow_id: str) -> bool:
        """Tells the case's existing order; False (and a new order is issued) if no such order runs."""
        assert self.inp is not None
        req = self.inp.request
        change = DishonestListChange(case_number=req.case_number, court=req.court, listed=True)
        try:
            await workflow.get_external_workflow_handle(workflow_id).signal(DISHONEST_LIST_SIGNAL, change)
        except FailureError as exc:
            self.timeline.record("restriction_signal_failed", workflow_id=workflow_id, error=exc.message)
            return False
        self.timeline.record("restriction_signalled", workflow_id=workflow_id)
        return True

    async def _while_listed(self) -> tuple[RemovalGround, str, datetime]:
        """Until a ground to remove the entry occurs: the judge's removal, the end of the term, or a
        correction request found to show a wrong entry."""
        assert self.clock is not None and self.entry is not None
        while True:
            if self.case_notices.performed_at is not None:
                # The case's balance reached zero: deleted ex officio within 3 working days (Art. 10(1)).
                self.timeline.record("removal_ground", actor=SYSTEM_ACTOR, ground=RemovalGround.FULL_PERFORMANCE.value)
                performed_at = self.clock.clock.legal_now(self.case_notices.performed_at)
                return RemovalGround.FULL_PERFORMANCE, f"{self.entry.decision_number}之删除", performed_at
            if self.term_ends_at is not None and self.clock.now() >= self.term_ends_at:
                # The clock acted, not the user who started the case.
                self.timeline.record("term_ended", actor=SYSTEM_ACTOR, term_ends_at=self.term_ends_at.isoformat())
                return RemovalGround.TERM_ENDED, f"{self.entry.decision_number}之期满删除", self.term_ends_at
            timeout = self.clock.real_until(self.term_ends_at) if self.term_ends_at else None
            decision = await self.desk.wait(*self._offered_while_listed(), timeout=timeout, until=self._woken)
            task = self.reconsideration_task
            if decision is None and task is not None and task.done():
                self.reconsideration_task = None
                revoked_by = await self._reconsideration_answered(task.result())
                if revoked_by is not None:
                    return RemovalGround.WRONG_ENTRY, revoked_by, self.clock.now()
                continue
            if decision is None:
                continue  # the term ran out, or the case was performed
            if decision.decision == REGISTER_RECONSIDERATION:
                await self._reconsideration_applied(self.desk.payload(decision))
                continue
            if decision.decision == RECORD_RECONSIDERATION:
                revoked_by = await self._reconsideration_decided(self.desk.payload(decision))
                if revoked_by is not None:
                    return RemovalGround.WRONG_ENTRY, revoked_by, self.clock.now()
                continue
            if decision.decision == REMOVE:
                removal: RemoveEntry = self.desk.payload(decision)
                self.timeline.record(
                    "removal_ground",
                    ground=removal.ground.value,
                    arose_on=removal.ground_arose_on.isoformat() if removal.ground_arose_on else None,
                )
                # The 3 working days run from the ground arising (Art. 10), not from the recording.
                arose = removal.ground_arose_on
                start = datetime.combine(arose, time(0), tzinfo=CHINA_TZ) if arose else self.clock.now()
                return removal.ground, removal.document_ref, start
            revoked = await self._review_correction(self.desk.payload(decision))
            if revoked is not None:
                return RemovalGround.WRONG_ENTRY, revoked, self.clock.now()
            self._set_status("listed")

    def _woken(self) -> bool:
        """The listed entry's wait ends early on the case's full performance or the higher court's answer."""
        task = self.reconsideration_task
        return self.case_notices.performed() or (task is not None and task.done())

    def _offered_while_listed(self) -> tuple[str, ...]:
        """A correction request and a removal always; after a refused correction, the debtor's application
        to the higher court (within 10 days, Art. 12), then that court's decision — on its own task, or
        recorded here from its paper where no higher court is configured (or for a recorded history)."""
        if self.reconsideration is not None and self.reconsideration_task is not None:
            return (REGISTER_CORRECTION, REMOVE)
        if self.reconsideration is not None:
            return (REGISTER_CORRECTION, REMOVE, RECORD_RECONSIDERATION)
        if self.correction_refused_on is not None:
            return (REGISTER_CORRECTION, REMOVE, REGISTER_RECONSIDERATION)
        return (REGISTER_CORRECTION, REMOVE)

    async def _reconsideration_applied(self, application: Reconsideration) -> None:
        """Art. 12: the higher court decides within 15 days; 复议期间, 不停止原决定的执行 — the entry stays."""
        assert self.inp is not None and self.clock is not None
        self.reconsideration = application
        start = datetime.combine(application.applied_on, time(0), tzinfo=CHINA_TZ)
        due = self.reconsideration_due = await self.clock.deadline(
            self.inp.params.duration(DishonestParam.RECONSIDERATION_DECIDED), start=start
        )
        self.facts["reconsideration_due"] = _view(due).model_dump()
        self.timeline.record(
            "reconsideration_applied",
            higher_court=application.higher_court,
            applied_on=application.applied_on.isoformat(),
            due_at=due.due_at.isoformat(),
        )
        agency = self.inp.higher_court_agency
        if agency and workflow.patched(RECONSIDERATION_TASK_PATCH):
            self.reconsideration_task = self._reconsideration_for(agency, application, due)

    def _reconsideration_for(
        self, agency: str, application: Reconsideration, due: Deadline
    ) -> asyncio.Task[TaskOutcome]:
        """The higher court's task: the application, the entry, and by when it decides (15 days, Art. 12)."""
        assert self.inp is not None and self.clock is not None and self.entry is not None
        spec = self._task_spec(
            "reconsideration",
            agency,
            RECONSIDERATION_TITLE,
            f"{self.entry.decision_number}; 申请复议日期 {application.applied_on.isoformat()}; "
            f"驳回纠正申请日期 {self.correction_refused_on}; 复议期间不停止原决定的执行",
            RECONSIDERATION_RESULT,
            self.inp.params.duration(DishonestParam.RECONSIDERATION_DECIDED),
        )
        moot = "失信信息已删除, 复议无需决定 / the entry is off the list"
        return asyncio.ensure_future(
            run_agency_task(
                "reconsideration",
                spec,
                self.clock.clock,
                self.timeline,
                cancel_when=lambda: moot if self.status == "removing" else None,
            )
        )

    async def _reconsideration_answered(self, outcome: TaskOutcome) -> str | None:
        """The higher court's task ended: its decision taken as the judge would record it; a task that ended
        without one (rejected, cancelled) leaves the decision to be recorded here from the court's paper."""
        if outcome.result is None:
            self.timeline.record("reconsideration_unanswered", outcome.reason, state=outcome.state.value)
            return None
        return await self._reconsideration_decided(ReconsiderationDecision.model_validate(outcome.result))

    async def _reconsideration_decided(self, decided: ReconsiderationDecision) -> str | None:
        """The higher court's decision: upheld (the entry stays), revoked (a wrong entry: its reference is
        returned), or corrected on the list within 3 working days."""
        assert self.clock is not None
        due = self.reconsideration_due
        self.timeline.record(
            "reconsideration_decided",
            outcome=decided.outcome,
            decision_ref=decided.decision_ref,
            on_time=due is None or self.clock.now() <= due.due_at,
        )
        self.reconsideration = self.reconsideration_due = self.correction_refused_on = None
        self.facts.pop("reconsideration_due", None)
        self.facts.pop("correction_refused_on", None)
        if decided.outcome == "revoked":
            return decided.decision_ref
        if decided.outcome == "corrected":
            await self._correct(decided.correction)
        return None

    async def _review_correction(self, request: CorrectionRequest) -> str | None:
        """Art. 12: decided within 15 days (overdue is recorded, the judge still decides); a valid request
        is carried out within 3 working days. Returns the revocation's reference if the entry was wrong."""
        assert self.inp is not None and self.clock is not None
        params = self.inp.params
        due = await self.clock.deadline(params.duration(DishonestParam.CORRECTION_REVIEW))
        self.facts["correction_due"] = _view(due).model_dump()
        self.timeline.record("correction_requested", wrong_entry=request.wrong_entry, due_at=due.due_at.isoformat())
        self._set_status("correction_review")
        decision = await self.desk.wait(ACCEPT_CORRECTION, REFUSE_CORRECTION, timeout=self.clock.real_until(due.due_at))
        if decision is None:
            self.timeline.record("correction_review_overdue", actor=SYSTEM_ACTOR, due_at=due.due_at.isoformat())
            decision = await self.desk.wait(ACCEPT_CORRECTION, REFUSE_CORRECTION)
            assert decision is not None
        if decision.decision == REFUSE_CORRECTION:
            self.timeline.record("correction_refused", reason=decision.reason)
            self.correction_refused_on = self.clock.now().astimezone(CHINA_TZ).date()
            self.facts["correction_refused_on"] = self.correction_refused_on.isoformat()
            return None
        outcome: CorrectionOutcome = self.desk.payload(decision)
        if outcome.revoke:
            return f"{self.entry.decision_number if self.entry else ''}之撤销"
        await self._correct(outcome.correction)
        return None

    async def _correct(self, correction: EntryCorrection) -> None:
        """A valid correction is carried out on the national list within 3 working days (Art. 12)."""
        assert self.inp is not None and self.clock is not None
        params = self.inp.params
        fix_due = await self.clock.deadline(params.duration(DishonestParam.CORRECTION_FIX))
        self.facts["correction_fix_due"] = _view(fix_due).model_dump()
        n = sum(1 for e in self.timeline.entries if e.action == "corrected") + 1
        assert self.entry_id is not None
        await workflow.execute_activity_method(
            DishonestListActivities.correct,
            CorrectEntryInput(
                partner_id=self.inp.request.list_partner,
                step=f"correct/{n}",
                entry_id=self.entry_id,
                correction=correction,
            ),
            activity_id=f"correct/{n}",
            start_to_close_timeout=LIST_CALL,
            retry_policy=retries.PARTNER,
        )
        self.timeline.record("corrected", due_at=fix_due.due_at.isoformat(), on_time=self.clock.now() <= fix_due.due_at)

    async def _remove(self, ground: RemovalGround, document_ref: str, occurred_at: datetime) -> str:
        """Within 3 working days of the ground (Arts. 9, 10); the order hears of it (full performance
        lifts it)."""
        assert self.inp is not None and self.clock is not None and self.entry_id is not None
        self._set_status("removing")
        due = await self.clock.deadline(removal_period(ground, self.inp.params), start=occurred_at)
        self.facts.update(removal_ground=ground.value, removal_due=_view(due).model_dump())
        await workflow.execute_activity_method(
            DishonestListActivities.remove,
            RemoveEntryInput(
                partner_id=self.inp.request.list_partner,
                step="remove",
                entry_id=self.entry_id,
                removal=EntryRemoval(ground=ground, document_ref=document_ref),
            ),
            activity_id="remove",
            start_to_close_timeout=LIST_CALL,
            retry_policy=retries.PARTNER,
        )
        on_time = self.clock.now() <= due.due_at  # the entry is off the list now; its document follows
        await self._issue_deletion(ground, document_ref)
        self.facts["removed_on_time"] = on_time
        revoked = ground is RemovalGround.WRONG_ENTRY
        self.timeline.record("revoked" if revoked else "removed", ground=ground.value, on_time=on_time)
        await self.case.measure_changed(
            EffectKind.MEASURE_RELEASED,
            "remove",
            ENTRY_KEY,
            RegisterKind.DISHONEST_LIST,
            effective_from=self.clock.now().date(),
            description=f"{document_ref}; 删除事由: {ground.value}",
        )
        if self.restriction_id is not None:
            req = self.inp.request
            change = DishonestListChange(
                case_number=req.case_number, court=req.court, listed=False, removal_ground=ground.value
            )
            await workflow.get_external_workflow_handle(self.restriction_id).signal(DISHONEST_LIST_SIGNAL, change)
        return "revoked" if revoked else "removed"

    async def _issue_deletion(self, ground: RemovalGround, document_ref: str) -> None:
        """The 删除失信信息决定书 (Art. 10), served on the debtor."""
        assert self.documents is not None and self.entered_at is not None and self.entry is not None
        fields = {
            **self._debtor_fields(),
            "entry_date": self.entered_at.astimezone(CHINA_TZ).date(),
            "entry_number": self.entry.decision_number,
            "reason": WORDS.enum_zh(ground.value),
            "removal_reference": document_ref,
        }
        await self.documents.issue(
            "removal", DocumentKind.DISHONEST_DELETION, fields, patch=DOCUMENTS_PATCH, addressed_to=(DEBTOR,)
        )

    def _notify(self, kind: str, agency: str, instructions: str) -> None:
        """Notices run beside the entry (Art. 8): the list does not wait for an agency to answer."""
        assert self.clock is not None
        spec = self._task_spec(kind, agency, NOTICE_TITLES[kind], instructions, NOTICE_RECEIPT, NOTICE_DUE)
        step = f"{kind}.{agency}"
        self.notices.append(asyncio.ensure_future(run_agency_task(step, spec, self.clock.clock, self.timeline)))

    def _task_spec(
        self, kind: str, agency: str, title: str, instructions: str, result_type: str, due: LegalDuration
    ) -> TaskSpec:
        """An agency's task about this entry: the debtor and the entry id in its context (encrypted)."""
        assert self.inp is not None
        req = self.inp.request
        return TaskSpec(
            task_type=f"{NAME}.{kind}",
            agency=agency,
            case_number=req.case_number,
            court=req.court,
            title=title,
            instructions=instructions,
            result_type=result_type,
            rule=DueRule(due=due),
            context={"name": req.debtor.name, "id_number": req.debtor.id_number, "entry_id": self.entry_id},
        )

    # --- messages -----------------------------------------------------------------------------------

    @workflow.signal(name=CASE_NOTICE_SIGNAL)
    def on_case_notice(self, notice: CaseNotice) -> None:
        """Full performance deletes a listed entry (``_while_listed``); other notices are recorded."""
        self.case_notices.take(notice)

    def law_check(self, name: str, payload: BaseModel) -> str | None:
        assert self.inp is not None
        today = (self.clock.now() if self.clock else workflow.now()).astimezone(CHINA_TZ).date()
        if isinstance(payload, RemoveEntry) and self.entered_at is not None:
            start = removal_starts_on(payload.ground_arose_on, self.entered_at.astimezone(CHINA_TZ).date(), today)
            if isinstance(start, str):
                return start
            return removal_ground_problem(payload.ground, has_term=self.term_ends_at is not None)
        if isinstance(payload, Reconsideration):
            assert self.correction_refused_on is not None  # offered only after a refusal
            if payload.applied_on > today:
                return "applied_on: 不得晚于今日 / not in the future"
            return reconsideration_problem(payload.applied_on, self.correction_refused_on, self.inp.params)
        if isinstance(payload, ReconsiderationDecision) and payload.outcome == "corrected":
            if not payload.correction.model_dump(exclude_defaults=True):
                return "correction: 复议决定更正的, 写明更正内容 / a correction states what is corrected"
        if name != ENTER or not isinstance(payload, EnterList):
            return None
        req, params = self.inp.request, self.inp.params
        return entry_problem(
            req.debtor,
            payload.ground,
            payload.extension_years,
            payload.bars,
            today,
            params,
            payload.extension_condition,
        ) or relisting_problem(req.previous_removal, req.applicant_requested, today, params)

    def summary(self) -> dict[str, Any]:
        return self.facts

    @staticmethod
    def _iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    async def report_end(self, status: str, result: DishonestListResult) -> None:
        await self.case.ended(status)

    def outcome(self, status: str) -> DishonestListResult:
        due = self.facts.get("removal_due")
        return DishonestListResult(
            status=status,
            entry_id=self.entry_id,
            ground=self.entry.ground if self.entry else None,
            term_ends_at=self._iso(self.term_ends_at),
            removal_ground=self.facts.get("removal_ground"),
            removal_due=DeadlineView.model_validate(due) if due else None,
            removed_on_time=self.facts.get("removed_on_time"),
            restriction_workflow_id=self.restriction_id,
            notices=[t.result() for t in self.notices if t.done()],
        )
