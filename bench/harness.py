"""What every benchmark needs: a fresh embedded stack (dev server with WAL, simulators) on free ports."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from temporalio.client import Client
from temporalio.common import HeaderCodecBehavior
from temporalio.contrib.pydantic import pydantic_data_converter

from config.settings import Settings, sandbox_partners
from domain.partners import PartnerRef
from launcher.stack import temporal_command
from net.localnet import free_port, wait_http
from runtime.tracing import Tracing, tracing_for
from security.converter import build_data_converter
from security.identity import ActorClientInterceptor

REPO = Path(__file__).resolve().parent.parent

# The dev server reads the search attributes' definitions from its database on every use (a testing aid, so an
# attribute added is seen at once; Temporal's own description: "should not be turned on in production"): ~10 reads
# a workflow for the baseline, ~30 for an inquiry, ~10 ms of its CPU. Benchmarks run the server as production does.
PRODUCTION_SERVER_CONFIG = ("--dynamic-config-value", "system.forceSearchAttributesCacheRefreshOnRead=false")


@dataclass
class Stack:
    settings: Settings
    client: Client
    plain_client: Client  # the baseline's: pydantic JSON, no codec, no interceptor
    simulator_url: str
    processes: dict[str, subprocess.Popen[bytes]]
    tracing: Tracing | None = None  # with OM_BENCH_TRACING=1: traces go to a stand-in collector

    @cached_property
    def partner_refs(self) -> list[PartnerRef]:
        """The partners a scenario's context names, read once as the web reads them (not once a start)."""
        return [p.ref() for p in self.settings.partners()]

    def process_env(self, web_workers: int = 2) -> dict[str, str]:
        """The environment for a web or worker process of this stack (``python -m web``, ``-m workers``)."""
        s = self.settings
        return {
            **os.environ,
            "OM_VAR_DIR": str(s.var_dir),
            "OM_TEMPORAL_ADDRESS": s.temporal_address,
            "OM_WEB_PORT": str(s.web_port),
            "OM_SIMULATOR_PORT": str(s.simulator_port),  # the simulated TSA the worker's seals ask
            "OM_PUBLIC_BASE_URL": s.public_base_url,
            "OM_PARTNERS_FILE": str(s.partners_file),
            "OM_TASK_QUEUE": s.task_queue,
            "OM_CODEC_KEYS_JSON": s.codec_keys_json or "",
            "OM_PROFILE": "sandbox",
            "OM_WEB_WORKERS": str(web_workers),
            "OM_LOG_LEVEL": "WARNING",
        }

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by the Temporal server, the simulators and this process (worker and
        driver): where a benchmark's cycles went, on a machine where everything shares two cores."""
        used = {name: _process_cpu_seconds(p.pid) for name, p in self.processes.items()}
        own = os.times()
        used["bench"] = own.user + own.system
        return used


