"""A stand-in for the case's entity workflow in the matters' tests: it takes each matter effect once (by
``effect_id``), answers with what it took, and tells holders the case's notices — so a matter's side of
workflows/foundation/case_link.py is tested against real Temporal without the case workflow itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from temporalio import workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from config.settings import Settings
    from domain.actors import SYSTEM_ACTOR
    from security.identity import ActorWorkerInterceptor, acting_as
    from tests.helpers import AUDITOR, JUDGE
    from workflows.foundation.case_link import (
        CASE_NOTICE_SIGNAL,
        MATTER_EFFECT_SIGNAL,
        CaseNotice,
        CaseRef,
        EffectKind,
        MatterEffect,
    )

PROBE_QUEUE = "case-probe"
EFFECTS_QUERY = "probe-effects"
NOTIFY_SIGNAL = "probe-notify"


class ProbeNotice(BaseModel):
    notice: CaseNotice
    targets: list[str]


@workflow.defn(name="CaseProbe")
class CaseProbe:
    def __init__(self) -> None:
        self.effects: list[MatterEffect] = []
        self.ids: set[str] = set()

    @workflow.run
    async def run(self, ref: CaseRef) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.signal(name=MATTER_EFFECT_SIGNAL)
    def on_effect(self, effect: MatterEffect) -> None:
        if effect.effect_id not in self.ids:
            self.ids.add(effect.effect_id)
            self.effects.append(effect)

    @workflow.signal(name=NOTIFY_SIGNAL)
    async def notify(self, order: ProbeNotice) -> None:
        for target in order.targets:
            with acting_as(SYSTEM_ACTOR):  # as the case signs its notices
                await workflow.get_external_workflow_handle(target).signal(CASE_NOTICE_SIGNAL, order.notice)

    @workflow.query(name=EFFECTS_QUERY)
    def get_effects(self) -> list[MatterEffect]:
        return self.effects


@asynccontextmanager
async def probe_worker(client: Client, settings: Settings) -> AsyncIterator[None]:
    """Signs what the probe sends as the real worker does (workflow-to-workflow signals carry the actor)."""
    interceptors = [ActorWorkerInterceptor(settings.actor_signer())]
    async with Worker(client, task_queue=PROBE_QUEUE, workflows=[CaseProbe], interceptors=interceptors):
        yield


async def open_case(client: Client, case_id: str, number: str) -> tuple[CaseRef, WorkflowHandle[Any, Any]]:
    ref = CaseRef(case_id=case_id, workflow_id=f"case-probe-{case_id}", case_number=number)
    with acting_as(JUDGE):
        handle = await client.start_workflow(CaseProbe.run, ref, id=ref.workflow_id, task_queue=PROBE_QUEUE)
    return ref, handle


async def effects(handle: WorkflowHandle[Any, Any]) -> list[MatterEffect]:
    with acting_as(AUDITOR):
        return await handle.query(EFFECTS_QUERY, result_type=list[MatterEffect])


async def notify(handle: WorkflowHandle[Any, Any], notice: CaseNotice, *targets: str) -> None:
    """The case tells these holders (as the case does on full performance)."""
    with acting_as(JUDGE):
        await handle.signal(NOTIFY_SIGNAL, ProbeNotice(notice=notice, targets=list(targets)))


async def close(handle: WorkflowHandle[Any, Any]) -> None:
    with acting_as(JUDGE):
        await handle.terminate("test done")


def ledger(taken: list[MatterEffect]) -> dict[str, int]:
    """Recovered (by source) and paid out, in fen, as the case would book them."""
    out: dict[str, int] = {"recovered_fen": 0, "paid_out_fen": 0}
    for e in taken:
        if e.kind is EffectKind.MONEY_RECOVERED:
            out["recovered_fen"] += e.amount_fen or 0
            key = f"recovered.{e.source.value if e.source else '?'}"
            out[key] = out.get(key, 0) + (e.amount_fen or 0)
        elif e.kind is EffectKind.MONEY_PAID_OUT:
            out["paid_out_fen"] += e.amount_fen or 0
    return out


def register(taken: list[MatterEffect]) -> dict[tuple[str, str], dict[str, Any]]:
    """The register of measures as the case would keep it: (matter, measure key) → its row."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    state = {
        EffectKind.MEASURE_RELEASED: "released",
        EffectKind.MEASURE_LAPSED: "lapsed",
        EffectKind.MEASURE_RENEWED: "in-force",
    }
    for e in taken:
        if e.measure_key is None:
            continue
        key = (e.matter_workflow_id, e.measure_key)
        if e.kind is EffectKind.MEASURE_PLACED:
            rows[key] = {**e.model_dump(exclude_none=True), "state": "in-force"}
        elif key in rows and e.kind in state:
            rows[key]["state"] = state[e.kind]
            if e.expires_on is not None:
                rows[key]["expires_on"] = e.expires_on
            if e.kind is EffectKind.MEASURE_RELEASED and e.effective_from is not None:
                rows[key]["released_on"] = e.effective_from
    return rows
