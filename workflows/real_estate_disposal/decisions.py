"""The decisions the law reserves for the judge in a disposal — what each carries, whether it must state
its grounds — and the legal checks the desk runs before accepting one (a refused decision leaves no
trace in history)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.auction import AuctionTerms, RoundKind, qualification_problem, terms_problems
    from domain.legal_params import P as LP
    from domain.residence import ResidenceException, residence_problem
    from workflows.kit.decisions import DecisionSpec, NoPayload
    from workflows.real_estate_disposal.models import (
        CONFIRM_SALE,
        CORRECT_REFERENCE,
        DISTRIBUTION_OBJECTION,
        IN_KIND,
        PROCEED,
        REFUSE_SALE,
        RELEASE,
        RESIDENCE_EXCEPTION,
        SET_TERMS,
        STOP,
        CorrectedReference,
        DistributionObjection,
        Grounds,
        InKind,
        SaleConfirmation,
    )

if TYPE_CHECKING:
    from workflows.real_estate_disposal.case import DisposalCase

SPECS = (
    DecisionSpec(PROCEED, Grounds, reason_required=True),
    DecisionSpec(STOP, NoPayload, reason_required=True),
    DecisionSpec(RESIDENCE_EXCEPTION, ResidenceException, reason_required=True),
    DecisionSpec(CORRECT_REFERENCE, CorrectedReference, reason_required=True),
    DecisionSpec(SET_TERMS, AuctionTerms),
    DecisionSpec(CONFIRM_SALE, SaleConfirmation),
    DecisionSpec(REFUSE_SALE, NoPayload, reason_required=True),
    DecisionSpec(IN_KIND, InKind, reason_required=True),
    DecisionSpec(RELEASE, NoPayload, reason_required=True),
    DecisionSpec(DISTRIBUTION_OBJECTION, DistributionObjection, reason_required=True),
)


def unlawful(case: DisposalCase, name: str, payload: BaseModel) -> str | None:
    """What the law forbids in this decision now, or None."""
    params = case.params
    if isinstance(payload, AuctionTerms):
        kind = case.terms_round or RoundKind.FIRST
        assert case.reference_fen is not None
        problems = terms_problems(kind, payload, case.reference_fen, case.floor(kind), params)
        return "; ".join(problems) or None
    if isinstance(payload, SaleConfirmation):
        winner = case.sold.result.winner if case.sold and case.sold.result else None
        return qualification_problem(case.purchase_restricted, winner.purchase_qualified if winner else None)
    if isinstance(payload, ResidenceException):
        return residence_problem(
            payload,
            params.duration(LP.RESIDENCE_RENT_YEARS_MIN).amount,
            params.duration(LP.RESIDENCE_RENT_YEARS_MAX).amount,
            {c.claim_id for c in case.req.creditors},
        )
    if isinstance(payload, InKind):
        if payload.claim_id not in {c.claim_id for c in case.req.creditors}:
            return f"claim_id: {payload.claim_id!r} is not a creditor in this distribution"
        if case.purchase_restricted and not payload.taker_purchase_qualified:
            return "taker_purchase_qualified: required under 限购 (竞买人资格规定 第五条)"
    if isinstance(payload, DistributionObjection):
        assert case.plan is not None
        paid = case.plan.paid_to(payload.ref)
        if payload.disputed_fen > paid - case.escrow.get(payload.ref, 0):
            return f"disputed_fen: more than the {paid} fen the plan pays to {payload.ref!r}"
    return None
