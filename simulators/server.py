"""Running the simulators inside another process: uvicorn on a background thread with its own event loop.

Tests use it to get a real HTTP server without a subprocess; binding the socket first gives the port
before the partner endpoints (whose base URLs carry it) are built, and leaves no race for a free port.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import httpx
import uvicorn

from config.settings import sandbox_partners
from simulators.app import create_app
from simulators.models import SimulatorConfig

# httptools (C) rather than h11 (Python): ~0.1-0.15 ms less CPU a request, ~3 ms an asset inquiry's 28
# (docs/performance.md, "bank-check"). h11 only in a virtualenv made before httptools was a dependency (its
# `make .venv/.installed` not re-run): slower, the same answers.
HTTP_PARSER = "httptools" if importlib.util.find_spec("httptools") else "h11"


def bind_loopback() -> socket.socket:
    """A listening-ready TCP socket on 127.0.0.1 with a port chosen by the kernel."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class SimulatorServer:
    """``with SimulatorServer.start(state_dir) as server:`` — the simulators on ``server.base_url``."""

    def __init__(self, config_for: Callable[[str], SimulatorConfig], sock: socket.socket | None = None) -> None:
        self._sock = sock or bind_loopback()
        port = int(self._sock.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{port}"
        self.config = config_for(self.base_url)
        self._server = uvicorn.Server(
            uvicorn.Config(
                create_app(self.config), log_level="warning", access_log=False, lifespan="on", http=HTTP_PARSER
            )
        )
        self._thread = threading.Thread(target=self._run, name=f"simulators:{port}", daemon=True)

    @classmethod
    def start(
        cls,
        state_dir: Path,
        seed_demo_data: bool = False,
        random_seed: int | None = 7,
        sock: socket.socket | None = None,
    ) -> SimulatorServer:
        """The sandbox partners (``config.settings.sandbox_partners``) with their state in ``state_dir``."""

        def config_for(base_url: str) -> SimulatorConfig:
            return SimulatorConfig(
                state_dir=state_dir,
                partners=sandbox_partners(base_url),
                seed_demo_data=seed_demo_data,
                random_seed=random_seed,
                callback_backoff_seconds=0.05,
            )

        server = cls(config_for, sock)
        server.run_in_background()
        return server

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def run_in_background(self, timeout: float = 20.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the simulators did not start")
            time.sleep(0.01)
        httpx.get(f"{self.base_url}/healthz", timeout=5.0).raise_for_status()

    def stop(self, timeout: float = 20.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> SimulatorServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
