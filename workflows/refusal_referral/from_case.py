"""A 拒执 referral started from its case: the person is the case's debtor (or the one the form picks) and
the amount is the balance; the judge enters the conduct and its grounds."""

from __future__ import annotations

from typing import Any

from workflows.foundation.case_link import CaseFacts

OWN_FIELDS = (
    "person",
    "duty_holder",
    "refusal_grounds",
    "conduct",
    "sanctioned",
    "maintenance_or_wages",
    "catalogue",
    "agencies",
)


def prefill(facts: CaseFacts, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"owed_fen": facts.balance_fen}
    if "person" not in values and facts.debtors:
        out["person"] = facts.debtors[0]  # a guarantor or an assisting person is the judge's own entry
    return out
