"""Mass payout (涉众案款发放) against the real stack: 2,000 payees with refusals, timeouts and the clerk's
corrections over several rounds; a worker killed with SIGKILL mid-payment; two-judge approval; the
bank's ledger showing exactly one credit per payee; reconciliation to the fen; the web's files."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from stdnum import luhn
from stdnum.cn import ric
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from adapters.sandbox.partner import SandboxPartnerAdapter
from config.settings import Settings, sandbox_partners
from domain.actors import Actor, Role
from domain.four_eyes import rule_for
from domain.payees import payees_csv
from domain.payout import PayeeListRef, parse_payee_key
from security.identity import acting_as
from store.blobs import BlobStore
from tests.helpers import JUDGE, case_number, decide, login, record_history, start, status, wait_status
from web.db import Database
from web.deps import AppState
from web.errors import install_error_handlers
from web.payout_routes import intake_payee_csv, router
from workers.main import running_worker
from workflows.foundation.messages import COMPLETE_TASK, REJECT_TASK, TASK_VIEW_QUERY
from workflows.foundation.models import ScenarioStatus
from workflows.foundation.task_models import Completion, Reasoned
from workflows.mass_payout.models import APPROVE, REJECT, MassPayoutRequest, MassPayoutResult, PayoutTuning
from workflows.mass_payout.words import WORDS

pytestmark = pytest.mark.usefixtures("stack")

REPO = Path(__file__).resolve().parents[3]
# The second approval is an approver's (庭长) of the case's court: domain/four_eyes.json.
SECOND_JUDGE = Actor(user_id="approver-2", role=Role.APPROVER, courts=("杭州市上城区人民法院",))
CLERK = Actor(user_id="court-clerk", role=Role.AGENCY, agency="court-clerk")
CHECKING_CLERK = Actor(user_id="court-clerk-2", role=Role.AGENCY, agency="court-clerk")  # the second pair of eyes
BANK = "bank-icbc"
REGIONS = ("110105", "310101", "110101", "330106", "330102", "320102")  # valid for births 1986-2005
# The simulator's per-item answers follow the four digits before an account's check digit.
GOOD, INVALID, CLOSED, MISMATCH, TIMEOUT = "0000", "9990", "9991", "9992", "9993"


def resident_id(i: int) -> str:
    day, seq = divmod(i, 1000)
    birth = date(1986, 1, 1) + timedelta(days=day * 37 % 7000)
    body = f"{REGIONS[day % len(REGIONS)]}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def account(serial: int, tag: str = GOOD) -> str:
    body = f"62{serial % 10**12:012d}{tag}"
    return body + luhn.calc_check_digit(body)


@dataclass
class PayeeSet:
    rows: list[tuple[int, str, str, str, str, str, int]] = field(default_factory=list)
    base: int = field(default_factory=lambda: uuid.uuid4().int % 10**9 * 1000)

    def add(self, i: int, tag: str = GOOD, amount_fen: int | None = None) -> int:
        row = len(self.rows) + 2
        amount = amount_fen or 1_000_00 + (i * 7919) % 900_00
        self.rows.append(
            (row, f"收款人{i}", "person", resident_id(i), "中国工商银行杭州分行", account(self.base + i, tag), amount)
        )
        return row

    @property
    def total_fen(self) -> int:
        return sum(r[6] for r in self.rows)

    def csv(self, encoding: str = "utf-8") -> bytes:
        return payees_csv(self.rows, encoding)

    def fresh_account(self, tag: str = GOOD) -> str:
        self.base += 1
        return account(self.base + 10**8, tag)


def store_list(settings: Settings, payees: PayeeSet) -> PayeeListRef:
    intake = intake_payee_csv(BlobStore.for_settings(settings), payees.csv())
    assert intake.accepted is not None, intake.errors[:5]
    return PayeeListRef(**intake.accepted.model_dump(include={"sha256", "count", "total_fen"}))


def request(ref: PayeeListRef, **extra: Any) -> MassPayoutRequest:
    return MassPayoutRequest(
        case_number=case_number(),
        court="杭州市上城区人民法院",
        payee_list=ref,
        case_account=f"CASE-{uuid.uuid4().hex[:10]}",
        bank=BANK,
        correction_agency="court-clerk",
        **extra,
    )


def tuning(**extra: Any) -> PayoutTuning:
    base: dict[str, Any] = {
        "batch_size": 100,
        "window": 4,
        "max_events_per_run": 200,
        "timeout_backoff_seconds": 0.2,
        "correction_deadline": {"amount": 36500, "unit": "calendar_day"},  # 1 h of test time: never
    }
    return PayoutTuning.model_validate({**base, **extra})


async def sim(simulator: str, method: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer sandbox-{BANK}"}  # the bank's own routes need its token
    async with httpx.AsyncClient(base_url=simulator, timeout=30, headers=headers) as http:
        r = await http.request(method, path, json=body)
        r.raise_for_status()
        return r.json()


async def bank_items(simulator: str, workflow_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await sim(
        simulator, "GET", f"/partners/{BANK}/_admin/batch-items?key_prefix={workflow_id}/"
    )
    return rows


def credits_per_row(items: list[dict[str, Any]], workflow_id: str) -> Counter[int]:
    paid: Counter[int] = Counter()
    for item in items:
        parsed = parse_payee_key(workflow_id, item["item_key"])
        assert parsed is not None, item["item_key"]
        if item["status"] == "paid":
            paid[parsed[0]] += 1
    return paid


# --- the clerk ------------------------------------------------------------------------------------------


def task_id(payout_id: str, row: int, round_: int, batch_size: int = 100) -> str:
    return f"{payout_id}:batch:{(row - 2) // batch_size}:task:fix-{row}-r{round_}"


async def wait_task(client: Client, tid: str, timeout: float = 60) -> WorkflowHandle[Any, Any]:
    handle = client.get_workflow_handle(tid)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            await handle.query(TASK_VIEW_QUERY)
            return handle
        except RPCError:
            pass
        except Exception:  # the task exists but has not set itself up yet
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"task {tid} never appeared")
        await asyncio.sleep(0.1)


async def clerk(client: Client, payout_id: str, row: int, answers: list[dict[str, Any] | None]) -> None:
    """Answers the row's correction tasks round by round: a result completes it, None rejects it."""
    for round_, answer in enumerate(answers, start=1):
        handle = await wait_task(client, task_id(payout_id, row, round_))
        with acting_as(CLERK):
            if answer is None:
                await handle.execute_update(REJECT_TASK, Reasoned(reason="收款人无法联系, 依法提存"))
            else:
                await handle.execute_update(COMPLETE_TASK, Completion(result=answer, note="电话核实"))
                await confirm_correction(client, payout_id, row, round_)


