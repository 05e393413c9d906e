"""Asset inquiry and control (网络查控): ask every partner, report, let the judge decide, freeze up to
the claim and never beyond, seize registered assets if deposits fall short, deduct into the case account,
and hand each measure that stays in force to a term watcher that renews it before expiry."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.partners import (
        DeductInput,
        InquireAssetsInput,
        InquirePartnersInput,
        InquiryAttempt,
        MeasureInput,
        PartnerActivities,
        ReleaseMeasureInput,
        inquiry_activity_id,
    )
    from domain.actors import Role
    from domain.assets import AssetKind, FoundAsset, InquiryAnswer, InquiryOutcome, measure_description
    from domain.assistance import NoticeOnFile
    from domain.control import (
        ApproveControl,
        FreezeBudget,
        RejectControl,
        ReportedAsset,
        control_target,
        freezable_in_order,
        number_assets,
        seizable,
    )
    from domain.documents import APPLICANT, DEBTOR, RULING_FOR_ACT, AssistanceAct
    from domain.legal_time import LegalClock, calendar_before, calendar_end
    from domain.measures import MAX_TERM_BY_ASSET, Measure, MeasureKind, MeasureStatus, measure_key
    from domain.parties import mask
    from domain.partners import PartnerRef
    from runtime.temporal import scenario_search_attributes
    from security.identity import current_actor_or_none
    from workflows.asset_inquiry.measure_term import MeasureTermWatch
    from workflows.asset_inquiry.models import (
        ANSWER_IN_HAND_PATCH,
        APPLIED_PATCHES,
        APPROVE,
        CONTROL_RULING_PATCH,
        NAME,
        ONE_NOTICE_PATCH,
        PERFORMED_PATCH,
        REJECT,
        WORKFLOW_TYPE,
        MeasureTermInput,
        ReleaseDocuments,
    )
    from workflows.asset_inquiry.words import WORDS
    from workflows.foundation import retries
    from workflows.foundation.base import ScenarioWorkflow
    from workflows.foundation.case_effects import CaseNotices, CaseReporter
    from workflows.foundation.case_link import (
        CASE_NOTICE_SIGNAL,
        CaseNotice,
        EffectKind,
        RecoverySource,
        RegisterKind,
        SeizedUnit,
    )
    from workflows.foundation.child_matters import AssetInquiryInput, AssetInquiryResult
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.issuing import DocumentIssuer, IssuedRef
    from workflows.foundation.messages import PARTNER_ANSWER_SIGNAL, PARTNER_ANSWER_UPDATE
    from workflows.foundation.timeline import failure_code, refuse

# The search index holds the states a judge filters by; the seconds-long steps in between are visible
# in the status query, and indexing each would cost a visibility write per step.
INDEXED_STATUSES = frozenset({"awaiting_decision", "completed", "rejected", "performed"})
DECISIONS = (
    DecisionSpec(APPROVE, payload=ApproveControl),
    DecisionSpec(REJECT, payload=RejectControl, reason_required=True),
)
# The fast pass waits this long for any partner; slower ones are retried or awaited individually.
INQUIRY_PASS_SECONDS = 10.0


@workflow.defn(name=WORKFLOW_TYPE)
class AssetInquiry(ScenarioWorkflow[AssetInquiryResult]):
    scenario = NAME

    def __init__(self) -> None:
        super().__init__(DECISIONS, WORDS, "inquiring")
        self.answers: dict[str, InquiryAnswer] = {}
        self.callbacks: dict[str, InquiryAnswer] = {}
        self.report: list[ReportedAsset] = []
        self.measures: list[Measure] = []
        self.notices_on_file: dict[str, NoticeOnFile] = {}  # measure id → its 冻结、扣划 notice
        self.ruling: IssuedRef | None = None
        self.refusals: dict[str, str] = {}
        self.budget = FreezeBudget(target_fen=0)
        self.deducted_fen = 0
        self.watchers: list[str] = []
        self.inp: AssetInquiryInput | None = None
        self.case = CaseReporter(None, NAME, self.timeline)
        self.case_notices = CaseNotices(self.timeline)

    @workflow.run
    async def run(self, inp: AssetInquiryInput) -> AssetInquiryResult:
        # A run started at a patch level records no marker for the patches it knows (RunPatches says why).
        self.patches.applied = APPLIED_PATCHES.get(inp.patch_level, frozenset())
        # Decided first, where no local activity can move it (workflows/foundation/patches.py says why).
        ends_on_performance = self.patches.patched(PERFORMED_PATCH)
        self.inp = inp
        req = inp.request
        self.case = CaseReporter(req.case, NAME, self.timeline)
        self.budget = FreezeBudget(target_fen=control_target(req.amount_owed_fen, req.execution_costs_fen or 0))
        self.timeline.record("started", case=req.case_number, target_fen=self.budget.target_fen)

        await self._inquire_all(inp)
        if inp.report_only:
            # A periodic re-inquiry (终本) wants the report only; its own judge decides on it.
            return await self._close("reported")
        performed = self.case_notices.performed if ends_on_performance else None
        if performed is not None and performed():
            return await self._close("performed")
        self._set_status("awaiting_decision")
        decision = await self.desk.wait(APPROVE, REJECT, until=performed)
        if decision is None:
            # The debtor performed in full before the judge decided (DOMAIN §17.7): nothing is left to control,
            # and an inquiry left waiting would hold the case open.
            return await self._close("performed")
        self._set_status("decided")
        if decision.decision == REJECT:
            return await self._close("rejected")

        approval: ApproveControl = self.desk.payload(decision)
        selected = set(approval.selection) if approval.selection is not None else None
        self._set_status("freezing")
        self.ruling = await self._rule(inp, approval, selected)
        await self._freeze(inp, selected, deduct_too=approval.deduct and self.patches.known(ONE_NOTICE_PATCH))
        if self.budget.remaining_fen > 0:
            self._set_status("seizing")
            await self._seize(inp, selected)
        if approval.deduct:
            self._set_status("deducting")
            await self._deduct(inp)
        self.watchers = await self._watch_terms(inp)
        return await self._close("completed")

    # --- steps --------------------------------------------------------------------------------------

    async def _inquire_all(self, inp: AssetInquiryInput) -> None:
        """One pass asks every partner at once; partners that are down are retried on their own, and
        partners that answer later are awaited — each until its own deadline, none holding up the rest."""
        partners = inp.context.partners
        started = workflow.now()
        budget = min([INQUIRY_PASS_SECONDS, *(p.answer_deadline.total_seconds() for p in partners)])
        try:
            attempts = await workflow.execute_activity_method(
                PartnerActivities.inquire_partners,
                InquirePartnersInput(
                    partner_ids=[p.id for p in partners], subject=inp.request.debtor, budget_seconds=budget
                ),
                activity_id="inquire/all",
                start_to_close_timeout=timedelta(seconds=budget + 15),
                retry_policy=retries.FAN_OUT,
            )
        except ActivityError:
            attempts = [InquiryAttempt(partner_id=p.id, status="unavailable") for p in partners]
        by_partner = {a.partner_id: a for a in attempts}
        # A partner the pass answered for asks nothing more of the workflow; only one it left without an answer
        # gets a step of its own (a retry, a callback awaited), not a task for each of the twenty.
        for attempt in attempts:
            if attempt.answer is not None:
                self.answers[attempt.partner_id] = attempt.answer  # the status shows each partner once settled
        waiting = [p for p in partners if by_partner[p.id].answer is None]
        await asyncio.gather(*(self._settle(inp, p, by_partner[p.id], started + p.answer_deadline) for p in waiting))
        answers = [self.answers[p.id] for p in partners]
        self.answers = {a.partner_id: a for a in answers}
        self.report = number_assets(a.assets for a in answers)
        self.timeline.record(
            "inquiry_completed",
            answered=sum(a.outcome is InquiryOutcome.ANSWERED for a in answers),
            no_answer=[a.partner_id for a in answers if a.outcome is InquiryOutcome.NO_ANSWER],
            refused={a.partner_id: a.reason_code for a in answers if a.outcome is InquiryOutcome.REFUSED},
            assets=len(self.report),
        )

    async def _settle(
        self, inp: AssetInquiryInput, partner: PartnerRef, attempt: InquiryAttempt, deadline: datetime
    ) -> InquiryAnswer:
        answer = await self._obtain(inp, partner, attempt, deadline)
        self.answers[partner.id] = answer  # the status shows each partner as soon as it is settled
        return answer

    async def _obtain(
        self, inp: AssetInquiryInput, partner: PartnerRef, attempt: InquiryAttempt, deadline: datetime
    ) -> InquiryAnswer:
        in_hand = attempt.answer is None and partner.id in self.callbacks and workflow.now() >= deadline
        if in_hand and self.patches.patched(ANSWER_IN_HAND_PATCH):
            # The partner's answer came in time, but this pass over the partners returned only after the
            # deadline (its first attempt was lost with a killed worker): the answer is taken, not thrown
            # away for a deadline it met. Patched: such an answer used to be recorded as no answer.
            return self.callbacks[partner.id]
        if attempt.status == "unavailable" and workflow.now() < deadline:
            remaining = deadline - workflow.now()
            try:
                attempt = await workflow.execute_activity_method(
                    PartnerActivities.inquire_assets,
                    InquireAssetsInput(partner_id=partner.id, subject=inp.request.debtor),
                    activity_id=inquiry_activity_id(partner.id),
                    start_to_close_timeout=min(remaining, timedelta(seconds=30)),
                    schedule_to_close_timeout=remaining,
                    retry_policy=retries.INQUIRY,
                )
            except ActivityError:
                return _no_answer(partner, "UNAVAILABLE")
        if attempt.answer is not None:
            return attempt.answer
        if attempt.status == "accepted":
            try:
                await workflow.wait_condition(
                    lambda: partner.id in self.callbacks, timeout=max(deadline - workflow.now(), timedelta(0))
                )
            except TimeoutError:
                return _no_answer(partner, "DEADLINE_PASSED")
            return self.callbacks[partner.id]
        return _no_answer(partner, "UNAVAILABLE")

    @workflow.signal(name=CASE_NOTICE_SIGNAL)
    def on_case_notice(self, notice: CaseNotice) -> None:
        """The case performed in full: an inquiry not yet decided ends without control. Once the judge has
        decided, the measures taken are the case's to lift through their holders (the term watchers)."""
        self.case_notices.take(notice)

    @workflow.signal(name=PARTNER_ANSWER_SIGNAL)
    def on_partner_answer(self, answer: InquiryAnswer) -> None:
        """A partner that accepted our inquiry answers by callback (it may arrive before we saw the 202).

        Relayed by the web as a signal, signed as the partner (an unsigned or forged one never gets here,
        security/identity.py). A signal cannot be refused, so what the update's validator refused is dropped
        here instead, leaving the state untouched: a repeat, a late answer, another partner's."""
        problem = self._answer_problem(answer)
        if problem is not None:
            workflow.logger.info("partner answer dropped", extra={"partner": answer.partner_id, "code": problem[0]})
            return
        self.callbacks[answer.partner_id] = answer

    @workflow.update(name=PARTNER_ANSWER_UPDATE)
    async def partner_answer(self, answer: InquiryAnswer) -> str:
        """The relay before PARTNER_ANSWER_SIGNAL; kept so histories recorded with it replay."""
        self.callbacks[answer.partner_id] = answer
        return "recorded"

    @partner_answer.validator
    def _validate_partner_answer(self, answer: InquiryAnswer) -> None:
        problem = self._answer_problem(answer)
        if problem is not None:
            # Refused by the validator: a duplicate or a late answer leaves no trace in history.
            raise refuse(*problem)

    def _answer_problem(self, answer: InquiryAnswer) -> tuple[str, str] | None:
        """Why a partner's answer is not taken now (code, message), or None: only the partner asked,
        only once, and only while the inquiry still waits for it."""
        actor = current_actor_or_none()
        if actor is None or actor.role is not Role.AGENCY or actor.agency != answer.partner_id:
            return ("WRONG_AGENCY", "a partner answers only its own inquiries")
        if self.inp is None:
            return ("DUPLICATE_OR_LATE", "the inquiry has not started")
        expected = {p.id for p in self.inp.context.partners}
        settled = answer.partner_id in self.answers or answer.partner_id in self.callbacks
        if self.status != "inquiring" or answer.partner_id not in expected or settled:
            return ("DUPLICATE_OR_LATE", "this inquiry is already answered or past its deadline")
        return None

    async def _rule(
        self, inp: AssetInquiryInput, approval: ApproveControl, selected: set[int] | None
    ) -> IssuedRef | None:
        """The control ruling (执行裁定书) the approval makes: 冻结 the debtor's deposits up to the claim — 冻结、
        扣划 when the deduction is ordered with it (a levy ruling also freezes, 民诉法解释 Art. 484) — and, where
        the judge approved registered property too, its 查封 should the deposits fall short; or 查封 alone.
        Served on the applicant and the debtor; each notice cites its number, and its copy is served with each
        notice on the body asked to assist (DOMAIN §18.2), not on a holder never asked."""
        if not self.patches.known(CONTROL_RULING_PATCH):
            return None  # a run started before: its notices cite the step's reference
        funds, registered = freezable_in_order(self.report, selected), seizable(self.report, selected)
        if not funds and not registered:
            return None
        req = inp.request
        if funds:
            kind = RULING_FOR_ACT[AssistanceAct.FREEZE_AND_DEDUCT if approval.deduct else AssistanceAct.FREEZE]
            asset = f"在{self._holders(inp, funds)}的存款"
        else:
            kind, asset = RULING_FOR_ACT[AssistanceAct.SEIZE], f"在{self._holders(inp, registered)}登记的财产"
        further = ""
        if funds and registered:
            further = f"存款不足的，查封被执行人在{self._holders(inp, registered)}登记的相应价值的财产。"
        fields: dict[str, object] = {
            "debtor_name": req.debtor.name,
            "debtor_id": req.debtor.id_number,
            "asset": asset,
            "amount_fen": self.budget.target_fen,
            "title_document": req.title_document,
            "further": further,
        }
        if req.applicant is not None:
            fields["applicant_name"] = req.applicant.name
        issuer = DocumentIssuer(self.timeline, req.court, req.case_number, req.case, self.patches)
        return await issuer.issue(
            "control-ruling", kind, fields, patch=CONTROL_RULING_PATCH, addressed_to=[APPLICANT, DEBTOR]
        )

    async def _freeze(self, inp: AssetInquiryInput, selected: set[int] | None, deduct_too: bool) -> None:
        """``deduct_too``: the judge ordered the deduction with the freeze, and each notice orders both."""
        for item in freezable_in_order(self.report, selected):
            ask = self.budget.ask(item.asset.available_fen or 0)
            if ask == 0:
                break
            step = f"freeze/{item.index}"
            measure = await self._register(inp, item, MeasureKind.FREEZE, step, ask, deduct_too=deduct_too)
            if measure is None:
                continue
            if measure.amount_fen > ask:
                # A partner froze more than asked: the excess goes back at once, the rest stays frozen —
                # never more than the law allows (超标的, 查扣冻规定 Art. 19), never less than was asked.
                await self._release_excess(inp, measure, ask)
            self.budget.record(measure.amount_fen)
            await self._report_placed(inp, measure)

    async def _release_excess(self, inp: AssetInquiryInput, measure: Measure, asked: int) -> None:
        step = f"release/{measure.asset_index}"
        excess = measure.amount_fen - asked
        await workflow.execute_activity_method(
            PartnerActivities.release_measure,
            ReleaseMeasureInput(
                partner_id=measure.partner_id,
                step=step,
                measure_id=measure.measure_id,
                reason=f"partner froze {measure.amount_fen} fen where {asked} were asked",
                document_ref=self._document_ref(step),
                amount_fen=excess,
            ),
            activity_id=step,
            start_to_close_timeout=timedelta(seconds=inp.measure_timeout_seconds),
            retry_policy=retries.PARTNER,
        )
        measure.amount_fen = asked
        self.timeline.record(
            "over_freeze_released", step=step, partner=measure.partner_id, asked_fen=asked, released_fen=excess
        )

    async def _seize(self, inp: AssetInquiryInput, selected: set[int] | None) -> None:
        for item in seizable(self.report, selected):
            measure = await self._register(inp, item, MeasureKind.SEIZE, f"seize/{item.index}", None)
            if measure is not None:
                await self._report_placed(inp, measure)

    async def _report_placed(self, inp: AssetInquiryInput, m: Measure) -> None:
        """The case's register gets the measure, held from here on by its term watcher (``_watch_terms``)."""
        if not self.case.has_case:
            return  # nothing to describe it to (a standalone inquiry)
        await self.case.placed(
            measure_key(m),
            RegisterKind.FREEZE if m.kind is MeasureKind.FREEZE else RegisterKind.SEIZE,
            self._measure_description(inp, m),
            amount_fen=m.amount_fen if m.kind is MeasureKind.FREEZE else None,
            effective_from=m.registered_at.date(),
            expires_on=m.expires_at.date(),
            renewal_due_on=calendar_before(m.expires_at, inp.renewal_lead).date(),
            holder_workflow_id=self._watcher_id(m),
            partner_id=m.partner_id,
            partner_measure_id=m.measure_id,
            asset_kind=m.asset_kind.value,
            unit=self._seized_unit(m),
        )

    def _seized_unit(self, m: Measure) -> SeizedUnit | None:
        """A seized real-estate unit, structured for the case's register: its disposal is picked from there."""
        if m.kind is not MeasureKind.SEIZE or m.asset_kind is not AssetKind.REAL_ESTATE:
            return None
        found = self._found(m)
        return SeizedUnit(unit_number=found.reference, description=found.description)

    def _found(self, m: Measure) -> FoundAsset:
        return next(r.asset for r in self.report if r.index == m.asset_index)

    def _measure_description(self, inp: AssetInquiryInput, m: Measure) -> str:
        found = self._found(m)
        return measure_description(
            self._partner_name(inp, m.partner_id), m.asset_kind, mask(found.reference), found.description
        )

    async def _register(
        self,
        inp: AssetInquiryInput,
        item: ReportedAsset,
        kind: MeasureKind,
        step: str,
        amount: int | None,
        deduct_too: bool = False,
    ) -> Measure | None:
        clock = self._clock(inp)
        registered_at = clock.legal_now(workflow.now())
        expires_at = calendar_end(registered_at, MAX_TERM_BY_ASSET[item.asset.kind])
        try:
            answer = await workflow.execute_activity_method(
                PartnerActivities.register_measure,
                MeasureInput(
                    partner_id=item.asset.partner_id,
                    step=step,
                    kind=kind,
                    asset_reference=item.asset.reference,
                    amount_fen=amount,
                    expires_on=expires_at.date(),
                    court=inp.request.court,
                    case_number=inp.request.case_number,
                    document_ref=self._document_ref(step),
                    debtor=inp.request.debtor,
                    deduct_too=deduct_too,
                    ruling_id=self.ruling.document_id if self.ruling is not None else None,
                ),
                activity_id=step,
                start_to_close_timeout=timedelta(seconds=inp.measure_timeout_seconds),
                retry_policy=retries.PARTNER,
            )
        except ActivityError as exc:
            code = failure_code(exc)
            self.refusals[step] = code
            self.timeline.record("measure_refused", step=step, partner=item.asset.partner_id, code=code)
            return None
        measure = Measure(
            measure_id=answer.measure_id,
            partner_id=item.asset.partner_id,
            asset_index=item.index,
            asset_kind=item.asset.kind,
            kind=kind,
            amount_fen=answer.amount_fen,
            rank=answer.rank,
            registered_at=registered_at,
            expires_at=expires_at,
        )
        self.measures.append(measure)
        notice = answer.notice_on_file() if deduct_too else None
        if notice is not None:
            self.notices_on_file[measure.measure_id] = notice
        self.timeline.record(
            f"{kind.value}_registered",
            step=step,
            partner=measure.partner_id,
            amount_fen=measure.amount_fen,
            rank=measure.rank,
            expires_on=expires_at.date().isoformat(),
        )
        return measure

    async def _deduct(self, inp: AssetInquiryInput) -> None:
        for m in self.measures:
            if m.kind is not MeasureKind.FREEZE or m.amount_fen == 0:
                continue
            step = f"deduct/{m.asset_index}"
            try:
                answer = await workflow.execute_activity_method(
                    PartnerActivities.deduct_funds,
                    DeductInput(
                        partner_id=m.partner_id,
                        step=step,
                        measure_id=m.measure_id,
                        amount_fen=m.amount_fen,
                        to_account=self._case_account(inp),
                        case_number=inp.request.case_number,
                        document_ref=self._document_ref(step),
                        court=inp.request.court,
                        asset_reference=next(
                            (r.asset.reference for r in self.report if r.index == m.asset_index), None
                        ),
                        debtor=inp.request.debtor,
                        notice_on_file=self.notices_on_file.get(m.measure_id),
                        ruling_id=self.ruling.document_id if self.ruling is not None else None,
                    ),
                    activity_id=step,
                    start_to_close_timeout=timedelta(seconds=inp.measure_timeout_seconds),
                    retry_policy=retries.PARTNER,
                )
            except ActivityError as exc:
                code = failure_code(exc)
                self.refusals[step] = code
                self.timeline.record("deduction_refused", step=step, partner=m.partner_id, code=code)
                continue
            m.status = MeasureStatus.DEDUCTED
            self.deducted_fen += answer.amount_fen
            self.timeline.record("deducted", step=step, partner=m.partner_id, amount_fen=answer.amount_fen)
            await self.case.recovered(step, answer.amount_fen, RecoverySource.DEDUCTION, f"{m.partner_id} 扣划")
            # The frozen money left the account: the freeze holds nothing more.
            await self.case.measure_changed(
                EffectKind.MEASURE_RELEASED, step, measure_key(m), RegisterKind.FREEZE, description="扣划"
            )

    async def _watch_terms(self, inp: AssetInquiryInput) -> list[str]:
        """Measures still in force get a watcher that renews them before expiry (续行), outliving this run."""
        watchers: list[str] = []
        for m in self.measures:
            if m.status is not MeasureStatus.ACTIVE:
                continue
            child_id = self._watcher_id(m)
            await workflow.start_child_workflow(
                MeasureTermWatch.run,
                MeasureTermInput(
                    measure=m,
                    case_number=inp.request.case_number,
                    court=inp.request.court,
                    clock=self._clock(inp),
                    renewal_lead=inp.renewal_lead,
                    measure_timeout_seconds=inp.measure_timeout_seconds,
                    case=inp.request.case,
                    matter_workflow_id=workflow.info().workflow_id if inp.request.case else None,
                    release_documents=self._release_documents(inp, m),
                ),
                id=child_id,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                search_attributes=scenario_search_attributes(
                    inp.request.case_number, "measure-term", "watching", inp.request.court
                ),
            )
            watchers.append(child_id)
        if watchers:
            self.timeline.record("term_watch_started", watchers=watchers)
        return watchers

    # --- the judge's decision -------------------------------------------------------------------------

    def law_check(self, name: str, payload: object) -> str | None:
        if isinstance(payload, ApproveControl) and payload.selection is not None:
            unknown = sorted(set(payload.selection) - {r.index for r in self.report})
            if unknown:
                raise refuse("INVALID_SELECTION", f"payload.selection: names assets not in the report: {unknown}")
        return None

    # --- status -------------------------------------------------------------------------------------

    def summary(self) -> dict[str, object]:
        assert self.inp is not None
        return {
            "debtor": self.inp.request.debtor.masked_id,
            "target_fen": self.budget.target_fen,
            "frozen_fen": self.budget.frozen_fen,
            "deducted_fen": self.deducted_fen,
            "partners": {pid: a.outcome.value for pid, a in self.answers.items()},
            "report": [r.public_view() for r in self.report],
            "measures": [m.model_dump(mode="json", exclude={"measure_id"}) for m in self.measures],
            "refusals": self.refusals,
        }

    def indexes(self, status: str) -> bool:
        return status in INDEXED_STATUSES

    async def report_end(self, status: str, result: AssetInquiryResult) -> None:
        await self.case.ended(
            status,
            {
                "assets": len(self.report),
                "real_estate": sum(r.asset.kind is AssetKind.REAL_ESTATE for r in self.report),
                "frozen_fen": result.frozen_fen,
                "deducted_fen": result.deducted_fen,
                "shortfall_fen": result.shortfall_fen,
            },
        )

    def outcome(self, status: str) -> AssetInquiryResult:
        result = AssetInquiryResult(
            status=status,
            target_fen=self.budget.target_fen,
            frozen_fen=self.budget.frozen_fen,
            deducted_fen=self.deducted_fen,
            shortfall_fen=self.budget.remaining_fen,
            measures=self.measures,
            no_answer=[p for p, a in self.answers.items() if a.outcome is InquiryOutcome.NO_ANSWER],
            refusals=self.refusals,
            term_watchers=self.watchers,
            report=[r.public_view() for r in self.report] if status == "reported" else [],
        )
        self.timeline.record(status, frozen_fen=self.budget.frozen_fen, deducted_fen=self.deducted_fen)
        return result

    # --- helpers ------------------------------------------------------------------------------------

    def _release_documents(self, inp: AssetInquiryInput, m: Measure) -> ReleaseDocuments | None:
        """What the measure's 解除 ruling and notice will name: for runs that issued the control ruling."""
        if self.ruling is None:
            return None
        found, req = self._found(m), inp.request
        holder = self._partner_name(inp, m.partner_id)
        return ReleaseDocuments(
            debtor=req.debtor,
            applicant=req.applicant,
            title_document=req.title_document,
            asset_reference=found.reference,
            asset=f"{holder}{found.description}（{found.reference}）",
            ruling_number=self.ruling.number,
        )

    @staticmethod
    def _holders(inp: AssetInquiryInput, items: list[ReportedAsset]) -> str:
        """The assisting bodies holding ``items``, as a ruling names them: 中国工商银行、中国建设银行."""
        return "、".join(dict.fromkeys(AssetInquiry._partner_name(inp, r.asset.partner_id) for r in items))

    @staticmethod
    def _partner_name(inp: AssetInquiryInput, partner_id: str) -> str:
        """A partner as documents and the case's register name it (中国工商银行), else by its id."""
        return next((p.name for p in inp.context.partners if p.id == partner_id), partner_id)

    def _clock(self, inp: AssetInquiryInput) -> LegalClock:
        return LegalClock(epoch=workflow.info().start_time, scale=inp.context.time_scale)

    @staticmethod
    def _watcher_id(m: Measure) -> str:
        return f"{workflow.info().workflow_id}:term:{m.asset_index}"

    def _document_ref(self, step: str) -> str:
        """The ruling a step's notice cites: the control ruling's number; the step itself for a run started before."""
        return self.ruling.number if self.ruling is not None else f"{workflow.info().workflow_id}/{step}"

    def _case_account(self, inp: AssetInquiryInput) -> str:
        return inp.request.case_account or f"CASE-{inp.request.case_number}"


def _no_answer(partner: PartnerRef, code: str) -> InquiryAnswer:
    return InquiryAnswer(
        partner_id=partner.id,
        outcome=InquiryOutcome.NO_ANSWER,
        reason_code=code,
        reason=f"no answer within {partner.answer_deadline}",
    )
