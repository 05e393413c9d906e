"""Mass payout (涉众案款发放): up to 200,000 payees from one case account, each paid exactly once.

The list was validated and stored at upload; this workflow holds only its hash. It checks the list and
the case account balance, waits for the judge's release (and a second judge's at the threshold), pays
in batch child workflows — a sliding window of them, continuing as new before its history grows large —
and reconciles every payee against the bank's statement to the fen. Progress is the ``status`` query.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.payout import PayoutActivities
    from domain.actors import Role
    from domain.documents import APPLICANT, DocumentKind
    from domain.legal_time import CHINA_TZ, LegalClock
    from domain.money import format_yuan
    from domain.payout import (
        BalanceInput,
        ReconcileInput,
        ReconciliationSummary,
        approvals_needed,
        batch_range,
    )
    from workflows.foundation import retries
    from workflows.foundation.base import ScenarioWorkflow
    from workflows.foundation.case_effects import CaseReporter
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.issuing import DocumentIssuer
    from workflows.foundation.models import DecisionInput, DecisionOutcome
    from workflows.foundation.timeline import acting_user, failure_code, refuse
    from workflows.mass_payout.models import (
        APPROVE,
        NAME,
        PROGRESS_SIGNAL,
        REJECT,
        Approval,
        BatchProgress,
        BatchWindow,
        MassPayoutInput,
        MassPayoutResult,
        PayoutBatchInput,
        PayoutCarry,
        PayoutTuning,
        Status,
    )
    from workflows.mass_payout.words import WORDS

from workflows.mass_payout.batch import PayoutBatch

# The judge releases; an approver (庭长/院长) gives the second approval, or refuses it. Who exactly may
# give the second one is the court's rule in the input (``second_approver_roles``), checked below.
_DECIDERS = (Role.JUDGE, Role.APPROVER)
DECISIONS = (
    DecisionSpec(APPROVE, roles=_DECIDERS),
    DecisionSpec(REJECT, reason_required=True, roles=_DECIDERS),
)
CHECK_TIMEOUT = timedelta(seconds=30)
# Runs recorded before a reconciled payout of a case's money was told to the applicant's side as a document.
DOCUMENTS_PATCH = "mass-payout-documents"


@workflow.defn(name="MassPayout")
class MassPayout(ScenarioWorkflow[MassPayoutResult]):
    scenario = NAME

    @workflow.init
    def __init__(self, inp: MassPayoutInput) -> None:
        # State is restored here, not in run(): a batch's report can arrive in a new run's first task,
        # and its handler must find the batches the previous run handed over.
        super().__init__(DECISIONS, WORDS, Status.CHECKING)
        self.inp: MassPayoutInput = inp
        self.epoch: datetime | None = None
        self.approvals: list[Approval] = []
        self.batches = BatchWindow(inp.request.payee_list.count, inp.tuning.batch_size, inp.carry)
        self.runs = 1
        self.started_this_run = 0
        self.reconciliation: ReconciliationSummary | None = None
        if inp.carry is not None:
            self._restore(inp.carry)

    @workflow.run
    async def run(self, inp: MassPayoutInput) -> MassPayoutResult:
        ref = inp.request.payee_list
        if inp.carry is None:
            self.epoch = workflow.now()
            self.timeline.record("started", payees=ref.count, total_fen=ref.total_fen, bank=inp.request.bank)
            problem = await self._check(inp)
            if problem is not None:
                return await self._close(problem)
            self._set_status(Status.AWAITING_APPROVAL)
            if not await self._released():
                return await self._close(Status.REJECTED)
            self._set_status(Status.PAYING)
        await self._pay_all(inp)
        self._set_status(Status.RECONCILING)
        summary = await workflow.execute_activity_method(
            PayoutActivities.reconcile,
            ReconcileInput(
                workflow_id=workflow.info().workflow_id,
                bank=inp.request.bank,
                case_number=inp.request.case_number,
                list_sha256=ref.sha256,
                outcomes=self.batches.outcomes,
            ),
            start_to_close_timeout=timedelta(minutes=10),
            heartbeat_timeout=timedelta(seconds=60),
            retry_policy=retries.PARTNER,
        )
        self.timeline.record(
            "reconciled",
            balanced=summary.balanced,
            paid_fen=summary.paid_fen,
            escrowed_fen=summary.escrowed_fen,
            mismatches=summary.mismatches,
        )
        self.reconciliation = summary
        await self._issue_notice(summary)
        return await self._close(Status.COMPLETED if summary.balanced else Status.RECONCILIATION_MISMATCH)

    async def _issue_notice(self, summary: ReconciliationSummary) -> None:
        """A payout of a case's money, reconciled, is told to the applicant's side in its case space as one
        执行款发放通知书: how much reached how many payees, and what stays in escrow. One summary, not a notice a
        payee: a list of 200,000 payees is told by the bank's statement and the SMS, not 200,000 sealed PDFs."""
        req = self.inp.request
        if req.case is None or not summary.paid_fen:
            return
        held = f"{summary.escrowed_count}名收款人的款项未能发放（账户信息有误或逾期未更正），依法予以提存"
        fields = {
            "payee_name": "本案申请执行人",
            "source": "本案执行款专户",
            "paid_on": workflow.now().astimezone(CHINA_TZ).date(),
            "amount_fen": summary.paid_fen,
            "channel": f"分别转入{summary.paid_count}名收款人指定的银行账户",
            "held_fen": summary.escrowed_fen or None,
            "held_reason": held,
        }
        issuer = DocumentIssuer(self.timeline, req.court, req.case_number, req.case)
        await issuer.issue(
            "payout-notice", DocumentKind.PAYOUT_NOTICE, fields, patch=DOCUMENTS_PATCH, addressed_to=(APPLICANT,)
        )

    # --- before the release -------------------------------------------------------------------------

    async def _check(self, inp: MassPayoutInput) -> Status | None:
        """The stored list is the one uploaded, and the case account holds its total."""
        req = inp.request
        try:
            await workflow.execute_activity_method(
                PayoutActivities.check_list,
                req.payee_list,
                start_to_close_timeout=CHECK_TIMEOUT,
                retry_policy=retries.PARTNER,
            )
        except ActivityError as exc:
            self.timeline.record("list_refused", code=failure_code(exc))
            return Status.LIST_INVALID
        try:
            balance = await workflow.execute_activity_method(
                PayoutActivities.case_balance,
                BalanceInput(bank=req.bank, account=req.case_account),
                start_to_close_timeout=CHECK_TIMEOUT,
                retry_policy=retries.PARTNER,
            )
        except ActivityError as exc:
            self.timeline.record("balance_unavailable", code=failure_code(exc))
            return Status.BALANCE_UNAVAILABLE
        self.timeline.record("balance_checked", balance_fen=balance, total_fen=req.payee_list.total_fen)
        return Status.INSUFFICIENT_FUNDS if balance < req.payee_list.total_fen else None

    async def _released(self) -> bool:
        """The judge's release, and a second judge's when the total reaches the threshold; False when
        a judge rejects it. A first approval of two does not end the wait (``decide`` keeps the desk open)."""
        while not self._approved():
            decision = await self.desk.wait(APPROVE, REJECT)
            if decision is not None and decision.decision == REJECT:
                return False
        return True

    def _needed(self) -> int:
        req = self.inp.request
        return approvals_needed(
            req.payee_list.total_fen, self.inp.second_approval_threshold_fen, req.collecting_agents > 0
        )

    def _approved(self) -> bool:
        return len(self.approvals) >= self._needed()

    def take(self, decision: DecisionInput) -> DecisionOutcome:
        if decision.decision == REJECT:
            return self.desk.accept(decision, "release_rejected")
        actor = acting_user()
        self.approvals.append(Approval(user_id=actor.user_id, at=workflow.now(), reason=decision.reason))
        if self._approved():
            return self.desk.accept(decision, "release_approved", approver=actor.user_id)
        outcome = self.desk.accept(decision, "first_approval", approver=actor.user_id)
        # Not a decision the run waits for: the desk stays open for the second approval from this moment,
        # before the status says it is awaited. Taken, it would close the desk until the run came round to
        # reopen it, and a second approval in the same workflow task (both sent while a worker was down)
        # was refused WRONG_STATE. No command changes: the run only ever resumes on the release.
        self.desk.taken = None
        self._set_status(Status.AWAITING_SECOND_APPROVAL)
        return outcome

    def validate(self, decision: DecisionInput) -> None:
        super().validate(decision)
        actor, inp = acting_user(), self.inp
        if decision.decision != APPROVE:
            return
        total = format_yuan(inp.request.payee_list.total_fen)
        if not self.approvals:
            # The release itself is the judge's (an approver approves a release, not instead of one).
            if actor.role is not Role.JUDGE:
                raise refuse("RELEASE_BY_JUDGE", "the release is approved by a judge first / 先由法官批准发放")
            return
        if any(a.user_id == actor.user_id for a in self.approvals):
            raise refuse("SECOND_APPROVER_REQUIRED", f"a release of {total} needs a second approval by another user")
        if actor.role not in inp.second_approver_roles:
            roles = ", ".join(r.value for r in inp.second_approver_roles)
            raise refuse("APPROVER_ROLE_REQUIRED", f"the second approval of {total} is given by: {roles}")
        if actor.role is Role.APPROVER and not actor.in_court(inp.request.court):
            raise refuse("APPROVER_OF_ANOTHER_COURT", "the second approval is given by an approver of the case's court")

    # --- paying ---------------------------------------------------------------------------------------

    async def _pay_all(self, inp: MassPayoutInput) -> None:
        """Keeps ``window`` batches paying; continues as new when the history grows long."""
        t, batches = inp.tuning, self.batches
        while True:
            await workflow.wait_condition(
                lambda: batches.done() or batches.free_slots(t.window) > 0 or self._history_long(t)
            )
            if batches.done():
                return
            if self._history_long(t):
                await workflow.wait_condition(workflow.all_handlers_finished)
                self.timeline.record("continued_as_new", run=self.runs, batches_started=batches.next_batch)
                workflow.continue_as_new(inp.model_copy(update={"carry": self._carry()}))
            starting = batches.open_next(t.window)
            self.started_this_run += len(starting)
            # All starts of one round go out in one workflow task.
            await asyncio.gather(*(self._start_batch(inp, i) for i in starting))

    async def _start_batch(self, inp: MassPayoutInput, index: int) -> None:
        req, t = inp.request, inp.tuning
        offset, limit = batch_range(index, req.payee_list.count, t.batch_size)
        assert self.epoch is not None
        await workflow.start_child_workflow(
            PayoutBatch.run,
            PayoutBatchInput(
                payout_id=workflow.info().workflow_id,
                index=index,
                offset=offset,
                limit=limit,
                list_sha256=req.payee_list.sha256,
                bank=req.bank,
                case_number=req.case_number,
                court=req.court,
                from_account=req.case_account,
                correction_agency=req.correction_agency,
                tuning=t,
                clock=LegalClock(epoch=self.epoch, scale=inp.context.time_scale),
            ),
            id=f"{workflow.info().workflow_id}:batch:{index}",
            # Batches outlive a run that continues as new; they report to whichever run is current.
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
        )

    @workflow.signal(name=PROGRESS_SIGNAL)
    def on_progress(self, p: BatchProgress) -> None:
        self.batches.report(p)

    def _history_long(self, t: PayoutTuning) -> bool:
        """Time to continue as new: a long history, or near the limit of children a run may have open."""
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= t.max_events_per_run
            or self.started_this_run >= t.max_children_per_run
        )

    # --- status ---------------------------------------------------------------------------------------

    def summary(self) -> dict[str, object]:
        req, ref = self.inp.request, self.inp.request.payee_list
        totals = self.batches.totals()
        return {
            "payees": ref.count,
            "total_fen": ref.total_fen,
            "list_sha256": ref.sha256,  # the list the approvers page through (not shown as such)
            "bank": req.bank,
            "approvals": [a.user_id for a in self.approvals],
            "approvals_needed": self._needed(),
            "batches": self.batches.batches,
            "batches_started": self.batches.next_batch,
            "batches_closed": self.batches.closed.batches,
            "paid_count": totals.paid_count,
            "paid_fen": totals.paid_fen,
            "percent_paid": round(100 * totals.paid_count / ref.count, 2),
            "percent_paid_fen": round(100 * totals.paid_fen / ref.total_fen, 2),
            "failures": totals.awaiting_correction + totals.escrowed_count,
            "awaiting_correction": totals.awaiting_correction,
            "escrowed_count": totals.escrowed_count,
            "escrowed_fen": totals.escrowed_fen,
            "runs": self.runs,
        }

    # --- helpers --------------------------------------------------------------------------------------

    def _carry(self) -> PayoutCarry:
        assert self.epoch is not None
        return PayoutCarry(
            epoch=self.epoch,
            timeline=self.timeline.entries,
            approvals=self.approvals,
            next_batch=self.batches.next_batch,
            open=self.batches.open,
            closed=self.batches.closed,
            outcomes=self.batches.outcomes,
            runs=self.runs + 1,
        )

    def _restore(self, c: PayoutCarry) -> None:
        self.epoch, self.timeline.entries, self.approvals, self.runs = c.epoch, c.timeline, c.approvals, c.runs
        self.status = Status.PAYING

    async def report_end(self, status: str, result: MassPayoutResult) -> None:
        # The case's ledger: what the bank paid the payees (reconciled), once, at the end of the payout.
        case = CaseReporter(self.inp.request.case, NAME, self.timeline)
        await case.paid_out("payout", result.paid_fen, f"批量发放 {result.paid_count} 笔")
        await case.ended(Status(status).value, {"paid_fen": result.paid_fen, "escrowed_fen": result.escrowed_fen})

    def outcome(self, status: str) -> MassPayoutResult:
        totals = self.batches.totals()
        ref = self.inp.request.payee_list
        result = MassPayoutResult(
            status=Status(status),
            payees=ref.count,
            released_fen=ref.total_fen if self._approved() else 0,
            paid_count=totals.paid_count,
            paid_fen=totals.paid_fen,
            escrowed_count=totals.escrowed_count,
            escrowed_fen=totals.escrowed_fen,
            reconciliation=self.reconciliation,
            runs=self.runs,
        )
        self.timeline.record(status, paid_fen=totals.paid_fen, escrowed_fen=totals.escrowed_fen)
        return result
