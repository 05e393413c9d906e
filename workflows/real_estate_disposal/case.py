"""One disposal in progress: what the judge asked for, what each step found and decided, and the few
things every step does the same way — publish a status, wait for the judge, assign an agency task,
compute a legal deadline — through the shared foundation. The steps (``review``, ``reference_price``,
``rounds``, ``title``, ``distribution``) read and write this record; the workflow owns one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.auction import PlatformClock
    from domain.actors import Actor
    from domain.auction import ForfeitureApplication, RoundKind, announcement_lead, round_floor
    from domain.calendar import Deadline
    from domain.distribution import DistributionPlan
    from domain.joint_review import DefectsReport, KnownCreditor, TitleRecord
    from domain.legal_params import LegalParams
    from domain.legal_params import P as LP
    from domain.legal_time import LegalDuration
    from domain.parties import mask
    from domain.tasks import DueRule, TaskSpec
    from workflows.foundation.case_effects import CaseReporter
    from workflows.foundation.clock import CaseClock, LegalPeriod
    from workflows.foundation.decisions import DecisionDesk
    from workflows.foundation.issuing import DocumentIssuer
    from workflows.foundation.models import DecisionInput
    from workflows.foundation.status import publish_status
    from workflows.foundation.task_models import TaskOutcome
    from workflows.foundation.tasks import run_agency_task
    from workflows.foundation.timeline import Timeline
    from workflows.real_estate_disposal.models import (
        NAME,
        SET_TERMS,
        Creditor,
        DistributionObjection,
        Payment,
        PaymentStatus,
        RealEstateDisposalInput,
        RealEstateDisposalRequest,
        RealEstateDisposalResult,
        RoundRecord,
        Status,
    )
    from workflows.real_estate_disposal.words import WORDS

from workflows.real_estate_disposal.decisions import SPECS

CALL = timedelta(seconds=30)  # one request to a partner
# Histories recorded before the disposal issued its rulings and announcements replay without them.
DOCUMENTS_PATCH = "real-estate-disposal-documents"


class Stop(Exception):
    """Ends the procedure early with a status and a reason (the judge stopped it, nothing to sell...).
    ``by``: who ended it when not the judge deciding — the system, for a partner's refusal (``detail``
    names the partner and its code) or a rule; the record then never reads as the judge's act."""

    def __init__(self, status: Status, reason: str, by: Actor | None = None, **detail: Any) -> None:
        super().__init__(reason)
        self.status, self.reason, self.by, self.detail = status, reason, by, detail