def check_task_id(payout_id: str, row: int, round_: int, batch_size: int = 100) -> str:
    return f"{payout_id}:batch:{(row - 2) // batch_size}:task:check-{row}-r{round_}"


async def confirm_correction(client: Client, payout_id: str, row: int, round_: int, confirmed: bool = True) -> None:
    """Another clerk checks the correction: the one who made it cannot (four eyes survive corrections)."""
    check = await wait_task(client, check_task_id(payout_id, row, round_))
    with acting_as(CLERK), pytest.raises(WorkflowUpdateFailedError) as refused:
        await check.execute_update(COMPLETE_TASK, Completion(result={"confirmed": True}))
    assert refusal_code(refused.value) == "FOUR_EYES_REQUIRED"
    with acting_as(CHECKING_CLERK):
        await check.execute_update(COMPLETE_TASK, Completion(result={"confirmed": confirmed}, note="核对身份证明"))


# --- tests ------------------------------------------------------------------------------------------------


async def test_two_thousand_payees_with_failures_and_corrections(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    payees = PayeeSet()
    plans: dict[int, list[dict[str, Any] | None]] = {}
    expected_escrow: dict[int, str] = {}
    paid_late: dict[int, int] = {}  # row -> round that paid it
    mismatch_holders: list[dict[str, Any]] = []
    for i in range(2000):
        if i % 100 == 7:  # 20 unknown accounts: the clerk supplies the right one
            row = payees.add(i, INVALID)
            plans[row] = [{"account": payees.fresh_account(), "note": "核对"}]
            paid_late[row] = 1
        elif i % 200 == 13:  # 10 timeouts: sent again under the same key, paid then
            payees.add(i, TIMEOUT)
        elif i % 400 == 21:  # 5 name mismatches: the bank knows the holder as 王某某
            row = payees.add(i)
            mismatch_holders.append({"account": payees.rows[-1][5], "name": f"王{i}"})
            plans[row] = [{"account": payees.rows[-1][5], "name": f"王{i}"}]
            paid_late[row] = 1
        else:
            payees.add(i)
    special = [r for r in range(2, 2002) if r not in plans][100:103]
    # a closed account, corrected to another closed one, then to a good one: paid by the third key (r2)
    plans[special[0]] = [{"account": payees.fresh_account(CLOSED)}, {"account": payees.fresh_account()}]
    # the clerk cannot reach the payee: escrow
    plans[special[1]] = [None]
    # two wrong corrections: escrow once the rounds are used up
    plans[special[2]] = [{"account": payees.fresh_account(INVALID)}, {"account": payees.fresh_account(INVALID)}]
    for row, tag in ((special[0], CLOSED), (special[1], CLOSED), (special[2], INVALID)):
        r = payees.rows[row - 2]
        payees.rows[row - 2] = (*r[:5], account(payees.base + row + 5 * 10**8, tag), r[6])
    paid_late[special[0]] = 2
    expected_escrow = {special[1]: "correction_rejected", special[2]: "correction_rounds_exhausted"}
    await sim(simulator, "POST", f"/partners/{BANK}/_admin/account-holders", mismatch_holders)

    ref = store_list(settings, payees)
    req = request(ref)
    assert ref.total_fen >= rule_for(req.court, date.today()).second_approval_threshold_fen
    await sim(
        simulator,
        "PUT",
        f"/partners/{BANK}/_admin/case-accounts",
        {"account": req.case_account, "balance_fen": ref.total_fen},
    )
    handle = await start(client, settings, "mass-payout", req, overrides={"tuning": tuning(max_open_corrections=1)})
    st = await wait_status(handle, "awaiting_approval", timeout=30)
    assert [(d.name, d.title) for d in st.pending_decisions] == [(APPROVE, "批准发放"), (REJECT, "不予发放")]
    assert_worded(st)

    # One judge cannot release ¥20m alone; a second, different judge can.
    await decide(handle, APPROVE, "经审核, 准予发放")
    st = await wait_status(handle, "awaiting_second_approval", timeout=10)
    assert st.summary["approvals"] == ["judge"] and [d.name for d in st.pending_decisions] == [APPROVE, REJECT]
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, APPROVE, "再次批准")
    assert refusal_code(refused.value) == "SECOND_APPROVER_REQUIRED"
    with pytest.raises(WorkflowUpdateFailedError):
        await decide(handle, APPROVE, "越权", actor=CLERK)
    await decide(handle, APPROVE, "复核同意", actor=SECOND_JUDGE)

    clerks = [asyncio.create_task(clerk(client, handle.id, row, answers)) for row, answers in plans.items()]
    seen_progress = False
    while not handle_done(clerks):
        st = await status(handle)
        if 0 < st.summary["paid_count"] < ref.count:
            seen_progress = True
            assert 0 < st.summary["percent_paid"] < 100
        await asyncio.sleep(0.2)
    await asyncio.gather(*clerks)
    result = MassPayoutResult.model_validate(await asyncio.wait_for(handle.result(), timeout=120))

    assert seen_progress
    assert result.status == "completed", result
    assert_worded(await status(handle))
    assert result.runs > 1, "the payout should have continued as new"
    rec = result.reconciliation
    assert rec is not None and rec.balanced and rec.mismatches == 0
    escrowed_fen = sum(payees.rows[row - 2][6] for row in expected_escrow)
    assert (rec.escrowed_count, rec.escrowed_fen) == (len(expected_escrow), escrowed_fen)
    assert rec.paid_count == 2000 - len(expected_escrow)
    assert rec.paid_fen + rec.escrowed_fen == rec.released_fen == ref.total_fen
    assert rec.bank_paid_fen == rec.paid_fen

    items = await bank_items(simulator, handle.id)
    paid = credits_per_row(items, handle.id)
    assert all(n == 1 for n in paid.values()), [r for r, n in paid.items() if n > 1]
    assert set(paid) == {r[0] for r in payees.rows} - set(expected_escrow)
    keys = {i["item_key"] for i in items if i["status"] == "paid"}
    for row, round_ in paid_late.items():
        assert f"{handle.id}/payee/{row}/r{round_}" in keys, row
    balance = await sim(simulator, "GET", f"/partners/{BANK}/accounts/balance?account={req.case_account}")
    assert balance["balance_fen"] == escrowed_fen  # what stays in the case account is what went to escrow

    # The reconciliation report through the web: one line per payee, then the totals.
    async with payout_api(settings, web, "judge") as api:
        report = await api.get(f"/api/workflows/{handle.id}/reconciliation.csv")
    assert report.status_code == 200, report.text
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("row,name,id_number")
    body = lines[1:2001]
    assert sum(1 for line in body if line.endswith(",ok")) == 2000
    assert sum(",escrowed," in line for line in body) == len(expected_escrow)
    assert lines[-1] == "balanced,yes,,,,,,,,,,"


