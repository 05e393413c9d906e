"""The task granules (任务颗粒) of a refusal-to-execute referral (拒执移送), kept as versioned data.

Huzhou Intermediate Court split its 拒执 crackdown into 62 granules, each naming the duty of the police,
the procuratorate or another department (seed 002; DOMAIN.md §§9, 12). A catalogue here is such a list:
each granule is one step — the phase it belongs to, the responsible department, the evidence or act it
needs, its deadline with its unit (and the yellow/red marks of the task layer), and the source it comes
from. A court loads its own list (``load_catalogues(text)``) without a code change; the workflow reads
only phases and departments.

The packaged default (``refusal_granules.json``, catalogue ``national-2024``) has **14 granules**, drawn
from 拒执解释 2024 (法释〔2024〕13号) and DOMAIN.md §9:

- evidence (6): bank flows and real-estate, vehicle and equity records of disposals (Art. 3(1)(2), Art. 6),
  the record of fines and detention already imposed (Art. 3(4)–(7)), the record that enforcement
  measures failed (Art. 7) — the last two from the executing court's own enforcement office;
- referral (1): the court's referral letter (移送函) to the police (Art. 15 venue);
- filing (1): the police's acceptance and filing decision, 5 working days — Huzhou's feedback time
  (DOMAIN.md §9, seed 002; a local SLA, tagged I);
- supervision (1): the procuratorate's filing supervision when the police decline (刑事诉讼法 Art. 113;
  outside DOMAIN.md, tagged I);
- investigation (2): the police's investigation and the recovery of illegally disposed assets for the
  executing court (Art. 12);
- prosecution (1): the procuratorate's review, with its proposal for the case assets (Arts. 11, 13);
- private prosecution (1): the criminal division dockets the applicant's 自诉 (Art. 14);
- verification (1): a request for assistance in verification (协助查证), answered within 5 working days
  (Huzhou, DOMAIN.md §9, tagged I).

Periods DOMAIN.md does not hold (investigation, prosecution review, docketing) are tagged I and marked
"configurable": a court's catalogue replaces them.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from datetime import date
from enum import StrEnum
from importlib import resources
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from domain.legal_time import LegalDuration, TimeUnit
from domain.tasks import DueRule


class Phase(StrEnum):
    """Where a granule sits in the procedure. Several granules of one phase run side by side."""

    EVIDENCE = "evidence"  # 证据收集: before the referral, from the departments that hold it
    REFERRAL = "referral"  # 移送: the court's own act, taken by the judge's decision (no agency task)
    FILING = "filing"  # 受案立案: the police's acceptance and filing decision
    SUPERVISION = "supervision"  # 立案监督: the procuratorate, when the police decline
    INVESTIGATION = "investigation"  # 侦查: the police, once filed
    PROSECUTION = "prosecution"  # 审查起诉: the procuratorate
    PRIVATE_PROSECUTION = "private-prosecution"  # 自诉立案: the court's criminal division (Art. 14)
    VERIFICATION = "verification"  # 协助查证: the template of every assistance request


# What a phase's agency task reports (its result model, registered by the scenario).
RESULT_TYPES: dict[Phase, str] = {
    Phase.EVIDENCE: "refusal-evidence",
    Phase.FILING: "police-filing-decision",
    Phase.SUPERVISION: "filing-supervision",
    Phase.INVESTIGATION: "refusal-evidence",
    Phase.PROSECUTION: "prosecution-decision",
    Phase.PRIVATE_PROSECUTION: "private-prosecution-docket",
    Phase.VERIFICATION: "verification-answer",
}
# How many granules a phase may hold: (at least, at most); None = any number.
PHASE_COUNTS: dict[Phase, tuple[int, int | None]] = {
    Phase.EVIDENCE: (1, None),
    Phase.REFERRAL: (1, 1),
    Phase.FILING: (1, 1),
    Phase.SUPERVISION: (0, 1),
    Phase.INVESTIGATION: (1, None),
    Phase.PROSECUTION: (1, 1),
    Phase.PRIVATE_PROSECUTION: (1, 1),
    Phase.VERIFICATION: (1, 1),
}


class Period(BaseModel):
    amount: int = Field(gt=0, le=400)
    unit: TimeUnit

    def duration(self) -> LegalDuration:
        return LegalDuration(amount=self.amount, unit=self.unit)


class Source(BaseModel):
    instrument: str = Field(min_length=1, description="e.g. 拒执解释 (法释〔2024〕13号)")
    article: str = Field(default="", description="e.g. 第三条第(一)项")
    tag: Literal["V", "S", "I"] = Field(description="V primary text, S secondary source, I inference or local rule")

    def cite(self) -> str:
        return f"{self.instrument} {self.article}".strip()


class Department(BaseModel):
    """A responsible department (责任部门) and the sandbox/default agency that works its tasks."""

    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    agency: str = Field(min_length=1, max_length=64, description="default agency id; a request may override it")


class Granule(BaseModel):
    """One task granule: the step, who does it, what it needs, by when."""

    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    phase: Phase
    department: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    needs: str = Field(min_length=1, max_length=1000, description="the evidence or act the step needs")
    deadline: Period
    yellow_after: Period | None = Field(default=None, description="default: the task layer's 7 days")
    red_after: Period | None = Field(default=None, description="default: the task layer's 14 days")
    source: Source

    @property
    def result_type(self) -> str:
        return RESULT_TYPES[self.phase]

    def due_rule(self, supervising_role: str = "judge") -> DueRule:
        rule = DueRule(due=self.deadline.duration(), supervising_role=supervising_role)
        updates: dict[str, LegalDuration] = {}
        if self.yellow_after is not None:
            updates["yellow_after"] = self.yellow_after.duration()
        if self.red_after is not None:
            updates["red_after"] = self.red_after.duration()
        return rule.model_copy(update=updates)


class Catalogue(BaseModel):
    """One version of a court's granule list. A workflow carries the catalogue it started with, so its
    history records exactly which granules and deadlines applied; a new version changes no replay."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    version: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=1, max_length=200)
    effective_from: date
    departments: dict[str, Department] = Field(min_length=1)
    granules: list[Granule] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        keys = Counter(g.key for g in self.granules)
        dup = sorted(k for k, n in keys.items() if n > 1)
        if dup:
            raise ValueError(f"granule keys appear twice: {dup}")
        unknown = sorted({g.department for g in self.granules} - set(self.departments))
        if unknown:
            raise ValueError(f"granules name departments the catalogue does not define: {unknown}")
        counts = Counter(g.phase for g in self.granules)
        for phase, (least, most) in PHASE_COUNTS.items():
            n = counts.get(phase, 0)
            if n < least or (most is not None and n > most):
                want = f"exactly {least}" if least == most else f"{least} to {most}" if most else f"at least {least}"
                raise ValueError(f"phase {phase.value}: {n} granules, the procedure needs {want}")
        return self

    def phase(self, phase: Phase) -> list[Granule]:
        return [g for g in self.granules if g.phase is phase]

    def one(self, phase: Phase) -> Granule:
        return self.phase(phase)[0]

    def has(self, phase: Phase) -> bool:
        return bool(self.phase(phase))

    def agency_for(self, department: str, overrides: dict[str, str] | None = None) -> str:
        return (overrides or {}).get(department) or self.departments[department].agency


