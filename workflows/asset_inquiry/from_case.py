"""An asset inquiry started from its case: against the case's debtor (the first, or the one the form
picks) for the case's balance, its ruling naming the case's applicant and title; the judge enters nothing
(``{}``)."""

from __future__ import annotations

from typing import Any

from workflows.foundation.case_link import CaseFacts

OWN_FIELDS: tuple[str, ...] = ()


def prefill(facts: CaseFacts, values: dict[str, Any]) -> dict[str, Any]:
    return {"title_document": facts.title_document_number}
