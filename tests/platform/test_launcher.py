"""`make run`'s supervisor (launcher/): a child that dies comes back with back-off, and SIGINT stops
everything — including a child that ignores SIGTERM and its own children — within the supervisor's stop
window (a child still running after it is killed) and a little slack. The second half runs the real launcher
(Temporal, simulators, two workers, web, agents) on free ports: every process there stops by itself."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from launcher.supervisor import POLL_INTERVAL, STOP_TIMEOUT, Backoff
from net.localnet import free_port

REPO = Path(__file__).resolve().parents[2]
# What a stop may take beyond the supervisor's kill deadline whatever its children do: one poll to notice the
# signal, then the SIGKILL and reaping of what is left and the supervisor's own exit (0.5–0.7 s measured at
# load 22 on two cores).
STOP_SLACK = POLL_INTERVAL + 1.0
DRIVER_STOP_TIMEOUT = 3.0

# A fake child: records each start, then sleeps. "stubborn" ignores SIGTERM and has a child of its own;
# "crasher" dies at once, every time.
CHILD = r"""
import os, signal, subprocess, sys, time
from pathlib import Path
var, name = Path(sys.argv[1]), sys.argv[2]
with (var / f"{name}.starts").open("a") as f:
    f.write(f"{os.getpid()}\n")
if name == "crasher":
    sys.exit(3)
if name == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    grandchild = subprocess.Popen(["sleep", "300"])
    (var / "grandchild.pid").write_text(str(grandchild.pid))
time.sleep(300)
"""

DRIVER = r"""
import sys
from pathlib import Path
from launcher.supervisor import Backoff, ChildSpec, Supervisor
var = Path(sys.argv[1])
child = sys.argv[2]
sup = Supervisor(
    var / "logs", backoff=Backoff(initial=0.2, maximum=1.0, reset_after=60), stop_timeout=float(sys.argv[3])
)
sup.install_signal_handlers()
for name in ("steady", "stubborn", "crasher"):
    ready = (lambda n: lambda: (var / f"{n}.starts").exists())(name)
    sup.add(ChildSpec(name, [sys.executable, "-c", child, str(var), name], ready=ready))
print("up", flush=True)
sup.run_forever()
print("stopped", flush=True)
"""


def starts(var: Path, name: str) -> list[int]:
    path = var / f"{name}.starts"
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(tmp_path), CHILD, str(DRIVER_STOP_TIMEOUT)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "up"
    yield proc, tmp_path
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_backoff_doubles_up_to_its_ceiling() -> None:
    b = Backoff(initial=0.5, maximum=30.0)
    assert [b.delay(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert b.delay(20) == 30.0


def test_a_killed_child_is_restarted_and_sigint_stops_everything_within_5s(
    supervised: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, var = supervised
    first = starts(var, "steady")[0]
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: len(starts(var, "steady")) == 2, 5, "the killed child to come back")
    second = starts(var, "steady")[1]
    assert second != first and alive(second)

    # The crasher keeps being restarted, but with growing delays (0.2, 0.4, 0.8, 1, 1 … s), not in a hot loop.
    time.sleep(3)
    crashes = len(starts(var, "crasher"))
    assert 3 <= crashes <= 8, crashes

    stubborn = starts(var, "stubborn")[0]
    grandchild = int((var / "grandchild.pid").read_text())
    assert alive(stubborn) and alive(grandchild)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=10)
    elapsed = time.monotonic() - t0
    assert elapsed < DRIVER_STOP_TIMEOUT + STOP_SLACK, f"stopping took {elapsed:.1f}s"
    assert proc.returncode == 0
    assert proc.stdout is not None
    said = proc.stdout.read()
    assert "crasher exited with 3" in said and "restarting in" in said
    assert "stubborn did not stop within 3s; killing it" in said
    # The SIGTERM-ignoring child was killed after the 3 s grace, its own child with it.
    wait_for(lambda: not any(alive(p) for p in (second, stubborn, grandchild)), 2, "every child to be gone")


def children_of(pid: int) -> dict[int, str]:
    """Direct children of ``pid``: pid -> command line."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(entry.name)] = cmdline
    return found


