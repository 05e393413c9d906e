"""Paying out a distribution plan through the bank adapter: one batch transfer (批量代发) from the case
account, one item per payee keyed ``<workflow id>/pay/<claim id>``, so a retried activity, a restarted worker
or a later batch never pays anyone twice (the bank keeps the first answer per item key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from temporalio import activity

from activities.common import refusals_not_retried
from adapters.registry import AdapterRegistry
from domain.payout import BatchItem, BatchItemStatus, BatchTransfer
from domain.personal import AccountNumber, IdNumber, PersonName

if TYPE_CHECKING:
    from activities.resources import WorkerResources


class PayoutItem(BaseModel):
    ref: str = Field(description="claim or cost id of the plan line")
    payee_name: PersonName
    id_number: IdNumber
    account: AccountNumber
    amount_fen: int = Field(gt=0)


class PayoutInput(BaseModel):
    bank: str = Field(description="the bank holding the case account")
    step: str = Field(description="names the batch within the workflow, e.g. pay/1")
    case_number: str
    from_account: AccountNumber
    items: list[PayoutItem]


class PayoutLine(BaseModel):
    ref: str
    status: BatchItemStatus
    bank_ref: str | None = None
    code: str | None = None


def item_key(workflow_id: str, ref: str) -> str:
    return f"{workflow_id}/pay/{ref}"


class PaymentActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> PaymentActivities:
        return cls(r.adapters)

    def __init__(self, adapters: AdapterRegistry) -> None:
        self._adapters = adapters

    @activity.defn(name="distribution_pay_out")
    async def pay_out(self, inp: PayoutInput) -> list[PayoutLine]:
        wid = activity.info().workflow_id or ""
        batch_id = f"{wid}/{inp.step}"
        keys = {item_key(wid, i.ref): i.ref for i in inp.items}
        request = BatchTransfer(
            batch_id=batch_id,
            case_number=inp.case_number,
            from_account=inp.from_account,
            items=[
                BatchItem(
                    item_key=item_key(wid, i.ref),
                    payee_name=i.payee_name,
                    id_number=i.id_number,
                    account=i.account,
                    amount_fen=i.amount_fen,
                )
                for i in inp.items
            ],
        )
        with refusals_not_retried():
            answer = await self._adapters.payout_bank(inp.bank).batch_transfer_items(batch_id, request)
        return [
            PayoutLine(ref=keys[r["item_key"]], status=r["status"], bank_ref=r["bank_ref"], code=r["code"])
            for r in answer
            if r["item_key"] in keys
        ]

    def all(self) -> list[Callable[..., Any]]:
        return [self.pay_out]
