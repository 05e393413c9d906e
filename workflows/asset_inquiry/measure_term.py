"""Watches one control measure's term (查封/冻结期限) and renews it before expiry (续行查封、冻结,
民诉法解释 Art. 485), ex officio; a measure left to expire lapses (查扣冻规定 Art. 27). The judge may
release it instead. One renewal per run, then continue-as-new, so history stays small for decades."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.partners import PartnerActivities, ReleaseMeasureInput, RenewMeasureInput
    from domain.documents import APPLICANT, DEBTOR, RULING_FOR_ACT, AssistanceAct
    from domain.legal_time import calendar_before, calendar_end
    from domain.measures import MAX_TERM_BY_ASSET, Measure, MeasureKind, MeasureStatus, measure_key
    from workflows.asset_inquiry.models import NAME, RELEASE, RELEASE_RULING_PATCH, MeasureTermInput
    from workflows.asset_inquiry.words import WORDS
    from workflows.foundation import retries
    from workflows.foundation.base import CaseNamed, ScenarioWorkflow
    from workflows.foundation.case_effects import CaseNotices, CaseReporter
    from workflows.foundation.case_link import CASE_NOTICE_SIGNAL, CaseNotice, EffectKind, RegisterKind
    from workflows.foundation.clock import CaseClock
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.issuing import DocumentIssuer, IssuedRef
    from workflows.foundation.models import DecisionInput, DecisionOutcome


@workflow.defn(name="MeasureTermWatch")
class MeasureTermWatch(ScenarioWorkflow[Measure]):
    scenario = "measure-term"

    # State set from the input before any handler runs: a release decided in a new run's first workflow task
    # (the watch continues as new after each renewal) finds the offer open, not "pending: none".
    @workflow.init
    def __init__(self, inp: MeasureTermInput) -> None:
        super().__init__([DecisionSpec(RELEASE, reason_required=True)], WORDS, "watching")
        self.release_reason: str | None = None
        self.inp: MeasureTermInput | None = inp
        self.notices = CaseNotices(self.timeline)
        self.timeline.entries = list(inp.timeline)
        self.desk.offer(RELEASE)  # the judge may release the measure at any moment of the watch
        if inp.release_documents is not None:
            self.patches.applied = frozenset({RELEASE_RULING_PATCH})

    @workflow.run
    async def run(self, inp: MeasureTermInput) -> Measure:
        m = inp.measure
        renew_at = calendar_before(m.expires_at, inp.renewal_lead)
        delay = inp.clock.real_delay_until(renew_at, workflow.now())
        released = await self._wait_for_release(delay)
        if released:
            return await self._release(inp)
        return await self._renew(inp)

    @workflow.signal(name=CASE_NOTICE_SIGNAL)
    def on_case_notice(self, notice: CaseNotice) -> None:
        """Full performance: the measure is released ex officio (查扣冻规定 Art. 28(4)), at once."""
        if self.notices.take(notice) and self.notices.performed() and self.release_reason is None:
            self.release_reason = "被执行人已履行全部义务, 依职权解除 (查扣冻规定 第二十八条)"
            self.status = "releasing"

    def _reporter(self, inp: MeasureTermInput) -> CaseReporter:
        return CaseReporter(inp.case, NAME, self.timeline, inp.matter_workflow_id)

    def _register_kind(self, m: Measure) -> RegisterKind:
        return RegisterKind.FREEZE if m.kind is MeasureKind.FREEZE else RegisterKind.SEIZE

    async def _wait_for_release(self, delay: timedelta) -> bool:
        try:
            await workflow.wait_condition(self._release_decided, timeout=delay)
        except TimeoutError:
            pass
        return self._release_decided()

    def _release_decided(self) -> bool:
        if self.desk.taken is not None:
            self.release_reason = self.desk.taken.reason
        return self.release_reason is not None

    async def _renew(self, inp: MeasureTermInput) -> Measure:
        m = inp.measure
        new_expiry = calendar_end(m.expires_at, MAX_TERM_BY_ASSET[m.asset_kind])
        step = f"renew/{m.asset_index}/{m.renewals + 1}"
        try:
            await workflow.execute_activity_method(
                PartnerActivities.renew_measure,
                RenewMeasureInput(
                    partner_id=m.partner_id,
                    step=step,
                    measure_id=m.measure_id,
                    expires_on=new_expiry.date(),
                    document_ref=f"{workflow.info().workflow_id}/{step}",
                ),
                activity_id=step,
                start_to_close_timeout=timedelta(seconds=inp.measure_timeout_seconds),
                retry_policy=retries.PARTNER,
            )
        except ActivityError:
            # A refused renewal leaves the measure to lapse at expiry; the judge sees it in the timeline.
            self.timeline.record("renewal_refused", step=step, expires_at=m.expires_at.isoformat())
            await self._reporter(inp).measure_changed(
                EffectKind.MEASURE_LAPSED,
                step,
                measure_key(m),
                self._register_kind(m),
                effective_from=m.expires_at.date(),
                description="续行被拒, 期满失效",
            )
            return m.model_copy(update={"status": MeasureStatus.LAPSED})
        renewed = m.model_copy(update={"expires_at": new_expiry, "renewals": m.renewals + 1})
        self.timeline.record("renewed", step=step, expires_on=new_expiry.date().isoformat())
        await self._reporter(inp).measure_changed(
            EffectKind.MEASURE_RENEWED,
            step,
            measure_key(m),
            self._register_kind(m),
            expires_on=new_expiry.date(),
            renewal_due_on=calendar_before(new_expiry, inp.renewal_lead).date(),
        )
        if self._release_decided():  # the judge released it while it was being renewed
            return await self._release(inp.model_copy(update={"measure": renewed}))
        workflow.continue_as_new(inp.model_copy(update={"measure": renewed, "timeline": self.timeline.entries}))

    async def _release(self, inp: MeasureTermInput) -> Measure:
        """解除 on its ruling, served on the parties, and its notice to the holder (查扣冻规定 Art. 28); a watch
        started before releases on the step's reference."""
        m = inp.measure
        step = f"release/{m.asset_index}"
        ruling = await self._release_ruling(inp, step)
        docs = inp.release_documents
        notice: dict[str, object] = {}
        if docs is not None:
            notice = {
                "court": inp.court,
                "case_number": inp.case_number,
                "kind": m.kind,
                "asset_reference": docs.asset_reference,
                "debtor": docs.debtor,
                "ruling_id": ruling.document_id if ruling is not None else None,
            }
        await workflow.execute_activity_method(
            PartnerActivities.release_measure,
            ReleaseMeasureInput(
                partner_id=m.partner_id,
                step=step,
                measure_id=m.measure_id,
                reason=self.release_reason or "",
                document_ref=ruling.number if ruling is not None else f"{workflow.info().workflow_id}/{step}",
                **notice,
            ),
            activity_id=step,
            start_to_close_timeout=timedelta(seconds=inp.measure_timeout_seconds),
            retry_policy=retries.PARTNER,
        )
        self.timeline.record("released", step=step)
        clock = CaseClock.of(inp.clock)
        if self.notices.performed() and inp.case is not None:
            due = await self.notices.lift_due(clock, inp.prompt_lift_within)
            self.notices.record_lift(clock, due, measure_key(m))
        await self._reporter(inp).measure_changed(
            EffectKind.MEASURE_RELEASED,
            step,
            measure_key(m),
            self._register_kind(m),
            effective_from=clock.now().date(),
            description=self.release_reason or "",
        )
        return m.model_copy(update={"status": MeasureStatus.RELEASED})

    async def _release_ruling(self, inp: MeasureTermInput, step: str) -> IssuedRef | None:
        """The 解除 ruling (执行裁定书（解除）): the parties, the control ruling that placed the measure, the reason.
        Served on both sides; its copy goes to the holder with the 解除 notice."""
        docs, m = inp.release_documents, inp.measure
        if docs is None or not self.patches.known(RELEASE_RULING_PATCH):
            return None
        fields: dict[str, object] = {
            "debtor_name": docs.debtor.name,
            "debtor_id": docs.debtor.id_number,
            "asset": docs.asset,
            "act_name": "冻结" if m.kind is MeasureKind.FREEZE else "查封",
            "reason": self.release_reason or "依法解除",
            "title_document": docs.title_document,
            "ruling_number": docs.ruling_number,
        }
        if docs.applicant is not None:
            fields["applicant_name"] = docs.applicant.name
        issuer = DocumentIssuer(self.timeline, inp.court, inp.case_number, inp.case, self.patches)
        return await issuer.issue(
            f"{step}/ruling",
            RULING_FOR_ACT[AssistanceAct.RELEASE],
            fields,
            patch=RELEASE_RULING_PATCH,
            addressed_to=[APPLICANT, DEBTOR],
        )

    def take(self, decision: DecisionInput) -> DecisionOutcome:
        self.status = "releasing"
        return self.desk.accept(decision)

    def request(self) -> CaseNamed:
        assert self.inp is not None
        return self.inp

    def outcome(self, status: str) -> Measure:
        """The measure as this run holds it (a watch ends by releasing, lapsing or continuing as new — it
        returns the measure from those steps and never through ``_close``)."""
        assert self.inp is not None
        return self.inp.measure

    def summary(self) -> dict[str, object]:
        assert self.inp is not None
        m = self.inp.measure
        return {
            "partner": m.partner_id,
            "kind": m.kind.value,
            "expires_at": m.expires_at.isoformat(),
            "renewals": m.renewals,
        }
