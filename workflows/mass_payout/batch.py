"""One batch of a mass payout (涉众案款发放): pay its payees, send timed-out items again under the same
keys, give each refused payee to the court's clerk as a correction task and pay the corrected details
under the next round's key, put whoever is still unpaid in escrow (提存), and report to the payout."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payout import PayoutActivities
    from domain.legal_time import calendar_end
    from domain.parties import mask
    from domain.payout import (
        BatchOutcome,
        EscrowReason,
        ItemOutcome,
        ItemStatus,
        PayeeFinal,
        PayeeOverride,
        PayInput,
        PayResult,
        payee_key,
    )
    from domain.task_results import PayeeCorrection, PayeeCorrectionCheck
    from domain.tasks import DueRule, TaskSpec, TaskState
    from workflows.foundation import retries
    from workflows.foundation.clock import calendar_data, load_calendar
    from workflows.foundation.messages import AGENCY_TASK_WORKFLOW, CANCEL_TASK_SIGNAL

    # The agency-task child is started by name: importing workflows.agency_task.workflow would add that
    # module to every batch's sandbox, and most batches need no correction at all.
    from workflows.foundation.task_models import AgencyTaskInput, TaskOutcome
    from workflows.foundation.tasks import task_id
    from workflows.mass_payout.models import (
        CORRECTION_CHECK_TASK,
        CORRECTION_TASK,
        PROGRESS_SIGNAL,
        BatchProgress,
        PayoutBatchInput,
    )

# Runs recorded before a correction needed a second clerk's check pay it as the first clerk gave it.
CORRECTION_FOUR_EYES_PATCH = "payout-correction-four-eyes"

_GIVE_UP = {
    TaskState.REJECTED: EscrowReason.CORRECTION_REJECTED,
    TaskState.CANCELLED: EscrowReason.CORRECTION_CANCELLED,
}


@workflow.defn(name="PayoutBatch")
class PayoutBatch:
    def __init__(self) -> None:
        self.progress = BatchProgress(index=0, payees=0)
        self.finals: list[PayeeFinal] = []
        self.calls = 0
        self._checks: dict[int, tuple[list[str], list[str]]] = {}  # row → (corrected by, confirmed by)

    @workflow.run
    async def run(self, inp: PayoutBatchInput) -> BatchProgress:
        self.progress = BatchProgress(index=inp.index, payees=inp.limit)
        to_correct: list[ItemOutcome] = []
        await load_calendar()
        for f in await self._pay(inp):
            if f.status is not None and f.status.needs_correction:
                to_correct.append(f)
            else:
                self._escrow(f, _reason(f), corrections=0)
        if to_correct:
            self.progress.awaiting_correction = len(to_correct)
            self.progress.phase = "correcting"
            await self._report(inp)
            deadline = self._correction_deadline(inp)
            # Bounded: a run may have at most 2,000 children open (Temporal's limit).
            gate = asyncio.Semaphore(inp.tuning.max_open_corrections)
            await asyncio.gather(*(self._correct(inp, f, deadline, gate) for f in to_correct))
        if self.finals:
            self.progress.outcome_sha256 = await workflow.execute_activity_method(
                PayoutActivities.record_outcome,
                BatchOutcome(
                    workflow_id=inp.payout_id,
                    index=inp.index,
                    offset=inp.offset,
                    limit=inp.limit,
                    exceptions=sorted(self.finals, key=lambda f: f.position),
                ),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=retries.QUICK,
            )
        self.progress.phase = "closed"
        await self._report(inp)
        return self.progress

    # --- paying ---------------------------------------------------------------------------------------

    async def _pay(self, inp: PayoutBatchInput, override: PayeeOverride | None = None) -> list[ItemOutcome]:
        """Pays, then sends timed-out items again (same keys) with backoff; returns what stayed unpaid."""
        positions: list[int] | None = None
        unpaid: list[ItemOutcome] = []
        for attempt in range(inp.tuning.timeout_retries + 1):
            result = await self._call(inp, positions, override)
            if attempt == 0 and override is None:
                self.progress.amount_fen = result.amount_fen
            self.progress.paid_count += result.paid_count
            self.progress.paid_fen += result.paid_fen
            timeouts = [f for f in result.failures if f.status is ItemStatus.TIMEOUT]
            unpaid += [f for f in result.failures if f.status is not ItemStatus.TIMEOUT]
            if not timeouts or attempt == inp.tuning.timeout_retries:
                return unpaid + timeouts
            await workflow.sleep(inp.tuning.timeout_backoff_seconds * 2**attempt)
            positions = [f.position for f in timeouts]
        raise AssertionError("unreachable")

    async def _call(
        self, inp: PayoutBatchInput, positions: list[int] | None, override: PayeeOverride | None
    ) -> PayResult:
        self.calls += 1
        t = inp.tuning
        return await workflow.execute_activity_method(
            PayoutActivities.pay,
            PayInput(
                workflow_id=inp.payout_id,
                batch_id=f"{workflow.info().workflow_id}/{self.calls}",
                bank=inp.bank,
                case_number=inp.case_number,
                from_account=inp.from_account,
                list_sha256=inp.list_sha256,
                offset=inp.offset,
                limit=inp.limit,
                positions=positions,
                overrides=[override] if override else [],
                items_per_request=t.items_per_request,
            ),
            start_to_close_timeout=timedelta(seconds=t.activity_timeout_seconds),
            heartbeat_timeout=timedelta(seconds=t.heartbeat_timeout_seconds),
            retry_policy=retries.PARTNER,
        )

    # --- corrections ----------------------------------------------------------------------------------

    async def _correct(
        self, inp: PayoutBatchInput, failure: ItemOutcome, deadline: datetime, gate: asyncio.Semaphore
    ) -> None:
        async with gate:
            await self._correction_rounds(inp, failure, deadline)
        self.progress.awaiting_correction -= 1
        await self._report(inp)

    async def _correction_rounds(self, inp: PayoutBatchInput, failure: ItemOutcome, deadline: datetime) -> None:
        """Up to ``correction_rounds`` corrections by the clerk, each paid under its own round's key."""
        last = failure
        for round_ in range(1, inp.tuning.correction_rounds + 1):
            outcome = await self._correction_task(inp, last, round_, deadline)
            if outcome is None:
                self._escrow(last, EscrowReason.CORRECTION_DEADLINE_PASSED, round_)
                return
            if outcome.state is not TaskState.COMPLETED or outcome.result is None:
                self._escrow(last, _GIVE_UP.get(outcome.state, EscrowReason.CORRECTION_CANCELLED), round_)
                return
            fix = PayeeCorrection.model_validate(outcome.result)
            if workflow.patched(CORRECTION_FOUR_EYES_PATCH):
                check = await self._check_task(inp, last, round_, fix, outcome, deadline)
                if check is None:
                    self._escrow(last, EscrowReason.CORRECTION_DEADLINE_PASSED, round_)
                    return
                if not _confirmed(check):
                    self._escrow(last, EscrowReason.CORRECTION_NOT_CONFIRMED, round_)
                    return
            override = PayeeOverride(
                position=last.position, row=last.row, round=round_, account=fix.account, name=fix.name, bank=fix.bank
            )
            unpaid = await self._pay(inp, override)
            if not unpaid:
                self._paid(inp, last, round_)
                return
            last = unpaid[0]
            if last.status is None or not last.status.needs_correction:
                self._escrow(last, _reason(last), round_)
                return
        self._escrow(last, EscrowReason.CORRECTION_ROUNDS_EXHAUSTED, inp.tuning.correction_rounds)

    async def _correction_task(
        self, inp: PayoutBatchInput, failure: ItemOutcome, round_: int, deadline: datetime
    ) -> TaskOutcome | None:
        """The clerk's answer, or None when the payout's correction deadline passed first."""
        spec = TaskSpec(
            task_type=CORRECTION_TASK,
            agency=inp.correction_agency,
            case_number=inp.case_number,
            court=inp.court,
            title=f"案款发放更正 / payee correction: 第 {failure.row} 行 ({failure.status})",
            instructions=(
                f"银行未能付款 ({failure.status}, {failure.code or ''}): 请核实收款人 {failure.name} 的账户信息后更正; "
                "无法联系或无法核实的请退回并说明理由 (款项将提存)。"
            ),
            result_type="payee-correction",
            rule=DueRule(due=inp.tuning.correction_due),
            context={
                "payout": inp.payout_id,
                "row": failure.row,
                "name": failure.name,
                "account": failure.account_masked,
                "amount_fen": failure.amount_fen,
                "failure": failure.status,
                "code": failure.code,
                "round": round_,
            },
        )
        return await self._run_task(inp, spec, _correction_task_id(failure.row, round_), deadline)

    async def _check_task(
        self,
        inp: PayoutBatchInput,
        failure: ItemOutcome,
        round_: int,
        fix: PayeeCorrection,
        correction: TaskOutcome,
        deadline: datetime,
    ) -> TaskOutcome | None:
        """Four eyes survive corrections: a change of a payee's account or name after the release was
        approved is paid only once another clerk (never the one who made it) confirms it."""
        corrected_by = correction.completed_by.user_id if correction.completed_by else None
        self._checks.setdefault(failure.row, ([], []))[0].append(corrected_by or "")
        spec = TaskSpec(
            task_type=CORRECTION_CHECK_TASK,
            agency=inp.correction_agency,
            case_number=inp.case_number,
            court=inp.court,
            title=f"案款发放更正复核 / check of a payee correction: 第 {failure.row} 行",
            instructions="他人更正了收款人账户或户名: 请核对收款人提供的凭证后确认; 不能确认的, 款项提存。",
            result_type="payee-correction-check",
            rule=DueRule(due=inp.tuning.correction_due),
            context={
                "payout": inp.payout_id,
                "row": failure.row,
                "name_before": failure.name,
                "account_before": failure.account_masked,
                "name": fix.name or failure.name,
                "account": mask(fix.account),
                "amount_fen": failure.amount_fen,
                "round": round_,
            },
            not_by=corrected_by,
        )
        outcome = await self._run_task(inp, spec, task_id(f"check-{failure.row}-r{round_}"), deadline)
        if outcome is not None and outcome.completed_by is not None and outcome.state is TaskState.COMPLETED:
            self._checks[failure.row][1].append(outcome.completed_by.user_id)
        return outcome

    async def _run_task(
        self, inp: PayoutBatchInput, spec: TaskSpec, tid: str, deadline: datetime
    ) -> TaskOutcome | None:
        """The task's outcome, or None when the payout's correction deadline passed first (it is cancelled)."""
        handle = await workflow.start_child_workflow(
            AGENCY_TASK_WORKFLOW,
            AgencyTaskInput(spec=spec, clock=inp.clock, calendar=calendar_data()),
            id=tid,
            result_type=TaskOutcome,
        )
        try:
            await workflow.wait_condition(handle.done, timeout=max(deadline - workflow.now(), timedelta(0)))
        except TimeoutError:
            await handle.signal(CANCEL_TASK_SIGNAL, "the payout's correction deadline passed")
            await handle
            return None
        outcome: TaskOutcome = await handle
        return outcome

    def _correction_deadline(self, inp: PayoutBatchInput) -> datetime:
        now = workflow.now()
        legal_deadline = calendar_end(inp.clock.legal_now(now), inp.tuning.correction_deadline)
        return now + inp.clock.real_delay_until(legal_deadline, now)

    # --- bookkeeping ----------------------------------------------------------------------------------

    def _paid(self, inp: PayoutBatchInput, f: ItemOutcome, round_: int) -> None:
        self.finals.append(
            PayeeFinal(
                position=f.position,
                row=f.row,
                amount_fen=f.amount_fen,
                state="paid",
                round=round_,
                key=payee_key(inp.payout_id, f.row, round_),
                last_status=ItemStatus.PAID,
                corrections=round_,
                **self._reviewers(f.row),
            )
        )

    def _escrow(self, f: ItemOutcome, reason: EscrowReason, corrections: int) -> None:
        self.finals.append(
            PayeeFinal(
                position=f.position,
                row=f.row,
                amount_fen=f.amount_fen,
                state="escrowed",
                round=f.round,
                last_status=f.status,
                reason=reason,
                corrections=corrections,
                **self._reviewers(f.row),
            )
        )
        self.progress.escrowed_count += 1
        self.progress.escrowed_fen += f.amount_fen

    def _reviewers(self, row: int) -> dict[str, list[str]]:
        corrected, confirmed = self._checks.get(row, ([], []))
        return {"corrected_by": corrected, "confirmed_by": confirmed}

    async def _report(self, inp: PayoutBatchInput) -> None:
        self.progress.version += 1
        payout = workflow.get_external_workflow_handle(inp.payout_id)
        await payout.signal(PROGRESS_SIGNAL, self.progress.model_copy())


def _confirmed(check: TaskOutcome) -> bool:
    if check.state is not TaskState.COMPLETED or check.result is None:
        return False
    return PayeeCorrectionCheck.model_validate(check.result).confirmed


def _reason(f: ItemOutcome) -> EscrowReason:
    return EscrowReason.BATCH_REFUSED if f.status is None else EscrowReason.BANK_TIMEOUT_UNRESOLVED


def _correction_task_id(row: int, round_: int) -> str:
    """The foundation's one task id shape; runs recorded before it kept their ``:fix:`` ids (patch marker)."""
    if workflow.patched("kit-task-ids"):
        return task_id(f"fix-{row}-r{round_}")
    return f"{workflow.info().workflow_id}:fix:{row}:r{round_}"