def assert_worded(st: ScenarioStatus) -> None:
    """What the case page shows of a payout has Chinese and English words (words.py): its status, each
    summary entry, each timeline entry."""
    assert st.status in WORDS.statuses, st.status
    assert set(st.summary) <= set(WORDS.summary), set(st.summary) - set(WORDS.summary)
    actions = {e.action for e in st.timeline}
    assert actions <= set(WORDS.actions), actions - set(WORDS.actions)


def refusal_code(err: WorkflowUpdateFailedError) -> str | None:
    cause = err.cause
    return cause.type if isinstance(cause, ApplicationError) else None


def handle_done(tasks: list[asyncio.Task[None]]) -> bool:
    for t in tasks:
        if t.done() and t.exception() is not None:
            raise t.exception()  # type: ignore[misc]
    return all(t.done() for t in tasks)


async def test_second_approval_right_after_the_first_is_accepted(
    client: Client, settings: Settings, simulator: str
) -> None:
    """The moment the first approval's update returns, the second approval is taken: the status says
    "awaiting second approval" only once the desk is open for it (the chaos run found it said so a moment
    before, and an approver who acted on it was refused WRONG_STATE)."""
    req = await funded_request(simulator, settings, 60_000_00, 60_000_00)  # ¥120,000: above four eyes
    handle = await start(client, settings, "mass-payout", req, overrides={"tuning": tuning()})
    await wait_status(handle, "awaiting_approval", timeout=30)
    await decide(handle, APPROVE, "经审核, 准予发放")
    st = await status(handle)
    assert st.status == "awaiting_second_approval"
    assert [d.name for d in st.pending_decisions] == [APPROVE, REJECT]
    await decide(handle, APPROVE, "复核同意", actor=SECOND_JUDGE)  # refused with WRONG_STATE before
    result = MassPayoutResult.model_validate(await asyncio.wait_for(handle.result(), timeout=60))
    assert (result.status, result.paid_count, result.released_fen) == ("completed", 2, req.payee_list.total_fen)
    timeline = [e.action for e in (await status(handle)).timeline]
    assert timeline.index("first_approval") < timeline.index("release_approved")


