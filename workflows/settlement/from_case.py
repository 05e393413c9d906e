"""A settlement (执行和解) started from its case: the parties and the balance come from the case, and so
do the measures it holds — the freezes and seizures in force in the case's register (the settlement's
"措施编号" is picked there, never typed) and whether the debtor is listed (失信) or restricted (限消)."""

from __future__ import annotations

from typing import Any

from workflows.foundation.case_link import CaseFacts, RegisterKind
from workflows.foundation.scenario import in_force

OWN_FIELDS = ("signed_on", "instalments", "guarantees", "case_account_bank", "credit_desk")


def prefill(facts: CaseFacts, values: dict[str, Any]) -> dict[str, Any]:
    held = [
        m
        for m in in_force(facts, RegisterKind.FREEZE, RegisterKind.SEIZE)
        if m.partner_id is not None and m.partner_measure_id is not None
    ]
    return {
        "measures": [
            {
                "partner_id": m.partner_id,
                "measure_id": m.partner_measure_id,
                "asset": m.description[:200],
                "matter_workflow_id": m.matter_workflow_id,
                "measure_key": m.measure_key,
            }
            for m in held
        ],
        "dishonest_listed": bool(in_force(facts, RegisterKind.DISHONEST_LIST)),
        "consumption_restricted": bool(in_force(facts, RegisterKind.CONSUMPTION_RESTRICTION)),
    }
