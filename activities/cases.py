"""The case register's projection: the enforcement case's workflow keeps its row in the web's database
current (store/cases.py). Idempotent: a row never goes back to an older history position."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel
from temporalio import activity

from activities.resources import WorkerResources
from store.cases import CaseStore


class CaseProjection(BaseModel):
    """What the case workflow writes back to its register row as it moves on (store/cases.py PROJECTED)."""

    case_id: str
    version: int
    term_due_on: date
    term_colour: str
    next_deadline: date | None = None
    owed_fen: int
    recovered_fen: int
    balance_fen: int
    closing_mode: str | None = None
    closed_on: date | None = None
    extension_requested: bool = False
    sanction_awaiting: bool = False


class CaseActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> CaseActivities:
        return cls(CaseStore(r.database))

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    @activity.defn(name="project_case")
    def project_case(self, projection: CaseProjection) -> None:
        self._store.project(
            projection.case_id, projection.version, projection.model_dump(exclude={"case_id", "version"})
        )

    def all(self) -> list[Callable[..., Any]]:
        return [self.project_case]
