"""The payee-list upload through the web (issue 15 item 5, the intake): ``POST /api/payouts/lists`` with
100,000 and 1,000,000 rows, timed from the first byte sent to the answer, with the web process's memory.

``python -m bench payee_upload [rows ...]`` (default 100000 1000000). Not part of ``make bench``.

The web runs as its own process (one uvicorn worker, SQLite) on a fresh embedded stack; the bench streams
the CSV from a file on disk, so only the web's memory is measured: its resident set just before the upload
and its peak (VmHWM) after. A 1,000-row list goes first, so the memory before is that of a warm web.
Results: docs/performance.md, "A million payees", "Intake through the web".
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.harness import REPO, embedded_stack
from bench.mass_payout import payee_rows, peak_rss_mib
from domain.payees import payees_csv
from net.localnet import wait_http

COUNTS = (100_000, 1_000_000)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_list(path: Path, n: int) -> int:
    """The bench's list (bench/mass_payout.py's payees), written 10,000 rows at a time with one header."""
    rows = payee_rows(n)
    with path.open("wb") as f:
        for start in range(0, n, 10_000):
            data = payees_csv(rows[start : start + 10_000])
            f.write(data if start == 0 else data.split(b"\r\n", 1)[1])
    return path.stat().st_size


async def run(counts: tuple[int, ...] = COUNTS) -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with embedded_stack() as stack:
        s = stack.settings
        env = stack.process_env(web_workers=1)
        log = (Path(s.var_dir) / "web.log").open("w")
        web = subprocess.Popen([sys.executable, "-m", "web"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = s.public_base_url
        try:
            wait_http(f"{base}/healthz", timeout=120)
            async with httpx.AsyncClient(base_url=base, timeout=30) as anon:
                r = await anon.post("/api/auth/token", data={"username": "judge", "password": "judge"})
                r.raise_for_status()
                token = r.json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=3600) as api:
                for n in (1_000, *counts):
                    path = Path(s.var_dir) / f"payees-{n}.csv"
                    size = write_list(path, n)
                    before = rss_mib(web.pid)
                    load = os.getloadavg()
                    started = time.perf_counter()
                    with path.open("rb") as f:
                        r = await api.post("/api/payouts/lists", files={"file": ("payees.csv", f, "text/csv")})
                    seconds = time.perf_counter() - started
                    peak = peak_rss_mib(web.pid)
                    path.unlink()
                    assert r.status_code == 201, r.text[:500]
                    body = r.json()
                    assert body["count"] == n, body
                    if n == 1_000:
                        continue  # the warm-up
                    results[str(n)] = {
                        "seconds": seconds,
                        "rss_before_mib": before,
                        "peak_mib": peak,
                        "bytes": size,
                        "load": load,
                    }
                    print(
                        f"payee upload: {n:,} rows ({size / 1e6:.1f} MB, ¥{body['total_fen'] / 100:,.2f}) in "
                        f"{seconds:.1f} s ({n / seconds:,.0f} rows/s); web RSS {before:.0f} MiB before, peak "
                        f"{peak:.0f} MiB (+{peak - before:.0f} MiB); load average before "
                        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, after {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
        finally:
            web.terminate()
            web.wait(30)
    return results


if __name__ == "__main__":
    import asyncio

    asyncio.run(run(tuple(int(a) for a in sys.argv[1:]) or COUNTS))