async def test_both_approvals_in_one_workflow_task_are_taken(
    client: Client, settings: Settings, simulator: str
) -> None:
    """The judge's approval and the approver's reach the workflow in the same workflow task (its worker was
    down while both were sent — what a killed worker does in the chaos run): both are taken. The desk
    stays open after the first, instead of closing until the workflow's main loop comes round again."""
    own = settings.model_copy(update={"task_queue": f"payout-desk-{uuid.uuid4().hex[:8]}"})
    req = await funded_request(simulator, settings, 60_000_00, 60_000_00)
    handle = await start(client, own, "mass-payout", req, task_queue=own.task_queue, overrides={"tuning": tuning()})
    async with running_worker(client, own):
        await wait_status(handle, "awaiting_approval", timeout=30)
    # No worker now: both approvals wait in Temporal and are handed over together.
    first = asyncio.create_task(decide(handle, APPROVE, "经审核, 准予发放"))
    await asyncio.sleep(0.5)
    second = asyncio.create_task(decide(handle, APPROVE, "复核同意", actor=SECOND_JUDGE))
    await asyncio.sleep(0.5)
    async with running_worker(client, own):
        answers = await asyncio.wait_for(asyncio.gather(first, second, return_exceptions=True), timeout=60)
        refused = [refusal_code(a) if isinstance(a, WorkflowUpdateFailedError) else a for a in answers]
        assert not [a for a in answers if isinstance(a, BaseException)], refused  # the second was refused WRONG_STATE
        result = MassPayoutResult.model_validate(await asyncio.wait_for(handle.result(), timeout=60))
        timeline = (await status(handle)).timeline
    assert (result.status, result.paid_count, result.released_fen) == ("completed", 2, req.payee_list.total_fen)
    approvals = [e for e in timeline if e.action in ("first_approval", "release_approved")]
    assert [(e.action, e.actor.user_id) for e in approvals] == [
        ("first_approval", "judge"),
        ("release_approved", SECOND_JUDGE.user_id),
    ]


async def test_rejected_release_and_insufficient_funds(client: Client, settings: Settings, simulator: str) -> None:
    payees = PayeeSet()
    for i in range(30):
        payees.add(i, amount_fen=10_00)
    ref = store_list(settings, payees)
    req = request(ref)
    handle = await start(client, settings, "mass-payout", req, overrides={"tuning": tuning()})
    await wait_status(handle, "awaiting_approval", timeout=30)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, REJECT, " ")
    assert refusal_code(refused.value) == "REASON_REQUIRED"
    await decide(handle, REJECT, "名单需复核")
    result = MassPayoutResult.model_validate(await handle.result())
    assert (result.status, result.paid_count, result.released_fen) == ("rejected", 0, 0)
    assert_worded(await status(handle))
    assert not await bank_items(simulator, handle.id)

    poor = request(ref)
    await sim(
        simulator,
        "PUT",
        f"/partners/{BANK}/_admin/case-accounts",
        {"account": poor.case_account, "balance_fen": ref.total_fen - 1},
    )
    handle = await start(client, settings, "mass-payout", poor, overrides={"tuning": tuning()})
    result = MassPayoutResult.model_validate(await asyncio.wait_for(handle.result(), timeout=30))
    assert result.status == "insufficient_funds"


