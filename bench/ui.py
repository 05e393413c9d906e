"""The judge's pages under load (issue 12 item 8): 20 concurrent judges reading their case page and the
cases list while asset inquiries start at 5 per second. Target: p95 < 200 ms for both pages. Each judge
also reads the page of one enforcement case with ``CASE_MATTERS`` matters started from it (issue 20 item 9:
the case's own file, its register, and the merged timeline of its matters; p95 < 200 ms).

Then the judges' decisions (issue 26 item 12), from click to accepted, while a mass payout of
``PAYOUT_PAYEES`` pays in the same court: each judge decides ``DECISIONS_PER_JUDGE`` inquiries of their own,
and clicks once on the paying payout itself (a decision it is not waiting for: the answer, a refusal, must
come as fast — the settle wait once held such a click 15 s). A click is the case page's decision form posted
as the browser posts it (its fields as shown, the reason, the CSRF token) until the page it is sent back to
has loaded — the judge's number, not the API's. Target: p95 < 1 s for both.

Real everything: a fresh embedded stack (Temporal dev server, simulators), the worker and the web each a
process of its own (the web with 2 uvicorn workers), the pages as a browser fetches them (the session
cookie, server-rendered HTML). Twenty judges of one court, each with an account and one case of their own,
then two phases of ``DURATION`` seconds while the court's other judge starts inquiries: judges reading
(each page read for ``THINK`` seconds before the next click: the target's measure) and judges clicking
without pause (saturation: how many pages a second the stack serves, and at what latency). The agency
inbox with 10,000 open tasks is bench/inbox.py (``python -m bench inbox``).

``python -m bench ui`` (``OM_BENCH_UI_DURATION=5`` for a quick check at small N, with ``OM_BENCH_UI_PAYEES``
the payout's size; the target's figures are taken with the defaults).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from stdnum.cn import ric, uscc

from bench import html_form
from bench.harness import REPO, Stack, embedded_stack, process_tree_cpu_seconds
from bench.mass_payout import JUDGES as PAYOUT_JUDGES
from bench.mass_payout import TUNING as PAYOUT_TUNING
from bench.mass_payout import _decide_when_ready, payee_rows
from domain.legal_time import TimeScale
from domain.payees import payees_csv
from domain.payout import PayeeListRef
from net.localnet import wait_http
from runtime.temporal import scenario_search_attributes
from security.identity import acting_as
from store.blobs import BlobStore
from store.db import Database
from store.started import StartedStore
from web.codec import SESSION_COOKIE
from web.payout_routes import intake_payee_csv
from web.ui.session import CSRF_FIELD
from workflows.foundation.scenario import ScenarioContext
from workflows.mass_payout.models import NAME as PAYOUT
from workflows.mass_payout.models import MassPayoutInput, MassPayoutRequest
from workflows.mass_payout.workflow import MassPayout

JUDGES = 20
INQUIRIES_PER_SECOND = 5
DURATION = float(os.environ.get("OM_BENCH_UI_DURATION", "30"))
CASE_MATTERS = 10  # matters started from the one enforcement case every judge also reads
# A judge reads what a page says before the next click; twenty judges clicking without pause is the
# second phase, which measures how many pages a second the stack can serve at all (saturation).
THINK = (0.5, 1.5)
COURT = "杭州市上城区人民法院"  # the sandbox judge's court
# The decisions: each judge's own inquiries decided while a payout of this many payees pays in the court.
DECISIONS_PER_JUDGE = 3
PAYOUT_PAYEES = int(os.environ.get("OM_BENCH_UI_PAYEES", "50000"))


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


@dataclass
class Phase:
    think: tuple[float, float] | None
    case_page: list[float] = field(default_factory=list)
    cases_list: list[float] = field(default_factory=list)
    docket: list[float] = field(default_factory=list)
    errors: int = 0
    inquiries: int = 0
    web_cpu_seconds: float = 0.0

    @property
    def pages(self) -> int:
        return len(self.case_page) + len(self.cases_list) + len(self.docket)

    def report(self, duration: float) -> None:
        how = f"reading each page {self.think[0]}-{self.think[1]} s" if self.think else "without pause (saturation)"
        print(
            f"ui bench: {JUDGES} judges for {duration:.0f} s, {how}, while {self.inquiries} inquiries started "
            f"({INQUIRIES_PER_SECOND}/s): {self.pages} page loads ({self.pages / duration:.1f}/s), "
            f"{self.errors} not 200; the web's CPU {self.web_cpu_seconds * 1000 / max(1, self.pages):.1f} ms a page"
        )
        for name, timings in (
            ("GET /ui/cases/{id} (case page)", self.case_page),
            ("GET /ui/cases (cases list)", self.cases_list),
            (f"GET /ui/dockets/{{id}} ({CASE_MATTERS} matters)", self.docket),
        ):
            print(f"  {name:36} p50 {_p(timings, 50):7.1f} ms, p95 {_p(timings, 95):7.1f} ms   (target p95 < 200 ms)")


@dataclass
class Decisions:
    """Click to answer of the judges' decisions while a payout pays: accepted on their inquiries, refused
    at once on the paying payout (it waits for no decision)."""

    accepted: list[float] = field(default_factory=list)
    on_payout: list[float] = field(default_factory=list)
    errors: int = 0
    paying_throughout: bool = True

    def report(self) -> None:
        print(
            f"decisions: {len(self.accepted)} accepted on inquiries and {len(self.on_payout)} answered on a "
            f"paying payout, {self.errors} unexpected answers; the payout paid throughout: {self.paying_throughout}"
        )
        for name, timings in (
            ("UI decision form (inquiry, accepted)", self.accepted),
            ("UI decision form (paying payout)", self.on_payout),
        ):
            print(f"  {name:34} p50 {_p(timings, 50):7.1f} ms, p95 {_p(timings, 95):7.1f} ms   (target p95 < 1 s)")


async def _start_payout(stack: Stack, payees: int) -> str:
    """A payout of ``payees`` in the judges' court, released by two judges: it pays while the judges decide."""
    settings = stack.settings
    data = payees_csv(payee_rows(payees))
    intake = await asyncio.to_thread(intake_payee_csv, BlobStore.for_settings(settings), data)
    assert intake.accepted is not None, intake.errors[:3]
    ref = PayeeListRef.model_validate(intake.accepted.model_dump(include={"sha256", "count", "total_fen"}))
    request = MassPayoutRequest(
        case_number="(2026)浙0102执999999号",
        court=COURT,
        payee_list=ref,
        case_account="33050161672700000001",
        bank="bank-icbc",
    )
    wid = f"mass-payout-{random.Random().getrandbits(64):016x}"
    # Recorded as the web records the workflows it starts: the web shows and decides only its own.
    register = StartedStore(Database(settings.web_database_url))
    await asyncio.to_thread(
        register.record, wid, "scenario", COURT, PAYOUT_JUDGES[0].user_id, PAYOUT, request.case_number
    )
    ctx = ScenarioContext(
        workflow_id=wid,
        partners=[p.ref() for p in settings.partners()],
        time_scale=TimeScale(),
        callback_base_url=settings.public_base_url,
    )
    with acting_as(PAYOUT_JUDGES[0]):
        handle = await stack.client.start_workflow(
            MassPayout.run,
            MassPayoutInput(request=request, context=ctx, tuning=PAYOUT_TUNING),
            id=wid,
            task_queue=settings.task_queue,
            search_attributes=scenario_search_attributes(request.case_number, PAYOUT, "running", COURT),
        )
    for judge in PAYOUT_JUDGES:
        await _decide_when_ready(handle, judge)
    return wid