def _process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its live descendants (the web's uvicorn workers are its children)."""
    total = _process_cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children = task.read_text().split()
        except OSError:
            continue
        total += sum(process_tree_cpu_seconds(int(child)) for child in children)
    return total


@asynccontextmanager
async def embedded_stack(bank_count: int = 5) -> AsyncIterator[Stack]:
    var = Path(tempfile.mkdtemp(prefix="om-bench-"))
    ports = {"temporal": free_port(), "ui": free_port(), "sim": free_port(), "web": free_port()}
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    partners_file = var / "partners.json"
    sim_url = f"http://127.0.0.1:{ports['sim']}"
    partners_file.write_text(json.dumps([p.model_dump(mode="json") for p in sandbox_partners(sim_url, bank_count)]))
    # OM_BENCH_TRACING=1: the stack's client and worker trace everything and export to a stand-in collector
    # (bench/otlp_sink.py), so a run measures tracing's whole cost (docs/performance.md "Tracing").
    traced = os.environ.get("OM_BENCH_TRACING") == "1"
    if traced:
        ports["otlp"] = free_port()
    settings = Settings(
        otlp_endpoint=f"http://127.0.0.1:{ports['otlp']}" if traced else "",
        var_dir=var,
        temporal_address=f"127.0.0.1:{ports['temporal']}",
        temporal_ui_port=ports["ui"],
        simulator_port=ports["sim"],
        web_port=ports["web"],
        public_base_url=f"http://127.0.0.1:{ports['web']}",
        partners_file=partners_file,
        task_queue="bench",
        codec_keys_json=json.dumps({"active": "b", "keys": {"b": key}}),
        _env_file=None,
    )
    logs = (var / "bench-services.log").open("w")
    procs = {
        "temporal": subprocess.Popen(
            [*temporal_command(settings), *PRODUCTION_SERVER_CONFIG], stdout=logs, stderr=subprocess.STDOUT
        ),
        "simulators": subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulators",
                "--host",
                "127.0.0.1",
                "--port",
                str(ports["sim"]),
                "--state-dir",
                str(var / "simulators"),
                "--partners-file",
                str(partners_file),
                "--no-demo-data",
                # The banks act only on a notice sealed by a court this CA certified, as under `make run`.
                *("--document-ca", str(settings.document_pki_path / "ca.pem")),
                # The seals' timestamps: its root where the stack's web checks them (docs/documents.md "Seal").
                "--tsa-dir",
                str(settings.document_pki_path / "tsa"),
            ],
            cwd=REPO,
            stdout=logs,
            stderr=subprocess.STDOUT,
            env={**os.environ},
        ),
    }
    if traced:
        sink = [sys.executable, "-m", "bench.otlp_sink", str(ports["otlp"])]
        procs["otlp-sink"] = subprocess.Popen(sink, cwd=REPO, stdout=logs, stderr=subprocess.STDOUT)
    tracing = tracing_for(settings.otlp_endpoint, "one-matter-bench")
    traced_interceptors = tracing.interceptors() if tracing else []
    failed = False
    try:
        wait_http(f"{sim_url}/healthz")
        client = plain = None
        for _ in range(100):
            try:
                client = await Client.connect(
                    settings.temporal_address,
                    data_converter=build_data_converter(settings.codec_keys),
                    interceptors=[*traced_interceptors, ActorClientInterceptor(settings.actor_signer())],
                    header_codec_behavior=HeaderCodecBehavior.CODEC,
                )
                plain = await Client.connect(settings.temporal_address, data_converter=pydantic_data_converter)
                break
            except RuntimeError:
                await asyncio.sleep(0.2)
        assert client is not None and plain is not None, "Temporal did not come up"
        yield Stack(settings, client, plain, sim_url, procs, tracing)
    except BaseException:
        failed = True
        raise
    finally:
        if tracing:
            tracing.shutdown()  # the last spans go to the sink before it stops
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            p.wait(15)
        logs.close()
        # A million payees leave ~700 MB of encrypted chunks behind; OM_BENCH_KEEP=1 keeps them to look at,
        # and a run that failed keeps its logs for whoever looks into why.
        if failed or os.environ.get("OM_BENCH_KEEP") == "1":
            print(f"bench: the stack's files and logs are kept in {var}", file=sys.stderr)
        else:
            shutil.rmtree(var, ignore_errors=True)


@asynccontextmanager
async def web_and_worker(stack: Stack, env: dict[str, str] | None = None) -> AsyncIterator[subprocess.Popen[bytes]]:
    """The worker and the web (2 uvicorn workers) of this stack, each a process of its own as in production
    (in the bench's process the worker would share one interpreter lock with the clients timing the pages);
    answers the web's process once it is healthy. Both stopped after; what does not stop is killed with its
    children (a web still starting under load, and its workers)."""
    s = stack.settings
    with (Path(s.var_dir) / "web.log").open("w") as log:
        worker, web = (
            subprocess.Popen(
                [sys.executable, "-m", module],
                cwd=REPO,
                env=env or stack.process_env(web_workers=2),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for module in ("workers", "web")
        )
        try:
            wait_http(f"{s.public_base_url}/healthz", timeout=300)  # migrating and starting on a loaded machine
            yield web
        finally:
            for process in (web, worker):
                process.terminate()
            for process in (web, worker):
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(15)
