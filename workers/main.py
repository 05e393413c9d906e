"""The worker: every workflow and activity group the scenarios in ``workflows.registry`` name, on
one task queue. Nothing is registered here by hand.

Run: ``python -m workers`` (``make run`` starts it). Scale out by running more of them.
"""

from __future__ import annotations

import asyncio
import compileall
import signal
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from stdnum.cn import ric
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker._workflow_instance import _WorkflowLogicFlag
from temporalio.worker.workflow_sandbox import SandboxRestrictions

import workflows
from activities.common import DeterministicFailuresInterceptor
from activities.documents import DocumentOffice
from activities.resources import WorkerResources
from adapters.registry import AdapterRegistry
from config.settings import Settings, get_settings
from documents.pki import CourtKeys
from runtime.logging import configure_logging, get_logger
from runtime.process import freeze_startup_objects
from runtime.temporal import connect, ensure_search_attributes
from runtime.tracing import Tracing, tracing_for
from security.identity import ActorWorkerInterceptor
from store.blobs import BlobStore
from store.db import Database
from store.sealing import Sealer
from store.tasks import SqlTaskStore
from workers.health import serve_health
from workers.metrics import worker_runtime
from workers.workflow_sandbox import WorkflowSandbox, reads_serialization_context
from workflows.foundation.scenario import Scenario
from workflows.personal_data import personal_data_models
from workflows.registry import SCENARIOS, all_activity_groups, all_workflows, passthrough_modules

log = get_logger(__name__)

# Modules the sandbox may share with the worker instead of re-importing per run: pure, deterministic,
# and heavy enough that re-importing them would cost throughput (DESIGN.md "Limits"). The foundation and each
# scenario's models and words join them (no workflow code in them): see ``sandbox_runner``.
PASSTHROUGH_MODULES = (
    *("pydantic", "pydantic_core", "stdnum", "httpx"),
    # The tracing interceptor's workflow part (runtime/tracing.py) keeps its context in opentelemetry's
    # contextvars; a copy re-imported per run would be a different context from the SDK's.
    "opentelemetry",
    *("domain", "config", "security", "runtime", "net", "documents", "activities", "adapters"),
)


MAX_ACTIVITIES = 200  # threads start only as sync activities need them
DEFAULT_CACHED_WORKFLOWS = 1000  # the SDK's default: runs kept in memory between their workflow tasks


def _warm_up() -> None:
    # stdnum reads its region table lazily from a file; load it once here, not inside a workflow.
    ric.is_valid("110105194912310021")
    # Under the full guard (``strict``) the sandbox imports each workflow module afresh for every run; with
    # PYTHONDONTWRITEBYTECODE set (as on our machines and in many images) that means compiling the source
    # every time. Bytecode written once here is read instead. A read-only tree just keeps compiling.
    compileall.compile_dir(Path(workflows.__file__).parent, quiet=2)


# The procedures themselves. Under the full guard the sandbox re-imports them for every run (~5 ms of CPU
# for the asset inquiry's module: the class body and ``@workflow.defn`` inspecting it, then the module's
# garbage), so that their globals are the sandbox's restricted proxies of ``datetime``, ``random``, ``os``…
# and a direct read of the clock fails the task. Shared, they are imported once; what keeps them
# deterministic is what the guard checked in the tests (``Settings.workflow_sandbox_strict``, on there and
# in the replay of every committed history): workflow code does no I/O, reads time and randomness only
# through ``workflow.*``, and keeps no state at module level (only constants), so one copy serves every run.
# Builtins (``open``…) stay restricted either way: the SDK swaps them per thread, not per module.
WORKFLOW_CODE = ("workflows",)


def sandbox_runner(
    scenarios: dict[str, Scenario] = SCENARIOS, strict: bool = True, context_free: bool = False
) -> WorkflowSandbox:
    """The sandbox the worker runs workflows in; ``strict=False`` shares the workflow code (``WORKFLOW_CODE``);
    ``context_free``: the worker's data converter takes no serialization context, so none is computed."""
    modules = (*PASSTHROUGH_MODULES, *passthrough_modules(scenarios), *(() if strict else WORKFLOW_CODE))
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*modules)
    return WorkflowSandbox(restrictions=restrictions, context_free=context_free)