async def test_unanswered_correction_goes_to_escrow_at_the_deadline(
    client: Client, settings: Settings, simulator: str
) -> None:
    payees = PayeeSet()
    for i in range(10):
        payees.add(i, CLOSED if i == 3 else GOOD, amount_fen=500_00)
    ref = store_list(settings, payees)
    req = request(ref)
    # 2 legal days pass in 0.2 s of test time: nobody answers the correction in time.
    t = tuning(correction_deadline={"amount": 2, "unit": "calendar_day"})
    handle = await start(client, settings, "mass-payout", req, overrides={"tuning": t})
    await wait_status(handle, "awaiting_approval", timeout=30)
    await decide(handle, APPROVE, "准予发放")
    result = MassPayoutResult.model_validate(await asyncio.wait_for(handle.result(), timeout=60))
    assert result.status == "completed"
    assert (result.paid_count, result.escrowed_count, result.escrowed_fen) == (9, 1, 500_00)
    assert result.reconciliation is not None and result.reconciliation.balanced
    await record_history(handle, "mass-payout-correction-deadline")
    await record_history(client.get_workflow_handle(f"{handle.id}:batch:0"), "payout-batch-correction-deadline")


async def test_a_correction_after_the_release_needs_a_second_clerk_and_both_are_recorded(
    client: Client, settings: Settings, simulator: str
) -> None:
    """Four eyes survive corrections: the release was approved, then the bank refused a payee; the clerk
    who changes the account and name cannot also confirm the change. Another clerk checks it; not
    confirmed, the payee's money goes to escrow (提存) instead of to the new account."""
    payees = PayeeSet()
    for i in range(10):
        payees.add(i, CLOSED if i == 3 else GOOD, amount_fen=500_00)
    ref = store_list(settings, payees)
    req = request(ref)
    handle = await start(client, settings, "mass-payout", req, overrides={"tuning": tuning()})
    await wait_status(handle, "awaiting_approval", timeout=30)
    await decide(handle, APPROVE, "准予发放")
    row = 5  # the fourth payee (rows start at 2)
    fix = await wait_task(client, task_id(handle.id, row, 1))
    with acting_as(CLERK):
        await fix.execute_update(COMPLETE_TASK, Completion(result={"account": payees.fresh_account(), "name": "李某"}))
    await confirm_correction(client, handle.id, row, 1, confirmed=False)
    result = MassPayoutResult.model_validate(await asyncio.wait_for(handle.result(), timeout=60))
    assert result.status == "completed"
    assert (result.paid_count, result.escrowed_count, result.escrowed_fen) == (9, 1, 500_00)
    # Nothing went to the changed account: the bank paid the nine, each once.
    paid = credits_per_row(await bank_items(simulator, handle.id), handle.id)
    assert row not in paid and len(paid) == 9
    # Both are recorded: who changed it, who checked it.
    corrected = await client.get_workflow_handle(task_id(handle.id, row, 1)).result()
    checked = await client.get_workflow_handle(check_task_id(handle.id, row, 1)).result()
    assert corrected["completed_by"]["user_id"] == CLERK.user_id
    assert checked["completed_by"]["user_id"] == CHECKING_CLERK.user_id
    assert checked["result"]["confirmed"] is False


# --- a worker killed in the middle of paying --------------------------------------------------------------

CRASH_QUEUE = "one-matter-payout-crash"


def spawn_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OM_TEMPORAL_ADDRESS": settings.temporal_address,
        "OM_TASK_QUEUE": CRASH_QUEUE,
        "OM_SIMULATOR_PORT": str(settings.simulator_port),
        "OM_PUBLIC_BASE_URL": settings.public_base_url,
        "OM_CODEC_KEYS_JSON": settings.codec_keys.model_dump_json(),
        # The same signing keys as the test's client: the worker refuses actors signed with any other.
        "OM_ACTOR_KEYS_JSON": settings.actor_keys_json,
        "OM_VAR_DIR": str(settings.var_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "workers"], cwd=REPO, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


