"""A small process supervisor: starts children in order, restarts any that dies with exponential
back-off, and stops them all within a bounded time on SIGINT/SIGTERM.

Each child runs in its own session (process group) so that the supervisor alone decides how it
stops: Ctrl-C reaches the supervisor, which sends SIGTERM to every child's whole group (uvicorn's
worker processes, the Temporal dev server's children), waits up to ``stop_timeout`` in total and
SIGKILLs whatever is left. If the supervisor itself is killed, the kernel sends SIGTERM to each child
(PR_SET_PDEATHSIG), so no orphaned worker keeps polling.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PR_SET_PDEATHSIG = 1
# Ctrl-C's bound: a child still running this long after its SIGTERM is killed, with its process group.
STOP_TIMEOUT = 4.0
# How often the supervisor looks at its children (and at a stop request).
POLL_INTERVAL = 0.2


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass(frozen=True)
class Backoff:
    """Restart delays: ``initial`` doubling up to ``maximum``; a child that stayed up ``reset_after``
    seconds starts again from ``initial`` (a crash an hour later is not punished for an old one)."""

    initial: float = 0.5
    maximum: float = 30.0
    reset_after: float = 60.0

    def delay(self, consecutive_failures: int) -> float:
        return min(self.initial * 2 ** max(consecutive_failures - 1, 0), self.maximum)


@dataclass
class ChildSpec:
    name: str
    argv: Sequence[str]
    env: Mapping[str, str] | None = None
    # A quick probe (e.g. "is the port open"); the next child starts only once it is true, so the
    # start order is the dependency order. Crashes while waiting are restarted like any other.
    ready: Callable[[], bool] | None = None


@dataclass
class _Child:
    spec: ChildSpec
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    restarts: int = 0
    log: IO[bytes] | None = field(default=None, repr=False)


class Supervisor:
    def __init__(
        self,
        log_dir: Path,
        backoff: Backoff | None = None,
        stop_timeout: float = STOP_TIMEOUT,
        poll_interval: float = POLL_INTERVAL,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.log_dir = log_dir
        self.backoff = backoff or Backoff()
        self.stop_timeout = stop_timeout
        self.poll_interval = poll_interval
        self.announce = announce or (lambda msg: print(msg, flush=True))
        self._children: list[_Child] = []
        self._stopping = False

    # -- lifecycle -------------------------------------------------------------------------------
    def add(self, spec: ChildSpec) -> bool:
        """Starts the child now and waits until it is ready (children start in the order added), still
        restarting whatever dies meanwhile. False if a stop was requested while waiting."""
        child = _Child(spec)
        self._children.append(child)
        self._start(child)
        announced = time.monotonic() + 10.0
        while spec.ready is not None and not self._stopping:
            if child.proc is not None and spec.ready():
                break
            if time.monotonic() > announced:
                self.announce(f"still waiting for {spec.name} (see {self._log_path(child)})")
                announced = time.monotonic() + 30.0
            self.tick()
            time.sleep(self.poll_interval)
        return not self._stopping

    def pids(self) -> dict[str, int]:
        return {c.spec.name: c.proc.pid for c in self._children if c.proc is not None and c.proc.poll() is None}

    def restarts(self) -> dict[str, int]:
        return {c.spec.name: c.restarts for c in self._children}

    def install_signal_handlers(self) -> None:
        def on_signal(signum: int, _frame: object) -> None:
            self._stopping = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)

    def request_stop(self) -> None:
        self._stopping = True

    def run_forever(self) -> None:
        """Watches the children until a stop is requested, then stops them all."""
        try:
            while not self._stopping:
                self.tick()
                time.sleep(self.poll_interval)
        finally:
            self.stop_all()

    def tick(self) -> None:
        now = time.monotonic()
        for child in self._children:
            proc = child.proc
            if proc is not None and proc.poll() is not None:
                uptime = now - child.started_at
                child.failures = 1 if uptime >= self.backoff.reset_after else child.failures + 1
                delay = self.backoff.delay(child.failures)
                self.announce(
                    f"{child.spec.name} exited with {proc.returncode} after {uptime:.1f}s; "
                    f"restarting in {delay:.1f}s (see {self._log_path(child)})"
                )
                child.proc = None
                child.restart_at = now + delay
            if child.proc is None and child.restart_at is not None and now >= child.restart_at:
                child.restart_at = None
                child.restarts += 1
                self._start(child)

    def stop_all(self) -> None:
        """SIGTERM to every child's process group (last started first), SIGKILL after the timeout."""
        live = [c for c in reversed(self._children) if c.proc is not None and c.proc.poll() is None]
        for child in live:
            assert child.proc is not None
            _signal_group(child.proc, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for child in live:
            assert child.proc is not None
            try:
                child.proc.wait(max(deadline - time.monotonic(), 0.0))
            except subprocess.TimeoutExpired:
                self.announce(f"{child.spec.name} did not stop within {self.stop_timeout:.0f}s; killing it")
        for child in live:
            assert child.proc is not None
            # The group too: a uvicorn or Temporal child that outlived its parent is killed as well.
            _signal_group(child.proc, signal.SIGKILL)
            child.proc.wait()
        for child in self._children:
            if child.log is not None:
                child.log.close()
                child.log = None

    # -- internals -------------------------------------------------------------------------------
    def _log_path(self, child: _Child) -> Path:
        return self.log_dir / f"{child.spec.name}.log"

    def _start(self, child: _Child) -> None:
        if child.log is None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            child.log = self._log_path(child).open("ab")
        env = dict(child.spec.env) if child.spec.env is not None else None
        child.proc = subprocess.Popen(
            list(child.spec.argv),
            env=env,
            stdout=child.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # safe: the supervisor is single-threaded
        )
        child.started_at = time.monotonic()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
