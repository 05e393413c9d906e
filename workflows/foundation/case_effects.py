"""A matter reports what it did to its case (执行案件): a measure placed, renewed, released or lapsed,
money recovered or paid out, a debtor listed or restricted or lifted, the matter ended. One signal per
effect (``MATTER_EFFECT_SIGNAL``, workflows/foundation/case_link.py), its ``effect_id`` the matter's workflow id +
the effect + its step, so a repeat is taken once by the case.

A matter without a case (a standalone start, every recorded history) sends nothing: no command is added
to its history, which is why these calls need no ``workflow.patched`` — except the term's periods, added
after matters with a case were recorded. A case that cannot be told (gone,
closed) does not fail the matter: the miss is on its timeline, and the migration that attaches matters to
their cases (``python -m web.admin attach-cases``) reconciles from the matter's own record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError

from domain.actors import SYSTEM_ACTOR, Role
from domain.calendar import Deadline
from domain.case_term import ExclusionGround
from domain.legal_time import LegalDuration
from domain.money import Fen
from security.identity import acting_as
from workflows.foundation.case_link import (
    CASE_NOTICE_SIGNAL,
    MATTER_EFFECT_SIGNAL,
    CaseNotice,
    CaseNoticeKind,
    CaseRef,
    EffectKind,
    MatterEffect,
    RecoverySource,
    RegisterKind,
    SeizedUnit,
)
from workflows.foundation.clock import CaseClock
from workflows.foundation.timeline import Timeline, acting_user

NOTICES_FROM_SYSTEM_PATCH = "case-notices-from-system"
TERM_PERIODS_PATCH = "case-term-periods"


def refused_unless_platform(timeline: Timeline, patch: str, action: str, reason: str, **detail: Any) -> bool:
    """True, and on the timeline as ``action``, when a user sent this signal rather than the platform (a
    matter's effect, a case's notice): the handler drops it. A rule added after histories were recorded,
    so behind ``patch``: those replay without it."""
    sender = acting_user()
    if sender.role is Role.SYSTEM or not workflow.patched(patch):
        return False
    timeline.record(action, reason=reason, actor=sender, **detail)
    return True


class CaseReporter:
    """What one matter (or a workflow holding one of its measures) tells its case.

    ``matter_workflow_id`` is the matter the effects belong to (default: this workflow); a term watcher
    that holds an inquiry's freeze reports as the inquiry, naming itself the holder."""

    def __init__(
        self, case: CaseRef | None, scenario: str, timeline: Timeline, matter_workflow_id: str | None = None
    ) -> None:
        self.case = case
        self.scenario = scenario
        self.timeline = timeline
        self.matter_workflow_id = matter_workflow_id

    @property
    def has_case(self) -> bool:
        """Whether there is a case to tell: a standalone matter's caller can skip describing an effect."""
        return self.case is not None

    async def report(self, kind: EffectKind, step: str, **fields: Any) -> None:
        if self.case is None:
            return
        matter = self.matter_workflow_id or workflow.info().workflow_id
        effect = MatterEffect(
            effect_id=f"{matter}:{kind.value}:{step}",
            matter_workflow_id=matter,
            scenario=self.scenario,
            kind=kind,
            occurred_at=workflow.now(),
            **fields,
        )
        try:
            # Signed as the system, not as the user the matter acts for: the case takes effects only from the
            # platform, so a judge (or anyone the web signs for) cannot post one to a case by hand.
            with acting_as(SYSTEM_ACTOR):
                await workflow.get_external_workflow_handle(self.case.workflow_id).signal(MATTER_EFFECT_SIGNAL, effect)
        except FailureError as exc:
            self.timeline.record(
                "case_not_told", reason=str(exc), actor=SYSTEM_ACTOR, case=self.case.case_number, effect=kind.value
            )

    async def placed(
        self,
        step: str,
        register_kind: RegisterKind,
        description: str,
        *,
        amount_fen: Fen | None = None,
        effective_from: date | None = None,
        expires_on: date | None = None,
        renewal_due_on: date | None = None,
        holder_workflow_id: str | None = None,
        partner_id: str | None = None,
        partner_measure_id: str | None = None,
        asset_kind: str | None = None,
        measure_key: str | None = None,
        unit: SeizedUnit | None = None,
    ) -> None:
        """A freeze, seizure, 失信 entry or 限消 order in force. ``measure_key`` (default ``step``) is how
        its later renewal, release or lapse names it."""
        await self.report(
            EffectKind.MEASURE_PLACED,
            step,
            measure_key=measure_key or step,
            register_kind=register_kind,
            description=description[:500],
            amount_fen=amount_fen,
            effective_from=effective_from,
            expires_on=expires_on,
            renewal_due_on=renewal_due_on,
            holder_workflow_id=holder_workflow_id,
            partner_id=partner_id,
            partner_measure_id=partner_measure_id,
            asset_kind=asset_kind,
            unit=unit,
        )

    async def measure_changed(
        self,
        kind: EffectKind,
        step: str,
        measure_key: str,
        register_kind: RegisterKind,
        *,
        effective_from: date | None = None,
        expires_on: date | None = None,
        renewal_due_on: date | None = None,
        description: str = "",
    ) -> None:
        """Renewed (a new expiry), released (with the day it took effect) or lapsed."""
        await self.report(
            kind,
            step,
            measure_key=measure_key,
            register_kind=register_kind,
            effective_from=effective_from,
            expires_on=expires_on,
            renewal_due_on=renewal_due_on,
            description=description[:500],
        )

    async def recovered(self, step: str, amount_fen: Fen, source: RecoverySource, description: str = "") -> None:
        if amount_fen > 0:
            await self.report(
                EffectKind.MONEY_RECOVERED, step, amount_fen=amount_fen, source=source, description=description
            )

    async def paid_out(self, step: str, amount_fen: Fen, description: str = "") -> None:
        if amount_fen > 0:
            await self.report(EffectKind.MONEY_PAID_OUT, step, amount_fen=amount_fen, description=description)

    async def period(self, kind: EffectKind, key: str, ground: ExclusionGround, description: str = "") -> None:
        """A period the case's term does not count began (``PERIOD_STARTED``) or ended (``PERIOD_ENDED``) in
        this matter: an auction, an appraisal, a settlement's stay (审限规定 Art. 9). The case dates it by
        its legal clock and ends what is still open when the matter ends. New signals, so behind a patch
        marker: runs recorded before it replay without them."""
        if self.case is not None and workflow.patched(TERM_PERIODS_PATCH):
            await self.report(kind, f"period/{key}", ground=ground, description=description)

    async def closure_ruled(self, approval: str, description: str) -> None:
        """The 终本裁定 is made, on the applicant's signature or the president's approval (民诉法解释 Art. 517)."""
        await self.report(
            EffectKind.CLOSURE_RULED, "closure-ruling", description=description, result={"approval": approval}
        )

    async def ended(self, status: str, result: dict[str, int | str | bool] | None = None) -> None:
        await self.report(EffectKind.MATTER_ENDED, "end", status=status, result=result or {})


