"""Issue 12 item 3: "我的案件" are the cases I started **or decided**. The decision desk names every
decider in the ``OmDeciders`` search attribute, so the list is one visibility query; against the real
stack (Temporal dev server, worker, simulators, web)."""

from __future__ import annotations

import asyncio
import re
import socket
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.common import HeaderCodecBehavior
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from config.settings import Settings
from runtime.temporal import (
    DECIDED_BY,
    SEARCH_ATTRIBUTES,
    STARTED_BY,
    dev_server_search_attribute_args,
    missing_search_attributes,
    register_search_attributes,
)
from security.converter import build_data_converter
from security.identity import ActorWorkerInterceptor
from tests.helpers import (
    account_number,
    case_number,
    eventually,
    login,
    record_history,
    resident_id,
    seed_subject,
    ui_page,
)
from tests.scenarios.mass_payout.test_mass_payout import payout_above_threshold
from web.accounts import DEMO_COURT
from web.ui.session import SESSION_COOKIE
from workers.main import sandbox_runner
from workflows.foundation.decisions import DECIDERS_PATCH
from workflows.foundation.messages import STATUS_QUERY
from workflows.foundation.models import ScenarioStatus
from workflows.registry import SCENARIOS, all_workflows

PASSWORD = "correct-horse-battery-9"


async def _judge_of_the_court(admin: httpx.AsyncClient, web: str, tag: str) -> tuple[str, httpx.AsyncClient]:
    """A fresh judge of 上城 (the demo court), logged in."""
    username = f"judge-{tag}-{uuid.uuid4().hex[:6]}"
    r = await admin.post(
        "/api/users", json={"username": username, "password": PASSWORD, "role": "judge", "court": DEMO_COURT}
    )
    assert r.status_code == 201, r.text
    return username, await login(web, username, PASSWORD)


async def _ids(c: httpx.AsyncClient, **params: Any) -> list[str] | None:
    r = await c.get("/api/workflows", params=params)
    assert r.status_code == 200, r.text
    return [row["workflow_id"] for row in r.json()]


