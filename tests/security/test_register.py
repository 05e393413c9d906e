"""Issue 23, item 2: nothing moves a case without a trace of who. The web's lists, counts and case pages
come from its register of the workflows it started (store/started.py, web/services/register.py): a
workflow a plain client starts with our search attributes appears nowhere. A cancel, terminate or reset
done outside the web — with Temporal's own CLI here — is an incident the court's users see: on the case
page, on the dashboard and in ``GET /api/incidents``; the web's own cancel is not. Against the real dev
server, the real web and the CLI the tests' server is."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from config.settings import Settings
from runtime.temporal import scenario_search_attributes
from tests.helpers import case_number
from tests.web.test_web_api import DEMO_COURT, START, auth, inquiry_request, wait_for, wait_listed

pytestmark = pytest.mark.usefixtures("stack")

TEMPORAL_CLI = Path(sys.executable).parent / "temporal"


@pytest.fixture
async def http(web: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web, timeout=60) as c:
        yield c


def cli(settings: Settings, *args: str) -> None:
    """Temporal's own command line, as an operator (or an intruder with frontend access) runs it."""
    command = [str(TEMPORAL_CLI), "workflow", *args, "--address", settings.temporal_address]
    out = subprocess.run([*command, "--namespace", settings.temporal_namespace], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


async def started_by_the_web(http: httpx.AsyncClient, number: str) -> str:
    judge = await auth(http, "judge")
    r = await http.post(START, json=inquiry_request(number), headers=judge)
    assert r.status_code == 201, r.text
    wid: str = r.json()["workflow_id"]
    # Running in the worker (under load it may already wait for the judge when first looked at).
    await wait_for(http, wid, lambda d: d["status"] in ("inquiring", "awaiting_decision"))
    return wid


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 30) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await check()
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.3)


async def test_a_workflow_the_web_did_not_start_appears_nowhere(
    http: httpx.AsyncClient, client: Client, settings: Settings
) -> None:
    """The review's reproduction: a plain client starts a workflow with our search attributes (上城, started by
    judge, completed) on a task queue nobody polls. It is in no list, no count and has no page; the case the
    web started under the same 案号 is listed."""
    number = case_number()
    ours = await started_by_the_web(http, number)
    forged_status = f"completed-{uuid.uuid4().hex[:6]}"
    plain = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    forged = []
    for status in ("completed", forged_status):
        handle = await plain.start_workflow(
            "AssetInquiry",
            id=f"asset-inquiry-{uuid.uuid4().hex[:12]}",
            task_queue=f"nobody-{uuid.uuid4().hex[:8]}",
            search_attributes=scenario_search_attributes(
                number, "asset-inquiry", status, DEMO_COURT, started_by="judge"
            ),
        )
        forged.append(handle)
    try:
        judge, supervisor = await auth(http, "judge"), await auth(http, "supervisor")
        assert [r["workflow_id"] for r in await wait_listed(http, number)] == [ours]
        for params in (
            {"mine": "true"},
            {"started_by": "judge"},
            {"status": "completed"},
            {"scenario": "asset-inquiry"},
        ):
            r = await http.get("/api/workflows", params={**params, "page_size": 500}, headers=judge)
            assert r.status_code == 200, r.text
            assert not {f.id for f in forged} & {row["workflow_id"] for row in r.json()}, params
        for handle in forged:
            assert (await http.get(f"/api/workflows/{handle.id}", headers=judge)).status_code == 404
            assert (await http.get(f"/api/workflows/{handle.id}/audit", headers=judge)).status_code == 404
            r = await http.post(f"/api/workflows/{handle.id}/cancel", json={"reason": "撤回"}, headers=judge)
            assert r.status_code == 404
        board = (await http.get("/api/dashboard", headers=supervisor)).json()
        assert not [c for c in board["cases"] if c["status"] == forged_status], board["cases"]
        page = await http.get("/ui/cases", params={"case_number": number}, cookies=await _ui(http, "judge"))
        assert ours in page.text and not [f for f in forged if f.id in page.text]
    finally:
        for handle in forged:
            await handle.terminate(reason="test cleanup")


