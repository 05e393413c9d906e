"""终本 with its periodic re-inquiry, started from its case: the debtor, the balance still unpaid and the
filing date (the three months of 终本规定 Art. 1(四)) come from the case."""

from __future__ import annotations

from typing import Any

from workflows.foundation.case_link import CaseFacts

OWN_FIELDS: tuple[str, ...] = ()


def prefill(facts: CaseFacts, values: dict[str, Any]) -> dict[str, Any]:
    return {"outstanding_fen": facts.balance_fen}
