"""Four eyes from configuration (双人审批): per court, the release amount at which a second approval is
needed and the roles that may give it — data in ``four_eyes.json`` beside this module, versioned like the
legal parameters (an entry applies from its ``effective_from``; a later entry supersedes it; a court
without entries of its own follows ``default``).

The scenario resolves the rule when a case starts and puts it in the workflow's input, so the history
records which rule applied and a later change never alters a running case or a replay. The start
request has no say: a judge cannot raise the threshold of their own payout.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from importlib import resources

from pydantic import BaseModel, Field

from domain.actors import Role

DEFAULT = "default"


class FourEyesRule(BaseModel):
    court: str
    effective_from: date
    second_approval_threshold_fen: int = Field(gt=0, le=10**15)
    second_approver_roles: tuple[Role, ...] = Field(min_length=1)
    source: str = ""


class FourEyesTable(BaseModel):
    entries: list[FourEyesRule]


@functools.cache
def table() -> FourEyesTable:
    text = resources.files("domain").joinpath("four_eyes.json").read_text(encoding="utf-8")
    return FourEyesTable.model_validate(json.loads(text))


def rule_for(court: str, on: date) -> FourEyesRule:
    """The rule in force for ``court`` on ``on``: the court's own latest entry by then, else the default's."""
    for name in (court, DEFAULT):
        entries = [e for e in table().entries if e.court == name and e.effective_from <= on]
        if entries:
            return max(entries, key=lambda e: e.effective_from)
    raise LookupError(f"no four-eyes rule in force on {on} for {court!r} (nor a default)")