async def _ui(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    from web.codec import SESSION_COOKIE

    token = (await auth(http, username))["Authorization"].removeprefix("Bearer ")
    return {SESSION_COOKIE: token}


async def _incidents(http: httpx.AsyncClient, username: str, wid: str) -> list[dict[str, Any]]:
    r = await http.get("/api/incidents", params={"workflow_id": wid}, headers=await auth(http, username))
    assert r.status_code == 200, r.text
    rows: list[dict[str, Any]] = r.json()
    return rows


async def test_a_terminate_from_temporals_cli_is_an_incident_the_court_sees(
    http: httpx.AsyncClient, client: Client, settings: Settings
) -> None:
    wid = await started_by_the_web(http, case_number())
    cli(settings, "terminate", "--workflow-id", wid, "--reason", "mallory 的理由")
    assert (await client.get_workflow_handle(wid).describe()).status is WorkflowExecutionStatus.TERMINATED
    for username in ("admin", "auditor", "supervisor", "judge"):
        (incident,) = await eventually(lambda u=username: _incidents(http, u, wid))  # type: ignore[misc]
        assert incident["kind"] == "terminated" and incident["court"] == DEMO_COURT, incident
        assert "mallory 的理由" in incident["caller"]
    # Another court's users do not see it, as they do not see the case.
    assert await _incidents(http, "judge-jiaxing", wid) == []
    detail = (await http.get(f"/api/workflows/{wid}", headers=await auth(http, "judge"))).json()
    assert [i["kind"] for i in detail["incidents"]] == ["terminated"]
    page = await http.get(f"/ui/cases/{wid}", cookies=await _ui(http, "judge"))
    assert "系统之外被强制终止" in page.text and "mallory 的理由" in page.text
    board_page = await http.get("/ui/dashboard", cookies=await _ui(http, "supervisor"))
    assert 'data-testid="dash-incidents"' in board_page.text and wid in board_page.text
    board = (await http.get("/api/dashboard", headers=await auth(http, "supervisor"))).json()
    assert wid in {i["workflow_id"] for i in board["incidents"]}
    trail = (await http.get(f"/api/workflows/{wid}/audit", headers=await auth(http, "auditor"))).json()
    (marked,) = [e for e in trail["events"] if e["category"] == "incident"]
    assert marked["action"] == "terminated_outside_the_web" and marked["hash"] == trail["chain"]["head"]


async def test_a_reset_and_a_plain_cancel_are_incidents_the_webs_cancel_is_not(
    http: httpx.AsyncClient, client: Client, settings: Settings
) -> None:
    judge = await auth(http, "judge")
    reset, plain, by_web = [await started_by_the_web(http, case_number()) for _ in range(3)]
    first_run = (await client.get_workflow_handle(reset).describe()).run_id
    cli(settings, "reset", "--workflow-id", reset, "--type", "FirstWorkflowTask", "--reason", "evil reset", "--yes")
    cli(settings, "cancel", "--workflow-id", plain)
    r = await http.post(f"/api/workflows/{by_web}/cancel", json={"reason": "申请执行人撤回执行申请"}, headers=judge)
    assert r.status_code == 202, r.text
    for wid in (plain, by_web):
        await eventually(lambda w=wid: _closed(client, w))  # type: ignore[misc]
    (incident,) = await eventually(lambda: _incidents(http, "auditor", reset))
    assert incident["kind"] == "reset" and incident["run_id"] == first_run
    detail = (await http.get(f"/api/workflows/{reset}", headers=judge)).json()
    assert detail["temporal_status"] == "RUNNING" and [i["kind"] for i in detail["incidents"]] == ["reset"]
    (incident,) = await eventually(lambda: _incidents(http, "auditor", plain))
    assert incident["kind"] == "canceled"
    assert await _incidents(http, "auditor", by_web) == [], "the web's own cancel is recorded, not an incident"
    detail = (await http.get(f"/api/workflows/{by_web}", headers=judge)).json()
    assert detail["temporal_status"] == "CANCELED" and detail["incidents"] == []
    # A reset of a run that has ended — here the one the web cancelled — leaves that run as it was and
    # brings the case back in a new run: an incident, against the run it was reset from.
    cancelled_run = (await client.get_workflow_handle(by_web).describe()).run_id
    cli(settings, "reset", "--workflow-id", by_web, "--type", "FirstWorkflowTask", "--reason", "复活", "--yes")
    (incident,) = await eventually(lambda: _incidents(http, "auditor", by_web))
    assert incident["kind"] == "reset" and incident["run_id"] == cancelled_run and "复活" in incident["caller"]
    detail = (await http.get(f"/api/workflows/{by_web}", headers=judge)).json()
    assert detail["run_id"] != cancelled_run and [i["kind"] for i in detail["incidents"]] == ["reset"]
    # The web's record names the run it cancelled: a plain cancel of the run the reset made is not excused.
    cli(settings, "cancel", "--workflow-id", by_web)
    found = await eventually(lambda: _incidents_of_kind(http, by_web, "canceled"))
    assert [i["run_id"] for i in found] == [detail["run_id"]]


async def _incidents_of_kind(http: httpx.AsyncClient, wid: str, kind: str) -> list[dict[str, Any]]:
    return [i for i in await _incidents(http, "auditor", wid) if i["kind"] == kind]


async def _closed(client: Client, wid: str) -> bool:
    return (await client.get_workflow_handle(wid).describe()).status is not WorkflowExecutionStatus.RUNNING


async def test_a_cases_matters_are_the_webs_and_a_terminated_case_is_an_incident(
    stack: dict[str, str], settings: Settings
) -> None:
    """A matter the case starts (a child: its root is the case the web filed) is listed and opens. The
    matter terminated by a plain client, and the case's own workflow terminated with the CLI, are incidents:
    on the case's API page and its page, on the dashboard and in the matter's audit chain."""
    from tests.helpers import login, ui_page
    from tests.scenarios.case.test_case_api import file

    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed = await file(clerk)
    r = await judge.post(f"/api/cases/{filed['case_id']}/matters/asset-inquiry", json={})
    assert r.status_code in (200, 201, 202), r.text
    matter: str = r.json()["workflow_id"]
    listed = await eventually(lambda: _listed(judge, filed["case_number"], matter))
    assert listed and listed["court"] == DEMO_COURT
    assert (await judge.get(f"/api/workflows/{matter}")).status_code == 200
    cli(settings, "terminate", "--workflow-id", filed["workflow_id"], "--reason", "outside")
    # A plain client that writes the server's identity and the parent close policy's reason, once the case
    # has closed: the case gave its matter no such policy (ABANDON), so this is no close policy's doing.
    plain = await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace, identity="history-service"
    )
    await plain.get_workflow_handle(matter).terminate(reason="by parent close policy")

    async def case_incidents() -> list[dict[str, Any]]:
        await judge.get("/api/incidents")  # looks afresh
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
        found = list(doc.get("incidents") or [])
        return found if len(found) == 2 else []

    found = {i["workflow_id"]: i for i in await eventually(case_incidents)}
    assert found.keys() == {filed["workflow_id"], matter}, found
    assert {i["kind"] for i in found.values()} == {"terminated"} and "by parent close" in found[matter]["caller"]
    # The case's own page says so too, in the judge's words: the case's, and its matter's, linked.
    docket = await ui_page(stack["web"], "judge", f"/ui/dockets/{filed['case_id']}")
    assert docket.count('data-testid="incident"') == 2 and "本案在系统之外被强制终止" in docket
    assert "本案的这一事项在系统之外被强制终止" in docket and f'data-workflow="{matter}"' in docket
    supervisor = await login(stack["web"], "supervisor")
    board = (await supervisor.get("/api/dashboard")).json()
    named = {i["workflow_id"]: i["case_number"] for i in board["incidents"]}
    assert named[matter] == named[filed["workflow_id"]] == filed["case_number"], named
    board_page = await ui_page(stack["web"], "supervisor", "/ui/dashboard")
    assert f'href="/ui/cases/{matter}">{filed["case_number"]}</a>' in board_page
    auditor = await login(stack["web"], "auditor")
    trail = (await auditor.get(f"/api/workflows/{matter}/audit")).json()
    (marked,) = [e for e in trail["events"] if e["category"] == "incident"]
    assert marked["action"] == "terminated_outside_the_web" and marked["hash"] == trail["chain"]["head"]


