"""Chaos run (issue 15): the whole stack under ``make run``'s supervisor — Temporal, simulators, two
workers, the web, the sandbox's inbox agents — with a mixed load and everything going wrong at once.

Load: ``--workflows`` mixed workflows (asset inquiries with the judge's approval, cross-region seizures
whose four agency tasks the inbox agents work through the web, small payouts) plus one large payout.
Faults: every partner answers 30% of calls 503, some calls hang after their effect is committed (the
caller times out and retries: a lost answer), inquiries answer by callback, a share of callbacks come
twice and late. Chaos: a worker is ``kill -9``ed every 5–15 s (the supervisor restarts it), the Temporal
dev server is restarted once and the web is killed once.

At the end every partner ledger is read back: each workflow's effects counted (a freeze, deduction,
seizure or payment recorded twice is a duplicate effect), every payout reconciled item by item and the
case account's balance checked against what was paid, to the fen. One line says how it went; the exit
status is non-zero on any lost workflow, duplicate effect or imbalance.

Run: ``python -m bench chaos`` (1,000 workflows and 170,000 payees) or ``python -m bench chaos --quick``
(under 5 minutes). Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from stdnum import luhn
from stdnum.cn import ric
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from bench.mass_payout import payee_rows
from config.settings import Settings, sandbox_partners
from domain.actors import Actor, Role
from domain.legal_time import TimeScale
from domain.parties import Party, PartyKind
from domain.payees import payees_csv
from domain.payout import PayeeListRef
from launcher.stack import stack_children
from launcher.supervisor import Backoff, Supervisor
from net.localnet import free_port
from runtime.temporal import connect, scenario_search_attributes
from security.identity import acting_as
from store.blobs import BlobStore
from web.services.payouts import intake_payee_csv
from web.services.workflows import wait_until_settled
from workflows.asset_inquiry.models import APPROVE as INQUIRY_APPROVE
from workflows.cross_region_seizure.models import HAND_OVER, VEHICLE_SOLD, CrossRegionSeizureRequest, Vehicle
from workflows.foundation.child_matters import AssetInquiryRequest
from workflows.foundation.messages import DECIDE_UPDATE, STATUS_QUERY
from workflows.foundation.models import DecisionInput, ScenarioStatus
from workflows.foundation.scenario import ScenarioContext
from workflows.mass_payout.models import APPROVE as PAYOUT_APPROVE
from workflows.mass_payout.models import MassPayoutRequest, PayoutTuning
from workflows.registry import SCENARIOS

T = TypeVar("T")

PAYOUT_COURT = "杭州市中级人民法院"
JUDGE = Actor(user_id="chaos-judge", role=Role.JUDGE)
# A release at or above the court's four-eyes threshold is approved again by an approver (庭长) of the
# case's court (domain/four_eyes.json), not by a second judge.
APPROVER = Actor(user_id="chaos-approver", role=Role.APPROVER, courts=(PAYOUT_COURT,))
CASE_ACCOUNT = "33050161672700000001"
PAYOUT_BANK = "bank-icbc"
OWED_FEN = 100_000  # each inquiry's debtor holds 60,000 at ICBC and 90,000 at CCB: freeze 60,000 + 40,000
SMALL_PAYEES = 20
BIG = 10_000  # the large payout's number
FAULTS = {
    "error_rate": 0.30,  # 503 before any effect
    "timeout_rate": 0.02,  # hangs past the adapters' read timeout ...
    "timeout_seconds": 4.0,
    "timeout_after_effect": True,  # ... after the effect is committed: the answer is lost, not the effect
    "async_mode": True,  # inquiries are answered by callback to the web
    "answer_delay_seconds": 0.5,
    "duplicate_callback_rate": 0.3,
    "duplicate_delay_seconds": 8.0,  # the repeat comes late, often after the workflow moved on
}
READ_TIMEOUT_SECONDS = 3.0
# How long an inquiry waits for a partner's callback before settling without it (sandbox: 600 s).
ANSWER_DEADLINE_SECONDS = 60.0


@dataclass
class Plan:
    workflows: int
    big_payees: int
    temporal_restart_at: float  # seconds into the load
    web_restart_at: float
    deadline_seconds: float


FULL = Plan(workflows=1000, big_payees=170_000, temporal_restart_at=60, web_restart_at=120, deadline_seconds=3600)
QUICK = Plan(workflows=60, big_payees=10_000, temporal_restart_at=30, web_restart_at=60, deadline_seconds=200)


@dataclass
class Outcome:
    kind: str
    workflow_id: str
    ok: bool = False
    short: bool = False  # completed, but a partner's answer did not arrive in time
    error: str = ""
    result: dict[str, Any] = field(default_factory=dict)


@dataclass
class Chaos:
    worker_kills: int = 0
    temporal_restarts: int = 0
    web_restarts: int = 0
    events: list[str] = field(default_factory=list)


def _transient(exc: BaseException) -> bool:
    # An update whose answer did not come in time is asked again with the same update id: Temporal runs
    # it once and answers the repeat from the first.
    return isinstance(
        exc,
        RPCError
        | RuntimeError
        | ConnectionError
        | TimeoutError
        | httpx.TransportError
        | WorkflowUpdateRPCTimeoutOrCancelledError,
    )


async def retrying(call: Callable[[], Awaitable[T]], what: str, deadline: float) -> T:
    """A client call that outlives a Temporal or web restart: transient failures are retried."""
    delay = 0.2
    while True:
        try:
            return await call()
        except Exception as exc:
            if not _transient(exc) or time.monotonic() > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)


class Run:
    def __init__(self, plan: Plan, settings: Settings, client: Client, sim: str) -> None:
        self.plan, self.settings, self.client, self.sim = plan, settings, client, sim
        self.deadline = time.monotonic() + plan.deadline_seconds
        self.blobs = BlobStore.for_settings(settings)
        self.partners = [p.ref() for p in settings.partners()]
        self.wids: dict[int, str] = {}  # workflow number -> its id, to say what became of a lost one

    def context(self, wid: str) -> ScenarioContext:
        return ScenarioContext(
            workflow_id=wid,
            partners=self.partners,
            time_scale=TimeScale(),
            callback_base_url=self.settings.public_base_url,
        )

    async def start(self, scenario: str, request: Any, wid: str, actor: Actor = JUDGE) -> WorkflowHandle[Any, Any]:
        s = SCENARIOS[scenario]
        inp = s.build_input(request, self.context(wid))
        attrs = scenario_search_attributes(s.case_number(request), scenario, "running", s.court(request))

        async def go() -> WorkflowHandle[Any, Any]:
            with acting_as(actor):
                try:
                    return await self.client.start_workflow(
                        s.workflow.run,  # type: ignore[attr-defined]
                        inp,
                        id=wid,
                        task_queue=self.settings.task_queue,
                        search_attributes=attrs,
                    )
                except Exception as exc:  # a start that reached the server before a restart: it exists
                    if "already" in str(exc).lower():
                        return self.client.get_workflow_handle(wid)
                    raise

        return await retrying(go, f"start {wid}", self.deadline)

    async def status(self, handle: WorkflowHandle[Any, Any]) -> str:
        async def q() -> str:
            with acting_as(JUDGE):
                try:
                    st = await handle.query(STATUS_QUERY, result_type=ScenarioStatus)
                except WorkflowQueryFailedError as exc:  # the workflow task failed under it (a killed worker)
                    raise RuntimeError(str(exc)) from exc
            return st.status

        return await retrying(q, "status", self.deadline)

    async def wait_status(self, handle: WorkflowHandle[Any, Any], wanted: set[str]) -> str:
        while True:
            st = await self.status(handle)
            if st in wanted or time.monotonic() > self.deadline:
                return st
            await asyncio.sleep(0.5)

    async def decide(self, handle: WorkflowHandle[Any, Any], decision: str, judge: Actor) -> None:
        """One decision, exactly once: a retry after a lost answer (Temporal or the worker restarted
        mid-call) carries the same update id, which Temporal answers from the first."""
        update_id = f"{handle.id}/decide/{decision}/{judge.user_id}"

        async def go() -> None:
            # As the web decides: once the workflow has no task pending (web/services/workflows.py).
            await wait_until_settled(self.client, await handle.describe())
            with acting_as(judge):
                await handle.execute_update(
                    DECIDE_UPDATE, DecisionInput(decision=decision, reason="chaos bench"), id=update_id
                )

        await retrying(go, "decide", self.deadline)

    async def approve(self, handle: WorkflowHandle[Any, Any], judge: Actor, wanted: str) -> bool:
        """A payout's release (or second approval) once it is asked for; False when no longer asked.
        Given once: a refusal is an error (the workflow keeps its desk open from the moment its status
        asks for the approval)."""
        st = await self.wait_status(handle, {wanted, "paying", "reconciling", "completed", "rejected"})
        if st != wanted or time.monotonic() > self.deadline:
            return False
        await self.decide(handle, PAYOUT_APPROVE, judge)
        return True

    async def result(self, handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
        async def go() -> dict[str, Any]:
            res = await handle.result()
            return res.model_dump(mode="json") if hasattr(res, "model_dump") else dict(res)

        return await retrying(go, "result", self.deadline)

    # --- the scenarios ------------------------------------------------------------------------------
    async def inquiry(self, i: int, debtor: Party) -> Outcome:
        wid = f"chaos-inquiry-{i}-{uuid.uuid4().hex[:6]}"
        self.wids[i] = wid
        out = Outcome("asset-inquiry", wid)
        request = AssetInquiryRequest(
            case_number=f"(2026)浙0102执{i}号",
            court="杭州市上城区人民法院",
            debtor=debtor,
            amount_owed_fen=OWED_FEN,
            execution_costs_fen=0,
        )
        handle = await self.start("asset-inquiry", request, wid)
        if await self.wait_status(handle, {"awaiting_decision"}) != "awaiting_decision":
            out.error = "never reached awaiting_decision"
            return out
        await self.decide(handle, INQUIRY_APPROVE, JUDGE)
        out.result = await self.result(handle)
        frozen, deducted = out.result.get("frozen_fen", -1), out.result.get("deducted_fen", -1)
        # Completed, never beyond the claim, every frozen fen deducted. Less than the claim means a bank's
        # answer never arrived within its deadline: counted apart (answers lost), not as a lost workflow.
        out.ok = out.result.get("status") == "completed" and 0 <= deducted == frozen <= OWED_FEN
        out.short = out.ok and frozen < OWED_FEN
        if not out.ok:
            out.error = f"status {out.result.get('status')} frozen {frozen} deducted {deducted}"
        return out

    async def seizure(self, i: int, owner: Party, plate: str) -> Outcome:
        wid = f"chaos-seizure-{i}-{uuid.uuid4().hex[:6]}"
        self.wids[i] = wid
        out = Outcome("cross-region-seizure", wid)
        request = CrossRegionSeizureRequest(
            case_number=f"(2026)浙04执恢{i}号",
            court="嘉兴市中级人民法院",
            ruling_ref=f"(2026)浙04执恢{i}号之一",
            vehicle=Vehicle(plate=plate, vin="LSVAU2180N2123456", owner=owner),
        )
        handle = await self.start("cross-region-seizure", request, wid)
        if await self.wait_status(handle, {"awaiting_disposition"}) != "awaiting_disposition":
            out.error = "never reached awaiting_disposition"
            return out
        await self.decide(handle, HAND_OVER, JUDGE)
        # Handed over, the vehicle is the disposal's until it sells: the claim on it ends with the sale.
        if await self.wait_status(handle, {"disposing"}) != "disposing":
            out.error = "never reached disposing"
            return out
        await self.decide(handle, VEHICLE_SOLD, JUDGE)
        out.result = await self.result(handle)
        out.ok = out.result.get("status") == "sold"
        if not out.ok:
            out.error = f"status {out.result.get('status')}"
        return out

    async def payout(self, i: int, payees: int) -> Outcome:
        wid = f"chaos-payout-{i}-{uuid.uuid4().hex[:6]}"
        self.wids[i] = wid
        out = Outcome("mass-payout", wid)
        # Each payout's payees are its own (accounts numbered from i), so a payee paid twice is visible.
        rows = [(*r[:5], _account(i, j), r[6]) for j, r in enumerate(payee_rows(payees))]
        intake = await asyncio.to_thread(intake_payee_csv, self.blobs, payees_csv(rows))
        if intake.accepted is None:
            out.error = f"list refused: {intake.errors[:2]}"
            return out
        ref = PayeeListRef.model_validate(intake.accepted.model_dump(include={"sha256", "count", "total_fen"}))
        request = MassPayoutRequest(
            case_number=f"(2026)浙01执{9000 + i}号",
            court=PAYOUT_COURT,
            payee_list=ref,
            case_account=CASE_ACCOUNT,
            bank=PAYOUT_BANK,
        )
        s = SCENARIOS["mass-payout"]
        inp = s.build_input(request, self.context(wid))
        if payees > 1000:
            inp = inp.model_copy(update={"tuning": PayoutTuning(batch_size=2000, window=8, items_per_request=1000)})
        attrs = scenario_search_attributes(request.case_number, "mass-payout", "running", request.court)

        async def go() -> WorkflowHandle[Any, Any]:
            with acting_as(JUDGE):
                try:
                    return await self.client.start_workflow(
                        s.workflow.run,  # type: ignore[attr-defined]
                        inp,
                        id=wid,
                        task_queue=self.settings.task_queue,
                        search_attributes=attrs,
                    )
                except Exception as exc:
                    if "already" in str(exc).lower():
                        return self.client.get_workflow_handle(wid)
                    raise

        handle = await retrying(go, f"start {wid}", self.deadline)
        for judge, wanted in ((JUDGE, "awaiting_approval"), (APPROVER, "awaiting_second_approval")):
            await self.approve(handle, judge, wanted)  # False: not (or no longer) asked for
        out.result = await self.result(handle)
        rec = out.result.get("reconciliation") or {}
        out.result["expected_fen"] = ref.total_fen
        out.result["expected_count"] = ref.count
        out.ok = (
            out.result.get("status") == "completed"
            and rec.get("balanced") is True
            and rec.get("paid_count") == ref.count
            and rec.get("bank_paid_fen") == ref.total_fen
        )
        if not out.ok:
            out.error = f"status {out.result.get('status')} reconciliation {json.dumps(rec)[:300]}"
        return out


# --- the stack, the faults and the chaos ---------------------------------------------------------------
def chaos_settings(var: Path) -> tuple[Settings, dict[str, str]]:
    web, sim = free_port(), free_port()
    sim_url = f"http://127.0.0.1:{sim}"
    partners = [
        p.model_copy(
            update={"read_timeout_seconds": READ_TIMEOUT_SECONDS, "answer_deadline_seconds": ANSWER_DEADLINE_SECONDS}
        ).model_dump(mode="json")
        for p in sandbox_partners(sim_url)
    ]
    (var / "partners.json").write_text(json.dumps(partners))
    env = {
        "OM_VAR_DIR": str(var),
        "OM_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "OM_TEMPORAL_UI_PORT": str(free_port()),
        "OM_SIMULATOR_PORT": str(sim),
        "OM_WEB_PORT": str(web),
        "OM_WEB_WORKERS": "1",
        "OM_PUBLIC_BASE_URL": f"http://127.0.0.1:{web}",
        "OM_PARTNERS_FILE": str(var / "partners.json"),
        "OM_WORKERS": "2",
        "OM_WORKER_METRICS_PORT": str(free_port()),
        "OM_TASK_QUEUE": "chaos",
        "OM_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)  # the supervisor's children inherit it; so does this process's Settings
    return Settings(_env_file=None), env


async def chaos_loop(sup: Supervisor, plan: Plan, chaos: Chaos, stop: asyncio.Event, rng: random.Random) -> None:
    started = time.monotonic()
    next_kill = started + rng.uniform(5, 15)
    while not stop.is_set():
        sup.tick()
        now = time.monotonic()
        pids = sup.pids()
        if now >= next_kill:
            workers = sorted(name for name in pids if name.startswith("worker"))
            if workers:
                victim = rng.choice(workers)
                os.kill(pids[victim], signal.SIGKILL)
                chaos.worker_kills += 1
            next_kill = now + rng.uniform(5, 15)
        if not chaos.temporal_restarts and now - started >= plan.temporal_restart_at and "temporal" in pids:
            os.kill(pids["temporal"], signal.SIGTERM)  # the supervisor starts it again on the same database
            chaos.temporal_restarts += 1
        if not chaos.web_restarts and now - started >= plan.web_restart_at and "web" in pids:
            os.killpg(pids["web"], signal.SIGKILL)
            chaos.web_restarts += 1
        await asyncio.sleep(0.2)


async def seed(sim: str, inquiries: list[Party], seizures: list[tuple[Party, str]], case_balance: int) -> None:
    async with httpx.AsyncClient(base_url=sim, timeout=30) as http:
        for i, d in enumerate(inquiries):
            assets = [
                {"partner_id": "bank-icbc", "kind": "deposit", "reference": f"6222{i:015d}", "available_fen": 60_000},
                {"partner_id": "bank-ccb", "kind": "deposit", "reference": f"6227{i:015d}", "available_fen": 90_000},
            ]
            (
                await http.post("/_admin/subjects", json={**d.model_dump(mode="json"), "assets": assets})
            ).raise_for_status()
        for owner, plate in seizures:
            vehicle = {
                "partner_id": "vehicle-registry",
                "kind": "vehicle",
                "reference": plate,
                "description": "小型轿车",
            }
            body = {**owner.model_dump(mode="json"), "assets": [vehicle]}
            (await http.post("/_admin/subjects", json=body)).raise_for_status()
        seed_account = {"account": CASE_ACCOUNT, "balance_fen": case_balance}
        (await http.put(f"/partners/{PAYOUT_BANK}/_admin/case-accounts", json=seed_account)).raise_for_status()
        for p in sandbox_partners(sim):
            (await http.put(f"/partners/{p.id}/_admin/faults", json=FAULTS)).raise_for_status()


def _account(payout: int, payee: int) -> str:
    """A valid card number of its own for each payee of each payout (ends 0000 + Luhn: the bank pays it)."""
    body = f"62{payout:05d}{payee:07d}0000"
    return body + luhn.calc_check_digit(body)


def _person(i: int, prefix: str) -> Party:
    body = f"330106{1986 + i % 20}{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 999 + 1:03d}"
    return Party(kind=PartyKind.PERSON, name=f"{prefix}{i}", id_number=body + ric.calc_check_digit(body + "0"))


async def where_it_stands(client: Client, wid: str) -> str:
    """What a lost workflow was doing at the end: its status and what it was waiting for."""
    handle = client.get_workflow_handle(wid)
    try:
        desc = await asyncio.wait_for(handle.describe(), 10)
        with acting_as(JUDGE):
            st = await asyncio.wait_for(handle.query(STATUS_QUERY, result_type=ScenarioStatus), 10)
    except Exception as exc:
        return f" (not readable: {type(exc).__name__})"
    raw = desc.raw_description
    waits = [f"activity {a.activity_type.name} attempt {a.attempt}" for a in raw.pending_activities]
    waits += [f"child {c.workflow_id.removeprefix(wid)}" for c in raw.pending_children]
    waits += [f"decision {d.name}" for d in st.pending_decisions]
    return f" (status {st.status}, {desc.status.name if desc.status else '?'}; waiting for {waits or 'nothing'})"


@dataclass
class Verdict:
    workflows: int
    lost: int
    duplicates: int
    balanced: bool
    notes: list[str]
    answers_lost: int = 0

    def line(self) -> str:
        return (
            f"chaos: {self.workflows} workflows, {self.lost} lost, {self.duplicates} duplicate effects, "
            f"ledger balanced to the fen: {'yes' if self.balanced else 'no'}"
        )


async def audit_ledgers(sim: str, outcomes: list[Outcome], case_balance: int) -> Verdict:
    notes: list[str] = []
    duplicates = 0
    balanced = True
    deducted_here: Counter[str] = Counter()
    undelivered = 0
    async with httpx.AsyncClient(base_url=sim, timeout=120) as http:
        (await http.post("/_admin/reset-faults")).raise_for_status()  # the audit reads; it is not under test
        # Freezes, deductions, seizures: one ledger row per idempotency key, one effect per step.
        for p in sandbox_partners(sim):
            rows = (await http.get(f"/partners/{p.id}/_admin/ledger")).json()
            by_key = Counter(r["idempotency_key"] for r in rows)
            by_effect = Counter(
                (r["idempotency_key"].split("/", 1)[0], r["operation"], r["asset_reference"])
                for r in rows
                if r["operation"] in ("freeze", "deduct", "seize")
            )
            extra = sum(n - 1 for n in by_key.values() if n > 1) + sum(n - 1 for n in by_effect.values() if n > 1)
            if extra:
                notes.append(f"{p.id}: {extra} duplicate ledger effects")
            duplicates += extra
            states = Counter(c["state"] for c in (await http.get(f"/partners/{p.id}/_admin/callbacks")).json())
            undelivered += sum(n for state, n in states.items() if state not in ("delivered", "pending"))
            for o in outcomes:
                if o.kind == "asset-inquiry" and o.ok:
                    mine = [r for r in rows if r["idempotency_key"].startswith(o.workflow_id + "/")]
                    deducted_here[o.workflow_id] += sum(r["amount_fen"] for r in mine if r["operation"] == "deduct")
        for o in outcomes:  # every bank's deductions for the case add up to what the workflow reports
            if o.kind == "asset-inquiry" and o.ok and deducted_here[o.workflow_id] != o.result["deducted_fen"]:
                balanced = False
                said = o.result["deducted_fen"]
                notes.append(f"{o.workflow_id}: banks deducted {deducted_here[o.workflow_id]}, it reports {said}")
        # Payouts: every payee paid exactly once, the amounts as listed, the case account down by the sum.
        paid_total = 0
        for o in outcomes:
            if o.kind != "mass-payout":
                continue
            items = (
                await http.get(f"/partners/{PAYOUT_BANK}/_admin/batch-items", params={"key_prefix": o.workflow_id})
            ).json()
            paid = [it for it in items if it["status"] == "paid"]
            per_account = Counter(it["account"] for it in paid)
            extra = sum(n - 1 for n in per_account.values() if n > 1)
            if extra:
                notes.append(f"{o.workflow_id}: {extra} payees paid twice")
            duplicates += extra
            fen = sum(it["amount_fen"] for it in paid)
            paid_total += fen
            if o.ok and (fen != o.result["expected_fen"] or len(per_account) != o.result["expected_count"]):
                balanced = False
                notes.append(
                    f"{o.workflow_id}: bank paid {fen} fen to {len(per_account)}, listed {o.result['expected_fen']}"
                )
        bank = f"/partners/{PAYOUT_BANK}/accounts/balance"
        left = await http.get(
            bank, params={"account": CASE_ACCOUNT}, headers={"Authorization": f"Bearer sandbox-{PAYOUT_BANK}"}
        )
        left_fen = int(left.json()["balance_fen"]) if left.status_code == 200 else -1
        if left_fen != case_balance - paid_total:
            balanced = False
            notes.append(f"case account: {left_fen} fen left, expected {case_balance - paid_total}")
    lost = sum(1 for o in outcomes if not o.ok)
    short = sum(1 for o in outcomes if o.short)
    if short or undelivered:
        notes.insert(
            0,
            f"{short} inquiries settled without a bank's answer within {ANSWER_DEADLINE_SECONDS:.0f} s; "
            f"{undelivered} partner callbacks given up by the partner after all its attempts",
        )
    return Verdict(len(outcomes), lost, duplicates, balanced, notes, short)


async def run(plan: Plan, seed_value: int = 15) -> Verdict:
    rng = random.Random(seed_value)
    var = Path(tempfile.mkdtemp(prefix="om-chaos-"))
    settings, _env = chaos_settings(var)
    chaos = Chaos()
    sup = Supervisor(var / "logs", backoff=Backoff(initial=0.5, maximum=5.0), announce=chaos.events.append)
    print(f"chaos: stack under {var} (logs in {var / 'logs'})", flush=True)
    for spec in stack_children(settings):
        if not sup.add(spec):
            raise SystemExit("stopped while starting")
    stop = asyncio.Event()
    try:
        client = await retrying(lambda: connect(settings), "connect", time.monotonic() + 60)
        n = plan.workflows
        kinds = ["asset-inquiry"] * (n // 2) + ["cross-region-seizure"] * (n // 4)
        kinds += ["mass-payout"] * (n - len(kinds))
        rng.shuffle(kinds)
        inquiries = [_person(i, "债务人") for i in range(kinds.count("asset-inquiry"))]
        seizures = [(_person(50_000 + i, "车主"), f"浙A{i:05d}") for i in range(kinds.count("cross-region-seizure"))]
        small_total = sum(r[6] for r in payee_rows(SMALL_PAYEES)) * kinds.count("mass-payout")
        big_total = sum(r[6] for r in payee_rows(plan.big_payees))
        case_balance = small_total + big_total + 1_000_000_00
        await seed(settings.simulator_base_url, inquiries, seizures, case_balance)
        print(
            f"chaos: {n} workflows ({kinds.count('asset-inquiry')} inquiries, {len(seizures)} seizures, "
            f"{kinds.count('mass-payout')} payouts of {SMALL_PAYEES}) + one payout of {plan.big_payees:,}; "
            f"partners at {FAULTS['error_rate']:.0%} 5xx",
            flush=True,
        )
        runner = Run(plan, settings, client, settings.simulator_base_url)
        chaos_task = asyncio.create_task(chaos_loop(sup, plan, chaos, stop, rng))
        gate = asyncio.Semaphore(60)
        counters = {"inquiry": 0, "seizure": 0}

        async def bounded(kind: str, i: int, work: Awaitable[Outcome]) -> Outcome:
            """A workflow not finished by the deadline is lost (with the reason), never waited for."""
            name = f"#{i}"
            try:
                return await asyncio.wait_for(work, max(runner.deadline - time.monotonic(), 1.0))
            except TimeoutError:
                return Outcome(kind, runner.wids.get(i, name), error="not finished by the deadline")
            except WorkflowUpdateFailedError as exc:  # refused: say by what rule
                cause = exc.cause
                why = f"{cause.type}: {cause.message}" if isinstance(cause, ApplicationError) else str(cause)
                return Outcome(kind, runner.wids.get(i, name), error=f"update refused, {why}"[:300])
            except Exception as exc:
                return Outcome(kind, runner.wids.get(i, name), error=f"{type(exc).__name__}: {exc}"[:300])

        async def one(i: int, kind: str) -> Outcome:
            async with gate:
                if kind == "asset-inquiry":
                    k = counters["inquiry"]
                    counters["inquiry"] += 1
                    return await bounded(kind, i, runner.inquiry(i, inquiries[k]))
                if kind == "cross-region-seizure":
                    k = counters["seizure"]
                    counters["seizure"] += 1
                    owner, plate = seizures[k]
                    return await bounded(kind, i, runner.seizure(i, owner, plate))
                return await bounded(kind, i, runner.payout(i, SMALL_PAYEES))

        async def big() -> Outcome:
            return await bounded("mass-payout", BIG, runner.payout(BIG, plan.big_payees))

        started = time.monotonic()
        outcomes = await asyncio.gather(big(), *(one(i, k) for i, k in enumerate(kinds)))
        elapsed = time.monotonic() - started
        stop.set()
        await chaos_task
        verdict = await audit_ledgers(settings.simulator_base_url, list(outcomes), case_balance)
        for o in outcomes:
            if not o.ok:
                where = await where_it_stands(client, o.workflow_id) if o.workflow_id.startswith("chaos-") else ""
                verdict.notes.append(f"lost {o.kind} {o.workflow_id}: {o.error}{where}")
        print(
            f"chaos: load ran {elapsed:.0f} s; {chaos.worker_kills} worker kills, {chaos.temporal_restarts} Temporal "
            f"restart, {chaos.web_restarts} web restart; restarts by the supervisor: {sup.restarts()}",
            flush=True,
        )
        return verdict
    finally:
        stop.set()
        sup.stop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK.workflows} workflows, {QUICK.big_payees:,} payees"
    )
    parser.add_argument("--workflows", type=int, default=None)
    parser.add_argument("--payees", type=int, default=None, help="payees of the large payout")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.workflows is not None:
        plan = Plan(**{**plan.__dict__, "workflows": args.workflows})
    if args.payees is not None:
        plan = Plan(**{**plan.__dict__, "big_payees": args.payees})
    verdict = asyncio.run(run(plan, args.seed))
    for note in verdict.notes[:30]:
        print(f"  {note}")
    print(verdict.line(), flush=True)
    return 0 if verdict.lost == 0 and verdict.duplicates == 0 and verdict.balanced else 1


if __name__ == "__main__":
    sys.exit(main())
