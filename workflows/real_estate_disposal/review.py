"""Before anything is sold: the debtor's necessary residence (查扣冻规定 Art. 4) and the one-door joint
review (一门联审) of title, tax and occupancy, whose defects are published with the auction."""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.auction import AuctionActivities, TitleSearchInput
    from domain.actors import SYSTEM_ACTOR
    from domain.distribution import ClaimKind
    from domain.joint_review import Finding, Lease, OccupantKind, Severity, TaxArrear, TitleRecord, review
    from domain.legal_params import P as LP
    from domain.residence import ResidenceException, covered_without_residence
    from domain.tasks import TaskState
    from workflows.foundation import retries
    from workflows.foundation.task_models import TaskOutcome
    from workflows.foundation.timeline import failure_code
    from workflows.real_estate_disposal.models import (
        PROCEED,
        RESIDENCE_EXCEPTION,
        STOP,
        SURVEY_TASK,
        TAX_TASK,
        Creditor,
        Status,
    )

from workflows.real_estate_disposal.case import CALL, DisposalCase, Stop


async def guard_necessary_residence(case: DisposalCase) -> None:
    """Not sold while other assets cover the claim; otherwise only on the judge's decision on a ground of
    异议复议规定 Art. 20."""
    req = case.req
    if not req.property.necessary_residence:
        return
    owed = req.amount_owed_fen + sum(c.amount_fen for c in req.execution_costs)
    if covered_without_residence(owed, req.other_assets):
        raise Stop(
            Status.RESIDENCE_PROTECTED,
            "other assets cover the claim; the necessary residence is not sold",
            SYSTEM_ACTOR,
            code="RESIDENCE_PROTECTED",
        )
    case.set_status(Status.AWAITING_RESIDENCE_DECISION)
    decision = await case.decided(RESIDENCE_EXCEPTION, STOP)
    if decision.decision == STOP:
        raise Stop(Status.STOPPED, decision.reason)
    exception = ResidenceException.model_validate(decision.payload)
    case.residence_reserve_fen = exception.reserve_fen()
    case.residence_conceded_by = exception.conceded_by
    case.timeline.record(
        "residence_exception", decision.reason, ground=exception.ground.value, basis=exception.ground.basis
    )


async def joint_review(case: DisposalCase) -> None:
    """The registry's title search, the tax bureau and a court-appointed occupancy survey, all at once.
    Blocking findings go to the judge, who proceeds on stated grounds or stops."""
    req, params = case.req, case.params
    case.set_status(Status.JOINT_REVIEW)
    due = params.duration(LP.JOINT_REVIEW_DUE)
    context = {"unit_number": req.property.unit_number, "description": req.property.description}
    title, tax, survey = await asyncio.gather(
        _title_search(case),
        case.agency_task(
            TAX_TASK, req.tax_agency, "一门联审: 查明欠缴税费", result_type="tax-review", due=due, context=context
        ),
        case.agency_task(
            SURVEY_TASK,
            req.survey_agency,
            "一门联审: 现场调查占有使用及租赁",
            result_type="occupancy-survey",
            due=due,
            context=context,
        ),
    )
    case.title_record = title
    case.purchase_restricted = title.purchase_restricted
    arrears = [TaxArrear.model_validate(a) for a in (tax.result or {}).get("arrears", [])]
    occupant = OccupantKind((survey.result or {}).get("occupant", OccupantKind.OTHER.value))
    leases = (survey.result or {}).get("leases", [])
    defects = review(
        title,
        debtor_id_number=req.debtor.id_number,
        court=req.court,
        case_number=req.case_number,
        arrears=arrears,
        occupant=occupant,
        leases=[Lease.model_validate(lease) for lease in leases],
        creditor_names={c.creditor for c in req.creditors},
        today=case.legal_now().date(),
    )
    case.defects = defects
    for outcome in (tax, survey):
        if outcome.state is not TaskState.COMPLETED:
            defects.findings.insert(0, _unanswered(outcome))
    tax_result = tax.result or {}
    case.tax_claims = [
        Creditor(
            claim_id=f"tax-{i + 1}",
            creditor=req.tax_agency,
            kind=ClaimKind.TAX,
            amount_fen=a.amount_fen,
            tax_arrears_since=a.arrears_since,
            id_number=tax_result.get("payee_code", ""),
            account=tax_result.get("payee_account", ""),
        )
        for i, a in enumerate(arrears)
    ]
    case.timeline.record(
        "joint_review_completed",
        findings=[f.code for f in defects.findings],
        blocking=[f.code for f in defects.blocking],
    )
    if defects.blocking:
        case.set_status(Status.AWAITING_JOINT_REVIEW_DECISION)
        decision = await case.decided(PROCEED, STOP)
        if decision.decision == STOP:
            raise Stop(Status.STOPPED, decision.reason)
        case.timeline.record("proceed_despite_findings", decision.reason, grounds=decision.payload.get("grounds"))


async def _title_search(case: DisposalCase) -> TitleRecord:
    try:
        return await workflow.execute_activity_method(
            AuctionActivities.title_record,
            TitleSearchInput(registry=case.req.registry, unit_number=case.req.property.unit_number),
            start_to_close_timeout=CALL,
            retry_policy=retries.PARTNER,
        )
    except ActivityError as exc:
        code = failure_code(exc)
        raise Stop(
            Status.STOPPED,
            f"title search failed: {code}",
            SYSTEM_ACTOR,
            code=code,
            partner=case.req.registry,
            step="title_search",
        ) from None


def _unanswered(outcome: TaskOutcome) -> Finding:
    return Finding(
        code="JOINT_REVIEW_UNANSWERED",
        severity=Severity.BLOCKING,
        text=f"{outcome.agency} 未完成联审协查 ({outcome.state.value}: {outcome.reason or ''})",
        basis="参考价规定 第三条",
    )