@asynccontextmanager
async def running_worker(
    client: Client,
    settings: Settings,
    adapters: AdapterRegistry | None = None,
    scenarios: dict[str, Scenario] = SCENARIOS,
    tracing: Tracing | None = None,
    max_cached_workflows: int = DEFAULT_CACHED_WORKFLOWS,
) -> AsyncIterator[Worker]:
    """The worker, polling until the block ends; then it drains and the partner connections it opened
    are closed. Workflows and activities are traced when ``client`` was connected with tracing; the
    partner calls when ``tracing`` is given too. ``max_cached_workflows=0`` replays every workflow task
    from the start of its history (the determinism tests run with it)."""
    registry = adapters or AdapterRegistry(
        settings.partners(), wrap_transport=tracing.wrap_transport if tracing else None
    )
    try:
        async with build_worker(client, settings, registry, scenarios, max_cached_workflows) as worker:
            yield worker
    finally:
        if adapters is None:
            await registry.aclose()


def build_worker(
    client: Client,
    settings: Settings,
    registry: AdapterRegistry,
    scenarios: dict[str, Scenario] = SCENARIOS,
    max_cached_workflows: int = DEFAULT_CACHED_WORKFLOWS,
) -> Worker:
    from documents.timestamps import tsa_client  # pyHanko: the worker's documents need it, its importers not

    _warm_up()
    database = Database(settings.web_database_url, Sealer.for_keys(settings.codec_keys))
    database.upgrade()  # the inbox table must exist before the first task projects into it
    SqlTaskStore(database).seal_plaintext()  # rows projected before the inbox was sealed at rest
    blobs = BlobStore.for_settings(settings)
    resources = WorkerResources(
        settings=settings,
        adapters=registry,
        database=database,
        blobs=blobs,
        personal_data=tuple(personal_data_models(scenarios)),
        documents=DocumentOffice(
            database,
            blobs,
            CourtKeys(settings.document_pki_path, sandbox=settings.sandbox),
            timestamper=tsa_client(settings),
        ),
    )
    resources.documents.renderer.check_fonts()  # refuse to start, rather than fail every document step
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=all_workflows(scenarios),
        activities=[a for group in all_activity_groups(scenarios) for a in group.from_resources(resources).all()],
        # Only the inbox projection is synchronous (SQLAlchemy); everything else runs on the event loop.
        activity_executor=ThreadPoolExecutor(max_workers=MAX_ACTIVITIES, thread_name_prefix="activity"),
        interceptors=[ActorWorkerInterceptor(settings.actor_signer()), DeterministicFailuresInterceptor()],
        workflow_runner=sandbox_runner(
            scenarios,
            strict=settings.workflow_sandbox_strict,
            context_free=not reads_serialization_context(client.data_converter),
        ),
        max_concurrent_activities=MAX_ACTIVITIES,
        max_concurrent_workflow_tasks=50,
        max_cached_workflows=max_cached_workflows,
        # Bounded drain: running activities get this long, then are cancelled (Temporal retries them).
        graceful_shutdown_timeout=timedelta(seconds=settings.worker_shutdown_seconds),
    )
    # Every job of an activation is applied before any workflow code runs (the SDK's own flag for it, not yet
    # its default; private, so pinned with the SDK). By default the SDK runs the code after the signals and
    # updates, then again after the rest (a child's end, a timer), so a condition sees an update's state
    # without a child's end that came in the same activation. Which events share an activation is Core's
    # choice and differs between a worker that holds no run (after an eviction: a task that did nothing is
    # merged with the next one's update) and a replay, so a full performance cancelled an agency task that
    # had just answered on one and not on the other, and every later task of the run failed ("No command
    # scheduled for event SignalExternalWorkflowExecutionInitiated"). Applied whole, both see the answer
    # first. The flag is recorded in the history, so histories recorded without it (tests/histories/) replay
    # as they ran; test_performance_in_full_before_the_referral_cancels_the_open_granules shows the case.
    worker._set_default_workflow_logic_flag(
        _WorkflowLogicFlag.PROCESS_WORKFLOW_ACTIVATION_JOBS_AS_SINGLE_BATCH, enabled=True
    )
    return worker


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, component="worker")
    settings.check_startup()  # production without its own keys (or with sandbox tokens) must not run
    tracing = tracing_for(settings.otlp_endpoint, "one-matter-worker")
    client = await connect(settings, runtime=worker_runtime(settings), tracing=tracing)
    await ensure_search_attributes(client)  # before any workflow upserts one (a dev var/ may predate it)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_worker(client, settings, tracing=tracing) as worker:
        health = None
        if settings.worker_health_port:
            health = await serve_health(worker, client, settings.probe_bind_host, settings.worker_health_port)
        freeze_startup_objects()
        log.info("worker started", task_queue=settings.task_queue, temporal=settings.temporal_address)
        await stop.wait()
        if health:
            health.close()
    if tracing:
        tracing.shutdown()  # the last spans are sent, not dropped with the process
    log.info("worker stopped")


if __name__ == "__main__":
    asyncio.run(main())
