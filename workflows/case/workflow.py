"""The enforcement case (执行案件) as an entity workflow: one per case, for the case's whole life.

It holds the parties and the title, the ledger, the register of measures across its matters, the term
(审限) and the list of its matters with its own timeline (each matter's timeline stays in the matter's
workflow). Matters report what they did by ``MATTER_EFFECT_SIGNAL`` (taken once per ``effect_id``); the
judge starts matters from it (``start-matter``: a child workflow the case does not take down with it),
asks for the term's extension (the president decides on the decision desk) and closes it (``close``,
refused while a matter is open or a measure is in force that the mode does not keep).

Full performance (the balance reaches zero) tells every open matter and every holder of a measure
(``CASE_NOTICE_SIGNAL`` FULL_PERFORMANCE, DOMAIN §17.7) and, once every measure is released and every
matter has ended, closes the case as 执行完毕. The case issues its own documents through the foundation
(``DocumentIssuer``, patch ``case-documents``): on filing the 执行通知书 and the 报告财产令 to each debtor, on
closing the 结案通知书 to each party; a failure is an incident on its timeline. The case continues as new,
carrying all its state, long before its history is large.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError, CancelledError, ChildWorkflowError, TerminatedError

from domain.actors import SYSTEM_ACTOR, Role
from domain.case_closing import CLOSING_RULES, ClosingMode, closing_problems
from domain.case_term import ExcludedPeriod, ExclusionGround, TermView, extension_problem, term
from domain.documents import APPLICANT, DEBTOR, DocumentKind, party_addressee
from domain.filing import notice_performance_period
from domain.ledger import LedgerView, Payout, Recovery, ledger_on
from domain.legal_time import CHINA_TZ
from domain.parties import Party
from domain.party_requests import REPLY, RULES, SANCTION, SETTLE, SETTLEMENT_MATTER, PartyRequestKind, may_file
from domain.report_sanctions import (
    BREACH_WORDS,
    RECONSIDERATION_DECIDED_WITHIN,
    RECONSIDERATION_WITHIN,
    REPORT_DEADLINE,
    SanctionKind,
    SanctionStatus,
    needs_president,
    reconsideration_problem,
    report_due,
)
from runtime.temporal import scenario_search_attributes
from security.identity import acting_as
from workflows.case.models import (
    ANSWER_PARTY_REQUEST_UPDATE,
    APPROVE_EXTENSION,
    CASE_STATUS_QUERY,
    CLOSE_UPDATE,
    EXCLUDE_PERIOD_UPDATE,
    FILE_PARTY_REQUEST_UPDATE,
    PARTY_CONSENT_UPDATE,
    PAYMENT_REFUNDED_UPDATE,
    PAYMENT_UPDATE,
    PUSH_NODE_UPDATE,
    REFUSE_EXTENSION,
    REPORT_SANCTION_UPDATE,
    REQUEST_EXTENSION_UPDATE,
    SANCTION_RECEIVED_UPDATE,
    SANCTION_RECONSIDERATION_UPDATE,
    SANCTION_RECONSIDERED_UPDATE,
    START_MATTER_UPDATE,
    CaseInput,
    CaseState,
    CaseView,
    CloseCase,
    ClosedCase,
    ExclusionRequest,
    ExtensionRequest,
    MatterRecord,
    OnlinePayment,
    PartyAnswer,
    PartyConsent,
    PartyFiling,
    PartyRequest,
    PaymentRefunded,
    PushedNode,
    ReconsiderationApplication,
    ReconsiderationDecided,
    ReportSanction,
    SanctionDocument,
    SanctionReceipt,
    SanctionReconsideration,
    StartMatter,
)
from workflows.case.words import WORDS
from workflows.foundation import retries
from workflows.foundation.case_effects import refused_unless_platform
from workflows.foundation.case_link import (
    CASE_NOTICE_SIGNAL,
    CASE_WORKFLOW,
    MATTER_EFFECT_SIGNAL,
    CaseNotice,
    CaseNoticeKind,
    CaseRef,
    EffectKind,
    MatterEffect,
    RegisteredMeasure,
)
from workflows.foundation.clock import CaseClock, load_calendar
from workflows.foundation.decisions import DecisionDesk, DecisionSpec
from workflows.foundation.issuing import (
    PRESIDENT_DECISIONS,
    PRESIDENT_REFUSE,
    PRESIDENT_SIGN,
    DocumentIssuer,
)
from workflows.foundation.messages import DECIDE_UPDATE
from workflows.foundation.models import DecisionInput, DecisionOutcome
from workflows.foundation.next_steps import next_steps
from workflows.foundation.status import publish_status
from workflows.foundation.timeline import Timeline, acting_user, refuse, require_role

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseActivities, CaseProjection

DECISIONS = (
    DecisionSpec(APPROVE_EXTENSION, reason_required=True, roles=(Role.APPROVER,)),
    DecisionSpec(REFUSE_EXTENSION, reason_required=True, roles=(Role.APPROVER,)),
    *PRESIDENT_DECISIONS,  # a fine or detention for a breach of the report order (CPL Art 119)
)
EFFECTS_FROM_SYSTEM_PATCH = "case-effects-from-system"
SETTLEMENT_PERFORMED_PATCH = "case-settlement-performed"
DOCUMENTS_PATCH = "case-documents"  # histories from before the case issued its own documents replay without them
ACCEPTANCE_PATCH = "case-acceptance-notice"  # histories from before the applicant was sent its 受理通知书
SANCTION_DOCUMENTS_PATCH = "case-sanction-documents"  # 罚款/拘留决定书, issued after the president approves
FILING_DOCUMENTS, CLOSING_DOCUMENTS = "filing", "closing"
SANCTION_DOCUMENT = "sanction:"  # + the sanction's id: its decision document is due
IN_FORCE = "in-force"
MIN_WAKE = timedelta(minutes=1)
RUNNING = "running"


@workflow.defn(name=CASE_WORKFLOW)
class EnforcementCase:
    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        # Restored here, not in run(): a matter's effect may arrive in a new run's first task.
        self.inp = inp
        self.filing = inp.filing
        self.state = inp.state or CaseState()
        self.timeline = Timeline()
        self.timeline.entries = self.state.timeline
        self.desk = DecisionDesk(DECISIONS, WORDS, self.timeline)
        if self.state.extension_requested:
            self.desk.offer(APPROVE_EXTENSION, REFUSE_EXTENSION)
        if self._awaiting_president():
            self.desk.offer(PRESIDENT_SIGN, PRESIDENT_REFUSE)
        self.seen = set(self.state.effects_seen)
        self.changed = True
        if inp.state is None:
            # Here, not in run(): a matter's effect may be handled in the first task, before run() begins.
            f = self.filing
            self.timeline.record(
                "filed",
                actor=None,
                case_number=f.case_number,
                judge=f.judge,
                late_application=f.application_period.late,
                warning=f.application_period.warning,
                execution_notice_due_on=f.execution_notice_due_on.isoformat(),
                resumes=f.resumes.case_number if f.resumes else None,
            )
            if inp.filing_documents:
                self.state.documents_due.append(FILING_DOCUMENTS)
        self.watchers: set[asyncio.Task[None]] = set()

    @workflow.run
    async def run(self, inp: CaseInput) -> dict[str, Any]:
        await load_calendar()
        while True:
            # Cleared before the work, not after: a change arriving while it awaits wakes the next round.
            self.changed = False
            if self.state.fully_performed_on is not None:
                await self._notify_full_performance()
                self._close_when_released()
            await self._project()
            await self._issue_due_documents()
            if self.state.closed is not None and self.state.closed.mode is not ClosingMode.CURRENT_PROCEDURE_ENDED:
                await workflow.wait_condition(workflow.all_handlers_finished)
                return self.state.closed.model_dump(mode="json")
            if self._history_large():
                await workflow.wait_condition(workflow.all_handlers_finished)
                self.timeline.record("continued", actor=SYSTEM_ACTOR, run=self.state.runs + 1)
                self.state.runs += 1
                self.state.effects_seen = sorted(self.seen)
                workflow.continue_as_new(inp.model_copy(update={"state": self.state}))
            try:
                await workflow.wait_condition(lambda: self.changed, timeout=self._until_next_legal_day())
            except TimeoutError:
                pass  # a new day: the term's colour may have moved

    # --- time --------------------------------------------------------------------------------------------

    def _legal_now(self) -> datetime:
        return self.inp.clock.legal_now(workflow.now()).astimezone(CHINA_TZ)

    def _today(self) -> date:
        return self._legal_now().date()

    def _until_next_legal_day(self) -> timedelta:
        midnight = datetime.combine(self._today() + timedelta(days=1), time(0), tzinfo=CHINA_TZ)
        # At least a minute of wall time: a compressed clock (tests, demos) must not wake the case every instant.
        return max(self.inp.clock.real_delay_until(midnight, workflow.now()), MIN_WAKE)

    def _history_large(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= self.inp.history_limit

    # --- what the case knows ----------------------------------------------------------------------------

    def ledger(self) -> LedgerView:
        return ledger_on(self.filing.claim, self.state.recoveries, self.state.payouts, self._today())

    def term(self) -> TermView:
        return term(self.filing.filed_on, self._today(), self.filing.params, self.state.excluded, self.state.extensions)

    def open_matters(self) -> list[str]:
        return [m.workflow_id for m in self.state.matters if m.status == RUNNING]

    def in_force(self) -> list[RegisteredMeasure]:
        return [m for m in self.state.measures.values() if m.state == IN_FORCE]

    def status(self) -> str:
        if self.state.closed is not None:
            return "closed"
        return "fully-performed" if self.state.fully_performed_on else "open"

    @workflow.query(name=CASE_STATUS_QUERY)
    def view(self) -> CaseView:
        view = self._view()
        if view.closed is None:
            view.next_steps = next_steps(view.facts(), self._today())
        return view

    def _view(self) -> CaseView:
        f = self.filing
        return CaseView(
            case_id=f.case_id,
            workflow_id=workflow.info().workflow_id,
            case_number=f.case_number,
            court=f.court,
            judge=f.judge,
            filed_on=f.filed_on,
            status=self.status(),
            applicants=f.applicants,
            debtors=f.debtors,
            title=f.title,
            application_period=f.application_period,
            execution_notice_due_on=f.execution_notice_due_on,
            notice_period=notice_performance_period(f.params),
            resumes=f.resumes,
            ledger=self.ledger(),
            measures=list(self.state.measures.values()),
            term=self.term(),
            matters=self.state.matters,
            timeline=self.timeline.entries,
            pending_decisions=self.desk.pending(),
            closed=self.state.closed,
            fully_performed_on=self.state.fully_performed_on,
            history_length=workflow.info().get_current_history_length(),
            runs=self.state.runs,
            party_requests=self.state.party_requests,
            pushed_nodes=self.state.pushed_nodes,
            report_sanctions=self.state.report_sanctions,
        )

    async def _project(self) -> None:
        """The web's register row follows the case (balance, term, colour, closing mode)."""
        ledger, view = self.ledger(), self.term()
        deadlines = [view.due_on] + [d for m in self.in_force() for d in (m.renewal_due_on, m.expires_on) if d]
        closed = self.state.closed
        await workflow.execute_activity_method(
            CaseActivities.project_case,
            CaseProjection(
                case_id=self.filing.case_id,
                version=workflow.info().get_current_history_length(),
                term_due_on=view.due_on,
                term_colour=view.colour.value,
                next_deadline=min(deadlines) if closed is None else None,
                owed_fen=ledger.owed_fen,
                recovered_fen=ledger.recovered_fen,
                balance_fen=ledger.balance_fen,
                closing_mode=closed.mode.value if closed else None,
                closed_on=closed.on if closed else None,
                extension_requested=self.state.extension_requested,
                sanction_awaiting=bool(self._awaiting_president()),
            ),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=retries.QUICK,
        )

    # --- effects from matters -----------------------------------------------------------------------------

    @workflow.signal(name=MATTER_EFFECT_SIGNAL)
    def take_effect(self, effect: MatterEffect) -> None:
        # Only the platform reports effects (matters sign them as the system, the attach migration too); a
        # user's signal claiming one is dropped and recorded.
        if refused_unless_platform(
            self.timeline,
            EFFECTS_FROM_SYSTEM_PATCH,
            "effect-refused",
            "只有系统可以报告事项的效果 / only the platform reports a matter's effects",
            effect_id=effect.effect_id,
            kind=effect.kind.value,
        ):
            return
        if effect.effect_id in self.seen:
            return
        self.seen.add(effect.effect_id)
        self.state.effects_seen.append(effect.effect_id)
        # On the case's legal timeline, like its "today" (the same day at real time; compressed in demos).
        on = self.inp.clock.legal_now(effect.occurred_at).astimezone(CHINA_TZ).date()
        self._matter(effect.matter_workflow_id, effect.scenario, effect.occurred_at)
        key = f"{effect.matter_workflow_id}:{effect.measure_key}"
        detail: dict[str, Any] = {"matter": effect.matter_workflow_id, "effect_id": effect.effect_id}
        match effect.kind:
            case EffectKind.MEASURE_PLACED if effect.measure_key and effect.register_kind:
                self.state.measures[key] = RegisteredMeasure(
                    **{
                        f: v
                        for f, v in effect.model_dump().items()
                        if f in RegisteredMeasure.model_fields
                        and f not in ("state", "effective_from")
                        and v is not None
                    },
                    effective_from=effect.effective_from or on,
                )
                detail.update(kind=effect.register_kind.value, amount_fen=effect.amount_fen)
            case EffectKind.MEASURE_RENEWED if key in self.state.measures:
                measure = self.state.measures[key]
                measure.expires_on = effect.expires_on or measure.expires_on
                measure.renewal_due_on = effect.renewal_due_on
                detail.update(expires_on=str(measure.expires_on))
            case EffectKind.MEASURE_RELEASED | EffectKind.MEASURE_LAPSED if key in self.state.measures:
                released = effect.kind is EffectKind.MEASURE_RELEASED
                self.state.measures[key].state = "released" if released else "lapsed"
            case EffectKind.MONEY_RECOVERED if effect.amount_fen:
                source = effect.source.value if effect.source else "voluntary"
                self.state.recoveries.append(
                    Recovery(effect_id=effect.effect_id, source=source, amount_fen=effect.amount_fen, on=on)
                )
                detail.update(amount_fen=effect.amount_fen, source=source)
            case EffectKind.MONEY_PAID_OUT if effect.amount_fen:
                self.state.payouts.append(Payout(effect_id=effect.effect_id, amount_fen=effect.amount_fen, on=on))
                detail.update(amount_fen=effect.amount_fen)
            case EffectKind.PERIOD_STARTED if effect.ground:
                self.state.excluded.append(
                    ExcludedPeriod(ground=effect.ground, start=on, matter_workflow_id=effect.matter_workflow_id)
                )
                detail.update(ground=effect.ground.value, start=on.isoformat())
            case EffectKind.PERIOD_ENDED if effect.ground:
                self._end_periods(effect.matter_workflow_id, on, effect.ground)
                detail.update(ground=effect.ground.value, end=on.isoformat())
            case EffectKind.MATTER_ENDED:
                self._ended(effect.matter_workflow_id, effect.status or "completed", effect.occurred_at, effect.result)
                self._end_periods(effect.matter_workflow_id, on)
            case EffectKind.CLOSURE_RULED:
                approval = str(effect.result.get("approval", ""))
                self.state.closure_rulings[effect.matter_workflow_id] = approval
                detail.update(approval=approval)
            case EffectKind.MATTER_ATTACHED:
                pass  # the matter is on the case now (``_matter`` above); what it did follows as effects
            case _:
                detail.update(ignored="no such measure, or nothing to record")
        self.timeline.record(effect.kind.value, reason=effect.description or None, **detail)
        self._check_full_performance()
        if self.state.fully_performed_on is None and self._settlement_performed(effect):
            # 执行和解协议履行完毕的, 作执行结案处理 (执行和解规定 Art. 8): the agreement, not the title's
            # balance, is what the debtor owed; the lifts and the closing follow as on full performance.
            self.state.fully_performed_on = self._today()
            self.timeline.record(
                "full-performance",
                reason="执行和解协议已履行完毕 (执行和解规定第八条)",
                actor=SYSTEM_ACTOR,
                recovered_fen=self.ledger().recovered_fen,
                settlement=effect.matter_workflow_id,
            )
        self.changed = True

    def _check_full_performance(self) -> None:
        if self.state.fully_performed_on is None and self.state.recoveries and self.ledger().balance_fen == 0:
            self.state.fully_performed_on = self._today()
            self.timeline.record("full-performance", actor=SYSTEM_ACTOR, recovered_fen=self.ledger().recovered_fen)

    def _settlement_performed(self, effect: MatterEffect) -> bool:
        performed = effect.kind is EffectKind.MATTER_ENDED and effect.result.get("settlement_performed") is True
        # Histories recorded before the rule took a performed settlement's end as any matter's end.
        return performed and workflow.patched(SETTLEMENT_PERFORMED_PATCH)

    def _end_periods(self, matter: str, on: date, ground: ExclusionGround | None = None) -> None:
        """Ends the matter's open periods (of ``ground``, or all of them when the matter ends)."""
        for p in self.state.excluded:
            if p.matter_workflow_id == matter and p.end is None and ground in (None, p.ground):
                p.end = max(on, p.start)

    def _matter(self, workflow_id: str, scenario: str, at: datetime, started_by: str = "") -> MatterRecord:
        for m in self.state.matters:
            if m.workflow_id == workflow_id:
                return m
        record = MatterRecord(scenario=scenario, workflow_id=workflow_id, started_at=at, started_by=started_by)
        self.state.matters.append(record)
        return record

    def _ended(
        self, workflow_id: str, status: str, at: datetime, result: dict[str, int | str | bool] | None = None
    ) -> None:
        for m in self.state.matters:
            if m.workflow_id == workflow_id:
                if m.status == RUNNING:
                    m.status, m.ended_at = status, at
                m.result = result or m.result

    # --- starting a matter -----------------------------------------------------------------------------

    def _require_judge_of_case(self) -> None:
        actor = require_role(Role.JUDGE)
        if not actor.in_court(self.filing.court):
            raise refuse("COURT_FORBIDDEN", "court: 只能办理本院的案件 / a case of another court")
        if self.state.closed is not None:
            raise refuse("CASE_CLOSED", f"案件已于 {self.state.closed.on} 以{self.state.closed.title}结案 / closed")

    @workflow.update(name=START_MATTER_UPDATE)
    async def start_matter(self, req: StartMatter) -> dict[str, str]:
        actor = acting_user()
        handle = await workflow.start_child_workflow(
            req.workflow_type,
            req.input,
            id=req.workflow_id,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            search_attributes=scenario_search_attributes(
                self.filing.case_number, req.scenario, RUNNING, self.filing.court, started_by=actor.user_id
            ),
        )
        self._matter(req.workflow_id, req.scenario, workflow.now(), actor.user_id)
        self.timeline.record("matter-started", scenario=req.scenario, matter=req.workflow_id)
        self.changed = True
        # Held so the task is not collected while it waits on the child.
        self.watchers.add(asyncio.create_task(self._watch(handle, req.workflow_id)))
        return {"workflow_id": req.workflow_id}

    @start_matter.validator
    def _validate_start(self, req: StartMatter) -> None:
        self._require_judge_of_case()
        if any(m.workflow_id == req.workflow_id for m in self.state.matters):
            raise refuse("MATTER_EXISTS", f"workflow_id: 事项 {req.workflow_id} 已在本案中 / already a matter")

    async def _watch(self, handle: workflow.ChildWorkflowHandle[Any, Any], workflow_id: str) -> None:
        """A matter started in this run ends here even if it never reports MATTER_ENDED itself."""
        try:
            await handle
            status = "completed"
        except ChildWorkflowError as exc:  # the matter's end, not the case's
            cause = exc.cause
            status = (
                "cancelled"
                if isinstance(cause, CancelledError)
                else "terminated"
                if isinstance(cause, TerminatedError)
                else "failed"
            )
        if workflow_id in self.open_matters():
            self._ended(workflow_id, status, workflow.now())
            self._end_periods(workflow_id, self._today())
            self.timeline.record("matter-ended", actor=SYSTEM_ACTOR, matter=workflow_id, status=status)
            self.changed = True

    # --- full performance and closing --------------------------------------------------------------------

    async def _notify_full_performance(self) -> None:
        targets = [*self.open_matters(), *(m.holder_workflow_id or m.matter_workflow_id for m in self.in_force())]
        for target in dict.fromkeys(targets):
            if target in self.state.notices_sent:
                continue
            self.state.notices_sent.append(target)
            notice = CaseNotice(
                notice_id=f"{workflow.info().workflow_id}:full-performance:{target}",
                kind=CaseNoticeKind.FULL_PERFORMANCE,
                at=workflow.now(),
                reason="本案已全部履行完毕, 依职权解除强制措施 (DOMAIN §17.7)",
            )
            try:
                # As the system, whoever's request woke the case: a matter lifts what it holds on the platform's word.
                with acting_as(SYSTEM_ACTOR):
                    await workflow.get_external_workflow_handle(target).signal(CASE_NOTICE_SIGNAL, notice)
                self.timeline.record("notice-sent", actor=SYSTEM_ACTOR, matter=target, notice=notice.kind.value)
            except ApplicationError as exc:
                self.timeline.record("notice-failed", reason=exc.message, actor=SYSTEM_ACTOR, matter=target)

    def _close_when_released(self) -> None:
        if self.state.closed is None and not self.in_force() and not self.open_matters():
            self._close(
                CloseCase(
                    mode=ClosingMode.COMPLETED,
                    checklist={"performance_confirmed": True},
                    reason="全部履行完毕, 强制措施均已解除, 依职权以执行完毕结案",
                ),
                by=SYSTEM_ACTOR.user_id,
            )

    def _close(self, req: CloseCase, by: str) -> ClosedCase:
        rule = CLOSING_RULES[req.mode]
        closed = ClosedCase(
            mode=req.mode,
            title=rule.title,
            on=self._today(),
            at=workflow.now(),
            by=by,
            reason=req.reason,
            document=rule.document,
            checklist=req.checklist,
        )
        self.state.closed = closed
        self.state.documents_due.append(CLOSING_DOCUMENTS)
        publish_status("closed")
        actor = SYSTEM_ACTOR if by == SYSTEM_ACTOR.user_id else None
        self.timeline.record("closed", reason=req.reason, actor=actor, mode=req.mode.value, document=rule.document)
        self.changed = True
        return closed

    @workflow.update(name=CLOSE_UPDATE)
    def close(self, req: CloseCase) -> ClosedCase:
        return self._close(req, by=acting_user().user_id)

    @close.validator
    def _validate_close(self, req: CloseCase) -> None:
        self._require_judge_of_case()
        # Under 终本 the closure matter watches on (five years of inquiries): it is not an open matter once ruled.
        ruled = self.state.closure_rulings if req.mode is ClosingMode.CURRENT_PROCEDURE_ENDED else {}
        problems = closing_problems(
            req.mode,
            req.checklist,
            open_matters=[m for m in self.open_matters() if m not in ruled],
            closure_ruled=bool(self.state.closure_rulings),
            in_force=[(m.register_kind.value, m.description) for m in self.in_force()],
            balance_fen=self.ledger().balance_fen,
            filed_on=self.filing.filed_on,
            today=self._today(),
        )
        if problems:
            raise refuse(problems[0].code, "; ".join(f"{p.field}: {p.message}" for p in problems))

    # --- the case's own documents (执行通知书, 报告财产令, 结案通知书) ----------------------------------------------

    async def _issue_due_documents(self) -> None:
        """Each due set once: taken off the list before it is issued, so a change arriving meanwhile (or a
        continue-as-new) never issues it twice; a document that fails is an incident, and the case goes on."""
        while self.state.documents_due:
            due = self.state.documents_due.pop(0)
            if due == FILING_DOCUMENTS:
                await self._issue_filing_documents()
            elif due == CLOSING_DOCUMENTS:
                await self._issue_closing_notices()
            elif due.startswith(SANCTION_DOCUMENT):
                await self._issue_sanction_decision(due.removeprefix(SANCTION_DOCUMENT))

    def _issuer(self) -> DocumentIssuer:
        f = self.filing
        case = CaseRef(case_id=f.case_id, workflow_id=workflow.info().workflow_id, case_number=f.case_number)
        return DocumentIssuer(self.timeline, f.court, f.case_number, case)

    def _names(self, parties: list[Party]) -> str:
        return "、".join(p.name for p in parties)

    async def _issue_filing_documents(self) -> None:
        """On filing, to each applicant the 受理通知书 (执行流程公开意见 Art. 2); to each debtor the 执行通知书 with its
        performance period and, with it, the 报告财产令 with its own (财产调查规定 Art. 3; DOMAIN §17.4)."""
        f, issuer = self.filing, self._issuer()
        title = f"{f.title.issuer}{f.title.document_number}"
        for n, applicant in enumerate(f.applicants, 1):
            acceptance = {
                "applicant_name": applicant.name,
                "debtor_name": self._names(f.debtors),
                "cause": title,
                "filing_date": f.filed_on,
                "judge": f.judge,
                "claim_fen": f.claim.principal_fen + f.claim.interest_fen,
            }
            await issuer.issue(
                f"filing/acceptance-notice/{n}",
                DocumentKind.ACCEPTANCE_NOTICE,
                acceptance,
                patch=ACCEPTANCE_PATCH,
                issued_on=self._today(),
                addressed_to=(party_addressee(APPLICANT, n),),
            )
        for n, debtor in enumerate(f.debtors, 1):
            common = {
                "applicant_name": self._names(f.applicants),
                "debtor_name": debtor.name,
                "debtor_id": debtor.id_number,
                "title_document": title,
            }
            notice = common | {
                "filing_date": f.filed_on,
                "period_days": notice_performance_period(f.params).days,
                "obligation": "向申请执行人支付执行依据确定的款项",
                "claim_fen": f.claim.principal_fen + f.claim.interest_fen,
            }
            order = common | {"report_days": REPORT_DEADLINE.amount}
            for step, kind, fields in (
                (f"filing/execution-notice/{n}", DocumentKind.EXECUTION_NOTICE, notice),
                (f"filing/asset-report-order/{n}", DocumentKind.ASSET_REPORT_ORDER, order),
            ):
                await issuer.issue(
                    step,
                    kind,
                    fields,
                    patch=DOCUMENTS_PATCH,
                    issued_on=self._today(),
                    addressed_to=(party_addressee(DEBTOR, n),),  # his own notice: not the other debtors'
                )

    async def _issue_closing_notices(self) -> None:
        """On closing, a 结案通知书 to each applicant and each debtor (DOMAIN §17.6)."""
        f, closed, issuer = self.filing, self.state.closed, self._issuer()
        assert closed is not None
        fields = {
            "applicant_name": self._names(f.applicants),
            "debtor_name": self._names(f.debtors),
            "outcome": closed.reason,
            "paid_fen": self.ledger().recovered_fen,
            "closed_on": closed.on,
            "closing_mode": closed.title,
        }
        for side, parties in ((APPLICANT, f.applicants), (DEBTOR, f.debtors)):
            for n, party in enumerate(parties, 1):
                await issuer.issue(
                    f"closing/notice/{side}/{n}",
                    DocumentKind.CLOSING_NOTICE,
                    fields | {"recipient": party.name},
                    patch=DOCUMENTS_PATCH,
                    issued_on=closed.on,
                    addressed_to=(party_addressee(side, n),),
                )

    # --- the term: periods not counted, the extension -------------------------------------------------------

    @workflow.update(name=EXCLUDE_PERIOD_UPDATE)
    def exclude_period(self, req: ExclusionRequest) -> TermView:
        self.state.excluded.append(ExcludedPeriod(ground=req.ground, start=req.start, end=req.end))
        self.timeline.record(
            "term-period-excluded",
            reason=req.reason,
            ground=req.ground.value,
            start=req.start.isoformat(),
            end=req.end.isoformat(),
        )
        self.changed = True
        return self.term()

    @exclude_period.validator
    def _validate_exclusion(self, req: ExclusionRequest) -> None:
        self._require_judge_of_case()
        if req.start < self.filing.filed_on or req.end > self._today():
            raise refuse(
                "INVALID_PERIOD",
                f"start: 不计入审限的期间应在立案 ({self.filing.filed_on}) 之后、今天之前 / within the case so far",
            )
        for p in self.state.excluded:
            if p.start <= req.end and req.start <= (p.end or self._today()):
                raise refuse(
                    "PERIOD_OVERLAPS", f"start: 与已记录的期间 {p.start}–{p.end} 重叠 / overlaps a recorded period"
                )

    @workflow.update(name=REQUEST_EXTENSION_UPDATE)
    def request_extension(self, req: ExtensionRequest) -> dict[str, str]:
        self.state.extension_requested = True
        self.desk.offer(APPROVE_EXTENSION, REFUSE_EXTENSION)
        self.timeline.record("term-extension-requested", reason=req.reason, due_on=self.term().due_on.isoformat())
        self.changed = True
        return {"pending": APPROVE_EXTENSION}

    @request_extension.validator
    def _validate_request_extension(self, req: ExtensionRequest) -> None:
        self._require_judge_of_case()
        if self.state.extension_requested:
            raise refuse("EXTENSION_PENDING", "延长审限的申请已在院长审批中 / an extension is already pending")
        problem = extension_problem(self.term(), self._today(), self.filing.params)
        if problem:
            raise refuse("EXTENSION_REFUSED", problem)

    @workflow.update(name=DECIDE_UPDATE)
    def decide(self, decision: DecisionInput) -> DecisionOutcome:
        if decision.decision in (PRESIDENT_SIGN, PRESIDENT_REFUSE):
            return self._president_decides(decision)
        approved = decision.decision == APPROVE_EXTENSION
        if approved:
            self.state.extensions += 1
        outcome = self.desk.accept(
            decision, action="term-extended" if approved else "term-extension-refused", due_on=str(self.term().due_on)
        )
        self.desk.taken = None
        self.desk.withdraw(APPROVE_EXTENSION, REFUSE_EXTENSION)
        self.state.extension_requested = False
        self.changed = True
        return outcome

    @decide.validator
    def _validate_decide(self, decision: DecisionInput) -> None:
        self.desk.validate(decision, law=self._extension_law)
        if not acting_user().in_court(self.filing.court):
            raise refuse("COURT_FORBIDDEN", "court: 只能审批本院的案件 / a case of another court")

    def _extension_law(self, name: str, _payload: object) -> str | None:
        if name == APPROVE_EXTENSION and self._today() > self.term().due_on:
            return f"审限已于 {self.term().due_on} 届满, 应在届满前决定 (审限规定第十四条)"
        return None

    # --- the parties' requests (当事人在线申请与留言, DOMAIN §19) -----------------------------------------------

    @workflow.update(name=FILE_PARTY_REQUEST_UPDATE)
    def file_party_request(self, req: PartyFiling) -> PartyRequest:
        """A party's message or request, on record; it changes nothing by itself and waits for the judge."""
        request = PartyRequest(**req.model_dump(), by=acting_user().user_id, filed_at=workflow.now())
        if req.kind is PartyRequestKind.PROPERTY_REPORT:
            # Late by the case's own today (legal time): after the report order's period (报告财产令).
            request.late = self._today() > report_due(self.filing.execution_notice_due_on)
        elif req.kind is PartyRequestKind.PROPERTY_SUPPLEMENT and req.report_due_on is not None:
            # Late like the report: after the 10 days from the earliest change it reports (Art 7).
            request.late = self._today() > req.report_due_on
        self.state.party_requests.append(request)
        due = req.answer_due_on.isoformat() if req.answer_due_on else None
        self.timeline.record(
            "party-filed", kind=req.kind.value, request=req.request_id, side=req.side.value, answer_due_on=due
        )
        self.changed = True
        return request

    @file_party_request.validator
    def _validate_party_filing(self, req: PartyFiling) -> None:
        require_role(Role.PARTY)
        rule = RULES[req.kind]
        if req.side not in rule.filers:
            raise refuse("NOT_THE_FILER", f"kind: {rule.title}不由这一方当事人提出 / not filed by this side")
        closed = self.state.closed
        breached = req.settlement_workflow_id is not None and any(
            m.workflow_id == req.settlement_workflow_id and m.scenario == SETTLEMENT_MATTER and m.ended_at is None
            for m in self.state.matters
        )
        if not may_file(req.kind, closed.mode.value if closed else None, breached):
            if closed is None:
                raise refuse("CASE_OPEN", f"kind: 案件仍在执行中, 无需{rule.title} / the case is still open")
            raise refuse("CASE_CLOSED", f"案件已于 {closed.on} 以{closed.title}结案 / the case is closed")
        if req.agent and rule.special_authority and not req.special_authority:
            raise refuse("SPECIAL_AUTHORITY_REQUIRED", f"kind: 代理人{rule.title}须有特别授权 (执行工作规定第二十条)")
        if any(r.request_id == req.request_id for r in self.state.party_requests):
            raise refuse("REQUEST_EXISTS", "request_id: 已提交 / already filed")
        if req.kind is PartyRequestKind.PROPERTY_SUPPLEMENT and not any(
            r.kind is PartyRequestKind.PROPERTY_REPORT for r in self.state.party_requests
        ):
            raise refuse("NO_REPORT_YET", "kind: 尚未报告财产, 请先提交财产报告 (财产调查规定第七条) / report first")
        for n, change in enumerate(req.report.changes if req.report else []):
            if change.changed_on > self._today():
                raise refuse(
                    "CHANGE_IN_FUTURE",
                    f"report.changes.{n}.changed_on: 变动日期不能晚于今天 ({self._today()}) / a change in the future",
                )

    def _party_request(self, request_id: str) -> PartyRequest:
        for r in self.state.party_requests:
            if r.request_id == request_id:
                return r
        raise refuse("REQUEST_NOT_FOUND", f"request_id: 没有这项申请 {request_id} / no such request")

    @workflow.update(name=ANSWER_PARTY_REQUEST_UPDATE)
    def answer_party_request(self, ans: PartyAnswer) -> PartyRequest:
        request = self._party_request(ans.request_id)
        request.answer, request.reason = ans.answer, ans.reason
        request.answered_at, request.answered_by = workflow.now(), acting_user().user_id
        request.matter_workflow_id = ans.matter_workflow_id
        request.sanction = ans.sanction
        if ans.sanction is not None:
            self._sanction_proposed(
                ReportSanction(
                    sanction_id=f"sn-{request.request_id}",
                    decision=ans.sanction,
                    reason=ans.reason,
                    request_id=request.request_id,
                    debtor=request.place or 1,
                )
            )
        self.timeline.record(
            "party-answered",
            reason=ans.reason,
            kind=request.kind.value,
            request=request.request_id,
            answer=ans.answer,
            matter=ans.matter_workflow_id,
        )
        if ans.settlement_not_told is not None:
            # The settlement could not record that its title is resumed (it had ended, refused or did not
            # answer: the code says which): the case says so.
            self.timeline.record(
                "title-resumed",
                reason=ans.reason,
                request=request.request_id,
                settlement=request.settlement_workflow_id,
                code=ans.settlement_not_told,
            )
        self.changed = True
        return request

    @answer_party_request.validator
    def _validate_party_answer(self, ans: PartyAnswer) -> None:
        actor = require_role(Role.JUDGE)
        if not actor.in_court(self.filing.court):
            raise refuse("COURT_FORBIDDEN", "court: 只能办理本院的案件 / a case of another court")
        request = self._party_request(ans.request_id)
        answers = RULES[request.kind].answers or (REPLY,)
        if ans.answer not in answers:
            raise refuse("INVALID_ANSWER", f"answer: 可选 {', '.join(answers)} / one of {', '.join(answers)}")
        if request.answer is not None:
            raise refuse("REQUEST_ANSWERED", f"该申请已于 {request.answered_at:%Y-%m-%d} 答复 / already answered")
        if request.kind is PartyRequestKind.INSTALMENTS and ans.answer == SETTLE and request.consent is not True:
            raise refuse("CONSENT_REQUIRED", "answer: 申请执行人尚未同意分期履行 / the applicant has not agreed")
        if (ans.answer == SANCTION) != (ans.sanction is not None):
            raise refuse("SANCTION_REQUIRED", "sanction: 处罚须写明种类及依据, 仅用于对报告财产的 sanction 答复")

    @workflow.update(name=PARTY_CONSENT_UPDATE)
    def consent(self, c: PartyConsent) -> PartyRequest:
        """The applicant agrees (or not) to the debtor's instalments; the judge then records the settlement."""
        request = self._party_request(c.request_id)
        request.consent, request.consent_reason, request.consent_at = c.agree, c.reason or None, workflow.now()
        self.timeline.record(
            "party-consented", reason=c.reason or None, kind=request.kind.value, request=c.request_id, agree=c.agree
        )
        self.changed = True
        return request

    @consent.validator
    def _validate_consent(self, c: PartyConsent) -> None:
        require_role(Role.PARTY)
        request = self._party_request(c.request_id)
        if request.kind is not PartyRequestKind.INSTALMENTS:
            raise refuse("NO_CONSENT_NEEDED", f"request_id: {RULES[request.kind].title}无需对方同意")
        if request.consent is not None or request.answer is not None:
            raise refuse("REQUEST_ANSWERED", "该申请已有答复 / already answered")

    # --- paying online and the judge's nodes (网上缴费, 执行节点) ------------------------------------------

    @workflow.update(name=PAYMENT_UPDATE)
    def credit_payment(self, payment: OnlinePayment) -> LedgerView:
        """A payment the platform confirmed into this case's account. Credited once per payment id: a second
        report of the same payment (the payer back on the page, a retry) changes nothing."""
        effect_id = f"payment:{payment.payment_id}"
        if effect_id not in self.seen:
            self.seen.add(effect_id)
            self.state.effects_seen.append(effect_id)
            on = self.inp.clock.legal_now(payment.paid_at).astimezone(CHINA_TZ).date()
            self.state.recoveries.append(
                Recovery(effect_id=effect_id, source="voluntary", amount_fen=payment.amount_fen, on=on)
            )
            self.timeline.record(
                "paid-online", payment=payment.payment_id, order=payment.order_id, amount_fen=payment.amount_fen
            )
            self._check_full_performance()
            self.changed = True
        return self.ledger()

    @workflow.update(name=PAYMENT_REFUNDED_UPDATE)
    def payment_refunded(self, refund: PaymentRefunded) -> None:
        """退款 on the timeline: the ledger is untouched (the money was never credited), so nothing else moves
        and no command is issued — histories without it replay as before."""
        self.timeline.record(
            "payment-refunded",
            reason=refund.reason,
            order=refund.order_id,
            amount_fen=refund.refund_fen,
            refund_ref=refund.refund_ref,
        )

    @payment_refunded.validator
    def _validate_refund(self, refund: PaymentRefunded) -> None:
        # A case ended by 终本 still runs and takes the entry; the judge of its court decided the refund.
        actor = require_role(Role.JUDGE)
        if not actor.in_court(self.filing.court):
            raise refuse("COURT_FORBIDDEN", "court: 只能办理本院的案件 / a case of another court")

    @credit_payment.validator
    def _validate_payment(self, payment: OnlinePayment) -> None:
        """A payment already credited is answered again; a new one after the case ended — closed, or the
        balance already paid — is refused, so the web records it for the judge to refund (never credited
        silently into a case that owes nothing). A refusal leaves no history: replay is unaffected."""
        require_role(Role.PARTY)
        if f"payment:{payment.payment_id}" in self.seen:
            return
        if self.state.closed is not None:
            raise refuse("CASE_CLOSED", "案件已结案, 款项不入本案账 / the case is closed")
        if self.state.fully_performed_on is not None or self.ledger().balance_fen == 0:
            raise refuse("CASE_PAID", "本案执行款已付清, 款项不入本案账 / nothing is owed in this case")

    @workflow.update(name=PUSH_NODE_UPDATE)
    def push_node(self, node: PushedNode) -> PushedNode:
        pushed = node.model_copy(update={"at": workflow.now(), "by": acting_user().user_id})
        self.state.pushed_nodes.append(pushed)
        self.timeline.record("node-pushed", reason=node.text or None, node=node.node_id, title=node.title)
        self.changed = True
        return pushed

    @push_node.validator
    def _validate_push(self, node: PushedNode) -> None:
        self._require_judge_of_case()
        if any(n.node_id == node.node_id for n in self.state.pushed_nodes):
            raise refuse("NODE_EXISTS", "node_id: 已推送 / already pushed")

    @workflow.update(name=REPORT_SANCTION_UPDATE)
    def sanction_report(self, sanction: ReportSanction) -> ReportSanction:
        """拒绝报告: the debtor filed no report within the order's period; the judge's sanction, on record."""
        return self._sanction_proposed(sanction)

    @sanction_report.validator
    def _validate_report_sanction(self, sanction: ReportSanction) -> None:
        self._require_judge_of_case()
        if any(s.sanction_id == sanction.sanction_id for s in self.state.report_sanctions):
            raise refuse("SANCTION_EXISTS", "sanction_id: 已作出 / already decided")
        debtors = len(self.filing.debtors)
        if sanction.debtor > debtors:
            raise refuse("NO_SUCH_DEBTOR", f"debtor: 本案只有 {debtors} 名被执行人 / the case has {debtors} debtors")

    # --- sanctions for a breach of the report order: president, decision document, reconsideration -------------

    def _sanction_proposed(self, sanction: ReportSanction) -> ReportSanction:
        """The judge's sanction on record. A fine or detention goes to the president (院长批准, CPL Art 119) on
        the decision desk (``pending_decisions``); a 失信 sanction is the listing's to decide."""
        president = needs_president(sanction.decision.kind)
        status = SanctionStatus.AWAITING_PRESIDENT if president else SanctionStatus.LISTING
        decided = sanction.model_copy(update={"at": workflow.now(), "by": acting_user().user_id, "status": status})
        self.state.report_sanctions.append(decided)
        self.timeline.record(
            "report-sanctioned",
            reason=sanction.reason,
            sanction=sanction.sanction_id,
            kind=sanction.decision.kind.value,
            request=sanction.request_id,
        )
        if president:
            self.desk.offer(PRESIDENT_SIGN, PRESIDENT_REFUSE)
        self.changed = True
        return decided

    def _awaiting_president(self) -> list[ReportSanction]:
        return [s for s in self.state.report_sanctions if s.status is SanctionStatus.AWAITING_PRESIDENT]

    def _president_decides(self, decision: DecisionInput) -> DecisionOutcome:
        """The president approves (the decision document is issued next) or refuses with reasons the oldest
        sanction awaiting; the next one, if any, is offered again."""
        sanction = self._awaiting_president()[0]
        approved = decision.decision == PRESIDENT_SIGN
        outcome = self.desk.accept(
            decision,
            action="sanction-approved" if approved else "sanction-not-approved",
            sanction=sanction.sanction_id,
        )
        self.desk.taken = None
        self.desk.withdraw(PRESIDENT_SIGN, PRESIDENT_REFUSE)
        if approved:
            sanction.status, sanction.approved_by = SanctionStatus.APPROVED, acting_user().user_id
            sanction.approved_by_name = decision.signer_name
            self.state.documents_due.append(SANCTION_DOCUMENT + sanction.sanction_id)
        else:
            sanction.status, sanction.president_reason = SanctionStatus.NOT_APPROVED, decision.reason
        if self._awaiting_president():
            self.desk.offer(PRESIDENT_SIGN, PRESIDENT_REFUSE)
        self.changed = True
        return outcome

    def _sanction(self, sanction_id: str) -> ReportSanction:
        for s in self.state.report_sanctions:
            if s.sanction_id == sanction_id:
                return s
        raise refuse("SANCTION_NOT_FOUND", f"sanction_id: 没有这项处罚决定 {sanction_id} / no such sanction")

    async def _issue_sanction_decision(self, sanction_id: str) -> None:
        """The 罚款决定书 or 拘留决定书 the president approved, signed by them, served on the debtor in the case
        space (CPL Art 119; DOMAIN §18.2)."""
        s, f = self._sanction(sanction_id), self.filing
        d, debtor = s.decision, f.debtors[s.debtor - 1]
        kind = DocumentKind.FINE_DECISION if d.kind is SanctionKind.FINE else DocumentKind.DETENTION_DECISION
        fields = {
            "applicant_name": self._names(f.applicants),
            "debtor_name": debtor.name,
            "debtor_id": debtor.id_number,
            "title_document": f"{f.title.issuer}{f.title.document_number}",
            "breach": BREACH_WORDS[d.breach],
            "reason": s.reason,
            "amount_fen": d.amount_fen,
            "days": d.days,
        }
        ref = await self._issuer().issue(
            f"sanction/{sanction_id}",
            kind,
            fields,
            patch=SANCTION_DOCUMENTS_PATCH,
            issued_on=self._today(),
            president_name=s.approved_by_name or s.approved_by or "",
            addressed_to=(party_addressee(DEBTOR, s.debtor),),  # the debtor it names, not the others
        )
        if ref is not None:
            s.document = SanctionDocument(document_id=ref.document_id, title=ref.title, number=ref.number)
            s.status = SanctionStatus.ISSUED
            self.changed = True

    async def _received(self, s: ReportSanction, at: datetime) -> None:
        """Served: the 3 days for reconsideration run from the day after (CPL Art 85), a last day on a rest day
        rolled forward (the calendar's local activity)."""
        served_on = self.inp.clock.legal_now(at).astimezone(CHINA_TZ).date()
        s.served_on = served_on  # set before the await: a second receipt meanwhile changes nothing
        start = datetime.combine(served_on, time(0), tzinfo=CHINA_TZ)
        due = await CaseClock.of(self.inp.clock).deadline(RECONSIDERATION_WITHIN, start=start)
        s.reconsideration_due_on = due.due_at.astimezone(CHINA_TZ).date()
        self.timeline.record(
            "sanction-received",
            actor=SYSTEM_ACTOR,
            sanction=s.sanction_id,
            served_on=served_on.isoformat(),
            reconsideration_due_on=s.reconsideration_due_on.isoformat(),
        )
        self.changed = True

    @workflow.update(name=SANCTION_RECEIVED_UPDATE)
    async def sanction_received(self, receipt: SanctionReceipt) -> ReportSanction:
        """The debtor opened the decision in their case space: served electronically that day (在线诉讼规则
        Art 31 [I]: the space is not an address the debtor confirmed, so service completes on reading); only the
        first receipt counts."""
        s = self._sanction(receipt.sanction_id)
        if s.served_on is None:
            await self._received(s, receipt.received_at)
        return s

    @sanction_received.validator
    def _validate_receipt(self, receipt: SanctionReceipt) -> None:
        require_role(Role.PARTY)
        if self._sanction(receipt.sanction_id).document is None:
            raise refuse("DECISION_NOT_ISSUED", "sanction_id: 决定书尚未作出 / the decision is not issued")

    @workflow.update(name=SANCTION_RECONSIDERATION_UPDATE)
    async def apply_reconsideration(self, app: ReconsiderationApplication) -> ReportSanction:
        """复议: once, within 3 days of receipt, to the higher court (CPL Art 119). Applying online is an act that
        completes the service of a decision not yet opened (在线诉讼规则 Art 31). The sanction is not suspended
        meanwhile (复议期间不停止执行): nothing here changes its status."""
        s = self._sanction(app.sanction_id)
        self._may_reconsider(s)  # again: two applications in one task both passed the validator
        applied_at = workflow.now()
        today = self._today()
        s.reconsideration = SanctionReconsideration(
            applied_at=applied_at,
            applied_on=today,
            by=acting_user().user_id,
            text=app.text,
            attachments=app.attachments,
            decide_by=today + timedelta(days=RECONSIDERATION_DECIDED_WITHIN.amount),
        )
        self.timeline.record(
            "sanction-reconsideration-applied",
            sanction=s.sanction_id,
            applied_on=today.isoformat(),
            decide_by=s.reconsideration.decide_by.isoformat(),
        )
        if s.served_on is None:
            await self._received(s, applied_at)
        self.changed = True
        return s

    @apply_reconsideration.validator
    def _validate_reconsideration(self, app: ReconsiderationApplication) -> None:
        require_role(Role.PARTY)
        self._may_reconsider(self._sanction(app.sanction_id))

    def _may_reconsider(self, s: ReportSanction) -> None:
        if s.document is None:
            raise refuse("DECISION_NOT_ISSUED", "sanction_id: 决定书尚未作出, 无从复议 / the decision is not issued")
        problem = reconsideration_problem(self._today(), s.reconsideration_due_on, s.reconsideration is not None)
        if problem:
            raise refuse(*problem)

    @workflow.update(name=SANCTION_RECONSIDERED_UPDATE)
    def reconsideration_decided(self, decided: ReconsiderationDecided) -> ReportSanction:
        """The higher court's decision, as the executing court received it: recorded with its reference and
        whether it came within the 5 days (民诉法解释 Art 185)."""
        s = self._sanction(decided.sanction_id)
        r = s.reconsideration
        assert r is not None  # the validator refused otherwise
        today = self._today()
        r.outcome, r.outcome_ref, r.outcome_reason, r.decided_on = (
            decided.outcome,
            decided.decision_ref,
            decided.reason,
            today,
        )
        self.timeline.record(
            "sanction-reconsidered",
            reason=decided.reason,
            sanction=s.sanction_id,
            outcome=decided.outcome.value,
            decision_ref=decided.decision_ref,
            on_time=today <= r.decide_by,
        )
        self.changed = True
        return s

    @reconsideration_decided.validator
    def _validate_reconsidered(self, decided: ReconsiderationDecided) -> None:
        self._require_judge_of_case()
        r = self._sanction(decided.sanction_id).reconsideration
        if r is None:
            raise refuse("NO_RECONSIDERATION", "sanction_id: 被执行人未申请复议 / no reconsideration was applied for")
        if r.outcome is not None:
            raise refuse("RECONSIDERATION_DECIDED", f"复议已于 {r.decided_on} 决定 / already decided")