class CatalogueFile(BaseModel):
    about: str = ""
    catalogues: list[Catalogue] = Field(min_length=1)


DEFAULT_CATALOGUE = "national-2024"


def load_catalogues(text: str | None = None) -> dict[str, Catalogue]:
    """Every catalogue in a JSON text (the packaged file by default), by id, each one validated."""
    parsed = CatalogueFile.model_validate(json.loads(text if text is not None else _packaged_text()))
    out: dict[str, Catalogue] = {}
    for c in parsed.catalogues:
        if c.id in out:
            raise ValueError(f"catalogue {c.id!r} appears twice")
        out[c.id] = c
    return out


def catalogue(catalogue_id: str = DEFAULT_CATALOGUE) -> Catalogue:
    """A packaged catalogue by id. Call at start, outside workflow code (it reads a file)."""
    found = _packaged().get(catalogue_id)
    if found is None:
        raise KeyError(f"no granule catalogue {catalogue_id!r} (known: {', '.join(sorted(_packaged()))})")
    return found


def catalogue_ids() -> frozenset[str]:
    """The ids of the packaged catalogues: what a request may name. A version a case started with is
    never removed (its input names it, and a replay validates that input again)."""
    return frozenset(_packaged())


@functools.cache
def _packaged_text() -> str:
    return resources.files("domain").joinpath("refusal_granules.json").read_text(encoding="utf-8")


@functools.cache
def _packaged() -> dict[str, Catalogue]:
    return load_catalogues()
