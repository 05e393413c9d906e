"""Real-estate disposal (不动产司法处置一件事): the Zhuji procedure as one workflow.

1. The debtor's necessary residence is not sold while the claim can be covered otherwise (查扣冻规定 Art. 4;
   an exception needs the judge's decision on a ground of 异议复议规定 Art. 20).
2. One-door joint review (一门联审), all at once: the registry's title search, the tax bureau and a
   court-appointed occupancy survey. Defects are published with the auction; blocking findings go to the
   judge, who proceeds on stated grounds or stops.
3. Reference price (参考价): online inquiry to every platform or appraisal; the parties' objection window.
4. Auction rounds: 一拍 → 二拍 → 变卖 → 以物抵债 or release, buyer default and forfeiture (``rounds``).
   The reference price's and the sale's periods are reported to the case: its term does not count them.
5. The judge's 成交裁定 after the buyer's qualification is checked; title passes on service (Art. 22), and
   the registry's title-transfer task is created at once.
6. Distribution by legal priority, an objection window, payment by bank.

Every legal period comes from the parameter set resolved at start (``inp.params``) and runs on the
legal clock, so tests compress months into seconds.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.case_term import ExclusionGround
    from workflows.foundation.base import CaseNamed, ScenarioWorkflow
    from workflows.foundation.case_link import EffectKind
    from workflows.real_estate_disposal.models import (
        NAME,
        RealEstateDisposalInput,
        RealEstateDisposalResult,
        Status,
    )
    from workflows.real_estate_disposal.words import WORDS

from workflows.foundation.case_effects import NOTICES_FROM_SYSTEM_PATCH, TERM_PERIODS_PATCH
from workflows.foundation.clock import CALENDAR_PATCH, RECHECK_PATCH, load_calendar
from workflows.foundation.decisions import DECIDERS_PATCH
from workflows.foundation.patches import decide_up_front
from workflows.real_estate_disposal.asset import ONE_DISPOSAL_PATCH, claim_asset, end_asset
from workflows.real_estate_disposal.case import DOCUMENTS_PATCH, DisposalCase, Stop
from workflows.real_estate_disposal.decisions import SPECS, unlawful
from workflows.real_estate_disposal.distribution import (
    APPLICATION_FEE_PATCH,
    COUNTER_OBJECTION_PATCH,
    PLAN_DECISION_PATCH,
    distribute,
)
from workflows.real_estate_disposal.distribution import (
    DOCUMENTS_PATCH as DISTRIBUTION_DOCUMENTS_PATCH,
)
from workflows.real_estate_disposal.reference_price import fix_reference_price
from workflows.real_estate_disposal.review import guard_necessary_residence, joint_review
from workflows.real_estate_disposal.rounds import ROLL_FORWARD_PATCH, sell
from workflows.real_estate_disposal.title import pass_title

# Every patch the disposal consults, decided in its first task (workflows/foundation/patches.py).
PATCHES = (
    ONE_DISPOSAL_PATCH,
    DOCUMENTS_PATCH,
    ROLL_FORWARD_PATCH,
    PLAN_DECISION_PATCH,
    APPLICATION_FEE_PATCH,
    COUNTER_OBJECTION_PATCH,
    DISTRIBUTION_DOCUMENTS_PATCH,
    RECHECK_PATCH,
    CALENDAR_PATCH,
    DECIDERS_PATCH,
    NOTICES_FROM_SYSTEM_PATCH,
    TERM_PERIODS_PATCH,
)


@workflow.defn(name="RealEstateDisposal")
class RealEstateDisposal(ScenarioWorkflow[RealEstateDisposalResult]):
    scenario = NAME

    @workflow.init
    def __init__(self, inp: RealEstateDisposalInput) -> None:
        self.case = DisposalCase(inp)
        super().__init__(SPECS, WORDS, self.case.status)
        # The steps record and decide through the case; the base reads the same timeline and desk.
        self.timeline, self.desk = self.case.timeline, self.case.desk
        self.inp = inp
        self.stop: Stop | None = None  # why the procedure ended early, if it did

    @property
    def status(self) -> str:
        return self.case.status

    @status.setter
    def status(self, value: str) -> None:
        self.case.status = value

    @workflow.run
    async def run(self, inp: RealEstateDisposalInput) -> RealEstateDisposalResult:
        decide_up_front(*PATCHES)
        case, req = self.case, inp.request
        case.timeline.record(
            "started", case=req.case_number, unit=req.property.unit_number, params_as_of=inp.params.as_of.isoformat()
        )
        claimed = False
        await load_calendar(inp.context.calendar)
        try:
            claimed = await claim_asset(case)
            await guard_necessary_residence(case)
            await joint_review(case)
            # The term does not count the appraisal and the sale (审限规定 Art. 9 (八), (十二)): the case is told.
            report = case.reporter.period
            await report(EffectKind.PERIOD_STARTED, "reference-price", ExclusionGround.AUDIT_VALUATION, "确定参考价")
            await fix_reference_price(case)
            await report(EffectKind.PERIOD_ENDED, "reference-price", ExclusionGround.AUDIT_VALUATION)
            await report(EffectKind.PERIOD_STARTED, "sale", ExclusionGround.AUCTION_SALE, "拍卖、变卖")
            taker = await sell(case)
            await report(EffectKind.PERIOD_ENDED, "sale", ExclusionGround.AUCTION_SALE)
            title_transfer = await pass_title(case, taker)
            await distribute(case, taker)
            case.title_task = await title_transfer
            case.timeline.record("title_transferred", state=case.title_task.state.value)
        except Stop as stop:
            self.stop = stop
        if claimed:  # before the final status, which is the timeline's last entry
            await end_asset(case)
        return await self._close(self.stop.status if self.stop is not None else Status.COMPLETED)

    def request(self) -> CaseNamed:
        return self.case.req

    def law_check(self, name: str, payload: BaseModel) -> str | None:
        return unlawful(self.case, name, payload)

    def summary(self) -> dict[str, object]:
        return self.case.summary()

    async def report_end(self, status: str, result: RealEstateDisposalResult) -> None:
        await self.case.reporter.ended(
            result.status, {"sold_price_fen": result.sold_price_fen or 0, "shortfall_fen": result.shortfall_fen}
        )

    def outcome(self, status: str) -> RealEstateDisposalResult:
        if self.stop is None:
            return self.case.finish(Status(status), None)
        return self.case.finish(Status(status), self.stop.reason, self.stop.by, **self.stop.detail)