class CaseNotices:
    """The notices a matter received from its case (``CASE_NOTICE_SIGNAL``): each taken once, the first
    full performance remembered with when it came — the legal clock of the lifts runs from it (§17.7)."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.seen: set[str] = set()
        self.full_performance: CaseNotice | None = None
        self.performed_at: datetime | None = None  # workflow time the notice arrived

    def take(self, notice: CaseNotice) -> bool:
        """Records a notice; False for a repeat, and for one a user sent: only the case (signing as the
        system) tells a matter to lift what it holds. Histories from before the rule replay without it."""
        if refused_unless_platform(
            self.timeline,
            NOTICES_FROM_SYSTEM_PATCH,
            "case_notice_refused",
            "只有案件可以通知事项 / only the case sends notices",
            notice=notice.kind.value,
        ):
            return False
        if notice.notice_id in self.seen:
            return False
        self.seen.add(notice.notice_id)
        self.timeline.record("case_notice", reason=notice.reason or None, actor=SYSTEM_ACTOR, notice=notice.kind.value)
        if notice.kind is CaseNoticeKind.FULL_PERFORMANCE and self.full_performance is None:
            self.full_performance = notice
            self.performed_at = workflow.now()
        return True

    def performed(self) -> bool:
        return self.full_performance is not None

    async def lift_due(self, clock: CaseClock, within: LegalDuration) -> Deadline:
        """By when what full performance lifts must be lifted: ``within`` from the notice's arrival."""
        assert self.performed_at is not None
        return await clock.deadline(within, start=clock.clock.legal_now(self.performed_at))

    def record_lift(self, clock: CaseClock, due: Deadline, what: str) -> bool:
        """The lift done: on the timeline with its legal date and whether it kept it."""
        on_time = clock.now() <= due.due_at
        self.timeline.record(
            "performed_lift",
            actor=SYSTEM_ACTOR,
            what=what,
            lifted_at=clock.now().isoformat(),
            due_at=due.due_at.isoformat(),
            provisional=due.provisional,
            on_time=on_time,
        )
        return on_time


__all__ = ["CASE_NOTICE_SIGNAL", "CaseNotices", "CaseReporter", "refused_unless_platform"]
