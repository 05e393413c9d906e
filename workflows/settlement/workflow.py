"""Settlement in enforcement (执行和解, CPL 2023 Art. 241; 执行和解规定): the judge records the agreement and
suspends enforcement (中止执行), keeping or releasing each measure taken (Arts. 2–3); each instalment is
watched on the legal clock — the case-account bank notices what arrives, a clerk confirms what was paid
outside it; on a missed or partial instalment the applicant may apply to resume within two years of the
last due date (CPL Art. 250), which the court refuses while nothing is in default (Art. 11); on
resumption what was paid is deducted (Art. 17) and enforcement goes on as an asset inquiry, against the
guarantor too if the judge so rules and the guarantor undertook to accept it (Art. 18). Full performance
ends the case: the measures still in force are released and the debtor's 失信/限消 entries lifted
(失信规定 Art. 10, 限消规定 Art. 9)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.partners import CaseAccountStatementInput, PartnerActivities, ReleaseMeasureInput
    from domain.actors import SYSTEM_ACTOR, Role
    from domain.calendar import Deadline
    from domain.case_term import ExclusionGround
    from domain.consumption_restriction import LiftingGround
    from domain.dishonest_list import RemovalGround
    from domain.documents import APPLICANT, DEBTOR, DocumentKind, amount_in_words
    from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit, calendar_before
    from domain.settlement import (
        BookedCredit,
        InstalmentState,
        InstalmentView,
        Obstacle,
        application_period_ends,
        credit_notice_problem,
        guarantor_claim,
        guarantor_problem,
        in_default,
        instalment_views,
        interruption_problem,
        obstacle_problem,
        outstanding_on,
        performance_problem,
        resumed_claim,
        resumption_problem,
        total_fen,
    )
    from domain.tasks import DueRule, TaskSpec, TaskState
    from runtime.temporal import scenario_search_attributes
    from workflows.foundation import retries
    from workflows.foundation.base import ScenarioWorkflow
    from workflows.foundation.case_effects import CaseReporter
    from workflows.foundation.case_link import EffectKind, RecoverySource, RegisterKind
    from workflows.foundation.child_matters import (
        ASSET_INQUIRY,
        ASSET_INQUIRY_TYPE,
        AssetInquiryInput,
        AssetInquiryRequest,
        AssetInquiryResult,
    )
    from workflows.foundation.clock import CaseClock, load_calendar
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.issuing import DocumentIssuer
    from workflows.foundation.messages import LIFT_RESTRICTION, REMOVE_LISTING
    from workflows.foundation.models import DecisionInput, DecisionOutcome, Incident
    from workflows.foundation.task_models import TaskOutcome
    from workflows.foundation.tasks import run_agency_task, task_id
    from workflows.foundation.timeline import failure_code, refuse, require_role
    from workflows.settlement.models import (
        CONFIRM_PERFORMED,
        CREDIT_NOTICE,
        DECLINE,
        NAME,
        RECORD_INTERRUPTION,
        RECORD_OBSTACLE,
        RECORD_PAYMENT,
        RESUME,
        SUE,
        SUSPEND,
        TITLE_RESUMED_UPDATE,
        CaseAccountCredit,
        Payment,
        PeriodInterruption,
        PeriodObstacle,
        RecordPayment,
        ResumeEnforcement,
        SettlementInput,
        SettlementResult,
        SuspendEnforcement,
        TitleResumed,
    )
    from workflows.settlement.words import WORDS

# Runs recorded before a bank's credit notice was checked against the case account's statement count it as
# the bank said.
CREDIT_CHECK_PATCH = "settlement-credit-on-statement"
# Runs recorded before 履行完毕 was the judge's confirmation went on to the lifts when the sum was reached.
PERFORMANCE_CONFIRMED_PATCH = "settlement-performance-confirmed"

DECISIONS = (
    DecisionSpec(SUSPEND, payload=SuspendEnforcement, reason_required=True),
    DecisionSpec(DECLINE, reason_required=True),
    DecisionSpec(RECORD_PAYMENT, payload=RecordPayment, reason_required=True),
    DecisionSpec(RESUME, payload=ResumeEnforcement, reason_required=True),
    DecisionSpec(SUE, reason_required=True),
    DecisionSpec(CONFIRM_PERFORMED, reason_required=True),
    DecisionSpec(RECORD_INTERRUPTION, payload=PeriodInterruption, reason_required=True),
    DecisionSpec(RECORD_OBSTACLE, payload=PeriodObstacle, reason_required=True),
)
# What moves the two-year period to apply to resume, offered while the applicant may still apply.
PERIOD_EVENTS = (RECORD_INTERRUPTION, RECORD_OBSTACLE)
# Histories recorded before the agreement was issued as a 执行和解笔录 replay without it.
DOCUMENTS_PATCH = "settlement-documents"
# 失信 entries are deleted within 3 working days of a performed settlement (失信规定 Art. 10(2)); 限消规定 Art. 9
# sets no period for lifting a restriction, so the same one is used [I].
LIFT_WITHIN = LegalDuration(amount=3, unit=TimeUnit.WORKING_DAY)


@workflow.defn(name="Settlement")
class Settlement(ScenarioWorkflow[SettlementResult]):
    scenario = NAME

    def __init__(self) -> None:
        super().__init__(DECISIONS, WORDS, "awaiting_suspension")
        self.inp: SettlementInput | None = None
        self.clock: CaseClock | None = None
        self.suspension: DecisionInput | None = None
        self.payments: list[Payment] = []
        self.settled = 0  # instalments whose watch is over
        self.released: list[int] = []
        self.refusals: dict[str, str] = {}
        self.period_ends: Deadline | None = None
        self.resume: ResumeEnforcement | None = None
        self.sued: str | None = None
        self.title_resumed: TitleResumed | None = None
        self.stop_notice: str | None = None
        self.notice_open: str | None = None
        self.inquiries: list[str] = []
        self.lifted: list[str] = []
        self.resumed_fen = 0
        self.published: str | None = None
        self.case = CaseReporter(None, NAME, self.timeline)
        self.case_reports: list[asyncio.Task[None]] = []
        self.performance_confirmed: DecisionInput | None = None
        # The period to apply to resume (CPL Art. 250) as the judge recorded what moved it.
        self.interruptions: list[date] = []
        self.obstacles: list[Obstacle] = []
        self.period_updates: list[asyncio.Task[None]] = []

    @workflow.run
    async def run(self, inp: SettlementInput) -> SettlementResult:
        self.inp, req = inp, inp.request
        self.clock = CaseClock(inp.context.time_scale)
        self.case = CaseReporter(req.case, NAME, self.timeline)
        self.timeline.record(
            "agreement_recorded",
            total_fen=total_fen(req.instalments),
            instalments=len(req.instalments),
            last_due=req.instalments[-1].due_on.isoformat(),
            guarantors=len(req.guarantees),
        )
        self._set_status("awaiting_suspension")
        self.desk.offer(SUSPEND, DECLINE)
        await load_calendar(inp.context.calendar)
        await workflow.wait_condition(lambda: self.suspension is not None)
        assert self.suspension is not None
        if self.suspension.decision == DECLINE:
            return await self._close("declined")
        await self._issue_record()
        await self._suspend(self.desk.payload(self.suspension), self.suspension.reason)
        # 中止执行: the case's term does not count it until enforcement resumes or the matter ends (Art. 9 (九)).
        await self.case.period(
            EffectKind.PERIOD_STARTED, "suspension", ExclusionGround.SUSPENSION, "执行和解, 中止执行"
        )

        self.period_ends = await self.clock.deadline(
            inp.resumption_period, start=_day_start(req.instalments[-1].due_on)
        )
        self._set_status("performing")
        self.desk.offer(RECORD_PAYMENT, RESUME, SUE, *PERIOD_EVENTS)
        for number in range(1, len(req.instalments) + 1):
            await self._watch(number)
            if self._chosen() or self._performed():
                break
            self.settled = number
            self._record_instalment(number)
        if not self._chosen() and not self._performed():
            self._refresh_status()
            await self._wait_for_the_applicant()
        if self.resume is not None:
            return await self._resume(self.resume)
        if self.sued is not None:
            return await self._close("applicant_sued")
        if self.title_resumed is not None:
            return await self._close("title_resumed")
        if self._performed():
            if workflow.patched(PERFORMANCE_CONFIRMED_PATCH):
                await self._confirm_performed()
            return await self._finish_performed()
        return await self._close("resumption_lapsed")

    # --- steps --------------------------------------------------------------------------------------

    async def _issue_record(self) -> None:
        """The 执行和解笔录 (执行和解规定 Art. 2): the agreement's terms as the officer recorded them, for both
        sides. Histories from before it was issued replay without it (``DOCUMENTS_PATCH``)."""
        assert self.inp is not None
        req = self.inp.request
        terms = [
            f"{n}. 被执行人于{i.due_on.year}年{i.due_on.month}月{i.due_on.day}日前支付{amount_in_words(i.amount_fen)}；"
            for n, i in enumerate(req.instalments, 1)
        ]
        terms += [f"{len(terms) + n}. {g.guarantor.name}提供执行担保。" for n, g in enumerate(req.guarantees, 1)]
        fields = {
            "applicant_name": req.applicant.name,
            "debtor_name": req.debtor.name,
            "debtor_id": req.debtor.id_number,
            "recorded_on": req.signed_on,
            "place": req.court,
            "terms": terms,
            "officer": self.timeline.decided_by(SUSPEND),
            "total_fen": total_fen(req.instalments),
        }
        await DocumentIssuer(self.timeline, req.court, req.case_number, req.case).issue(
            "agreement-record",
            DocumentKind.SETTLEMENT_RECORD,
            fields,
            patch=DOCUMENTS_PATCH,
            addressed_to=(APPLICANT, DEBTOR),
        )

    async def _suspend(self, choice: SuspendEnforcement, reason: str) -> None:
        """中止执行: the measures the judge chose are released through their partners, the rest stay."""
        assert self.inp is not None
        for index in choice.release:
            if await self._release(index, f"执行和解, 中止执行: {reason}"):
                self.released.append(index)
        kept = [i for i in range(1, len(self.inp.request.measures) + 1) if i not in choice.release]
        self.timeline.record("enforcement_suspended", released=self.released, kept=kept)

    async def _release(self, index: int, reason: str) -> bool:
        assert self.inp is not None
        measure = self.inp.request.measures[index - 1]
        step = f"release/{index}"
        try:
            await workflow.execute_activity_method(
                PartnerActivities.release_measure,
                ReleaseMeasureInput(
                    partner_id=measure.partner_id,
                    step=step,
                    measure_id=measure.measure_id,
                    reason=reason,
                    document_ref=f"{workflow.info().workflow_id}/{step}",
                ),
                activity_id=step,
                start_to_close_timeout=timedelta(seconds=self.inp.measure_timeout_seconds),
                retry_policy=retries.PARTNER,
            )
        except ActivityError as exc:
            code = failure_code(exc)
            self.refusals[step] = code
            self.timeline.record("release_refused", step=step, partner=measure.partner_id, code=code)
            return False
        self.timeline.record("measure_released", step=step, partner=measure.partner_id)
        if measure.matter_workflow_id and measure.measure_key:
            # Another matter's measure: its row in the case's register is released under that matter.
            owner = CaseReporter(self.inp.request.case, NAME, self.timeline, measure.matter_workflow_id)
            await owner.measure_changed(
                EffectKind.MEASURE_RELEASED,
                f"{workflow.info().workflow_id}/{step}",
                measure.measure_key,
                RegisterKind.SEIZE if measure.measure_key.startswith("seize") else RegisterKind.FREEZE,
                effective_from=self.clock.now().date() if self.clock else None,
                description=reason,
            )
        return True

    async def _watch(self, number: int) -> None:
        """Watches one instalment until it is covered or its due day (plus the bank's notice lag) has
        passed. The case-account bank is asked to notice payments from ``notice_lead`` before the due
        day; a partial payment noticed opens a new notice for the rest."""
        assert self.inp is not None and self.clock is not None
        inp, inst = self.inp, self.inp.request.instalments[number - 1]
        due_start = _day_start(inst.due_on)
        await self._wait(lambda: self._chosen() or self._performed(), calendar_before(due_start, inp.notice_lead))
        window = await self.clock.deadline(inp.notice_lag, start=due_start)

        def covered() -> bool:
            return self._outstanding(number) == 0 or self._chosen() or self._performed()

        notices = 0
        while not covered() and self.clock.now() < window.due_at:
            notices += 1
            outcome = await self._notice(number, notices, window.due_at, covered)
            if outcome.state is TaskState.COMPLETED and outcome.result is not None:
                credit = outcome.result
                if workflow.patched(CREDIT_CHECK_PATCH) and not await self._on_statement(number, notices, credit):
                    continue  # not counted: an incident for the judge, the watch goes on
                self._credit(
                    Payment(
                        amount_fen=credit["amount_fen"],
                        paid_on=credit["received_on"],
                        source="bank",
                        reference=credit.get("bank_reference", ""),
                    ),
                    number,
                )
            elif outcome.state is TaskState.REJECTED:
                break  # the bank saw nothing arrive: a clerk may still confirm a payment until the window ends
        await self._wait(covered, window.due_at)

    async def _on_statement(self, number: int, attempt: int, result: dict[str, Any]) -> bool:
        """Money in is checked against the bank: the notice counts only when the case account's statement
        shows it (domain.settlement.credit_notice_problem); otherwise an incident for the judge, who may
        record the payment herself once verified."""
        assert self.inp is not None and self.clock is not None
        req = self.inp.request
        credit = CaseAccountCredit.model_validate(result)
        try:
            statement = await workflow.execute_activity_method(
                PartnerActivities.case_account_statement,
                CaseAccountStatementInput(bank=req.case_account_bank, case_number=req.case_number),
                start_to_close_timeout=timedelta(seconds=self.inp.measure_timeout_seconds),
                retry_policy=retries.PARTNER,
            )
        except ActivityError as exc:
            problem: str | None = f"STATEMENT_UNAVAILABLE: 无法取得案款账户入账流水 ({failure_code(exc)})"
        else:
            counted = {r for p in self.payments if p.source == "bank" for r in p.reference.split(",") if r}
            problem = credit_notice_problem(
                amount_fen=credit.amount_fen,
                received_on=credit.received_on,
                references=[r.strip() for r in credit.bank_reference.split(",") if r.strip()],
                instalment=credit.instalment,
                watching=number,
                statement=[BookedCredit.model_validate(line.model_dump()) for line in statement.lines],
                counted=counted,
                today=self.clock.now().astimezone(CHINA_TZ).date(),
            )
        if problem is None:
            return True
        code, _, message = problem.partition(": ")
        step = f"credit-{number}-{attempt}"
        self.timeline.incidents.append(Incident(at=workflow.now(), step=step, code=code, message=message))
        self.timeline.record(
            "credit_not_counted", message, actor=SYSTEM_ACTOR, step=step, code=code, amount_fen=credit.amount_fen
        )
        return False

    async def _notice(self, number: int, attempt: int, until: datetime, covered: Callable[[], bool]) -> TaskOutcome:
        """One notice task to the case-account bank (到账通知), cancelled once it is no longer needed."""
        assert self.inp is not None and self.clock is not None
        req, inst = self.inp.request, self.inp.request.instalments[number - 1]
        days = max((inst.due_on - self.clock.now().astimezone(CHINA_TZ).date()).days + 1, 1)
        step = f"credit-{number}-{attempt}"  # a task id is a URL segment: no slashes
        outstanding = self._outstanding(number)
        spec = TaskSpec(
            task_type=f"{NAME}.credit-notice",
            agency=req.case_account_bank,
            case_number=req.case_number,
            court=req.court,
            title=f"和解款到账通知 (第{number}期)",
            instructions=(
                f"第{number}期应于 {inst.due_on.isoformat()} 前付至本案案款账户, 待付 {outstanding} 分; 到账即通知"
            ),
            result_type=CREDIT_NOTICE,
            rule=DueRule(
                due=LegalDuration(amount=days, unit=TimeUnit.CALENDAR_DAY),
                yellow_after=LegalDuration(amount=days, unit=TimeUnit.CALENDAR_DAY),
                red_after=LegalDuration(amount=days + 7, unit=TimeUnit.CALENDAR_DAY),
            ),
            context={"instalment": number, "due_on": inst.due_on.isoformat(), "amount_fen": outstanding},
        )
        self.stop_notice = None
        task = asyncio.ensure_future(
            run_agency_task(step, spec, self.clock.clock, self.timeline, cancel_when=lambda: self.stop_notice)
        )
        self.notice_open = task_id(step)
        await self._wait(lambda: task.done() or covered(), until)
        if not task.done():
            self.stop_notice = self._stop_reason(number)
        outcome = await task
        self.notice_open = None
        return outcome

    def _stop_reason(self, number: int) -> str:
        if self.resume is not None:
            return "已恢复执行 / enforcement resumed"
        if self.sued is not None:
            return "申请执行人另行起诉 / the applicant sues on the agreement"
        if self._outstanding(number) == 0:
            return f"第{number}期已足额履行 / instalment {number} covered"
        return f"第{number}期履行期限已过 / instalment {number} is past its due day"

    def _credit(self, payment: Payment, number: int | None = None) -> None:
        self.payments.append(payment)
        # Booked in the case's ledger (和解 instalments); sent beside the step (an Update handler credits too).
        step = f"payment/{len(self.payments)}"
        self.case_reports.append(
            asyncio.ensure_future(self.case.recovered(step, payment.amount_fen, RecoverySource.SETTLEMENT))
        )
        self.timeline.record(
            "payment_noticed" if payment.source == "bank" else "payment_confirmed",
            amount_fen=payment.amount_fen,
            paid_on=payment.paid_on.isoformat(),
            instalment=number,
            paid_fen=self._paid(),
        )

    def _record_instalment(self, number: int) -> None:
        view = self._views()[number - 1]
        self.timeline.record(
            f"instalment_{view.state.value}", instalment=number, paid_fen=view.received_fen, amount_fen=view.amount_fen
        )
        self._refresh_status()

    async def _wait_for_the_applicant(self) -> None:
        """Until the applicant chooses, the agreement is performed, or the period to apply ends — which an
        interruption or an obstacle the judge records moves (CPL Art. 250)."""
        assert self.period_ends is not None
        while True:
            until = self.period_ends.due_at

            def moved(until: datetime = until) -> bool:
                return self.period_ends is not None and self.period_ends.due_at != until

            await self._wait(lambda: self._chosen() or self._performed() or moved(), until)
            if not moved():
                return

    async def _confirm_performed(self) -> None:
        """履行完毕 is the judge's finding, not the sum's arithmetic: the ledger reached the agreed total, and
        the judge confirms it before anything is released or lifted (失信规定 Art. 10(2); 限消规定 Art. 9)."""
        assert self.inp is not None
        self._set_status("awaiting_performance_confirmation")
        self.desk.withdraw(RESUME, SUE, *PERIOD_EVENTS)
        self.desk.offer(CONFIRM_PERFORMED)
        self.timeline.record(
            "ledger_reached", paid_fen=self._paid(), agreed_fen=total_fen(self.inp.request.instalments)
        )
        await workflow.wait_condition(lambda: self.performance_confirmed is not None)
        self.desk.withdraw(CONFIRM_PERFORMED)

    def _record_period_event(self, payload: PeriodInterruption | PeriodObstacle) -> None:
        """Recomputes when the period to apply ends (domain.settlement.application_period_ends): the day
        in pure rules now, its rest-day roll-forward by the calendar in a task of its own."""
        assert self.inp is not None and self.clock is not None
        if isinstance(payload, PeriodInterruption):
            self.interruptions.append(payload.on)
            self.timeline.record("period_interrupted", on=payload.on.isoformat(), event=payload.event)
        else:
            self.obstacles.append(Obstacle(started_on=payload.started_on, ended_on=payload.ended_on))
            self.timeline.record(
                "period_suspended", started_on=payload.started_on.isoformat(), ended_on=payload.ended_on.isoformat()
            )
        runs_from = self.inp.request.instalments[-1].due_on
        years = self.inp.resumption_period  # in years: law_check refuses an event otherwise
        ends = application_period_ends(
            runs_from, self.interruptions, self.obstacles, self.inp.suspension_rule, years.amount
        )
        self.period_updates.append(asyncio.ensure_future(self._move_period(runs_from, ends, len(self.period_updates))))

    async def _move_period(self, runs_from: date, ends: date, number: int) -> None:
        assert self.clock is not None
        days = LegalDuration(amount=(ends - runs_from).days, unit=TimeUnit.CALENDAR_DAY)
        deadline = await self.clock.deadline(days, start=_day_start(runs_from))
        if number == len(self.period_updates) - 1:  # the latest event's answer wins, whatever order they end in
            self.period_ends = deadline
            self.timeline.record("period_recomputed", period_ends=deadline.due_at.date().isoformat())

    async def _finish_performed(self) -> SettlementResult:
        """Full performance (履行完毕): the measures still in force are released and the 失信/限消 entries
        lifted; the case ends."""
        assert self.inp is not None
        req = self.inp.request
        self._set_status("lifting")
        self.desk.withdraw()
        self.timeline.record("performed", paid_fen=self._paid())
        if req.case is not None:
            # The case decides: it releases and lifts what its register holds on full performance (§17.7),
            # told by this matter's end; no task to the credit desk.
            self.timeline.record("lifts_left_to_case", case=req.case.case_number)
            return await self._close("performed")
        for index in range(1, len(req.measures) + 1):
            if index not in self.released and await self._release(index, "执行和解协议履行完毕"):
                self.released.append(index)
        lifts = []
        if req.dishonest_listed:
            lifts.append(
                self._lift(
                    "delist",
                    "删除失信被执行人名单信息 (失信规定 第十条)",
                    REMOVE_LISTING,
                    RemovalGround.SETTLEMENT_PERFORMED,
                )
            )
        if req.consumption_restricted:
            lifts.append(
                self._lift(
                    "lift-restriction",
                    "解除限制消费令 (限消规定 第九条)",
                    LIFT_RESTRICTION,
                    LiftingGround.FULL_PERFORMANCE,
                )
            )
        await asyncio.gather(*lifts)
        return await self._close("performed")

    async def _lift(self, step: str, title: str, decision: str, ground: str) -> None:
        """The lift is asked of the court's credit desk as a task: the dishonest-list and restriction
        cases move only on their judge's decision (an Update, which a workflow cannot send), so the task
        names the decision and the ground to take there."""
        assert self.inp is not None and self.clock is not None
        req = self.inp.request
        spec = TaskSpec(
            task_type=f"{NAME}.{step}",
            agency=req.credit_desk,
            case_number=req.case_number,
            court=req.court,
            title=title,
            instructions=f"{req.case_number}: 执行和解协议已履行完毕; 在该案作出 {decision} 决定, 事由 {ground}",
            result_type="acknowledgement",
            rule=DueRule(due=LIFT_WITHIN),
            context={"decision": decision, "ground": ground},
        )
        outcome = await run_agency_task(step, spec, self.clock.clock, self.timeline)
        if outcome.state is TaskState.COMPLETED:
            self.lifted.append(step)

    async def _resume(self, choice: ResumeEnforcement) -> SettlementResult:
        """恢复执行 of the original title, less what was paid (Art. 17): an asset inquiry against the
        debtor, and against each guarantor up to the guarantee if the judge so ruled (Art. 18)."""
        assert self.inp is not None
        req = self.inp.request
        self._set_status("resumed")
        self.desk.withdraw()
        await self.case.period(EffectKind.PERIOD_ENDED, "suspension", ExclusionGround.SUSPENSION, "恢复执行")
        claim = resumed_claim(req.amount_owed_fen, req.execution_costs_fen, self._paid())
        self.timeline.record(
            "enforcement_resumed", owed_fen=claim.owed_fen, costs_fen=claim.costs_fen, paid_fen=self._paid()
        )
        self.resumed_fen = claim.total_fen
        targets: list[tuple[str, AssetInquiryRequest]] = []
        if claim.total_fen > 0:
            targets.append(
                (
                    "debtor",
                    AssetInquiryRequest(
                        case_number=req.case_number,
                        court=req.court,
                        case=req.case,  # a matter of the case too, shown there by what it reports
                        debtor=req.debtor,
                        applicant=req.applicant,  # named in the control ruling
                        amount_owed_fen=claim.owed_fen,
                        execution_costs_fen=claim.costs_fen,
                    ),
                )
            )
            if choice.against_guarantor:
                for number, guarantee in enumerate(req.guarantees, start=1):
                    request = AssetInquiryRequest(
                        case_number=req.case_number,
                        court=req.court,
                        case=req.case,
                        debtor=guarantee.guarantor,
                        applicant=req.applicant,
                        amount_owed_fen=guarantor_claim(claim, guarantee.cap_fen),
                        execution_costs_fen=0,  # the guarantee covers the claim, not a new fee
                    )
                    targets.append((f"guarantor-{number}", request))
        await asyncio.gather(*(self._inquire(who, request) for who, request in targets))
        return await self._close("resumed")

    async def _inquire(self, who: str, request: AssetInquiryRequest) -> None:
        assert self.inp is not None
        child_id = f"{workflow.info().workflow_id}:resume:{who}"
        handle: workflow.ChildWorkflowHandle[Any, AssetInquiryResult] = await workflow.start_child_workflow(
            ASSET_INQUIRY_TYPE,
            AssetInquiryInput(request=request, context=self.inp.inquiry_context),
            id=child_id,
            result_type=AssetInquiryResult,
            search_attributes=scenario_search_attributes(request.case_number, ASSET_INQUIRY, "running", request.court),
        )
        self.inquiries.append(child_id)
        self.timeline.record(
            "inquiry_started",
            inquiry=child_id,
            against=who,
            target_fen=request.amount_owed_fen + (request.execution_costs_fen or 0),
        )
        result = await handle
        self.timeline.record(
            "inquiry_finished",
            inquiry=child_id,
            against=who,
            status=result.status,
            deducted_fen=result.deducted_fen,
            frozen_fen=result.frozen_fen,
        )

    # --- the judge's decisions ------------------------------------------------------------------------

    def take(self, decision: DecisionInput) -> DecisionOutcome:
        outcome = self.desk.accept(decision)
        self.desk.taken = None  # the run loop reads each decision from its own field below
        name = decision.decision
        if name in (SUSPEND, DECLINE):
            self.suspension = decision
            self.desk.withdraw(SUSPEND, DECLINE)
        elif name == RECORD_PAYMENT:
            p: RecordPayment = self.desk.payload(decision)
            self._credit(Payment(amount_fen=p.amount_fen, paid_on=p.paid_on, source=p.channel.value))
            if self.status in ("performing", "defaulted"):
                self._refresh_status()
        elif name == RESUME:
            self.resume = self.desk.payload(decision)
        elif name == SUE:
            self.sued = decision.reason
        elif name == CONFIRM_PERFORMED:
            self.performance_confirmed = decision
        elif name in PERIOD_EVENTS:
            self._record_period_event(self.desk.payload(decision))
        return outcome

    def law_check(self, name: str, payload: Any) -> str | None:
        if self.inp is None or self.clock is None:
            raise refuse("WRONG_STATE", "decision: the case is not started yet")
        req = self.inp.request
        if isinstance(payload, SuspendEnforcement):
            unknown = sorted({i for i in payload.release if not 1 <= i <= len(req.measures)})
            if unknown or len(set(payload.release)) != len(payload.release):
                return (
                    f"payload.release: numbers must name listed measures once each "
                    f"(1–{len(req.measures)}): {unknown or payload.release}"
                )
        today = self.clock.now().astimezone(CHINA_TZ).date()
        if name == CONFIRM_PERFORMED:
            return performance_problem(self._paid(), total_fen(req.instalments))
        if name in PERIOD_EVENTS and (self._chosen() or self.period_ends is None):
            return "decision: 申请恢复执行期间已不再计算 / the period to apply is no longer running"
        if name in PERIOD_EVENTS and self.inp.resumption_period.unit is not TimeUnit.YEAR:
            return "decision: 申请执行期间不以年计, 无从中断或中止 / the period is not counted in years"
        if isinstance(payload, PeriodInterruption):
            return interruption_problem(payload.on, req.instalments[-1].due_on, today)
        if isinstance(payload, PeriodObstacle):
            return obstacle_problem(Obstacle(started_on=payload.started_on, ended_on=payload.ended_on), today)
        if isinstance(payload, RecordPayment):
            still_due = total_fen(req.instalments) - self._paid()
            if payload.amount_fen > still_due:
                return f"payload.amount_fen: more than is still due under the agreement ({still_due} fen)"
            if payload.paid_on > today:
                return "payload.paid_on: a payment cannot be confirmed before it is made"
        if name in (RESUME, SUE):
            if self.resume is not None or self.sued is not None:
                return "decision: the applicant has already chosen"
            repudiation = payload.anticipatory_breach if isinstance(payload, ResumeEnforcement) else ""
            problem = resumption_problem(
                self._views(), self.clock.now(), self.period_ends.due_at if self.period_ends else None, repudiation
            )
            if problem:
                return problem if name == RESUME else problem.replace("resume:", "sue:", 1)
        if isinstance(payload, ResumeEnforcement) and payload.against_guarantor:
            return guarantor_problem([(g.guarantor.name, g.undertook_direct_enforcement) for g in req.guarantees])
        return None

    # --- status -------------------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        assert self.inp is not None
        req = self.inp.request
        views = self._views()
        upcoming = [v for v in views if v.state is InstalmentState.UPCOMING]
        return {
            "debtor": req.debtor.masked_id,
            "agreed_fen": total_fen(req.instalments),
            "received_fen": self._paid(),
            "next_due": upcoming[0].due_on.isoformat() if upcoming else None,
            "instalments": [v.model_dump(mode="json") for v in views],
            "measures": [
                {
                    "index": i,
                    "partner_id": m.partner_id,
                    "asset": m.asset,
                    "state": "released" if i in self.released else "kept",
                }
                for i, m in enumerate(req.measures, start=1)
            ],
            "period_ends": self.period_ends.due_at.date().isoformat() if self.period_ends else None,
            "period_provisional": self.period_ends.provisional if self.period_ends else None,
            "notice_open": self.notice_open,
            "inquiries": self.inquiries,
            "refusals": self.refusals,
        }

    # --- helpers ------------------------------------------------------------------------------------

    def _paid(self) -> int:
        return sum(p.amount_fen for p in self.payments)

    def _views(self) -> list[InstalmentView]:
        assert self.inp is not None
        return instalment_views(self.inp.request.instalments, self._paid(), self.settled)

    def _outstanding(self, number: int) -> int:
        assert self.inp is not None
        return outstanding_on(self.inp.request.instalments, number, self._paid())

    def _performed(self) -> bool:
        assert self.inp is not None
        return self._paid() >= total_fen(self.inp.request.instalments)

    def _chosen(self) -> bool:
        return self.resume is not None or self.sued is not None or self.title_resumed is not None

    @workflow.update(name=TITLE_RESUMED_UPDATE)
    def record_title_resumed(self, resumed: TitleResumed) -> str:
        """执恢 accepted on the case: the original title is resumed there, so this matter records it, offers no
        resumption of its own and ends (its suspension with it). No history before this update has it, so the
        commands it leads to need no patch. Told twice (a retry), it records once."""
        if self.title_resumed is None:
            self.title_resumed = resumed
            self.desk.withdraw(RESUME, SUE)
            self.timeline.record(
                "resumption_accepted", reason=resumed.reason, request=resumed.request_id, case=resumed.case_id
            )
        return self.status

    @record_title_resumed.validator
    def _validate_title_resumed(self, resumed: TitleResumed) -> None:
        actor = require_role(Role.JUDGE)
        if self.inp is None or not actor.in_court(self.inp.request.court):
            raise refuse("COURT_FORBIDDEN", "court: 只能办理本院的案件 / a case of another court")
        if self.title_resumed is not None and self.title_resumed.request_id == resumed.request_id:
            return
        if self.period_ends is None or self.resume is not None or self.sued is not None or self.title_resumed:
            raise refuse(
                "SETTLEMENT_NOT_DEFAULTABLE",
                f"和解处于「{self.status}」, 不能据此恢复执行 / the settlement is not in performance or default",
            )

    def _refresh_status(self) -> None:
        self._set_status("defaulted" if in_default(self._views()) else "performing")

    async def _wait(self, condition: Callable[[], bool], until: datetime) -> None:
        """Waits for ``condition`` until legal time reaches ``until``."""
        assert self.clock is not None
        delay = self.clock.real_until(until)
        if delay <= timedelta(0):
            return
        try:
            await workflow.wait_condition(condition, timeout=delay)
        except TimeoutError:
            pass

    def indexes(self, status: str) -> bool:
        if status == self.published:  # the search index is written on a change only
            return False
        self.published = status
        return True

    async def report_end(self, status: str, result: SettlementResult) -> None:
        await asyncio.gather(*self.case_reports, *self.period_updates)
        await self.case.ended(status, {"paid_fen": self._paid(), "settlement_performed": status == "performed"})

    def outcome(self, status: str) -> SettlementResult:
        self.timeline.record(status, paid_fen=self._paid())
        return SettlementResult(
            status=status,
            total_fen=total_fen(self.inp.request.instalments) if self.inp else 0,
            paid_fen=self._paid(),
            released_measures=self.released,
            resumed_claim_fen=self.resumed_fen,
            inquiries=self.inquiries,
            lifted=self.lifted,
        )


def _day_start(day: Any) -> datetime:
    """The first moment of a day in China Standard Time: legal periods are counted in Beijing days."""
    return datetime.combine(day, time(0), tzinfo=CHINA_TZ)