async def test_sigkill_mid_payment_then_restart_pays_each_payee_once(
    client: Client, settings: Settings, simulator: str
) -> None:
    payees = PayeeSet()
    for i in range(2000):
        payees.add(i, TIMEOUT if i % 250 == 5 else GOOD)
    ref = store_list(settings, payees)
    req = request(ref)
    log = settings.var_dir / "payout-crash-worker.log"
    worker = spawn_worker(settings, log)
    try:
        handle = await start(
            client,
            settings,
            "mass-payout",
            req,
            task_queue=CRASH_QUEUE,
            overrides={"tuning": tuning(heartbeat_timeout_seconds=3, activity_timeout_seconds=20)},
        )
        await wait_status(handle, "awaiting_approval", timeout=60)
        # Each bank call now takes a while, so the kill lands while batches are being paid.
        await sim(simulator, "PUT", f"/partners/{BANK}/_admin/faults", {"latency_ms_min": 300, "latency_ms_max": 500})
        await decide(handle, APPROVE, "准予发放")
        await decide(handle, APPROVE, "复核同意", actor=SECOND_JUDGE)
        for _ in range(300):
            if len(await bank_items(simulator, handle.id)) >= 100:
                break
            await asyncio.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        assert len(credits_per_row(await bank_items(simulator, handle.id), handle.id)) < 2000, "killed too late"
        worker = spawn_worker(settings, log)
        result = MassPayoutResult.model_validate(await asyncio.wait_for(handle.result(), timeout=180))
    finally:
        await sim(simulator, "POST", "/_admin/reset-faults")
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)

    assert result.status == "completed", result
    paid = credits_per_row(await bank_items(simulator, handle.id), handle.id)
    assert len(paid) == 2000 and all(n == 1 for n in paid.values())
    rec = result.reconciliation
    assert rec is not None and rec.balanced
    assert rec.paid_fen == rec.bank_paid_fen == rec.released_fen == ref.total_fen


# --- the web's payout files ----------------------------------------------------------------------------------


class payout_api:
    """The payout router in an app of its own, on the web's database and Temporal client, called with a
    real user's token (the web fixture seeds the users)."""

    def __init__(self, settings: Settings, web: str, username: str) -> None:
        self._settings, self._web, self._username = settings, web, username

    async def __aenter__(self) -> httpx.AsyncClient:
        from runtime.temporal import connect

        app = FastAPI()
        install_error_handlers(app)
        app.include_router(router)
        self._db = Database(self._settings.web_database_url)
        app.state.om = AppState(settings=self._settings, db=self._db, client=await connect(self._settings))
        token_client = await login(self._web, self._username)
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://payouts",
            headers={"Authorization": token_client.headers["Authorization"]},
            timeout=60,
        )
        await token_client.aclose()
        return self._client

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()
        self._db.dispose()


@pytest.fixture
async def judge_api(settings: Settings, web: str) -> AsyncIterator[httpx.AsyncClient]:
    async with payout_api(settings, web, "judge") as api:
        yield api


async def test_upload_accepts_a_list_and_starts_a_payout(
    judge_api: httpx.AsyncClient, client: Client, settings: Settings
):
    payees = PayeeSet()
    for i in range(50):
        payees.add(i, amount_fen=100_00)
    r = await judge_api.post("/api/payouts/lists", files={"file": ("payees.csv", payees.csv("gbk"), "text/csv")})
    assert r.status_code == 201, r.text
    ref = PayeeListRef.model_validate(r.json())
    assert (ref.count, ref.total_fen, r.json()["encoding"]) == (50, 5000_00, "gbk")
    again = await judge_api.post("/api/payouts/lists", files={"file": ("payees.csv", payees.csv("gbk"), "text/csv")})
    assert again.json()["sha256"] == ref.sha256  # content-addressed: the same list, the same name

    handle = await start(client, settings, "mass-payout", request(ref), overrides={"tuning": tuning()})
    await wait_status(handle, "awaiting_approval", timeout=30)
    await decide(handle, APPROVE, "准予发放")
    result = MassPayoutResult.model_validate(await asyncio.wait_for(handle.result(), timeout=60))
    assert result.status == "completed" and result.paid_fen == 5000_00 and result.runs == 1
    await record_history(handle, "mass-payout-fifty-payees")


async def test_upload_rejects_a_bad_list_with_a_downloadable_report(judge_api: httpx.AsyncClient):
    payees = PayeeSet()
    for i in range(5):
        payees.add(i, amount_fen=100_00)
    text = payees.csv().decode("utf-8").splitlines()
    fields = text[3].split(",")
    text[3] = ",".join([*fields[:4], "12.345"])  # row 4: three decimals
    data = ("\r\n".join([*text, text[2]]) + "\r\n").encode("gbk")  # row 7 repeats row 3
    r = await judge_api.post("/api/payouts/lists", files={"file": ("payees.csv", data, "text/csv")})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "PAYEE_LIST_REJECTED" and body["error_count"] == 2
    assert [(e["row"], e["column"], e["rule"]) for e in body["errors"]] == [
        (4, "amount", "amount_decimals"),
        (7, "id_number+account", "duplicate"),
    ]
    report = await judge_api.get(body["error_report"])
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "row,column,rule,message" and lines[1].startswith("4,amount,amount_decimals,")
    assert (await judge_api.get(f"/api/payouts/lists/{'0' * 64}/errors.csv")).status_code == 404


