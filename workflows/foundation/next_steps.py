"""The case's next steps from its facts (domain/next_steps.py's rules over workflows/foundation/case_link.py's
``CaseFacts``): what the case's status carries as ``next_steps`` and its page shows as buttons. Pure and
deterministic, so the case may call it in its status query."""

from __future__ import annotations

from datetime import date

from domain.next_steps import CaseSituation, HeldMeasure, MatterOutcome, Proposal, propose
from workflows.foundation.case_link import CaseFacts


def next_steps(facts: CaseFacts, today: date) -> list[Proposal]:
    situation = CaseSituation(
        today=today,
        filed_on=facts.filed_on,
        balance_fen=facts.balance_fen,
        property_report_ignored=facts.property_report_ignored,
        in_force=[
            HeldMeasure(
                register_kind=m.register_kind.value,
                matter_workflow_id=m.matter_workflow_id,
                description=m.description,
                amount_fen=m.amount_fen,
                asset_kind=m.asset_kind,
                unit_number=m.unit.unit_number if m.unit else None,
                unit_description=m.unit.description if m.unit else "",
            )
            for m in facts.measures
            if m.state == "in-force"
        ],
        matters=[
            MatterOutcome(scenario=m.scenario, workflow_id=m.workflow_id, status=m.status, result=m.result)
            for m in facts.matters
        ],
    )
    return propose(situation)
