"""A disposal started from its case: the judge enters the unit and how it is sold; the debtor, the
balance and the applicants' claims (the case's creditors) come from the case."""

from __future__ import annotations

from typing import Any

from domain.distribution import ClaimKind
from domain.money import allocate_largest_remainder
from workflows.foundation.case_link import CaseFacts

OWN_FIELDS = (
    "property",
    "jurisdiction",
    "execution_costs",
    "other_assets",
    "reference_method",
    "auction_costs_fen",
    "registry",
    "auction_platform",
    "inquiry_platforms",
    "tax_agency",
    "survey_agency",
    "appraiser",
    "case_bank",
    "debtor_account",
    "application_fee_fen",
)


def prefill(facts: CaseFacts, values: dict[str, Any]) -> dict[str, Any]:
    """The applicants' claim is the case's balance, split evenly among several applicants to the fen, with
    the principal that doubled interest is computed on."""
    if "creditors" in values or not facts.applicants:
        return {}
    even = [1] * len(facts.applicants)
    amounts = allocate_largest_remainder(facts.balance_fen, even)
    principals = allocate_largest_remainder(min(facts.principal_fen, facts.balance_fen), even)
    return {
        "creditors": [
            {
                "claim_id": f"applicant-{i + 1}",
                "creditor": party.name,
                "kind": ClaimKind.ORDINARY,
                "amount_fen": amounts[i],
                "principal_fen": principals[i],
                "id_number": party.id_number,
            }
            for i, party in enumerate(facts.applicants)
        ]
    }