async def test_only_judges_upload_lists(settings: Settings, web: str):
    async with payout_api(settings, web, "auditor") as api:
        r = await api.post("/api/payouts/lists", files={"file": ("p.csv", b"name\n", "text/csv")})
    assert r.status_code == 403 and r.json()["code"] == "ROLE_FORBIDDEN"


async def test_reconciliation_csv_needs_a_finished_payout(
    judge_api: httpx.AsyncClient, client: Client, settings: Settings
):
    payees = PayeeSet()
    payees.add(1, amount_fen=100_00)
    handle = await start(
        client, settings, "mass-payout", request(store_list(settings, payees)), overrides={"tuning": tuning()}
    )
    await wait_status(handle, "awaiting_approval", timeout=30)
    r = await judge_api.get(f"/api/workflows/{handle.id}/reconciliation.csv")
    assert r.status_code == 409 and r.json()["code"] == "NOT_RECONCILED"
    await decide(handle, REJECT, "撤回")
    await handle.result()
    assert (await judge_api.get(f"/api/workflows/{handle.id}/reconciliation.csv")).status_code == 409
    assert (await judge_api.get("/api/workflows/no-such-workflow/reconciliation.csv")).status_code == 404


_ = JUDGE  # the default actor of tests.helpers.decide


async def test_bank_batch_transfer_is_idempotent_per_item(simulator: str) -> None:
    """The simulated bank's side of the protocol: one answer per item key, ever; refusals change nothing."""
    prefix = f"proto-{uuid.uuid4().hex[:8]}"
    serial = uuid.uuid4().int % 10**9

    def item(n: int, tag: str = GOOD, amount: int = 100) -> dict[str, Any]:
        return {
            "item_key": f"{prefix}/payee/{n}",
            "payee_name": f"收款人{n}",
            "id_number": resident_id(n),
            "account": account(serial + n, tag),
            "amount_fen": amount,
        }

    async def transfer(batch: str, items: list[dict[str, Any]], account_: str = "CA-PROTO") -> httpx.Response:
        body = {"batch_id": batch, "case_number": prefix, "from_account": account_, "items": items}
        headers = {"Authorization": f"Bearer sandbox-{BANK}", "Idempotency-Key": batch}
        async with httpx.AsyncClient(base_url=simulator, timeout=30) as http:
            return await http.post(f"/partners/{BANK}/batch-transfers", json=body, headers=headers)

    first = await transfer("b1", [item(1), item(2, INVALID), item(3, TIMEOUT), item(4, CLOSED), item(5, MISMATCH)])
    assert [(i["status"], i["code"]) for i in first.json()["items"]] == [
        ("paid", None),
        ("invalid_account", "INVALID_ACCOUNT"),
        ("timeout", "TIMEOUT"),
        ("account_closed", "ACCOUNT_CLOSED"),
        ("name_mismatch", "NAME_MISMATCH"),
    ]
    again = await transfer("b2", [item(1), item(2, INVALID), item(3, TIMEOUT), item(6)])
    assert [i["status"] for i in again.json()["items"]] == ["paid", "invalid_account", "paid", "paid"]
    assert again.json()["items"][0]["bank_ref"] == first.json()["items"][0]["bank_ref"]  # the first answer

    dup = await transfer("b3", [item(7), item(7)])
    assert (dup.status_code, dup.json()["code"]) == (422, "DUPLICATE_ITEM_KEY")
    await sim(simulator, "PUT", f"/partners/{BANK}/_admin/case-accounts", {"account": "CA-POOR", "balance_fen": 150})
    poor = await transfer("b4", [item(8, amount=100), item(9, amount=100)], "CA-POOR")
    assert (poor.status_code, poor.json()["code"]) == (409, "INSUFFICIENT_FUNDS")
    assert (await sim(simulator, "GET", f"/partners/{BANK}/accounts/balance?account=CA-POOR"))["balance_fen"] == 150

    pages, after = [], ""
    while True:
        page = await sim(
            simulator,
            "GET",
            f"/partners/{BANK}/batch-transfers/statement?case_number={prefix}&key_prefix={prefix}/&limit=2&after={after}",
        )
        pages.append([e["item_key"].rsplit("/", 1)[1] for e in page["entries"]])
        if not page["next_cursor"]:
            break
        after = page["next_cursor"]
    assert pages == [["1", "2"], ["3", "4"], ["5", "6"]]  # no 7, 8, 9: refused batches left nothing
    # The same statement as CSV pages, read by the adapter a reconciliation uses: the same entries.
    whole = await sim(simulator, "GET", f"/partners/{BANK}/batch-transfers/statement?case_number={prefix}")
    endpoint = next(p for p in sandbox_partners(simulator) if p.id == BANK)
    adapter = SandboxPartnerAdapter(endpoint)
    try:
        lines, after_key = [], ""
        while True:
            page_lines = await adapter.statement_lines(prefix, f"{prefix}/", after_key, limit=2)
            lines += page_lines.lines
            if page_lines.next_cursor is None:
                break
            after_key = page_lines.next_cursor
        full_page = await adapter.statement_lines(prefix, "", "", limit=4)  # a full page: another may follow
        assert len(full_page.lines) == 4 and full_page.next_cursor == full_page.lines[-1].item_key
    finally:
        await adapter.aclose()
    assert lines == [(e["item_key"], e["status"], e["amount_fen"], e["bank_ref"]) for e in whole["entries"]]
    assert [line.status for line in lines] == [
        "paid",
        "invalid_account",
        "paid",
        "account_closed",
        "name_mismatch",
        "paid",
    ]
    async with httpx.AsyncClient(base_url=simulator) as http:
        r = await http.get(f"/partners/{BANK}/batch-transfers/statement?case_number={prefix}")
    assert r.status_code == 401


