"""A 失信 listing started from its case: the title, its issuer, the obligation and the filing date come
from the case; the 限制消费令 already in force in the case is picked from its register (never typed)."""

from __future__ import annotations

from typing import Any

from domain.money import format_yuan
from workflows.foundation.case_link import CaseFacts, RegisterKind
from workflows.foundation.scenario import in_force

OWN_FIELDS = (
    "legal_representative",
    "performance",
    "applicant_requested",
    "previously_removed_on",
    "previously_removed_for",
    "list_partner",
    "credit_agency",
    "industry_agency",
)


def prefill(facts: CaseFacts, values: dict[str, Any]) -> dict[str, Any]:
    orders = in_force(facts, RegisterKind.CONSUMPTION_RESTRICTION)
    return {
        "title_document": facts.title_document_number,
        "title_issuer": facts.title_issuer or facts.court,
        "obligation": facts.obligation or f"给付 {format_yuan(facts.owed_fen)}",
        "restriction_workflow_id": (orders[0].holder_workflow_id or orders[0].matter_workflow_id) if orders else "",
    }