async def _status(api: httpx.AsyncClient, token: str, workflow_id: str) -> str:
    r = await api.get(f"/api/workflows/{workflow_id}", headers={"Authorization": f"Bearer {token}"})
    status: str = r.json().get("status", "") if r.status_code == 200 else ""
    return status


def _decision_form(html: str, decision: str) -> dict[str, str] | None:
    """The decision's form as the case page shows it (its fields, the CSRF token), or None when the page has
    no form for it (the decision is not pending)."""
    form = html_form.shown_form(html, lambda a: a.get("data-decision") == decision)
    return form[1] if form else None


async def _decisions(api: httpx.AsyncClient, stack: Stack, tokens: list[str], own: list[list[str]]) -> Decisions:
    """Every judge decides each of their own inquiries on its case page, and clicks once on the paying
    payout, the clicks spread over a few seconds as judges' clicks are. A click posts the decision's form
    as the browser does (the fields as shown, the reason typed, the CSRF token) and counts until the page
    it is sent back to has loaded: "accepted" is what the judge sees, not an API's answer."""
    timings = Decisions()
    payout = await _start_payout(stack, PAYOUT_PAYEES)
    for _ in range(1200):  # two minutes at most for the list and balance checks
        if await _status(api, tokens[0], payout) == "paying":
            break
        await asyncio.sleep(0.1)
    rng = random.Random(11)
    reason = "经审查, 依法冻结"

    async def click(n: int, workflow_id: str, decision: str, into: list[float]) -> int:
        cookies = {SESSION_COOKIE: tokens[n]}
        async with httpx.AsyncClient(base_url=api.base_url, cookies=cookies, timeout=30) as page:
            shown = await page.get(f"/ui/cases/{workflow_id}")  # the page the judge reads before clicking
            form = _decision_form(shown.text, decision)
            if form is None:  # the payout waits for no decision: the form of a page read before it paid
                other = html_form.shown_form(shown.text, lambda a: a.get("method") == "post")
                form = {CSRF_FIELD: other[1][CSRF_FIELD]} if other else {}
            form["reason"] = reason
            await asyncio.sleep(rng.uniform(0, 3))
            t0 = time.perf_counter()
            r = await page.post(f"/ui/cases/{workflow_id}/decisions/{decision}", data=form, follow_redirects=True)
            into.append(time.perf_counter() - t0)
            return 200 if r.status_code == 200 and "done=decided" in str(r.url) else r.status_code

    for round_ in range(DECISIONS_PER_JUDGE):
        answers = await asyncio.gather(
            *(click(n, own[n][round_], "approve-control", timings.accepted) for n in range(JUDGES)),
            *(click(n, payout, "approve-release", timings.on_payout) for n in range(JUDGES)) if round_ == 0 else (),
        )
        timings.errors += sum(1 for a in answers[:JUDGES] if a != 200)
        timings.errors += sum(1 for a in answers[JUDGES:] if a != 409)  # refused: not waiting for it
    timings.paying_throughout = await _status(api, tokens[0], payout) == "paying"
    return timings


