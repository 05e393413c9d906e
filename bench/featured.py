"""The bare baseline's shape with the asset inquiry's features switched on one at a time (``bench/server_share.py``).

``FeaturedFanOut`` runs what ``bench.baseline.BareFanOut`` runs — one activity, a query-then-Update approval, five
activities in sequence — and, as its input asks, what the asset inquiry adds on top for the Temporal server: its
search-attribute upserts, its payloads' sizes, the archive's read of the whole history, and a worker whose event
loop is busy for as long as ours. No codec and no interceptors, as the baseline.
"""

from __future__ import annotations

import time
from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from bench.baseline import Approval
    from runtime.temporal import DECIDED_BY, STATUS

FEATURED_TASK_QUEUE = "bench-featured"
SEQUENTIAL = 5


class Features(BaseModel):
    upserts: bool = False  # OmStatus at the report, OmDeciders with the decision, OmStatus at the end
    start_bytes: int = 0  # carried in the start input (ours: the 20 partners' references)
    fan_out_bytes: int = 0  # the first activity's result (ours: the 20 answers)
    step_bytes: int = 0  # each later activity's input and result (ours: a measure and its answer)
    archive_reads: bool = False  # the last activity reads the run's whole history, as the audit archive does
    busy_ms: float = 0.0  # CPU each activity holds the worker's event loop for (ours: documents, partners …)
    padding: str = ""  # start_bytes of it, filled in by ``featured_input``


def featured_input(features: Features) -> Features:
    return features.model_copy(update={"padding": "x" * features.start_bytes})


class Step(BaseModel):
    name: str
    padding: str = ""
    result_bytes: int = 0
    busy_ms: float = 0.0
    archive_reads: bool = False


@activity.defn(name="featured_step")
async def featured_step(step: Step) -> str:
    if step.busy_ms:
        # On the event loop, as our worker's Python is: nothing else of the worker runs meanwhile.
        until = time.thread_time() + step.busy_ms / 1000
        while time.thread_time() < until:
            pass
    if step.archive_reads:
        info = activity.info()
        await activity.client().get_workflow_handle(info.workflow_id or "", run_id=info.workflow_run_id).fetch_history()
    return "x" * step.result_bytes


@workflow.defn(name="FeaturedFanOut")
class FeaturedFanOut(Approval):
    @workflow.run
    async def run(self, features: Features) -> int:
        timeout = timedelta(seconds=30)
        busy = features.busy_ms / (1 + SEQUENTIAL)
        first = Step(name="p0", result_bytes=features.fan_out_bytes, busy_ms=busy)
        await workflow.execute_activity(featured_step, first, start_to_close_timeout=timeout)
        if features.upserts:
            workflow.upsert_search_attributes([STATUS.value_set("awaiting_decision")])
        self.ready = True
        await workflow.wait_condition(lambda: self.approved)
        if features.upserts:
            workflow.upsert_search_attributes([DECIDED_BY.value_set(["bench-judge"])])
        for i in range(SEQUENTIAL):
            last = i == SEQUENTIAL - 1
            if last and features.upserts:
                workflow.upsert_search_attributes([STATUS.value_set("completed")])
            step = Step(
                name=f"s{i}",
                padding="x" * features.step_bytes,
                result_bytes=features.step_bytes,
                busy_ms=busy,
                archive_reads=last and features.archive_reads,
            )
            await workflow.execute_activity(featured_step, step, start_to_close_timeout=timeout)
        return 1 + SEQUENTIAL
