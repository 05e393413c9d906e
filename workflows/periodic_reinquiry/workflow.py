"""Closure of the current procedure (终结本次执行程序, 终本) and its five-year watch.

The judge closes the procedure on the checklist of 终本规定 Art. 1 (more than three months since
filing among it); then, for five years, the debtor's property is inquired through the network system
every six months (Art. 9) — each inquiry is an ``AssetInquiry`` child in report-only mode, so the
partners, callbacks and deadlines are the asset inquiry's own. What can be enforced puts a 恢复执行
decision before the judge. The applicant may bring a specific lead at any time (Update
``submit-lead``): an inquiry runs at once, and the lead's legal check period (财产调查规定 Art. 2, 7 days
or 3 if urgent) is recorded.

Why a long-lived workflow with continue-as-new rather than a Temporal Schedule:
- the watch is one case with state between inquiries — leads waiting, a resumption decision pending,
  the timeline the judge and auditors read, the count towards the ten inquiries — and a Schedule's
  runs share nothing; the state would have to live outside Temporal, and so would the audit trail;
- the applicant's lead must reach the running watch (an Update with a validator that refuses a lead
  before closure or after the end, leaving no trace); a Schedule can only be triggered, not spoken to;
- the rhythm is legal time from the day of closure (six calendar months, month ends clamped), under the
  deployment's acceleration for tests and demos; a Schedule runs on wall-clock specs set from outside
  the workflow, and the web would have to create and delete one per case;
- a replay test covers it like every other scenario.
History stays small: each inquiry ends a run, and the next starts afresh (continue-as-new), carrying
the legal clock, the schedule, the pending leads and the timeline (ten rounds in five years).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, time, timedelta

from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from domain.actors import SYSTEM_ACTOR, Role
    from domain.assets import ASSET_KIND_TITLES, AssetKind
    from domain.closure import (
        ART_517,
        DATABASE_REMOVAL_BASIS,
        LEAD_CHECK,
        SIGNATURE_OR_APPROVAL_REQUIRED,
        URGENT_LEAD_CHECK,
        ClosureApproval,
        ClosureChecklist,
        ClosurePeriods,
        DatabaseCorrection,
        DatabaseRemoval,
        closure_problems,
        database_correction_problem,
        database_removal_problem,
        hits,
        lead_resumption_problem,
    )
    from domain.consumption_restriction import violation_problem
    from domain.documents import APPLICANT, DEBTOR, DocumentKind
    from domain.legal_time import CHINA_TZ, LegalClock, LegalDuration, calendar_end
    from runtime.temporal import scenario_search_attributes
    from workflows.foundation.base import ScenarioWorkflow
    from workflows.foundation.case_effects import CaseNotices, CaseReporter
    from workflows.foundation.case_link import CASE_NOTICE_SIGNAL, CaseNotice
    from workflows.foundation.child_matters import (
        ASSET_INQUIRY,
        ASSET_INQUIRY_TYPE,
        AssetInquiryInput,
        AssetInquiryRequest,
        AssetInquiryResult,
    )
    from workflows.foundation.clock import CaseClock, load_calendar
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.issuing import PRESIDENT_DECISIONS, PRESIDENT_SIGN, DocumentIssuer, PresidentSignature
    from workflows.foundation.models import DecisionInput, DecisionOutcome
    from workflows.foundation.timeline import acting_user, refuse, require_role
    from workflows.periodic_reinquiry.models import (
        APPLICANT_CONSENT_UPDATE,
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
        ClosureConsent,
        ConsentRecord,
        InquiryRound,
        Lead,
        LeadReceipt,
        ObstructionSanction,
        PeriodicReinquiryInput,
        PeriodicReinquiryResult,
        QueuedLead,
        ResumeEnforcement,
        WatchState,
    )
    from workflows.periodic_reinquiry.words import WORDS

DECISIONS = (
    DecisionSpec(CLOSE, payload=ClosureChecklist, reason_required=True),
    DecisionSpec(CONTINUE, reason_required=True),
    DecisionSpec(RESUME, payload=ResumeEnforcement),
    DecisionSpec(KEEP_CLOSED, reason_required=True),
    DecisionSpec(REGISTER_LEAD, payload=Lead),
    DecisionSpec(SANCTION, payload=ObstructionSanction, reason_required=True),
    DecisionSpec(REMOVE_FROM_DATABASE, payload=DatabaseRemoval, reason_required=True),
    DecisionSpec(CORRECT_DATABASE_ENTRY, payload=DatabaseCorrection, reason_required=True),
    *PRESIDENT_DECISIONS,
)
# Runs recorded before a lead the court verified resumed enforcement by itself (终本规定 Art. 9 para 1) went
# back to watching when the network found nothing on it.
LEAD_VERIFIED_PATCH = "closure-lead-verified"
# Runs recorded before the case's full performance ended the watch (终本规定 Art. 16) heard no case notice.
PERFORMED_PATCH = "closure-ends-on-full-performance"
# Histories recorded before the president signed the 终本裁定 on the desk and it was issued as a document.
DOCUMENTS_PATCH = "periodic-reinquiry-documents"
# Runs recorded before each inquiry's result was served on the applicant as a document (终本规定 Art. 9) only
# noted it on the timeline.
RESULT_NOTICE_PATCH = "closure-inquiry-result-notice"
# Runs recorded before the 终本裁定 was reported to the case (which closes as 终本 only on such a ruling) sent nothing.
RULING_REPORTED_PATCH = "closure-ruling-reported"
# A lead is taken while the case is closed and watched, not before closure nor after the watch ends.
TAKES_LEADS = frozenset({"closure_watch", "reinquiring", "awaiting_resumption", "awaiting_lead_verification"})


@workflow.defn(name="PeriodicReinquiry")
class PeriodicReinquiry(ScenarioWorkflow[PeriodicReinquiryResult]):
    scenario = NAME

    def __init__(self) -> None:
        super().__init__(DECISIONS, WORDS, "")  # the status is set (and indexed) as the run begins
        self.inp: PeriodicReinquiryInput | None = None
        self.watch: WatchState | None = None
        # How the watch ended in a resumption: the round that found assets, the new case, its inquiry.
        self.resumed_on: InquiryRound | None = None
        self.resumed_case_number: str | None = None
        self.control_inquiry: str | None = None
        self.lead_entered: Lead | None = None  # a lead the judge registered on the case page
        self.president = PresidentSignature(self.desk, self.timeline, self._set_status)
        self.case_notices = CaseNotices(self.timeline)
        self.database_removal: DatabaseRemoval | None = None  # the judge's Art. 16 withdrawal, once taken
        self.consent: ConsentRecord | None = None  # the applicant's latest word on the 终本 (Art. 517)

    @workflow.run
    async def run(self, inp: PeriodicReinquiryInput) -> PeriodicReinquiryResult:
        self.inp = inp
        await load_calendar(inp.context.calendar)
        if inp.watch is None:
            self.timeline.record("started", case=inp.request.case_number, filed_on=inp.request.filed_on.isoformat())
            self._set_status("awaiting_closure")
            decision = await self.desk.wait(CLOSE, CONTINUE)
            assert decision is not None
            if decision.decision == CONTINUE:
                return await self._close("enforcement_continued")
            checklist: ClosureChecklist = self.desk.payload(decision)
            # 民诉法解释 Art. 517 (DOMAIN §18.2): the applicant signed (the validator let the decision through only
            # on a signed consent), or the panel's ruling goes to the president to sign.
            signer = ""
            if checklist.approval is not ClosureApproval.APPLICANT_SIGNATURE:
                signed = await self.president.ask("执行裁定书（终结本次执行程序）", DOCUMENTS_PATCH)
                if signed is None:
                    self.timeline.record("closure_unsigned", reason="院长不予签发")
                    return await self._close("enforcement_continued")
                signer = signed
            self.watch = self._closed(checklist)
            await self._issue_ruling(checklist, decision.reason, signer)
        else:
            self.watch = inp.watch
            self.timeline.entries = list(inp.watch.timeline)
        return await self._watch(inp, self.watch)

    # --- steps --------------------------------------------------------------------------------------

    def _closed(self, checklist: ClosureChecklist) -> WatchState:
        """终本裁定: the watch starts on the day of closure, and legal time runs on from this run's clock."""
        assert self.inp is not None
        clock = LegalClock(epoch=workflow.info().start_time, scale=self.inp.context.time_scale)
        closed_at = clock.legal_now(workflow.now())
        watch = WatchState(
            clock=clock,
            closed_at=closed_at,
            ruling_number=checklist.ruling_number,
            ends_at=calendar_end(closed_at, self._periods().watch_period),
            next_due=_scheduled(closed_at, 1, self._periods()),
        )
        self.timeline.record(
            "procedure_closed",
            ruling_number=checklist.ruling_number,
            watch_ends_at=watch.ends_at.isoformat(),
            next_inquiry_at=watch.next_due.isoformat() if watch.next_due else None,
        )
        # Art. 12: into the 终本 database within 7 days of the ruling's service on the applicant — at once here,
        # the ruling being served as it issues.
        self.timeline.record(
            "closure_database_entered",
            due_at=calendar_end(closed_at, self._periods().database_entry).isoformat(),
            basis="终本规定 第十二条",
        )
        return watch

    async def _issue_ruling(self, checklist: ClosureChecklist, history: str, signer: str) -> None:
        """The 终本裁定: what was done, what is unpaid, the right to apply again; served on both sides."""
        assert self.inp is not None
        req = self.inp.request
        fields = {
            "debtor_name": req.debtor.name,
            "debtor_id": req.debtor.id_number,
            "filing_date": req.filed_on,
            "history": history,
            "unpaid_fen": req.outstanding_fen,
            "ruling_reference": checklist.ruling_number,
        }
        fields["approval"] = self._approval_words(checklist)
        self.timeline.record(
            "closure_approved",
            actor=SYSTEM_ACTOR,
            path=checklist.approval.value,
            signed_by=self._signed_by(signer),
            basis=ART_517,
        )
        if workflow.patched(RULING_REPORTED_PATCH):
            words = WORDS.enums[checklist.approval.value].zh
            await CaseReporter(req.case, NAME, self.timeline).closure_ruled(
                checklist.approval.value, f"{checklist.ruling_number}: {words}"
            )
        await DocumentIssuer(self.timeline, req.court, req.case_number, req.case).issue(
            "closure-ruling",
            DocumentKind.TERMINATION_RULING,
            fields,
            patch=DOCUMENTS_PATCH,
            president_name=signer,
            addressed_to=(APPLICANT, DEBTOR),
        )

    def _signed_by(self, signer: str) -> str | None:
        """Who signed, by user id (the document prints the president's name): the president, or the applicant."""
        if signer:
            return self.timeline.decided_by(PRESIDENT_SIGN)
        return self.consent.by if self.consent else None

    def _approval_words(self, checklist: ClosureChecklist) -> str:
        """What the 终本裁定 says of Art. 517's path: the applicant's signed confirmation and its day, or the panel
        and the president's approval (the president's name is printed beside the seal)."""
        if checklist.approval is ClosureApproval.APPLICANT_SIGNATURE and self.consent is not None:
            on = self.consent.at.astimezone(CHINA_TZ).date().isoformat()
            digest = self.consent.statement_sha256[:16]
            return f"申请执行人已于{on}在线签字确认同意终结本次执行程序（确认内容摘要 SHA-256 {digest}）。"
        return "本案经合议庭审查核实，报经院长批准。"

    # --- the applicant's signature (民诉法解释 Art. 517) ---------------------------------------------------

    @workflow.update(name=APPLICANT_CONSENT_UPDATE)
    def applicant_consents(self, consent: ClosureConsent) -> ConsentRecord:
        """The applicant's word on the 终本, from their case space: recorded who, when and why, the statement
        hashed beside it; the latest word counts (a consent withdrawn before the ruling is no consent)."""
        actor = acting_user()
        statement = consent.statement.strip()
        self.consent = ConsentRecord(
            by=actor.user_id,
            at=workflow.now(),
            agree=consent.agree,
            statement=statement,
            statement_sha256=hashlib.sha256(statement.encode()).hexdigest(),
        )
        self.timeline.record(
            "applicant_signed_closure" if consent.agree else "applicant_declined_closure",
            statement,
            statement_sha256=self.consent.statement_sha256,
            basis=ART_517,
        )
        return self.consent

    @applicant_consents.validator
    def _validate_consent(self, consent: ClosureConsent) -> None:
        require_role(Role.PARTY)  # the web let only the case's applicant (or an agent with special authority) through
        if self.status != "awaiting_closure":
            raise refuse(
                "WRONG_STATE",
                f"closure: 本案现不在待终本阶段, 无需确认 / not awaiting closure (status {self.status!r})",
            )

    def validate(self, decision: DecisionInput) -> None:
        super().validate(decision)
        if decision.decision != CLOSE:
            return
        approval = ClosureChecklist.model_validate(decision.payload).approval
        signed = self.consent is not None and self.consent.agree
        if approval is ClosureApproval.APPLICANT_SIGNATURE and not signed:
            raise refuse(
                SIGNATURE_OR_APPROVAL_REQUIRED,
                f"approval: {ART_517} — 申请执行人未签字确认终本, 须经合议庭审查核实并报院长批准 (approval=president) "
                "/ the applicant has not signed: the panel's ruling needs the president's approval",
            )

    async def _watch(self, inp: PeriodicReinquiryInput, w: WatchState) -> PeriodicReinquiryResult:
        clock = self._clock(w)
        while True:
            self._set_status("closure_watch")
            if self.case_notices.performed_at is not None and workflow.patched(PERFORMED_PATCH):
                return await self._performed(w)
            if self.database_removal is not None:  # a decision no recorded history holds: no marker needed
                return await self._withdrawn(w, self.database_removal)
            if not w.pending_leads and w.next_due is None:
                return await self._close("watch_ended")
            if not w.pending_leads and w.next_due is not None:
                await self._await_lead_or_due(w, clock, w.next_due)
            lead = w.pending_leads.pop(0) if w.pending_leads else None
            if lead is None and (w.next_due is None or clock.now() < w.next_due):
                continue
            found = await self._inquire(inp, w, clock, lead)
            periods = self._periods()
            if lead is None:
                w.scheduled_done += 1
                more = w.scheduled_done < periods.rounds
                w.next_due = _scheduled(w.closed_at, w.scheduled_done + 1, periods) if more else None
            # Art. 9 para 2: the result of each inquiry is told to the applicant.
            self.timeline.record("result_told_to_applicant", round=found.round, hits=len(found.hits))
            on_a_lead = lead is not None and not found.hits and workflow.patched(LEAD_VERIFIED_PATCH)
            await self._serve_result(w, found, on_a_lead)
            if found.hits or on_a_lead:
                # A hit, or a lead the network did not confirm: the court checks it (Art. 9 para 1).
                self._set_status("awaiting_resumption" if found.hits else "awaiting_lead_verification")
                decision = await self.desk.wait(RESUME, KEEP_CLOSED)
                assert decision is not None
                if decision.decision == RESUME:
                    resume: ResumeEnforcement = self.desk.payload(decision)
                    self.control_inquiry = await self._start_control(inp)
                    self.resumed_on, self.resumed_case_number = found, resume.resumed_case_number or None
                    return await self._close("resumed")
            # Each inquiry ends a run: five years of watching stay a few small histories. Leads that
            # arrive meanwhile are carried over; an Update still running finishes first.
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(
                inp.model_copy(update={"watch": w.model_copy(update={"timeline": self.timeline.entries})})
            )

    async def _serve_result(self, w: WatchState, found: InquiryRound, on_a_lead: bool) -> None:
        """Art. 9: the inquiry's result, served on the applicant as a 财产查询结果告知书 — in its case space
        beside the ruling. What was found is named by kind and count only (财产调查规定 Art. 8: query results
        serve the case; the accounts stay in the file)."""
        assert self.inp is not None
        req = self.inp.request
        if found.outcome == "failed":
            result = "本次查询未能完成, 本院将另行查询。"
        elif found.hits:
            kinds = Counter(str(h["kind"]) for h in found.hits)
            listed = "、".join(f"{ASSET_KIND_TITLES.get(AssetKind(k), k)} {n} 项" for k, n in kinds.items())
            result = f"发现可供执行的财产：{listed}。"
        else:
            result = f"未发现可供执行的财产（反馈财产信息 {found.assets} 项, 均不可供执行）。"
        if found.hits:
            next_step = "本院将依法决定是否恢复执行。"
        elif on_a_lead:
            next_step = "网络查询未能核实申请执行人提供的线索, 本院将进行核查。"
        elif w.next_due is not None:
            next_step = f"本院将于{w.next_due.astimezone(CHINA_TZ).date().isoformat()}前后再次查询。"
        else:
            next_step = "五年查询期间已届满。"
        fields = {
            "debtor_name": req.debtor.name,
            "closed_on": w.closed_at.astimezone(CHINA_TZ).date(),
            "ruling_reference": w.ruling_number,
            "inquired_on": found.at.astimezone(CHINA_TZ).date(),
            "inquiry_round": str(found.round),
            "trigger": "依申请执行人提供的线索" if found.trigger == "lead" else "定期查询",
            "result": result,
            "next_step": next_step,
        }
        await DocumentIssuer(self.timeline, req.court, req.case_number, req.case).issue(
            f"inquiry-result/{found.round}",
            DocumentKind.INQUIRY_RESULT_NOTICE,
            fields,
            patch=RESULT_NOTICE_PATCH,
            issued_on=self._clock(w).now().astimezone(CHINA_TZ).date(),
            addressed_to=(APPLICANT,),
        )

    async def _await_lead_or_due(self, w: WatchState, clock: CaseClock, due: datetime) -> None:
        """Until the next inquiry is due, the judge can register a lead on the case page (offered like a
        decision) or by the Update; either wakes the watch at once."""
        wait = clock.real_until(due)
        if wait <= timedelta(0):
            return  # overdue (an inquiry ran long): inquire now, no zero-length timer
        offered = self._offered_while_watching(w)
        self.desk.offer(*offered)
        try:
            await workflow.wait_condition(
                lambda: (
                    bool(w.pending_leads)
                    or self.lead_entered is not None
                    or self.case_notices.performed()
                    or self.database_removal is not None
                ),
                timeout=wait,
            )
        except TimeoutError:
            pass
        self.desk.withdraw(*offered)
        if self.lead_entered is not None:
            entered, self.lead_entered, self.desk.taken = self.lead_entered, None, None
            await self._register_lead(entered)

    @staticmethod
    def _offered_while_watching(w: WatchState) -> tuple[str, ...]:
        """A lead and a sanction (Art. 17) always; the database's withdrawal on an Art. 16 ground; a correction
        while the entry is there."""
        database = (CORRECT_DATABASE_ENTRY,) if w.database_entry == "entered" else ()
        return (REGISTER_LEAD, SANCTION, REMOVE_FROM_DATABASE, *database)

    async def _withdrawn(self, w: WatchState, removal: DatabaseRemoval) -> PeriodicReinquiryResult:
        """终本规定 Art. 16: the case leaves the 终本 database within 3 days of the ground (the ruling's or the
        bankruptcy's day, the settlement's performance) — and with it the watch ends: enforcement is over.
        Who decided, when and why is the decision's own record; this entry says what the law made of it."""
        arose = datetime.combine(removal.ground_arose_on, time(0), tzinfo=CHINA_TZ)
        self.timeline.record(
            "closure_database_removed",
            actor=SYSTEM_ACTOR,
            ground=removal.ground.value,
            document_ref=removal.document_ref,
            due_at=calendar_end(arose, self._periods().database_removal).isoformat(),
            on_time=self._clock(w).now() <= calendar_end(arose, self._periods().database_removal),
            basis=DATABASE_REMOVAL_BASIS[removal.ground],
        )
        w.database_entry = "deleted"
        return await self._close("withdrawn_from_database")

    async def _performed(self, w: WatchState) -> PeriodicReinquiryResult:
        """The case was performed in full (its balance reached nothing): the watch ends and the case leaves
        the 终本 database within 3 days (终本规定 Art. 16(一))."""
        assert self.case_notices.performed_at is not None
        performed = w.clock.legal_now(self.case_notices.performed_at)
        self.timeline.record(
            "closure_database_removed",
            due_at=calendar_end(performed, self._periods().database_removal).isoformat(),
            basis="终本规定 第十六条第(一)项",
        )
        return await self._close("performed")

    async def _inquire(
        self, inp: PeriodicReinquiryInput, w: WatchState, clock: CaseClock, lead: QueuedLead | None
    ) -> InquiryRound:
        """One network inquiry (网络查控) as an asset-inquiry child that only reports."""
        req = inp.request
        w.inquiries += 1
        self._set_status("reinquiring")
        child_id = f"{workflow.info().workflow_id}:inquiry:{w.inquiries}"
        trigger = "lead" if lead else "schedule"
        at = clock.now()
        try:
            result = await workflow.execute_child_workflow(
                ASSET_INQUIRY_TYPE,
                AssetInquiryInput(
                    request=AssetInquiryRequest(
                        case_number=req.case_number,
                        court=req.court,
                        debtor=req.debtor,
                        amount_owed_fen=req.outstanding_fen,
                        execution_costs_fen=0,  # nothing is frozen on a report
                    ),
                    context=inp.context.model_copy(update={"workflow_id": child_id}),
                    report_only=True,
                ),
                id=child_id,
                result_type=AssetInquiryResult,
                search_attributes=scenario_search_attributes(req.case_number, ASSET_INQUIRY, "reinquiring", req.court),
            )
        except ChildWorkflowError as exc:
            found = InquiryRound(
                round=w.inquiries,
                trigger=trigger,
                lead=lead.number if lead else None,
                at=at,
                inquiry_id=child_id,
                outcome="failed",
            )
            self.timeline.record("reinquiry_failed", reason=str(exc.cause or exc), round=w.inquiries, trigger=trigger)
        else:
            found = InquiryRound(
                round=w.inquiries,
                trigger=trigger,
                lead=lead.number if lead else None,
                at=at,
                inquiry_id=child_id,
                outcome="reported",
                assets=len(result.report),
                hits=hits(result.report),
                no_answer=result.no_answer,
            )
            self.timeline.record(
                "reinquiry_completed",
                round=found.round,
                trigger=trigger,
                at=at.isoformat(),
                lead=found.lead,
                assets=found.assets,
                hits=len(found.hits),
                no_answer=found.no_answer,
            )
        w.last = found
        w.rounds_with_hits += bool(found.hits)
        return found

    async def _start_control(self, inp: PeriodicReinquiryInput) -> str:
        """Resumed enforcement takes control of what was found: a full asset inquiry (the judge approves
        the freeze there, up to the outstanding amount plus the application fee, never beyond), which
        outlives this watch."""
        req = inp.request
        child_id = f"{workflow.info().workflow_id}:control"
        await workflow.start_child_workflow(
            ASSET_INQUIRY_TYPE,
            AssetInquiryInput(
                request=AssetInquiryRequest(
                    case_number=req.case_number,
                    court=req.court,
                    case=req.case,  # the resumed control is a matter of the case: it reports what it holds
                    debtor=req.debtor,
                    amount_owed_fen=req.outstanding_fen,
                    execution_costs_fen=inp.application_fee_fen,
                ),
                context=inp.context.model_copy(update={"workflow_id": child_id}),
            ),
            id=child_id,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            search_attributes=scenario_search_attributes(req.case_number, ASSET_INQUIRY, "running", req.court),
        )
        self.timeline.record("control_started", inquiry=child_id)
        return child_id

    @workflow.signal(name=CASE_NOTICE_SIGNAL)
    def on_case_notice(self, notice: CaseNotice) -> None:
        """The case's full performance ends the watch (Art. 16); other notices are recorded."""
        self.case_notices.take(notice)

    # --- the applicant's lead -----------------------------------------------------------------------

    @workflow.update(name=SUBMIT_LEAD_UPDATE)
    async def submit_lead(self, lead: Lead) -> LeadReceipt:
        return await self._register_lead(lead)

    async def _register_lead(self, lead: Lead) -> LeadReceipt:
        w = self.watch
        assert w is not None
        w.leads_received += 1
        number = w.leads_received
        due = await self._clock(w).deadline(URGENT_LEAD_CHECK if lead.urgent else LEAD_CHECK)
        w.pending_leads.append(QueuedLead(number=number, lead=lead, due_by=due.due_at, provisional=due.provisional))
        # The lead's text stays out of the timeline: it may name an account.
        self.timeline.record(
            "lead_received", lead=number, urgent=lead.urgent, due_by=due.due_at.isoformat(), provisional=due.provisional
        )
        return LeadReceipt(lead=number, due_by=due.due_at, provisional=due.provisional)

    @submit_lead.validator
    def _validate_lead(self, lead: Lead) -> None:
        require_role(Role.JUDGE)
        if self.watch is None or self.status not in TAKES_LEADS:
            raise refuse(
                "WRONG_STATE",
                f"lead: 终本后方可提交线索 / the case is not under the closure watch (status {self.status!r})",
            )

    # --- the judge's decisions ----------------------------------------------------------------------

    def take(self, decision: DecisionInput) -> DecisionOutcome:
        if decision.decision == REGISTER_LEAD:
            self.lead_entered = Lead.model_validate(decision.payload)
            # On the timeline like any decision, but without the lead's text: it may name an account.
            return self.desk.accept(decision.model_copy(update={"payload": {"urgent": self.lead_entered.urgent}}))
        if decision.decision == REMOVE_FROM_DATABASE:
            self.database_removal = DatabaseRemoval.model_validate(decision.payload)
            outcome = self.desk.accept(decision, action="closure_database_removal_decided")
            self.desk.taken = None  # the watch reads the removal from its own field
            return outcome
        if decision.decision == CORRECT_DATABASE_ENTRY:
            # Its own record (who, when, what was wrong, what replaces it); the watch goes on either way.
            correction = DatabaseCorrection.model_validate(decision.payload)
            deleted = correction.delete
            outcome = self.desk.accept(
                decision, action="closure_database_deleted" if deleted else "closure_database_corrected"
            )
            self.desk.taken = None
            if deleted and self.watch is not None:
                self.watch.database_entry = "deleted"
                self.desk.withdraw(CORRECT_DATABASE_ENTRY)
            return outcome
        if decision.decision == SANCTION:
            # Art. 17: recorded on the watch; the watch goes on (the decision wakes nothing).
            outcome = self.desk.accept(decision, action="sanctioned_after_closure")
            self.desk.taken = None
            return outcome
        return self.desk.accept(decision)

    def law_check(self, name: str, payload: object) -> str | None:
        assert self.inp is not None
        if isinstance(payload, ResumeEnforcement):
            on_network = self.status != "awaiting_lead_verification"
            return lead_resumption_problem(on_network, payload.lead_verified)
        if isinstance(payload, DatabaseRemoval):
            assert self.watch is not None
            today = self._clock(self.watch).now().astimezone(CHINA_TZ).date()
            closed_on = self.watch.closed_at.astimezone(CHINA_TZ).date()
            return database_removal_problem(payload.ground_arose_on, closed_on, today)
        if isinstance(payload, DatabaseCorrection):
            return database_correction_problem(payload)
        if isinstance(payload, ObstructionSanction):
            assert self.watch is not None
            fined = payload.fined or self.inp.request.debtor.kind
            today = self._clock(self.watch).now().astimezone(CHINA_TZ).date()
            return violation_problem(payload.measure, payload.fine_fen, fined, today)
        if name != CLOSE or not isinstance(payload, ClosureChecklist):
            return None
        # Legal today: this run's clock before closure (the first run), in China time.
        clock = LegalClock(epoch=workflow.info().start_time, scale=self.inp.context.time_scale)
        today = clock.legal_now(workflow.now()).astimezone(CHINA_TZ).date()
        problems = closure_problems(payload, self.inp.request.filed_on, today, self._periods())
        return "; ".join(problems) or None

    def _periods(self) -> ClosurePeriods:
        """The 终本 periods of this case: resolved at start, or the constants for runs recorded before."""
        assert self.inp is not None
        return self.inp.periods or ClosurePeriods()

    # --- status -------------------------------------------------------------------------------------

    def summary(self) -> dict[str, object]:
        assert self.inp is not None
        req, w = self.inp.request, self.watch
        summary: dict[str, object] = {
            "debtor": req.debtor.masked_id,
            "outstanding_fen": req.outstanding_fen,
            "filed_on": req.filed_on.isoformat(),
        }
        if w is not None:
            summary |= {
                "ruling_number": w.ruling_number,
                "closed_at": w.closed_at.isoformat(),
                "watch_ends_at": w.ends_at.isoformat(),
                "next_inquiry_at": w.next_due.isoformat() if w.next_due else None,
                "reinquiries": w.inquiries,
                "scheduled_done": w.scheduled_done,
                "pending_leads": len(w.pending_leads),
                "last_inquiry": w.last.model_dump(mode="json") if w.last else None,
            }
        return summary

    # --- helpers ------------------------------------------------------------------------------------

    def indexes(self, status: str) -> bool:
        # Indexed for the judges' lists, once per change; an inquiry's minutes are only in the query.
        return status != self.status and status != "reinquiring"

    def _clock(self, w: WatchState) -> CaseClock:
        """The watch's legal clock, carried from the run that closed the case (each run starts later)."""
        clock = CaseClock(w.clock.scale)
        clock.clock = w.clock
        return clock

    def outcome(self, status: str) -> PeriodicReinquiryResult:
        w = self.watch
        result = PeriodicReinquiryResult(
            status=status,
            closed_at=w.closed_at if w else None,
            ruling_number=w.ruling_number if w else None,
            inquiries=w.inquiries if w else 0,
            rounds_with_hits=w.rounds_with_hits if w else 0,
            resumed_on=self.resumed_on,
            resumed_case_number=self.resumed_case_number,
            control_inquiry=self.control_inquiry,
        )
        self.timeline.record(status, inquiries=result.inquiries)
        return result

    async def report_end(self, status: str, result: PeriodicReinquiryResult) -> None:
        assert self.inp is not None
        await CaseReporter(self.inp.request.case, NAME, self.timeline).ended(
            status, {"inquiries": result.inquiries, "hits": result.rounds_with_hits}
        )


def _scheduled(closed_at: datetime, k: int, periods: ClosurePeriods) -> datetime:
    """The k-th inquiry's day: k × six months after closure, counted from closure each time so month
    ends do not drift (Jan 31 → Jul 31, not Jul 30)."""
    interval = periods.reinquiry_interval
    return calendar_end(closed_at, LegalDuration(amount=k * interval.amount, unit=interval.unit))
