"""The case page alone (issue 20 item 9): ``JUDGES`` judges reading the page of one enforcement case with
``CASE_MATTERS`` matters (its file, its register and the merged timeline of its matters) while asset
inquiries start at ``RATE`` a second — the load of ``python -m bench ui``, without its set-up of 80 settled
inquiries and a payout, which a loaded machine cannot finish. Target: p95 < 200 ms.

Real everything, as bench/ui.py: a fresh embedded stack, the worker and the web (2 uvicorn workers) each a
process of its own, the page as a browser fetches it. The matters are started just before the judges start
reading, so some timelines still grow while they read.

``python -m bench case_page`` (``OM_BENCH_CASE_PAGE_DURATION`` seconds, default 30; ``OM_BENCH_CASE_PAGE_JUDGES``,
default 10; ``OM_BENCH_CASE_PAGE_RATE`` inquiries a second, default 5).
"""

from __future__ import annotations

import asyncio
import os
import random
import time

import httpx

from bench.harness import embedded_stack, process_tree_cpu_seconds, web_and_worker
from bench.ui import CASE_MATTERS, _case_with_matters, _inquiry, _judges, _p, _token
from web.codec import SESSION_COOKIE

DURATION = float(os.environ.get("OM_BENCH_CASE_PAGE_DURATION", "30"))
JUDGES = int(os.environ.get("OM_BENCH_CASE_PAGE_JUDGES", "10"))
RATE = int(os.environ.get("OM_BENCH_CASE_PAGE_RATE", "5"))
THINK = (0.5, 1.5)  # a judge reads a page before the next click


async def run(duration: float = DURATION) -> dict[str, float]:
    async with embedded_stack() as stack, web_and_worker(stack) as web:
        base = stack.settings.public_base_url
        tokens = (await _judges(base))[:JUDGES]
        async with httpx.AsyncClient(base_url=base, timeout=60) as api:
            feeder = await _token(api, "judge", "judge")
            docket = await _case_with_matters(api, feeder)
            counter = iter(range(10**9))
            stop = asyncio.Event()
            started = 0

            async def start() -> None:
                r = await api.post(
                    "/api/scenarios/asset-inquiry/workflows",
                    json=_inquiry(next(counter)),
                    headers={"Authorization": f"Bearer {feeder}"},
                )
                r.raise_for_status()

            async def inquiries() -> None:
                nonlocal started
                pending: set[asyncio.Task[None]] = set()
                while not stop.is_set():
                    tick = time.perf_counter()
                    for _ in range(RATE):
                        t = asyncio.create_task(start())
                        pending.add(t)
                        t.add_done_callback(pending.discard)
                        started += 1
                    await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))
                await asyncio.gather(*pending, return_exceptions=True)

            timings: list[float] = []
            errors = 0
            rng = random.Random(7)

            async def judge(n: int) -> None:
                nonlocal errors
                async with httpx.AsyncClient(base_url=base, cookies={SESSION_COOKIE: tokens[n]}, timeout=60) as page:
                    end = time.perf_counter() + duration
                    await asyncio.sleep(rng.uniform(0, THINK[1]))
                    while time.perf_counter() < end:
                        t0 = time.perf_counter()
                        r = await page.get(f"/ui/dockets/{docket}")
                        timings.append(time.perf_counter() - t0)
                        errors += r.status_code != 200
                        await asyncio.sleep(rng.uniform(*THINK))

            load = asyncio.create_task(inquiries())
            cpu = process_tree_cpu_seconds(web.pid)
            await asyncio.gather(*(judge(n) for n in range(JUDGES)))
            cpu = process_tree_cpu_seconds(web.pid) - cpu
            stop.set()
            await load
    load_avg = os.getloadavg()[0]
    print(
        f"case page bench: {JUDGES} judges for {duration:.0f} s reading the page of a case with {CASE_MATTERS} "
        f"matters, while {started} inquiries started ({RATE}/s); {len(timings)} loads, {errors} not 200; the web's "
        f"CPU {cpu * 1000 / max(1, len(timings)):.1f} ms a page; load average {load_avg:.1f}"
    )
    p50, p95 = _p(timings, 50), _p(timings, 95)
    print(f"  GET /ui/dockets/{{id}} p50 {p50:7.1f} ms, p95 {p95:7.1f} ms   (target p95 < 200 ms)")
    return {"case_docket_p50_ms": p50, "case_docket_p95_ms": p95, "errors": float(errors)}


if __name__ == "__main__":
    asyncio.run(run())