async def _ui_rows(c: httpx.AsyncClient, web: str, **params: Any) -> tuple[str, list[str]]:
    """The /ui/cases page as the user's browser gets it (default scope: mine), and its case rows."""
    token = c.headers["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=web, cookies={SESSION_COOKIE: token}, timeout=30) as browser:
        r = await browser.get("/ui/cases", params=params)
    assert r.status_code == 200, r.text
    return r.text, re.findall(r'<tr data-workflow="([^"]+)"', r.text)


async def _status(c: httpx.AsyncClient, wid: str) -> str | None:
    r = await c.get(f"/api/workflows/{wid}")
    return r.json().get("status") if r.status_code == 200 else None


async def _started(c: httpx.AsyncClient, scenario: str, body: dict[str, Any], status: str) -> str:
    """Starts ``scenario`` through the API as ``c``'s user and waits until it shows ``status``: its id."""
    r = await c.post(f"/api/scenarios/{scenario}/workflows", json=body)
    assert r.status_code in (200, 201), r.text
    wid: str = r.json()["workflow_id"]
    await eventually(lambda: _is(_status(c, wid), status), timeout=60)
    return wid


@pytest.mark.usefixtures("stack")
async def test_a_judge_who_decided_finds_the_case_in_mine(
    web: str, simulator: str, client: Client, settings: Settings
) -> None:
    """``judge`` starts an inquiry; another judge of the court approves the control. The decider finds it
    in "mine" (API and UI), the starter too; a judge of the court who did not decide does not, nor
    does a judge of another court, whatever they ask for."""
    id_number = resident_id()
    deposit = {
        "partner_id": "bank-icbc",
        "kind": "deposit",
        "reference": account_number(),
        "description": "活期",
        "available_fen": 80_000_00,
    }
    await seed_subject(simulator, {"kind": "person", "name": "王某某", "id_number": id_number}, [deposit])
    req = {
        "case_number": case_number(),
        "court": DEMO_COURT,
        "debtor": {"kind": "person", "name": "王某某", "id_number": id_number},
        "amount_owed_fen": 50_000_00,
        "execution_costs_fen": 0,
    }
    admin, starter, foreign = [await login(web, u) for u in ("admin", "judge", "judge-jiaxing")]
    async with admin, starter, foreign:
        decider_id, decider = await _judge_of_the_court(admin, web, "d")
        bystander_id, bystander = await _judge_of_the_court(admin, web, "n")
        async with decider, bystander:
            wid = await _started(starter, "asset-inquiry", req, "awaiting_decision")
            cn = req["case_number"]

            # Before deciding, the case is not the decider's.
            assert await _ids(decider, mine="true", case_number=cn) == []
            r = await decider.post(
                f"/api/workflows/{wid}/decisions/approve-control", json={"reason": "经审查, 依法冻结", "deduct": False}
            )
            assert r.status_code == 200, r.text

            # Visibility catches up with the upsert: then it is the decider's, as the decider, by id.
            assert await eventually(lambda: _ids(decider, mine="true", case_number=cn)) == [wid]
            assert await _ids(decider, involving=decider_id, case_number=cn) == [wid]
            assert await _ids(starter, mine="true", case_number=cn) == [wid]  # the starter's still
            assert await _ids(decider, started_by=decider_id, case_number=cn) == []  # started_by: started only
            assert await _ids(starter, started_by="judge", case_number=cn) == [wid]

            # Not the bystander's; the bystander may ask who decided (same court) but it is not "mine".
            assert await _ids(bystander, mine="true", case_number=cn) == []
            assert await _ids(bystander, involving=decider_id, case_number=cn) == [wid]
            # Another court: the case does not exist, whichever filter names the decider or the starter.
            for params in ({"involving": decider_id}, {"involving": "judge"}, {"mine": "true"}, {}):
                assert await _ids(foreign, case_number=cn, **params) == [], params

            desc = await client.get_workflow_handle(wid).describe()
            assert desc.typed_search_attributes.get(DECIDED_BY) == [decider_id]
            assert desc.typed_search_attributes.get(STARTED_BY) == "judge"

            # The UI's 我的案件 (default scope: mine) is the same list.
            page, rows = await _ui_rows(decider, web, case_number=cn)
            assert rows == [wid] and "我经办的" in page
            assert (await _ui_rows(starter, web, case_number=cn))[1] == [wid]
            assert (await _ui_rows(bystander, web, case_number=cn))[1] == []
            assert wid in (await _ui_rows(bystander, web, case_number=cn, who="court"))[1]  # with its term watch

            # mine=true is the caller: naming someone else beside it is a contradiction, not a guess.
            r = await decider.get("/api/workflows", params={"mine": "true", "involving": bystander_id})
            assert r.status_code == 422 and r.json()["code"] == "CONFLICTING_FILTERS", r.text
            r = await decider.get("/api/workflows", params={"involving": "x'); DROP"})
            assert r.status_code == 200 and r.json() == [], r.text  # quoted, matches nobody

    # A history recorded with the deciders' upsert replays. The inquiry starts at a patch level that includes
    # the deciders' patch, so the upsert stands in its history without a marker beside it.
    history = await client.get_workflow_handle(wid).fetch_history()
    await _replay(history, settings)
    upserts = [e for e in history.events if e.HasField("upsert_workflow_search_attributes_event_attributes")]
    assert any(DECIDED_BY.name.encode() in e.SerializeToString() for e in upserts)
    markers = [e for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert not any(DECIDERS_PATCH.encode() in e.SerializeToString() for e in markers)


@pytest.mark.usefixtures("stack")
async def test_a_judge_who_started_and_decided_finds_it_in_mine_without_a_deciders_upsert(
    web: str, simulator: str, client: Client, settings: Settings
) -> None:
    """The judge who started an inquiry rejects it. "Mine" asks OmStartedBy or OmDeciders, so the starter is
    found already and the inquiry (started at the current patch level) names no decider: one upsert, one
    event and one visibility write fewer. Its history replays, and is committed for the replay test."""
    id_number = resident_id()
    await seed_subject(simulator, {"kind": "person", "name": "李某某", "id_number": id_number}, [])
    cn = case_number()
    req = {
        "case_number": cn,
        "court": DEMO_COURT,
        "debtor": {"kind": "person", "name": "李某某", "id_number": id_number},
        "amount_owed_fen": 10_000_00,
        "execution_costs_fen": 0,
    }
    async with await login(web, "judge") as judge:
        wid = await _started(judge, "asset-inquiry", req, "awaiting_decision")
        r = await judge.post(f"/api/workflows/{wid}/decisions/reject-control", json={"reason": "未发现可供执行的财产"})
        assert r.status_code == 200, r.text
        handle = client.get_workflow_handle(wid)
        await handle.result()
        assert await eventually(lambda: _ids(judge, mine="true", case_number=cn)) == [wid]
        assert await _ids(judge, involving="judge", case_number=cn) == [wid]
        assert (await _ui_rows(judge, web, case_number=cn))[1] == [wid]

    desc = await handle.describe()
    assert desc.typed_search_attributes.get(STARTED_BY) == "judge"
    assert desc.typed_search_attributes.get(DECIDED_BY) is None
    history = await handle.fetch_history()
    upserts = [
        sorted(e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
        for e in history.events
        if e.HasField("upsert_workflow_search_attributes_event_attributes")
    ]
    assert upserts == [["OmStatus"], ["OmStatus"]], upserts
    status = await handle.query(STATUS_QUERY, result_type=ScenarioStatus)
    decision = next(e for e in status.timeline if e.action == "decision")
    assert decision.actor.user_id == "judge" and decision.detail["decision"] == "reject-control"
    await _replay(history, settings)
    await record_history(handle, "asset-inquiry-starter-decides")


@pytest.mark.usefixtures("stack")
async def test_the_second_approver_finds_the_payout_in_mine(
    web: str, simulator: str, client: Client, settings: Settings
) -> None:
    """A payout above the court's four-eyes threshold: the judge releases it, the approver (庭长) gives
    the second approval, and the payout is then in the approver's cases — each decider named once."""
    body = await payout_above_threshold(simulator, settings)
    judge, approver = [await login(web, u) for u in ("judge", "approver")]
    async with judge, approver:
        wid = await _started(judge, "mass-payout", body, "awaiting_approval")
        cn = body["case_number"]
        assert await _ids(approver, mine="true", case_number=cn) == []
        r = await judge.post(f"/api/workflows/{wid}/decisions/approve-release", json={"reason": "经审核, 准予发放"})
        assert r.status_code == 200, r.text
        await eventually(lambda: _is(_status(judge, wid), "awaiting_second_approval"), timeout=30)
        assert await _ids(approver, mine="true", case_number=cn) == []  # not yet theirs
        # The approver's case page offers the second approval as a form (approvers decide in the UI too).
        token = approver.headers["Authorization"].removeprefix("Bearer ")
        async with httpx.AsyncClient(base_url=web, cookies={SESSION_COOKIE: token}, timeout=30) as browser:
            page = await browser.get(f"/ui/cases/{wid}")
        assert page.status_code == 200 and 'data-decision="approve-release"' in page.text
        r = await approver.post(f"/api/workflows/{wid}/decisions/approve-release", json={"reason": "复核同意"})
        assert r.status_code == 200, r.text
        assert await eventually(lambda: _ids(approver, mine="true", case_number=cn)) == [wid]
        assert await _ids(approver, started_by="approver", case_number=cn) == []
        html, rows = await _ui_rows(approver, web, case_number=cn)  # 我的案件 in the approver's UI
        assert rows == [wid] and "/ui/cases/new" not in html  # an approver starts no case

        # The judge, who started and released it, and the approver: each named once, in decision order.
        assert await _ids(judge, involving="approver", case_number=cn) == [wid]
        desc = await client.get_workflow_handle(wid).describe()
        assert desc.typed_search_attributes.get(DECIDED_BY) == ["judge", "approver"]


@pytest.mark.usefixtures("stack")
async def test_a_second_decision_by_the_same_user_adds_no_upsert(
    web: str, simulator: str, client: Client, settings: Settings
) -> None:
    """The judge releases a payout, then rejects it while it waits for the second approval: two decisions,
    one decider, one upsert of OmDeciders in history."""
    body = await payout_above_threshold(simulator, settings)
    async with await login(web, "judge") as judge:
        wid = await _started(judge, "mass-payout", body, "awaiting_approval")
        r = await judge.post(f"/api/workflows/{wid}/decisions/approve-release", json={"reason": "经审核, 准予发放"})
        assert r.status_code == 200, r.text
        await eventually(lambda: _is(_status(judge, wid), "awaiting_second_approval"), timeout=30)
        r = await judge.post(f"/api/workflows/{wid}/decisions/reject", json={"reason": "名单有误, 撤回发放"})
        assert r.status_code == 200, r.text
    handle = client.get_workflow_handle(wid)
    await handle.result()
    history = await handle.fetch_history()
    upserts = [
        e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
        for e in history.events
        if e.HasField("upsert_workflow_search_attributes_event_attributes")
    ]
    assert len([f for f in upserts if DECIDED_BY.name in f]) == 1
    assert (await handle.describe()).typed_search_attributes.get(DECIDED_BY) == ["judge"]


async def _is(call: Any, *wanted: str) -> bool:
    return (await call) in wanted


async def _replay(history: WorkflowHistory, settings: Settings) -> None:
    replayer = Replayer(
        workflows=all_workflows(),
        data_converter=build_data_converter(settings.codec_keys),
        interceptors=[ActorWorkerInterceptor(settings.actor_signer())],
        header_codec_behavior=HeaderCodecBehavior.CODEC,
        workflow_runner=sandbox_runner(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


def test_every_search_attribute_is_registered_with_its_type() -> None:
    """The dev server (make run, tests) and docker-compose's setup register the same attributes, the
    deciders as a keyword list."""
    args = dev_server_search_attribute_args()
    assert "OmDeciders=KeywordList" in args
    assert len(args) == 2 * len(SEARCH_ATTRIBUTES)
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    for key in SEARCH_ATTRIBUTES:
        assert key.name in compose, key.name
    assert "--name OmDeciders --type KeywordList" in compose


async def test_a_dev_database_from_before_the_deciders_gets_them_at_startup(tmp_path: Path) -> None:
    """`start-dev --search-attribute` registers only when it creates its database: a var/temporal.db from
    before OmDeciders lacks it, and every decision would then fail its workflow task. Workers and the web
    register what is missing at startup."""
    old = await WorkflowEnvironment.start_local(
        port=_free_port(),
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        dev_server_database_filename=str(tmp_path / "temporal.db"),
        search_attributes=[k for k in SEARCH_ATTRIBUTES if k is not DECIDED_BY],
    )
    try:
        assert list(await missing_search_attributes(old.client)) == [DECIDED_BY.name]
        # The worker and the web start together: both may find it missing and add it, and neither fails.
        both = await asyncio.gather(register_search_attributes(old.client), register_search_attributes(old.client))
        assert DECIDED_BY.name in both[0] + both[1] and all(r in ([], [DECIDED_BY.name]) for r in both)
        assert await missing_search_attributes(old.client) == {}
        assert await register_search_attributes(old.client) == []  # the next start: nothing to do
    finally:
        await old.shutdown()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.usefixtures("stack")
async def test_the_status_filter_is_grouped_by_scenario_each_status_once(web: str) -> None:
    """Once a flat list of about 110 statuses with 解除中 twice; now one group per scenario."""
    page = await ui_page(web, "judge", "/ui/cases")
    select = page.split('name="status"', 1)[1].split("</select>", 1)[0]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [label for label, _ in groups] == [s.title for s in SCENARIOS.values()]
    for label, options in groups:
        values = re.findall(r'<option value="([^"]+)"', options)
        words = re.findall(r">([^<]+)</option>", options)
        assert len(values) == len(set(values)) and len(words) == len(set(words)), label
