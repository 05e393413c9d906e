"""The JSON API over a real Temporal dev server: authentication, role rules enforced on the server,
the common error shape, validation that starts nothing, decisions and partner callbacks."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from stdnum.cn import ric
from temporalio.client import Client, WorkflowExecutionStatus

from adapters.registry import AdapterRegistry
from config.settings import Settings
from domain.actors import Actor, Role
from security.identity import acting_as
from tests.helpers import case_number
from web.accounts import (
    DEMO_ACCOUNTS,
    DEMO_COURT,
    DEMO_STAFF_NAMES,
    DEMO_USER_COURTS,
    actor_for_token,
    create_user,
    demo_accounts,
    get_user,
    issue_token,
    list_users,
    revoke_token,
    seed_sandbox,
)
from web.app import create_app
from web.codec import SESSION_COOKIE
from web.db import Database, User, upgrade_to_head
from web.security import hash_password, token_digest, verify_password
from web.services.workflows import build_list_query, quote
from web.ui.session import csrf_for
from workers.main import running_worker
from workflows.foundation.child_matters import INQUIRED_CATEGORIES
from workflows.foundation.messages import CANCEL_REQUEST_SIGNAL

SCENARIO = "asset-inquiry"
START = f"/api/scenarios/{SCENARIO}/workflows"
_tokens: dict[str, str] = {}


def valid_id(body: str = "11010519491231002") -> str:
    """An 18-character resident ID number (居民身份证号) with a correct check digit."""
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit appended


def inquiry_request(case: str, **changes: Any) -> dict[str, Any]:
    req: dict[str, Any] = {
        "case_number": case,
        "court": "杭州市上城区人民法院",
        "debtor": {"kind": "person", "name": "张三", "id_number": valid_id()},
        "amount_owed_fen": 500000,
        "execution_costs_fen": 10000,
    }
    req.update(changes)
    return req


@pytest.fixture
async def http(web: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web, timeout=30) as c:
        yield c


async def token(http: httpx.AsyncClient, username: str) -> str:
    if username not in _tokens:
        r = await http.post("/api/auth/token", data={"username": username, "password": username})
        assert r.status_code == 200, r.text
        _tokens[username] = r.json()["access_token"]
    return _tokens[username]


async def auth(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await token(http, username)}"}


def assert_error(r: httpx.Response, status: int, code: str | None = None, field: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert {"code", "message", "field"} <= body.keys(), body
    assert body["message"]
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body["field"] == field, body
    return body


async def workflows_for(http: httpx.AsyncClient, case: str) -> list[dict[str, Any]]:
    # The dev server's SQLite visibility is updated in the same transaction as the start, so an
    # immediate read after a refused start is a fair check that nothing was started.
    r = await http.get("/api/workflows", params={"case_number": case}, headers=await auth(http, "judge"))
    assert r.status_code == 200, r.text
    rows: list[dict[str, Any]] = r.json()
    return rows


async def wait_listed(http: httpx.AsyncClient, case: str, count: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rows = await workflows_for(http, case)
        if len(rows) >= count or asyncio.get_running_loop().time() > deadline:
            return rows
        await asyncio.sleep(0.1)


# --- authentication ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "role", "agency"), DEMO_ACCOUNTS)
async def test_every_demo_account_logs_in(
    http: httpx.AsyncClient, username: str, role: str, agency: str | None
) -> None:
    r = await http.post("/api/auth/token", data={"username": username, "password": username})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    assert (body["role"], body["agency"]) == (role, agency)
    me = await http.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    courts = list(DEMO_USER_COURTS.get(username, ()))
    assert me.json() == {"user_id": username, "role": role, "agency": agency} | ({"courts": courts} if courts else {})


async def test_wrong_password_is_401(http: httpx.AsyncClient) -> None:
    r = await http.post("/api/auth/token", data={"username": "judge", "password": "wrong"})
    assert_error(r, 401, "INVALID_CREDENTIALS")
    r = await http.post("/api/auth/token", data={"username": "nobody", "password": "nobody"})
    assert_error(r, 401, "INVALID_CREDENTIALS")


async def test_missing_or_bad_token_is_401(http: httpx.AsyncClient) -> None:
    for path in ("/api/scenarios", "/api/me", "/api/workflows", "/api/workflows/x"):
        r = await http.get(path)
        assert_error(r, 401, "UNAUTHENTICATED")
        assert r.headers["www-authenticate"] == "Bearer"
        r = await http.get(path, headers={"Authorization": "Bearer not-a-token"})
        assert_error(r, 401, "INVALID_TOKEN")
    r = await http.post(START, json=inquiry_request(case_number()))
    assert_error(r, 401)


async def test_logout_revokes_the_token(http: httpx.AsyncClient) -> None:
    r = await http.post("/api/auth/token", data={"username": "auditor", "password": "auditor"})
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert (await http.get("/api/me", headers=headers)).status_code == 200
    assert (await http.post("/api/auth/logout", headers=headers)).status_code == 200
    assert_error(await http.get("/api/me", headers=headers), 401, "INVALID_TOKEN")


async def test_partner_system_token_authenticates(http: httpx.AsyncClient, settings: Settings) -> None:
    partner = settings.partners()[0]
    r = await http.get("/api/me", headers={"Authorization": f"Bearer {partner.token}"})
    assert r.json() == {"user_id": partner.id, "role": "agency", "agency": partner.id}


# --- scenarios and starting ----------------------------------------------------------------------------


async def test_scenarios_list_their_input_schema(http: httpx.AsyncClient) -> None:
    r = await http.get("/api/scenarios", headers=await auth(http, "auditor"))
    assert r.status_code == 200
    by_name = {s["name"]: s for s in r.json()}
    s = by_name[SCENARIO]
    assert s["title"] and s["title_en"]
    assert {"case_number", "court", "debtor", "amount_owed_fen"} <= s["input_schema"]["properties"].keys()


@pytest.mark.parametrize("username", ["bank-icbc", "auditor", "admin"])
async def test_only_a_judge_starts_a_workflow(http: httpx.AsyncClient, username: str) -> None:
    case = case_number()
    r = await http.post(START, json=inquiry_request(case), headers=await auth(http, username))
    assert_error(r, 403, "ROLE_FORBIDDEN")
    assert await workflows_for(http, case) == []


async def test_invalid_id_number_is_422_and_starts_nothing(http: httpx.AsyncClient) -> None:
    case = case_number()
    bad_id = valid_id()[:-1] + ("0" if valid_id()[-1] != "0" else "1")
    debtor = {"kind": "person", "name": "张三", "id_number": bad_id}
    r = await http.post(START, json=inquiry_request(case, debtor=debtor), headers=await auth(http, "judge"))
    body = assert_error(r, 422, "VALIDATION_FAILED", "debtor.id_number")
    assert "debtor.id_number" in body["message"] and "resident ID" in body["message"]
    assert bad_id not in r.text  # the input is never echoed: it is personal data
    assert await workflows_for(http, case) == []


async def test_negative_amount_is_422_and_starts_nothing(http: httpx.AsyncClient) -> None:
    case = case_number()
    r = await http.post(START, json=inquiry_request(case, amount_owed_fen=-1), headers=await auth(http, "judge"))
    body = assert_error(r, 422, "VALIDATION_FAILED", "amount_owed_fen")
    assert "greater_than" in body["message"]
    assert body["errors"] == [
        {"field": "amount_owed_fen", "rule": "greater_than", "message": body["errors"][0]["message"]}
    ]
    assert await workflows_for(http, case) == []


async def test_every_validation_error_is_listed(http: httpx.AsyncClient) -> None:
    case = case_number()
    req = inquiry_request(case, amount_owed_fen=1.5, execution_costs_fen=-3, court="")
    r = await http.post(START, json=req, headers=await auth(http, "judge"))
    body = assert_error(r, 422, "VALIDATION_FAILED")
    fields = {e["field"] for e in body["errors"]}
    assert {"court", "amount_owed_fen", "execution_costs_fen"} <= fields
    assert all(e["rule"] and e["message"] for e in body["errors"])
    assert await workflows_for(http, case) == []


async def test_unknown_scenario_is_404_and_starts_nothing(http: httpx.AsyncClient) -> None:
    case = case_number()
    r = await http.post(
        "/api/scenarios/no-such-scenario/workflows", json=inquiry_request(case), headers=await auth(http, "judge")
    )
    body = assert_error(r, 404, "UNKNOWN_SCENARIO")
    assert "no-such-scenario" in body["message"]
    assert await workflows_for(http, case) == []


async def test_malformed_json_is_422(http: httpx.AsyncClient) -> None:
    headers = {**await auth(http, "judge"), "Content-Type": "application/json"}
    r = await http.post(START, content=b"{not json", headers=headers)
    assert_error(r, 422, "VALIDATION_FAILED")


async def test_judge_starts_and_everyone_entitled_reads(http: httpx.AsyncClient) -> None:
    case = case_number()
    r = await http.post(START, json=inquiry_request(case), headers=await auth(http, "judge"))
    assert r.status_code == 201, r.text
    wid = r.json()["workflow_id"]
    assert wid.startswith(f"{SCENARIO}-")

    rows = await wait_listed(http, case)
    assert [row["workflow_id"] for row in rows] == [wid]
    assert rows[0]["scenario"] == SCENARIO and rows[0]["court"] == "杭州市上城区人民法院"
    assert rows[0]["temporal_status"] == "RUNNING" and rows[0]["started_at"]

    for reader in ("judge", "auditor", "admin"):
        r = await http.get(f"/api/workflows/{wid}", headers=await auth(http, reader))
        assert r.status_code == 200, r.text
        detail = r.json()
        assert (detail["workflow_id"], detail["case_number"], detail["scenario"]) == (wid, case, SCENARIO)
        assert valid_id() not in r.text  # the debtor's ID number is shown masked, if at all
    assert_error(await http.get(f"/api/workflows/{wid}", headers=await auth(http, "bank-icbc")), 403)
    assert_error(await http.get("/api/workflows", headers=await auth(http, "bank-icbc")), 403)


async def test_idempotency_key_starts_once(http: httpx.AsyncClient) -> None:
    case = case_number()
    headers = {**await auth(http, "judge"), "Idempotency-Key": uuid.uuid4().hex}
    first, second = await asyncio.gather(
        http.post(START, json=inquiry_request(case), headers=headers),
        http.post(START, json=inquiry_request(case), headers=headers),
    )
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert first.json() == second.json()
    rows = await wait_listed(http, case)
    await asyncio.sleep(0.3)
    assert [r["workflow_id"] for r in await workflows_for(http, case)] == [first.json()["workflow_id"]]
    assert len(rows) == 1


async def test_list_filters_and_quotes(http: httpx.AsyncClient) -> None:
    assert quote("a'b") == "'a''b'"
    assert build_list_query(case_number="x'y").count("'x''y'") == 1
    # A case number with a quote is found exactly, not broken or widened.
    odd = case_number().replace("执", "执'")
    r = await http.post(START, json=inquiry_request(odd), headers=await auth(http, "judge"))
    assert r.status_code == 201, r.text
    rows = await wait_listed(http, odd)
    assert [row["workflow_id"] for row in rows] == [r.json()["workflow_id"]] and rows[0]["case_number"] == odd
    headers = await auth(http, "auditor")
    r = await http.get(
        "/api/workflows", params={"case_number": "(2026)浙' OR OmScenario IS NOT NULL --"}, headers=headers
    )
    assert r.status_code == 200 and r.json() == []
    r = await http.get("/api/workflows", params={"case_number": "a\\b"}, headers=headers)
    assert_error(r, 422, "INVALID_FILTER", "case_number")
    r = await http.get("/api/workflows", params={"page_size": 0}, headers=headers)
    assert_error(r, 422, "VALIDATION_FAILED", "page_size")
    r = await http.get("/api/workflows", params={"temporal_status": "sleeping"}, headers=headers)
    assert_error(r, 422, "INVALID_TEMPORAL_STATUS", "temporal_status")


async def test_list_pages(http: httpx.AsyncClient) -> None:
    case = case_number()
    headers = await auth(http, "judge")
    for _ in range(3):
        assert (await http.post(START, json=inquiry_request(case), headers=headers)).status_code == 201
    await wait_listed(http, case, 3)
    seen: list[str] = []
    page_token: str | None = None
    for _ in range(5):
        params: dict[str, Any] = {"case_number": case, "page_size": 2}
        if page_token:
            params["next_page_token"] = page_token
        r = await http.get("/api/workflows", params=params, headers=headers)
        assert r.status_code == 200, r.text
        seen += [row["workflow_id"] for row in r.json()]
        page_token = r.headers.get("X-Next-Page-Token")
        if not page_token:
            break
    assert len(seen) == len(set(seen)) == 3


async def test_unknown_workflow_is_404(http: httpx.AsyncClient) -> None:
    r = await http.get("/api/workflows/asset-inquiry-doesnotexist", headers=await auth(http, "auditor"))
    assert_error(r, 404, "WORKFLOW_NOT_FOUND")


# --- decisions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["auditor", "admin", "bank-icbc"])
async def test_only_a_judge_decides(http: httpx.AsyncClient, username: str) -> None:
    # The workflow does not exist: a 403 rather than a 404 shows the role is checked before Temporal is asked.
    r = await http.post(
        "/api/workflows/asset-inquiry-doesnotexist/decisions/approve-control",
        json={"reason": "同意"},
        headers=await auth(http, username),
    )
    assert_error(r, 403, "ROLE_FORBIDDEN")


async def test_decision_on_unknown_workflow_is_404(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/api/workflows/asset-inquiry-doesnotexist/decisions/approve-control",
        json={"reason": "同意"},
        headers=await auth(http, "judge"),
    )
    assert_error(r, 404, "WORKFLOW_NOT_FOUND")


class MockPartners:
    """Partners behind an httpx mock: one answers inquiries later by callback, the others at once
    with nothing found. Measures are not expected (the tests reject control)."""

    def __init__(self, async_partner: str) -> None:
        self.async_partner = async_partner

    def __call__(self, request: httpx.Request) -> httpx.Response:
        partner = request.url.path.split("/")[2]  # /partners/{id}/inquiries
        if not request.url.path.endswith("/inquiries"):
            return httpx.Response(500, json={"code": "UNEXPECTED", "message": "not part of this test"})
        request_id = json.loads(request.content)["request_id"]
        if partner == self.async_partner:
            return httpx.Response(202, json={"request_id": request_id, "status": "accepted"})
        return httpx.Response(200, json={"request_id": request_id, "status": "answered", "assets": []})


@pytest.fixture
async def mock_api(client: Client, settings: Settings, web: str) -> AsyncIterator[httpx.AsyncClient]:
    """A second web app and a worker on their own task queue, with partners mocked in-process: decisions
    and callbacks are exercised deterministically, whatever the simulators do."""
    # Same database as the session's web app, so tokens issued by either work on both.
    own = settings.model_copy(update={"task_queue": f"web-mock-{uuid.uuid4().hex[:8]}"})
    app = create_app(own, client)
    registry = AdapterRegistry(own.partners(), transport=httpx.MockTransport(MockPartners(own.partners()[0].id)))
    async with (
        app.router.lifespan_context(app),
        running_worker(client, own, adapters=registry),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web") as http,
    ):
        yield http
    await registry.aclose()


async def wait_for(
    http: httpx.AsyncClient, wid: str, ready: Callable[[dict[str, Any]], bool], timeout: float = 30
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    headers = await auth(http, "judge")
    while True:
        r = await http.get(f"/api/workflows/{wid}", headers=headers)
        assert r.status_code == 200, r.text
        detail: dict[str, Any] = r.json()
        if detail["live"] and ready(detail):
            return detail
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"workflow never got there: status {detail['status']!r}")
        await asyncio.sleep(0.1)


async def test_callback_completes_the_inquiry_once(mock_api: httpx.AsyncClient, settings: Settings) -> None:
    http = mock_api
    partners = settings.partners()
    icbc = partners[0]
    r = await http.post(START, json=inquiry_request(case_number()), headers=await auth(http, "judge"))
    assert r.status_code == 201, r.text
    wid = r.json()["workflow_id"]
    # Everyone else has answered; the async partner's inquiry is waiting for its callback.
    inquired = [p for p in partners if p.category in INQUIRED_CATEGORIES]  # auction platforms hold no assets
    detail = await wait_for(http, wid, lambda d: len(d["summary"]["partners"]) == len(inquired) - 1)
    assert detail["status"] == "inquiring" and icbc.id not in detail["summary"]["partners"]

    account = "6222021234567890128"
    body = callback(icbc.id, f"{wid}::inquire/{icbc.id}")
    body["assets"] = [{"kind": "deposit", "reference": account, "description": "活期", "available_fen": 123_456}]
    url = f"/api/partners/{icbc.id}/callbacks/inquiry"
    headers = {"Authorization": f"Bearer {icbc.token}"}
    r = await http.post(url, json=body, headers=headers)
    assert r.status_code == 200 and r.json() == {"status": "recorded", "reason": None}, r.text
    # The partner retries, or sends the answer twice: taken by Temporal, dropped by the workflow.
    r = await http.post(url, json=body, headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "recorded", r.text

    detail = await wait_for(http, wid, lambda d: d["status"] == "awaiting_decision")
    assert detail["summary"]["partners"][icbc.id] == "answered"
    assert [a["available_fen"] for a in detail["summary"]["report"]] == [123_456]
    assert account not in json.dumps(detail)  # account numbers are not shown in the status


async def test_a_flood_of_duplicate_callbacks_is_taken_and_counted_once(
    mock_api: httpx.AsyncClient, client: Client, settings: Settings
) -> None:
    """More callbacks for one inquiry at once than Temporal lets Updates be in flight (10): every one is
    answered 2xx — none is left for the partner to give up on — and the answer counts once."""
    http = mock_api
    partners = settings.partners()
    icbc = partners[0]
    r = await http.post(START, json=inquiry_request(case_number()), headers=await auth(http, "judge"))
    assert r.status_code == 201, r.text
    wid = r.json()["workflow_id"]
    inquired = [p for p in partners if p.category in INQUIRED_CATEGORIES]
    await wait_for(http, wid, lambda d: len(d["summary"]["partners"]) == len(inquired) - 1)

    body = callback(icbc.id, f"{wid}::inquire/{icbc.id}")
    body["assets"] = [{"kind": "deposit", "reference": "6222021234567890128", "available_fen": 77_700}]
    url = f"/api/partners/{icbc.id}/callbacks/inquiry"
    headers = {"Authorization": f"Bearer {icbc.token}"}
    flood = 16
    answers = await asyncio.gather(*(http.post(url, json=body, headers=headers) for _ in range(flood)))
    assert [a.status_code for a in answers] == [200] * flood, [a.text for a in answers if a.status_code != 200]
    assert {a.json()["status"] for a in answers} == {"recorded"}

    detail = await wait_for(http, wid, lambda d: d["status"] == "awaiting_decision")
    assert detail["summary"]["partners"][icbc.id] == "answered"
    assert [a["available_fen"] for a in detail["summary"]["report"]] == [77_700]  # one asset, not sixteen
    history = await client.get_workflow_handle(wid).fetch_history()
    signalled = [e for e in history.events if e.HasField("workflow_execution_signaled_event_attributes")]
    assert len(signalled) == flood, "every callback reached the workflow; it took the first"
    # Once the inquiry has ended, a callback is ignored without reaching it.
    r = await http.post(
        f"/api/workflows/{wid}/decisions/reject-control", json={"reason": "撤回"}, headers=await auth(http, "judge")
    )
    assert r.status_code == 200, r.text
    await wait_for(http, wid, lambda d: d["temporal_status"] == "COMPLETED")
    r = await http.post(url, json=body, headers=headers)
    assert r.status_code == 200 and r.json() == {"status": "ignored", "reason": "duplicate or late"}


async def test_decision_round_trip(mock_api: httpx.AsyncClient, settings: Settings) -> None:
    http = mock_api
    judge = await auth(http, "judge")
    icbc = settings.partners()[0]
    case = case_number()
    keyed = {**judge, "Idempotency-Key": uuid.uuid4().hex}
    wid = (await http.post(START, json=inquiry_request(case), headers=keyed)).json()["workflow_id"]
    inquired = [p for p in settings.partners() if p.category in INQUIRED_CATEGORIES]
    await wait_for(http, wid, lambda d: len(d["summary"]["partners"]) == len(inquired) - 1)
    cb = callback(icbc.id, f"{wid}::inquire/{icbc.id}")
    r = await http.post(
        f"/api/partners/{icbc.id}/callbacks/inquiry", json=cb, headers={"Authorization": f"Bearer {icbc.token}"}
    )
    assert r.json()["status"] == "recorded"
    detail = await wait_for(http, wid, lambda d: d["status"] == "awaiting_decision")
    assert {d["name"] for d in detail["pending_decisions"]} == {"approve-control", "reject-control"}

    decide = f"/api/workflows/{wid}/decisions"
    r = await http.post(f"{decide}/approve-control", json={"reason": "x"}, headers=await auth(http, "auditor"))
    assert_error(r, 403, "ROLE_FORBIDDEN")
    assert_error(await http.post(f"{decide}/pardon", json={"reason": "x"}, headers=judge), 409, "UNKNOWN_DECISION")
    r = await http.post(f"{decide}/approve-control", json={"reason": "x", "deduct": "maybe"}, headers=judge)
    body = assert_error(r, 422, "INVALID_DECISION")
    assert "deduct" in body["message"]
    r = await http.post(f"{decide}/reject-control", json={"reason": " "}, headers=judge)
    assert_error(r, 409, "REASON_REQUIRED")

    r = await http.post(f"{decide}/reject-control", json={"reason": "未发现可供执行财产"}, headers=judge)
    assert r.status_code == 200, r.text
    outcome = r.json()
    assert outcome["decision"] == "reject-control"
    assert outcome["by"] == {"user_id": "judge", "role": "judge", "agency": None, "courts": [DEMO_COURT]}

    # The workflow's last step (archiving its audit trail) runs after the status says rejected.
    detail = await wait_for(http, wid, lambda d: d["status"] == "rejected" and d["temporal_status"] == "COMPLETED")
    entry = next(e for e in detail["timeline"] if e["action"] == "decision")
    assert (entry["actor"]["user_id"], entry["reason"]) == ("judge", "未发现可供执行财产")
    assert detail["result"]["status"] == "rejected" and detail["temporal_status"] == "COMPLETED"
    r = await http.post(f"{decide}/approve-control", json={"reason": "再议"}, headers=judge)
    assert_error(r, 409)
    # The same keyed start, sent again after the workflow ended, names it and starts nothing new.
    r = await http.post(START, json=inquiry_request(case), headers=keyed)
    assert r.status_code == 201 and r.json()["workflow_id"] == wid
    assert [row["workflow_id"] for row in await workflows_for(http, case)] == [wid]


# --- cancelling a case -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["auditor", "admin", "bank-icbc"])
async def test_only_a_judge_cancels(http: httpx.AsyncClient, username: str) -> None:
    r = await http.post(
        "/api/workflows/asset-inquiry-doesnotexist/cancel", json={"reason": "撤回"}, headers=await auth(http, username)
    )
    assert_error(r, 403, "ROLE_FORBIDDEN")


async def test_cancel_needs_a_reason_and_a_case(http: httpx.AsyncClient, client: Client) -> None:
    judge = await auth(http, "judge")
    r = await http.post("/api/workflows/asset-inquiry-doesnotexist/cancel", json={"reason": "撤回"}, headers=judge)
    assert_error(r, 404, "WORKFLOW_NOT_FOUND")
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        r = await http.post("/api/workflows/asset-inquiry-doesnotexist/cancel", json=body, headers=judge)
        assert_error(r, 422, "VALIDATION_FAILED", "reason")
    # A workflow that is not a case (no scenario): it does not exist for the judge, through the API or
    # the UI, and is left alone.
    with acting_as(Actor(user_id="judge", role=Role.JUDGE)):
        other = await client.start_workflow(
            "NotAScenario", id=f"not-a-case-{uuid.uuid4().hex[:8]}", task_queue=f"nobody-{uuid.uuid4().hex[:8]}"
        )
    try:
        r = await http.post(f"/api/workflows/{other.id}/cancel", json={"reason": "撤回"}, headers=judge)
        assert_error(r, 404, "WORKFLOW_NOT_FOUND")
        session = judge["Authorization"].removeprefix("Bearer ")
        r = await http.post(
            f"/ui/cases/{other.id}/cancel",
            data={"csrf": csrf_for(session), "reason": "撤回"},
            cookies={SESSION_COOKIE: session},
        )
        assert r.status_code == 404, r.text
        assert (await other.describe()).status is WorkflowExecutionStatus.RUNNING
        history = await other.fetch_history()
        assert not [e for e in history.events if e.HasField("workflow_execution_signaled_event_attributes")]
    finally:
        with acting_as(Actor(user_id="judge", role=Role.JUDGE)):
            await other.terminate(reason="test cleanup")


async def test_judge_cancels_a_case_with_who_when_and_why(
    mock_api: httpx.AsyncClient, settings: Settings, client: Client
) -> None:
    http = mock_api
    judge = await auth(http, "judge")
    wid = (await http.post(START, json=inquiry_request(case_number()), headers=judge)).json()["workflow_id"]
    await wait_for(http, wid, lambda d: d["status"] == "inquiring")
    r = await http.post(f"/api/workflows/{wid}/cancel", json={"reason": "申请执行人撤回执行申请"}, headers=judge)
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["workflow_id"] == wid and body["requested_at"]
    assert body["by"] == {"user_id": "judge", "role": "judge", "agency": None, "courts": [DEMO_COURT]}

    deadline = asyncio.get_running_loop().time() + 30
    while (desc := await client.get_workflow_handle(wid).describe()).status is WorkflowExecutionStatus.RUNNING:
        assert asyncio.get_running_loop().time() < deadline, "the workflow was never cancelled"
        await asyncio.sleep(0.1)
    assert desc.status is WorkflowExecutionStatus.CANCELED
    # Who and why are in the history: the signal carries the reason (encrypted) and the judge's header;
    # Temporal's own cancel request names the user only.
    history = await client.get_workflow_handle(wid).fetch_history()
    signals = [
        e.workflow_execution_signaled_event_attributes
        for e in history.events
        if e.HasField("workflow_execution_signaled_event_attributes")
    ]
    assert [s.signal_name for s in signals] == [CANCEL_REQUEST_SIGNAL]
    [reason] = await client.data_converter.decode(signals[0].input.payloads, [dict])
    assert reason == {"reason": "申请执行人撤回执行申请"}
    assert "申请执行人".encode() not in signals[0].input.SerializeToString()  # encrypted in history
    requested = [
        e.workflow_execution_cancel_requested_event_attributes
        for e in history.events
        if e.HasField("workflow_execution_cancel_requested_event_attributes")
    ]
    assert len(requested) == 1 and "judge" in requested[0].cause
    # A closed case takes no second cancellation.
    r = await http.post(f"/api/workflows/{wid}/cancel", json={"reason": "再次"}, headers=judge)
    assert_error(r, 409, "WORKFLOW_CLOSED")


@pytest.mark.usefixtures("stack")
async def test_end_to_end_with_simulators(http: httpx.AsyncClient) -> None:
    """Through the real simulators: a debtor with nothing to find, approved, ends completed."""
    judge = await auth(http, "judge")
    wid = (await http.post(START, json=inquiry_request(case_number()), headers=judge)).json()["workflow_id"]
    await wait_for(http, wid, lambda d: d["status"] == "awaiting_decision", timeout=120)
    r = await http.post(f"/api/workflows/{wid}/decisions/approve-control", json={"reason": "依法查控"}, headers=judge)
    assert r.status_code == 200, r.text
    detail = await wait_for(http, wid, lambda d: d["temporal_status"] == "COMPLETED", timeout=60)
    assert detail["result"]["status"] == "completed"


# --- partner callbacks ---------------------------------------------------------------------------------------


def callback(partner: str, request_id: str) -> dict[str, Any]:
    return {"request_id": request_id, "partner_id": partner, "status": "answered", "assets": []}


async def test_callback_needs_that_partners_token(http: httpx.AsyncClient, settings: Settings) -> None:
    icbc, ccb = settings.partners()[0], settings.partners()[1]
    url = f"/api/partners/{icbc.id}/callbacks/inquiry"
    body = callback(icbc.id, f"{SCENARIO}-x::inquire/{icbc.id}")
    for headers in (
        {"Authorization": f"Bearer {ccb.token}"},  # another partner's system
        await auth(http, ccb.id),  # another partner's user
        await auth(http, "judge"),
        await auth(http, "admin"),
    ):
        assert_error(await http.post(url, json=body, headers=headers), 403)
    assert_error(await http.post(url, json=body), 401)


async def test_callback_request_ids(http: httpx.AsyncClient, settings: Settings) -> None:
    icbc, ccb = settings.partners()[0], settings.partners()[1]
    url = f"/api/partners/{icbc.id}/callbacks/inquiry"
    headers = {"Authorization": f"Bearer {icbc.token}"}
    r = await http.post(url, json=callback(icbc.id, "not-ours"), headers=headers)
    assert_error(r, 404, "UNKNOWN_REQUEST", "request_id")
    # Well-formed, but no such workflow: harmless, like a late answer.
    r = await http.post(url, json=callback(icbc.id, f"{SCENARIO}-nosuchworkflow::inquire/{icbc.id}"), headers=headers)
    assert r.status_code == 200 and r.json() == {"status": "ignored", "reason": "duplicate or late"}
    # Another partner's inquiry, or a body naming another partner.
    r = await http.post(url, json=callback(icbc.id, f"{SCENARIO}-x::inquire/{ccb.id}"), headers=headers)
    assert_error(r, 403, "WRONG_REQUEST")
    r = await http.post(url, json=callback(ccb.id, f"{SCENARIO}-x::inquire/{ccb.id}"), headers=headers)
    assert_error(r, 403, "PARTNER_MISMATCH", "partner_id")
    r = await http.post(url, json={"request_id": "x"}, headers=headers)
    assert_error(r, 422, "VALIDATION_FAILED")


# --- user administration ------------------------------------------------------------------------------------


async def test_admin_manages_users(http: httpx.AsyncClient) -> None:
    admin = await auth(http, "admin")
    name = f"judge-{uuid.uuid4().hex[:8]}"
    r = await http.post(
        "/api/users",
        json={"username": name, "password": "s3cret-pass", "role": "judge", "court": DEMO_COURT},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert "password" not in r.text
    r = await http.post(
        "/api/users",
        json={"username": name, "password": "s3cret-pass", "role": "judge", "court": DEMO_COURT},
        headers=admin,
    )
    assert_error(r, 409, "USERNAME_TAKEN", "username")
    r = await http.post(
        "/api/users", json={"username": "x-agency", "password": "s3cret-pass", "role": "agency"}, headers=admin
    )
    assert_error(r, 422, "AGENCY_REQUIRED", "agency")

    login = await http.post("/api/auth/token", data={"username": name, "password": "s3cret-pass"})
    assert login.json()["role"] == "judge"
    r = await http.post(f"/api/users/{name}/tokens", json={"label": "script"}, headers=admin)
    api_token = r.json()["token"]
    assert (await http.get("/api/me", headers={"Authorization": f"Bearer {api_token}"})).json()["user_id"] == name

    r = await http.patch(f"/api/users/{name}", json={"active": False}, headers=admin)
    assert r.json()["active"] is False
    assert_error(await http.get("/api/me", headers={"Authorization": f"Bearer {api_token}"}), 401)
    assert_error(await http.post("/api/auth/token", data={"username": name, "password": "s3cret-pass"}), 401)

    for other in ("judge", "auditor", "bank-icbc"):
        assert_error(await http.get("/api/users", headers=await auth(http, other)), 403, "ROLE_FORBIDDEN")


# --- accounts and database (no server needed) -------------------------------------------------------------


def test_passwords_and_tokens_are_stored_hashed() -> None:
    stored = hash_password("correct horse")
    assert "correct horse" not in stored and stored.startswith("scrypt$")
    assert verify_password("correct horse", stored) and not verify_password("wrong", stored)
    assert hash_password("correct horse") != stored  # per-user salt
    assert len(token_digest("sandbox-bank-icbc")) == 64


def test_migrations_and_seeding_are_idempotent(tmp_path: Path, settings: Settings) -> None:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade_to_head(url)
    upgrade_to_head(url)
    db = Database(url)
    try:
        seed_sandbox(db, settings.agencies())
        seed_sandbox(db, settings.agencies())
        with db.session() as s:
            users = list_users(s)
            assert sorted(u.username for u in users) == sorted(a[0] for a in demo_accounts(settings.agencies()))
            assert all(u.password_hash != u.username for u in users)
            partner = settings.partners()[0]
            actor = actor_for_token(s, partner.token)
            assert actor is not None and (actor.role, actor.agency) == ("agency", partner.id)
            # Judges and the president by name (a document prints the signer's); one still named by role from
            # an earlier seeding gets the name, one an admin renamed keeps theirs.
            names = {u.username: u.display_name for u in users}
            assert {n: names[n] for n in DEMO_STAFF_NAMES} == DEMO_STAFF_NAMES
            s.execute(update(User).where(User.username == "approver").values(display_name="演示庭长 (demo approver)"))
            s.execute(update(User).where(User.username == "judge").values(display_name="张法官"))
        seed_sandbox(db, settings.agencies())
        with db.session() as s:
            names = {u.username: u.display_name for u in list_users(s)}
            assert (names["approver"], names["judge"]) == (DEMO_STAFF_NAMES["approver"], "张法官")
    finally:
        db.dispose()


def test_a_token_stands_for_its_user_only_while_unexpired_unrevoked_and_active(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'web.db'}")
    db.upgrade()
    try:
        with db.session() as s:
            judge = create_user(s, "judge-t", "a long pass phrase", Role.JUDGE, courts=[DEMO_COURT], known_agencies=())
            lasting, _ = issue_token(s, judge, "api", None)
            session, _ = issue_token(s, judge, "session", timedelta(hours=1))
            expired, _ = issue_token(s, judge, "session", timedelta(seconds=-1))
        with db.session() as s:
            actor = actor_for_token(s, lasting)
            assert actor == Actor(user_id="judge-t", role=Role.JUDGE, courts=(DEMO_COURT,))
            assert actor_for_token(s, session) == actor
            assert actor_for_token(s, expired) is None
            assert actor_for_token(s, "never-issued") is None
            assert revoke_token(s, session)
        with db.session() as s:
            assert actor_for_token(s, session) is None and actor_for_token(s, lasting) is not None
            user = get_user(s, "judge-t")
            assert user is not None
            user.active = False
        with db.session() as s:
            assert actor_for_token(s, lasting) is None
    finally:
        db.dispose()


# --- health and schema ---------------------------------------------------------------------------------------


async def test_healthz(http: httpx.AsyncClient) -> None:
    r = await http.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"temporal": "ok", "database": "ok"}


async def test_unknown_route_uses_the_error_shape(http: httpx.AsyncClient) -> None:
    assert_error(await http.get("/api/nothing-here"), 404, "NOT_FOUND")


async def test_unexpected_error_uses_the_error_shape(settings: Settings, client: Client, web: str) -> None:
    app = create_app(settings, client)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError(f"debtor {valid_id()} broke something")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://web") as h:
        r = await h.get("/boom")
    assert_error(r, 500, "INTERNAL_ERROR")
    assert valid_id() not in r.text


async def test_openapi_lists_every_route(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    routes = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    assert {
        ("/healthz", "GET"),
        ("/api/auth/token", "POST"),
        ("/api/auth/logout", "POST"),
        ("/api/me", "GET"),
        ("/api/scenarios", "GET"),
        ("/api/scenarios/{name}/workflows", "POST"),
        ("/api/workflows", "GET"),
        ("/api/workflows/{workflow_id}", "GET"),
        ("/api/workflows/{workflow_id}/decisions/{decision}", "POST"),
        ("/api/workflows/{workflow_id}/cancel", "POST"),
        ("/api/partners/{partner_id}/callbacks/inquiry", "POST"),
        ("/api/users", "GET"),
        ("/api/users", "POST"),
        ("/api/users/{username}", "PATCH"),
        ("/api/users/{username}/tokens", "POST"),
    } <= routes
