"""One asset, one disposal (一物一处置): a disposal claims its asset in the shared store as its first act,
and frees it (or marks it transferred) as its last (store/asset_disposals.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field
from temporalio import activity

from activities.resources import WorkerResources
from store import asset_disposals
from store.asset_disposals import AssetHolder
from store.db import Database


class ClaimAssetInput(BaseModel):
    key: str = Field(description="domain.assets.disposal_key")
    court: str
    case_number: str


class EndAssetInput(BaseModel):
    key: str
    transferred: bool = Field(description="title passed: the asset is never disposed of again")


class AssetDisposalActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> AssetDisposalActivities:
        return cls(r.database)

    def __init__(self, database: Database) -> None:
        self._db = database

    @activity.defn(name="asset_disposal_claim")
    def claim(self, inp: ClaimAssetInput) -> AssetHolder | None:
        """None: the asset is this disposal's; else the matter that holds it. A retry by the same
        disposal (same workflow id) takes it again."""
        return asset_disposals.claim(self._db, inp.key, _matter(), inp.court, inp.case_number)

    @activity.defn(name="asset_disposal_end")
    def end(self, inp: EndAssetInput) -> None:
        asset_disposals.end(self._db, inp.key, _matter(), inp.transferred)

    def all(self) -> list[Callable[..., Any]]:
        return [self.claim, self.end]


def _matter() -> str:
    wid = activity.info().workflow_id
    assert wid is not None, "called from a workflow"
    return wid