async def test_a_statement_with_keys_that_need_quoting_reads_the_same_as_csv(simulator: str) -> None:
    """Keys with a comma or a quote: the bank's CSV page quotes them (its fast path cannot) and the adapter
    reads back exactly the JSON statement's entries."""
    case = f"quote-{uuid.uuid4().hex[:8]}"
    serial = uuid.uuid4().int % 10**9
    keys = [f'{case}/payee/1,"a"', f"{case}/payee/2", f"{case}/payee/3 b"]
    batch_id = f"{case}/b1"
    body: dict[str, Any] = {
        "batch_id": batch_id,
        "case_number": case,
        "from_account": "CA-QUOTE",
        "items": [
            {
                "item_key": k,
                "payee_name": f"收款人{n}",
                "id_number": resident_id(n),
                "account": account(serial + n),
                "amount_fen": 100 + n,
            }
            for n, k in enumerate(keys)
        ],
    }
    headers = {"Authorization": f"Bearer sandbox-{BANK}", "Idempotency-Key": batch_id}
    async with httpx.AsyncClient(base_url=simulator, timeout=30) as http:
        (await http.post(f"/partners/{BANK}/batch-transfers", json=body, headers=headers)).raise_for_status()
    whole = await sim(simulator, "GET", f"/partners/{BANK}/batch-transfers/statement?case_number={case}")
    adapter = SandboxPartnerAdapter(next(p for p in sandbox_partners(simulator) if p.id == BANK))
    try:
        page = await adapter.statement_lines(case, f"{case}/")
    finally:
        await adapter.aclose()
    assert page.next_cursor is None
    assert page.lines == [(e["item_key"], e["status"], e["amount_fen"], e["bank_ref"]) for e in whole["entries"]]
    assert sorted(line.item_key for line in page.lines) == sorted(keys)


async def payout_above_threshold(simulator: str, settings: Settings) -> dict[str, Any]:
    """A payout request of ¥300,000 (above 上城's four-eyes threshold), its case account funded."""
    payees = PayeeSet()
    for i in range(3):
        payees.add(i, amount_fen=100_000_00)  # ¥300,000 in all: above 上城's threshold
    ref = store_list(settings, payees)
    body: dict[str, Any] = {
        "case_number": case_number(),
        "court": "杭州市上城区人民法院",
        "payee_list": ref.model_dump(),
        "case_account": f"CASE-{os.urandom(5).hex()}",
        "bank": BANK,
        "correction_agency": "court-clerk",
    }
    await sim(
        simulator,
        "PUT",
        f"/partners/{BANK}/_admin/case-accounts",
        {"account": body["case_account"], "balance_fen": ref.total_fen},
    )
    return body


async def funded_request(simulator: str, settings: Settings, *amounts_fen: int) -> MassPayoutRequest:
    """A payout request of one payee per amount, its list stored and its case account funded with the total."""
    payees = PayeeSet()
    for i, amount in enumerate(amounts_fen):
        payees.add(i, amount_fen=amount)
    ref = store_list(settings, payees)
    req = request(ref)
    await sim(
        simulator,
        "PUT",
        f"/partners/{BANK}/_admin/case-accounts",
        {"account": req.case_account, "balance_fen": ref.total_fen},
    )
    return req