class DisposalCase:
    """Built inside the workflow (the clock reads ``workflow.info()``)."""

    def __init__(self, inp: RealEstateDisposalInput) -> None:
        self.inp = inp
        self.timeline = Timeline()
        self.desk = DecisionDesk(SPECS, WORDS, self.timeline)
        self.reporter = CaseReporter(inp.request.case, NAME, self.timeline)  # nothing without a case
        req = inp.request
        self.documents = DocumentIssuer(self.timeline, req.court, req.case_number, req.case)
        self.clock = CaseClock(inp.context.time_scale)
        self.status: str = Status.STARTED.value
        # 1–2. residence and joint review
        self.residence_reserve_fen = 0
        self.residence_conceded_by: str | None = None  # the applying creditor whose share bears the reserve
        self.title_record: TitleRecord | None = None
        self.defects: DefectsReport | None = None
        self.tax_claims: list[Creditor] = []
        self.purchase_restricted = False
        # 3. reference price
        self.reference_fen: int | None = None
        # 4. rounds
        self.rounds: list[RoundRecord] = []
        self.terms_round: RoundKind | None = None
        self.excluded: list[str] = []
        self.forfeited: list[tuple[int, int]] = []  # (deposit, original price) of each default
        self.sold: RoundRecord | None = None
        self.buyer: str | None = None
        self.sale_price_fen: int | None = None
        # 5. ruling and title
        self.ruling_ref: str | None = None
        self.ruling_effective_on: date | None = None
        self.title_task: TaskOutcome | None = None
        # 6. distribution
        self.forfeitures: list[ForfeitureApplication] = []
        self.known: list[KnownCreditor] = []  # invited to declare (mortgagees, other seizing courts)
        self.declared: dict[str, Creditor] = {}  # their declarations, by claim_id
        self.claims: list[Creditor] = []
        self.plan: DistributionPlan | None = None
        self.escrow: dict[str, int] = {}
        self.objections: list[DistributionObjection] = []  # 民诉法解释 Art. 509, settled per Art. 510
        self.opposed: set[str] = set()  # refs of objections another creditor or the debtor opposed
        # Legal periods as they stand (name → period), shown with their provisional flag.
        self.periods: dict[str, LegalPeriod] = {}
        self.reauction_limit_at: datetime | None = None
        self.payments: list[Payment] = []

    @property
    def req(self) -> RealEstateDisposalRequest:
        return self.inp.request

    def party_fields(self) -> dict[str, str]:
        """Who the disposal's rulings name: the applicant (the first creditor) and the debtor."""
        req = self.req
        return {
            "applicant_name": req.creditors[0].creditor,
            "debtor_name": req.debtor.name,
            "debtor_id": req.debtor.id_number,
            "property": f"{req.property.description}（不动产单元号 {req.property.unit_number}）",
        }

    @property
    def params(self) -> LegalParams:
        return self.inp.params

    @property
    def title(self) -> TitleRecord:
        assert self.title_record is not None
        return self.title_record

    def floor(self, kind: RoundKind) -> int:
        """The lowest starting price the law allows for ``kind`` (一拍: a share of the reference price;
        二拍: at most a 20 % cut of the 一拍 starting price)."""
        assert self.reference_fen is not None
        first = next((r for r in reversed(self.rounds) if r.kind is RoundKind.FIRST), None)
        return round_floor(kind, self.reference_fen, first.terms.start_price_fen if first else None, self.params)

    def reauction_limit(self) -> datetime | None:
        """二拍 within 30 days of the 流拍 (网拍规定 Art. 26), if the last 一拍 failed for want of bids."""
        failed = next((r for r in reversed(self.rounds) if r.kind is RoundKind.FIRST and r.result), None)
        if failed is None or failed.result is None or failed.result.status != "unsold":
            return None
        return self.reauction_limit_at or failed.result.ends_at + self.params.span(LP.REAUCTION_WITHIN)

    def terms_due_by(self) -> datetime | None:
        """When the judge must set 二拍 terms so that notice and announcement still fit in the 30 days."""
        limit = self.reauction_limit()
        if self.terms_round is not RoundKind.SECOND or limit is None:
            return None
        lead = announcement_lead(RoundKind.SECOND, self.params)
        return limit - self.params.span(LP.PARTY_NOTICE_LEAD) - timedelta(days=lead.amount)

    def set_status(self, status: Status) -> None:
        self.status = status.value
        publish_status(status.value)

    async def decision(self, *names: str, until: datetime | None = None) -> DecisionInput | None:
        """Waits for one of the named decisions; with ``until``, returns None when that legal time passes."""
        timeout = self.clock.real_until(until) if until is not None else None
        return await self.desk.wait(*names, timeout=timeout)

    async def period(self, name: str, duration: LegalDuration, start: datetime | None = None) -> LegalPeriod:
        """A legal period that shows on the case page with its provisional flag until it ends."""
        period = self.periods[name] = await self.clock.period(name, duration, start)
        return period

    async def decision_within(self, name: str, period: LegalPeriod) -> DecisionInput | None:
        """Waits for the decision until the period ends; None when it has. A provisional end is counted
        again when reached, and the wait goes on if the published schedule moved it later."""
        while True:
            decision = await self.decision(name, until=period.due_at)
            if decision is not None:
                return decision
            rechecked = await self.clock.recheck(period)
            self.periods[period.name] = rechecked
            if rechecked.due_at <= period.due_at:
                return None
            self.timeline.record("deadline_rechecked", period=period.name, due_at=rechecked.due_at.isoformat())
            period = rechecked

    async def decided(self, *names: str) -> DecisionInput:
        """Waits, without a time limit, for one of the named decisions."""
        decision = await self.desk.wait(*names)
        assert decision is not None
        return decision

    async def deadline(self, duration: LegalDuration, start: datetime | None = None) -> Deadline:
        """The end of a legal period from now (or ``start``), rest days rolled forward (CPL Art. 85)."""
        return await self.clock.deadline(duration, start)

    async def agency_task(
        self, step: str, agency: str, title: str, result_type: str, due: LegalDuration, context: dict[str, Any]
    ) -> TaskOutcome:
        req = self.req
        spec = TaskSpec(
            task_type=f"{NAME}.{step}",
            agency=agency,
            case_number=req.case_number,
            court=req.court,
            title=title,
            instructions=f"{req.property.description} (不动产单元号 {req.property.unit_number})",
            result_type=result_type,
            rule=DueRule(due=due),
            context=context,
        )
        return await run_agency_task(step, spec, self.clock.clock, self.timeline, title=title)

    def legal_now(self) -> datetime:
        return self.clock.now()

    def wire_clock(self) -> PlatformClock:
        """The legal clock as a platform needs it to date its announcements and bids."""
        clock = self.clock.clock
        return PlatformClock(
            epoch=clock.epoch, legal_epoch=clock.legal_epoch or clock.epoch, acceleration=clock.scale.acceleration
        )

    def poll(self) -> float:
        """How often to ask a platform: one legal minute, but not more often than 20 times a second."""
        if self.inp.poll_seconds:
            return float(self.inp.poll_seconds)
        real = self.inp.context.time_scale.real(timedelta(minutes=1)).total_seconds()
        return min(max(real, 0.05), 30.0)

    def heartbeat(self) -> timedelta:
        return timedelta(seconds=max(10 * self.poll(), 10))

    def case_account(self) -> str:
        return self.req.case_account or f"CASE-{self.req.case_number}"

    def summary(self) -> dict[str, Any]:
        """What the case page shows beside the status (the debtor's number masked)."""
        req = self.req
        summary: dict[str, Any] = {
            "unit_number": req.property.unit_number,
            "property": req.property.description,
            "debtor": mask(req.debtor.id_number),
            "reference_price_fen": self.reference_fen,
            "defects": self.defects.model_dump(mode="json") if self.defects else None,
            "rounds": [
                r.model_dump(mode="json", exclude={"result"}) | {"status": r.result.status if r.result else None}
                for r in self.rounds
            ],
            "sold_price_fen": self.sale_price_fen,
            "plan": self.plan.model_dump(mode="json") if self.plan else None,
            "escrow": self.escrow,
            "known_creditors": [
                k.model_dump(mode="json") | {"declared": k.claim_id in self.declared} for k in self.known
            ],
            "deadlines": {
                name: {"due_at": p.due_at.isoformat(), "provisional": p.deadline.provisional}
                for name, p in self.periods.items()
            },
        }
        if SET_TERMS in self.desk.awaiting and self.reference_fen is not None:
            summary["lowest_start_price_fen"] = self.floor(self.terms_round or RoundKind.FIRST)
            due_by = self.terms_due_by()
            summary["terms_due_by"] = due_by.isoformat() if due_by else None
        return summary

    def finish(
        self, status: Status, reason: str | None, by: Actor | None = None, **detail: Any
    ) -> RealEstateDisposalResult:
        """The result (the workflow has set the last status): what was sold for how much, who was paid, what
        is still owed, which residences were kept."""
        req = self.req
        paid_to_case = sum(
            p.amount_fen
            for p in self.payments
            if p.status in (PaymentStatus.PAID, PaymentStatus.SET_OFF, PaymentStatus.HELD)
        )
        if self.plan is not None:
            plan = self.plan
            shortfall = sum(
                max(0, c.amount_fen + c.doubled_interest_fen - plan.paid_to(c.claim_id)) for c in self.claims
            )
        else:
            shortfall = sum(c.amount_fen for c in req.creditors)
        kept = [a.description for a in req.other_assets if a.necessary_residence]
        if req.property.necessary_residence and status is not Status.COMPLETED:
            kept.append(req.property.description)
        result = RealEstateDisposalResult(
            status=status.value,
            reference_price_fen=self.reference_fen,
            rounds=self.rounds,
            sold_price_fen=self.sale_price_fen,
            buyer=self.buyer,
            forfeitures=self.forfeitures,
            defects=self.defects,
            plan=self.plan,
            payments=self.payments,
            escrowed_fen=sum(p.amount_fen for p in self.payments if p.status == PaymentStatus.ESCROWED),
            shortfall_fen=shortfall,
            residences_kept=kept,
            title_transfer=self.title_task,
            reason=reason,
        )
        self.timeline.record(
            status.value, reason, by, paid_fen=paid_to_case, shortfall_fen=shortfall, residences_kept=kept, **detail
        )
        return result