async def _listed(http: httpx.AsyncClient, number: str, wid: str) -> dict[str, Any] | None:
    rows = (await http.get("/api/workflows", params={"case_number": number})).json()
    return next((r for r in rows if r["workflow_id"] == wid), None)


async def test_the_upgrade_records_what_was_started_before_the_register(
    http: httpx.AsyncClient, client: Client, settings: Settings
) -> None:
    """``python -m web.admin register-existing``: workflows started before the upgrade (no register row yet)
    are recorded once and listed again; one started after the cut-over is not."""
    from datetime import UTC, datetime

    from tests.helpers import started_register
    from web.services.register import backfill

    number = case_number()
    plain = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)

    async def unrecorded() -> str:
        handle = await plain.start_workflow(
            "AssetInquiry",
            id=f"asset-inquiry-{uuid.uuid4().hex[:12]}",
            task_queue=f"nobody-{uuid.uuid4().hex[:8]}",
            search_attributes=scenario_search_attributes(number, "asset-inquiry", "running", DEMO_COURT),
        )
        return handle.id

    before = await unrecorded()
    await asyncio.sleep(0.5)
    cut_over = datetime.now(UTC)
    await asyncio.sleep(0.5)
    after = await unrecorded()
    try:
        assert await wait_listed(http, number, timeout=2) == []
        db = started_register(settings.web_database_url).db
        assert before in await backfill(client, db, cut_over, dry_run=True)
        assert await wait_listed(http, number, timeout=2) == [], "a dry run records nothing"
        recorded = await backfill(client, db, cut_over)
        assert before in recorded and after not in recorded
        assert [r["workflow_id"] for r in await wait_listed(http, number)] == [before]
        assert before not in await backfill(client, db, cut_over), "once"
    finally:
        for wid in (before, after):
            await plain.get_workflow_handle(wid).terminate(reason="test cleanup")
