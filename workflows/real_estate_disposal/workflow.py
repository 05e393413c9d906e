"""Real-estate disposal (不动产司法处置一件事): the Zhuji procedure as one workflow.

1. The debtor's necessary residence is not sold while the claim can be covered otherwise (查扣冻规定 Art. 4;
   an exception needs the judge's decision on a ground of 异议复议规定 Art. 20).
2. One-door joint review (一门联审), all at once: the registry's title search, the tax bureau and a
   court-appointed occupancy survey. Defects are published with the auction; blocking findings go to the
   judge, who proceeds on stated grounds or stops.
3. Reference price (参考价): online inquiry to every platform or appraisal; the parties' objection window.
4. Auction rounds: 一拍 → 二拍 → 变卖 → 以物抵债 or release, buyer default and forfeiture (``rounds``).
5. The judge's 成交裁定 after the buyer's qualification is checked; title passes on service (Art. 22), and
   the registry's title-transfer task is created at once.
6. Distribution by legal priority, an objection window, payment by bank.

Every legal period comes from the parameter set resolved at start (``inp.params``) and runs on the
legal clock, so tests compress months into seconds.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.kit.archive import archive_audit_trail
    from workflows.kit.messages import DECIDE_UPDATE, STATUS_QUERY
    from workflows.kit.models import DecisionInput, DecisionOutcome, ScenarioStatus
    from workflows.real_estate_disposal.models import (
        NAME,
        RealEstateDisposalInput,
        RealEstateDisposalResult,
        Status,
    )

from workflows.real_estate_disposal.asset import claim_asset, end_asset
from workflows.real_estate_disposal.case import DisposalCase, Stop
from workflows.real_estate_disposal.decisions import unlawful
from workflows.real_estate_disposal.distribution import distribute
from workflows.real_estate_disposal.reference_price import fix_reference_price
from workflows.real_estate_disposal.review import guard_necessary_residence, joint_review
from workflows.real_estate_disposal.rounds import sell
from workflows.real_estate_disposal.title import pass_title


@workflow.defn(name="RealEstateDisposal")
class RealEstateDisposal:
    @workflow.init
    def __init__(self, inp: RealEstateDisposalInput) -> None:
        self.case = DisposalCase(inp)
        self.result: RealEstateDisposalResult | None = None

    @workflow.run
    async def run(self, inp: RealEstateDisposalInput) -> RealEstateDisposalResult:
        case, req = self.case, inp.request
        case.timeline.record(
            "started", case=req.case_number, unit=req.property.unit_number, params_as_of=inp.params.as_of.isoformat()
        )
        claimed, stopped = False, None
        try:
            claimed = await claim_asset(case)
            await guard_necessary_residence(case)
            await joint_review(case)
            await fix_reference_price(case)
            taker = await sell(case)
            title_transfer = await pass_title(case, taker)
            await distribute(case, taker)
            case.title_task = await title_transfer
            case.timeline.record("title_transferred", state=case.title_task.state.value)
        except Stop as stop:
            stopped = stop
        if claimed:  # before the final status, which is the timeline's last entry
            await end_asset(case)
        if stopped is not None:
            self.result = case.finish(stopped.status, stopped.reason, stopped.by, **stopped.detail)
        else:
            self.result = case.finish(Status.COMPLETED, None)
        await case.reporter.ended(
            self.result.status,
            {"sold_price_fen": self.result.sold_price_fen or 0, "shortfall_fen": self.result.shortfall_fen},
        )
        await archive_audit_trail()
        return self.result

    @workflow.update(name=DECIDE_UPDATE)
    async def decide(self, decision: DecisionInput) -> DecisionOutcome:
        return self.case.desk.accept(decision)

    @decide.validator
    def _validate_decision(self, decision: DecisionInput) -> None:
        self.case.desk.validate(decision, lambda name, payload: unlawful(self.case, name, payload))

    @workflow.query(name=STATUS_QUERY)
    def get_status(self) -> ScenarioStatus:
        case = self.case
        return ScenarioStatus(
            scenario=NAME,
            case_number=case.req.case_number,
            court=case.req.court,
            status=case.status,
            summary=case.summary(),
            pending_decisions=case.desk.pending(),
            timeline=case.timeline.entries,
            result=self.result.model_dump(mode="json") if self.result else None,
            incidents=case.timeline.incidents,
        )
