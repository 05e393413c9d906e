"""The decisions the law reserves for the judge in a disposal — what each carries, whether it must state
its grounds — and the legal checks the desk runs before accepting one (a refused decision leaves no
trace in history)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.auction import AuctionTerms, RoundKind, qualification_problem, terms_problems
    from domain.distribution import ClaimKind
    from domain.legal_params import P as LP
    from domain.residence import ResidenceException, residence_problem
    from workflows.foundation.decisions import DecisionSpec, NoPayload
    from workflows.real_estate_disposal.models import (
        APPROVE_PLAN,
        CONFIRM_SALE,
        CORRECT_REFERENCE,
        COUNTER_OBJECTION,
        DECLARE_CLAIM,
        DISTRIBUTION_OBJECTION,
        IN_KIND,
        OBJECTOR_SUIT,
        PROCEED,
        REFUSE_SALE,
        RELEASE,
        RESIDENCE_EXCEPTION,
        SET_TERMS,
        STOP,
        ClaimDeclaration,
        CorrectedReference,
        CounterObjection,
        DistributionObjection,
        Grounds,
        InKind,
        ObjectorSuit,
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
    DecisionSpec(DECLARE_CLAIM, ClaimDeclaration),
    DecisionSpec(APPROVE_PLAN, NoPayload),
    DecisionSpec(COUNTER_OBJECTION, CounterObjection, reason_required=True),
    DecisionSpec(OBJECTOR_SUIT, ObjectorSuit),
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
        lines = {line.ref for line in case.plan.lines}
        if payload.in_favour_of is not None and (
            payload.in_favour_of not in lines or payload.in_favour_of == payload.ref
        ):
            return f"in_favour_of: {payload.in_favour_of!r} is not another line of the plan (empty: the debtor)"
    if isinstance(payload, CounterObjection) and payload.ref not in {o.ref for o in case.objections}:
        return f"ref: no objection to {payload.ref!r} to oppose (民诉法解释 第五百一十条)"
    if isinstance(payload, ObjectorSuit) and payload.ref not in case.opposed:
        return f"ref: the objection to {payload.ref!r} was not opposed; there is nothing to sue over (第五百一十条)"
    if isinstance(payload, ClaimDeclaration):
        return declaration_problem(case, payload)
    return None


def declaration_problem(case: DisposalCase, payload: ClaimDeclaration) -> str | None:
    """A declaration answers an open invitation; another court's seizure names its creditor."""
    invited = {k.claim_id: k for k in case.known}
    known = invited.get(payload.claim_id)
    if known is None:
        return f"claim_id: {payload.claim_id!r} was not invited to declare (invited: {', '.join(invited) or 'none'})"
    if payload.claim_id in case.declared:
        return f"claim_id: {payload.claim_id!r} has declared already"
    if known.kind is ClaimKind.ORDINARY and not payload.creditor:
        return "creditor: another court's seizure declares for its applicant, who must be named"
    if payload.principal_fen is not None and payload.principal_fen > payload.amount_fen:
        return "principal_fen: cannot exceed amount_fen, of which it is a part"
    return None
