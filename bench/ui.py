"""The judge's pages under load (issue 12 item 8): 20 concurrent judges reading their case page and the
cases list while asset inquiries start at 5 per second. Target: p95 < 200 ms for both pages.

Real everything: a fresh embedded stack (Temporal dev server, simulators), a worker in this process and
the web as its own process (2 uvicorn workers), the pages as a browser fetches them (the session cookie,
server-rendered HTML). Each judge first starts one case of their own; the load then runs for
``DURATION`` seconds. The agency inbox with 10,000 open tasks is bench/inbox.py (``python -m bench inbox``).

``python -m bench ui``
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from stdnum.cn import ric

from bench.harness import REPO, embedded_stack, process_tree_cpu_seconds
from core.localnet import wait_http
from web.codec import SESSION_COOKIE
from workers.main import running_worker

JUDGES = 20
INQUIRIES_PER_SECOND = 5
DURATION = 30.0
COURT = "杭州市上城区人民法院"  # the sandbox judge's court


def _resident_id(i: int) -> str:
    body = f"110105198801{i // 1000 % 28 + 1:02d}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _inquiry(n: int) -> dict[str, object]:
    return {
        "case_number": f"(2026)浙0102执{900000 + n}号",
        "court": COURT,
        "debtor": {"kind": "person", "name": "压测", "id_number": _resident_id(n)},
        "amount_owed_fen": 500_000,
        "execution_costs_fen": 10_000,
    }


def _p(latencies: list[float], q: int) -> float:
    return statistics.quantiles(latencies, n=100)[q - 1] * 1000


async def _token(http: httpx.AsyncClient, username: str, password: str) -> str:
    r = await http.post("/api/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    token: str = r.json()["access_token"]
    return token


async def _judges(base: str) -> list[str]:
    """A session for each of ``JUDGES`` judges of one court, made by the sandbox admin: each judge's
    "我的案件" is a list of its own, as in a court, rather than twenty loads of one list."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        admin = {"Authorization": f"Bearer {await _token(http, 'admin', 'admin')}"}
        tokens = []
        for n in range(JUDGES):
            username, password = f"bench-judge-{n:02d}", f"bench-{n:02d}-Qx7!pass"
            r = await http.post(
                "/api/users",
                headers=admin,
                json={"username": username, "password": password, "role": "judge", "court": COURT},
            )
            r.raise_for_status()
            tokens.append(await _token(http, username, password))
        return tokens


async def run(duration: float = DURATION) -> dict[str, float]:
    async with embedded_stack() as stack, running_worker(stack.client, stack.settings):
        s = stack.settings
        env = {
            **os.environ,
            "OM_VAR_DIR": str(s.var_dir),
            "OM_TEMPORAL_ADDRESS": s.temporal_address,
            "OM_WEB_PORT": str(s.web_port),
            "OM_PUBLIC_BASE_URL": s.public_base_url,
            "OM_PARTNERS_FILE": str(s.partners_file),
            "OM_TASK_QUEUE": s.task_queue,
            "OM_CODEC_KEYS_JSON": s.codec_keys_json or "",
            "OM_PROFILE": "sandbox",
            "OM_WEB_WORKERS": "2",
            "OM_LOG_LEVEL": "WARNING",
        }
        log = (Path(s.var_dir) / "web.log").open("w")
        web = subprocess.Popen([sys.executable, "-m", "web"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = s.public_base_url
        try:
            wait_http(f"{base}/healthz", timeout=120)
            tokens = await _judges(base)
            counter = iter(range(10**9))
            async with httpx.AsyncClient(base_url=base, timeout=30) as api:

                async def start(token: str) -> str:
                    r = await api.post(
                        "/api/scenarios/asset-inquiry/workflows",
                        json=_inquiry(next(counter)),
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    r.raise_for_status()
                    wid: str = r.json()["workflow_id"]
                    return wid

                cases = [await start(token) for token in tokens]
                feeder = await _token(api, "judge", "judge")  # the court's other judge, starting inquiries
                started = 0
                stop = asyncio.Event()

                async def inquiries() -> None:
                    nonlocal started
                    pending: set[asyncio.Task[str]] = set()
                    while not stop.is_set():
                        tick = time.perf_counter()
                        for _ in range(INQUIRIES_PER_SECOND):
                            t = asyncio.create_task(start(feeder))
                            pending.add(t)
                            t.add_done_callback(pending.discard)
                            started += 1
                        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))
                    await asyncio.gather(*pending, return_exceptions=True)

                case_page: list[float] = []
                cases_list: list[float] = []
                errors = 0

                async def judge(n: int) -> None:
                    nonlocal errors
                    cookies = {SESSION_COOKIE: tokens[n]}
                    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30) as page:
                        end = time.perf_counter() + duration
                        while time.perf_counter() < end:
                            for path, into in ((f"/ui/cases/{cases[n]}", case_page), ("/ui/cases", cases_list)):
                                t0 = time.perf_counter()
                                r = await page.get(path)
                                into.append(time.perf_counter() - t0)
                                if r.status_code != 200:
                                    errors += 1

                web_cpu_before = process_tree_cpu_seconds(web.pid)
                load = asyncio.create_task(inquiries())
                await asyncio.gather(*(judge(n) for n in range(JUDGES)))
                web_cpu = process_tree_cpu_seconds(web.pid) - web_cpu_before
                stop.set()
                await load
        finally:
            web.terminate()
            web.wait(15)
            log.close()
    result = {
        "case_page_p50_ms": _p(case_page, 50),
        "case_page_p95_ms": _p(case_page, 95),
        "cases_list_p50_ms": _p(cases_list, 50),
        "cases_list_p95_ms": _p(cases_list, 95),
        "inquiries_started": float(started),
        "errors": float(errors),
        "web_cpu_ms_per_request": web_cpu * 1000 / max(1, len(case_page) + len(cases_list) + started),
    }
    print(
        f"ui bench: {JUDGES} judges for {duration:.0f} s, {INQUIRIES_PER_SECOND} inquiries/s started "
        f"({started} in all), {len(case_page) + len(cases_list)} page loads, {errors} not 200; "
        f"the web's CPU: {result['web_cpu_ms_per_request']:.1f} ms a request"
    )
    print(
        f"  GET /ui/cases/{{id}} (case page): p50 {result['case_page_p50_ms']:6.1f} ms, "
        f"p95 {result['case_page_p95_ms']:6.1f} ms   (target p95 < 200 ms)"
    )
    print(
        f"  GET /ui/cases (cases list):      p50 {result['cases_list_p50_ms']:6.1f} ms, "
        f"p95 {result['cases_list_p95_ms']:6.1f} ms   (target p95 < 200 ms)"
    )
    return result


if __name__ == "__main__":
    asyncio.run(run())