async def _token(http: httpx.AsyncClient, username: str, password: str) -> str:
    r = await http.post("/api/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    token: str = r.json()["access_token"]
    return token


async def _settled(api: httpx.AsyncClient, token: str, workflow_id: str, timeout: float = 120) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        r = await api.get(f"/api/workflows/{workflow_id}", headers={"Authorization": f"Bearer {token}"})
        if r.status_code == 200 and r.json().get("status") == "awaiting_decision":
            return
        await asyncio.sleep(0.5)
    raise TimeoutError(f"{workflow_id} did not come to await the judge's decision in {timeout:.0f} s")


def _credit_code() -> str:
    body = "91330100MA0000001"
    return body + uscc.calc_check_digit(body)


def _filing() -> dict[str, object]:
    return {
        "court": COURT,
        "judge": "judge",
        "applicants": [{"kind": "organisation", "name": "压测申请人", "id_number": _credit_code()}],
        "debtors": [{"kind": "person", "name": "压测", "id_number": _resident_id(999_999)}],
        "title": {
            "document_number": "(2026)浙0102民初999号",
            "issuer": COURT,
            "effective_on": "2026-09-01",
            "performance_due_on": "2026-09-30",
        },
        "claim": {"principal_fen": 30_000_000, "interest_fen": 400_000, "costs_fen": 0},
    }


async def _case_with_matters(api: httpx.AsyncClient, judge: str) -> str:
    """An enforcement case filed by the court's clerk with ``CASE_MATTERS`` asset inquiries started from it;
    answers when the case lists them all."""
    clerk = {"Authorization": f"Bearer {await _token(api, 'clerk', 'clerk')}"}
    r = await api.post("/api/cases", json=_filing(), headers=clerk)
    r.raise_for_status()
    case_id: str = r.json()["case_id"]
    auth = {"Authorization": f"Bearer {judge}"}
    for n in range(CASE_MATTERS):
        headers = {**auth, "Idempotency-Key": f"bench-ui-case-{n}"}
        for _ in range(5):  # a case too busy to answer in time (504) is asked again: the key starts it once
            r = await api.post(f"/api/cases/{case_id}/matters/asset-inquiry", json={}, headers=headers)
            if r.status_code not in (503, 504):
                break
        r.raise_for_status()
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        r = await api.get(f"/api/cases/{case_id}", headers=auth)
        if r.status_code == 200 and len(r.json()["matters"]) >= CASE_MATTERS:
            return case_id
        await asyncio.sleep(0.5)
    raise TimeoutError(f"the case did not list its {CASE_MATTERS} matters in time")


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
    async with embedded_stack() as stack:
        s = stack.settings
        env = stack.process_env(web_workers=2)
        log = (Path(s.var_dir) / "web.log").open("w")
        # The worker is a process of its own, as in production: in this process it would share one
        # interpreter lock with the twenty clients timing the pages.
        worker, web = (
            subprocess.Popen([sys.executable, "-m", module], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
            for module in ("workers", "web")
        )
        base = s.public_base_url
        try:
            wait_http(f"{base}/healthz", timeout=300)  # migrating and starting two workers on a loaded machine
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
                # Each judge's inquiries to decide at the end (not read in the page phases).
                own = [[await start(token) for _ in range(DECISIONS_PER_JUDGE)] for token in tokens]
                # Set-up ends when every judge's case has its answers and waits for the judge, as the
                # cases on a judge's desk do; cases still changing are the inquiries started meanwhile.
                for n, wid in enumerate(cases):
                    await _settled(api, tokens[n], wid)
                for n, wids in enumerate(own):
                    for wid in wids:
                        await _settled(api, tokens[n], wid)
                feeder = await _token(api, "judge", "judge")  # the court's other judge, starting inquiries
                docket = await _case_with_matters(api, feeder)
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

                async def phase(think: tuple[float, float] | None) -> Phase:
                    """Twenty judges for ``duration`` seconds, each loading its case page then its
                    cases list, reading each for ``think`` seconds (uniform), or not at all."""
                    timings = Phase(think)
                    rng = random.Random(7)

                    async def judge(n: int) -> None:
                        cookies = {SESSION_COOKIE: tokens[n]}
                        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30) as page:
                            end = time.perf_counter() + duration
                            if think:  # judges arrive over a moment, not all in the same millisecond
                                await asyncio.sleep(rng.uniform(0, think[1]))
                            while time.perf_counter() < end:
                                for path, into in (
                                    (f"/ui/cases/{cases[n]}", timings.case_page),
                                    ("/ui/cases", timings.cases_list),
                                    (f"/ui/dockets/{docket}", timings.docket),
                                ):
                                    t0 = time.perf_counter()
                                    r = await page.get(path)
                                    into.append(time.perf_counter() - t0)
                                    timings.errors += r.status_code != 200
                                    if think:
                                        await asyncio.sleep(rng.uniform(*think))

                    before = process_tree_cpu_seconds(web.pid), started
                    await asyncio.gather(*(judge(n) for n in range(JUDGES)))
                    timings.web_cpu_seconds = process_tree_cpu_seconds(web.pid) - before[0]
                    timings.inquiries = started - before[1]
                    return timings

                load = asyncio.create_task(inquiries())
                phases = [await phase(THINK), await phase(None)]
                stop.set()
                await load
                decided = await _decisions(api, stack, tokens, own)
        finally:
            for process in (web, worker):
                process.terminate()
                process.wait(15)
            log.close()
    for timings in phases:
        timings.report(duration)
    decided.report()
    reading, saturated = phases
    result = {
        "case_page_p50_ms": _p(reading.case_page, 50),
        "case_page_p95_ms": _p(reading.case_page, 95),
        "cases_list_p50_ms": _p(reading.cases_list, 50),
        "cases_list_p95_ms": _p(reading.cases_list, 95),
        "case_docket_p50_ms": _p(reading.docket, 50),
        "case_docket_p95_ms": _p(reading.docket, 95),
        "saturated_pages_per_second": saturated.pages / duration,
        "errors": float(reading.errors + saturated.errors + decided.errors),
        "decision_p50_ms": _p(decided.accepted, 50),
        "decision_p95_ms": _p(decided.accepted, 95),
        "decision_on_paying_payout_p95_ms": _p(decided.on_payout, 95),
    }
    return result


if __name__ == "__main__":
    asyncio.run(run())