def descendants_of(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children_of(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _hex_address(field: str) -> tuple[str, int]:
    """``0100007F:1F90`` (as /proc/net/tcp writes it) → ("127.0.0.1", 8080); IPv6 likewise."""
    raw, port = field.split(":")
    packed = bytes.fromhex(raw)
    # The kernel writes each 32-bit word in host (little-endian) order.
    words = b"".join(packed[i : i + 4][::-1] for i in range(0, len(packed), 4))
    return str(ipaddress.ip_address(words)), int(port, 16)


def listening_addresses(pids: set[int]) -> set[tuple[str, int]]:
    """The TCP addresses the processes ``pids`` listen on."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    link = os.readlink(fd)
                    if link.startswith("socket:["):
                        inodes.add(link[8:-1])
        except OSError:
            continue
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.add(_hex_address(fields[1]))
    return found


def answers(url: str) -> bool:
    """``url`` answers 200 (nothing listening yet, or a timeout: not yet)."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def workers_of(pid: int) -> list[int]:
    return sorted(p for p, cmd in children_of(pid).items() if cmd.split()[-2:] == ["-m", "workers"])


def test_the_real_stack_heals_a_killed_worker_and_stops_within_5s(tmp_path: Path) -> None:
    web, metrics, outbox = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "OM_VAR_DIR": str(tmp_path),
        "OM_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "OM_TEMPORAL_UI_PORT": str(free_port()),
        "OM_SIMULATOR_PORT": str(free_port()),
        "OM_WEB_PORT": str(web),
        "OM_WEB_WORKERS": "1",
        "OM_PUBLIC_BASE_URL": f"http://127.0.0.1:{web}",
        "OM_WORKERS": "2",
        "OM_WORKER_METRICS_PORT": str(metrics),
        "OM_OUTBOX_HEALTH_PORT": str(outbox),
    }
    launcher = subprocess.Popen(
        [sys.executable, "-m", "launcher"], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        wait_for(lambda: len(workers_of(launcher.pid)) == 2, 60, "two worker processes")
        base = f"http://127.0.0.1:{web}"

        def healthy() -> bool:
            return answers(f"{base}/healthz")

        wait_for(healthy, 90, "the web to report Temporal and its database healthy")
        # Each worker serves the Temporal SDK's metrics on its own port once it polls.
        for port in (metrics, metrics + 1):

            def polling(port: int = port) -> bool:
                try:
                    return "temporal_" in httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
                except httpx.TransportError:
                    return False

            wait_for(polling, 60, f"worker metrics on :{port}")

        # The webhook outbox's probes (workers/health.py) answer from its own process once its loop ticks.
        wait_for(lambda: answers(f"http://127.0.0.1:{outbox}/readyz"), 60, "the outbox's readiness probe")
        assert httpx.get(f"http://127.0.0.1:{outbox}/livez", timeout=2).text == "live"

        # Every process of the sandbox listens on loopback only, the workers' metrics and the outbox's probes
        # included.
        listening = listening_addresses(descendants_of(launcher.pid))
        assert {metrics, outbox} <= {port for _, port in listening} and len(listening) >= 7, listening
        assert all(ipaddress.ip_address(host).is_loopback for host, _ in listening), listening

        victim = workers_of(launcher.pid)[0]
        os.kill(victim, signal.SIGKILL)
        wait_for(
            lambda: len(workers_of(launcher.pid)) == 2 and victim not in workers_of(launcher.pid),
            10,
            "the killed worker to be replaced",
        )
        assert healthy()

        def started() -> int:
            return sum((tmp_path / "logs" / f"worker-{i}.log").read_text().count('"worker started"') for i in (1, 2))

        wait_for(lambda: started() == 3, 60, "the replacement worker to poll")

        everyone = list(children_of(launcher.pid))
        t0 = time.monotonic()
        launcher.send_signal(signal.SIGINT)
        launcher.wait(timeout=15)
        elapsed = time.monotonic() - t0
        # Within the stop window itself, not the kill's slack: every process stopped by itself (none was killed at
        # the deadline) and the launcher left as soon as the last one had (1.6–1.8 s measured at load 22–24; it
        # was 7–10 s before the workers and the launcher skipped the interpreter's teardown).
        assert elapsed < STOP_TIMEOUT, f"Ctrl-C took {elapsed:.1f}s"
        assert not [p for p in everyone if alive(p)]
        assert launcher.stdout is not None
        said = launcher.stdout.read()
        assert "exited with -9" in said and "did not stop" not in said, said
        # The workers drained and stopped by themselves rather than being killed.
        for log in ("worker-1.log", "worker-2.log"):
            assert "worker stopped" in (tmp_path / "logs" / log).read_text()
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
