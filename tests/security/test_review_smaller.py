"""Issue 23, item 8: the smaller holes of the security review — the party index's limit applied before
the court filter, a payee list's error report readable by any court knowing its hash, ``/metrics`` open
without a token outside the sandbox. (The scrubber's shapes: tests/security/test_trust_web.py.)"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from config.settings import Settings
from security.identity import ActorKeys
from store.db import Database
from tests.helpers import login
from web import metrics
from web.errors import install_error_handlers
from web.services import parties
from workflows.cross_region_seizure.models import CrossRegionSeizureRequest, Vehicle

SHANGCHENG, JIAXING = "杭州市上城区人民法院", "嘉兴市中级人民法院"


async def test_the_party_index_filters_by_court_before_its_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from domain.parties import Party, PartyKind
    from tests.helpers import resident_id

    db = Database(f"sqlite:///{tmp_path / 'index.db'}")
    db.upgrade()
    keys = ActorKeys(active="p1", keys={"p1": "A" * 43 + "="})
    owner = Party(kind=PartyKind.PERSON, name="郑某某", id_number=resident_id())
    try:
        for i, court in enumerate([JIAXING, JIAXING, JIAXING, SHANGCHENG]):
            req = CrossRegionSeizureRequest(
                case_number=f"(2026)浙0102执{i + 1}号",
                court=court,
                ruling_ref="(2026)浙0102执1号之一",
                vehicle=Vehicle(plate="浙A12345", vin="LSVAU2180N2123456", owner=owner),
            )
            await parties.index_case(db, keys, f"case-{i}", "cross-region-seizure", court, req)
        monkeypatch.setattr(parties, "MAX_CASES", 2)  # fewer than the other court's cases
        assert await parties.cases_of(db, keys, owner.id_number, (SHANGCHENG,)) == ["case-3"]
        assert sorted(await parties.cases_of(db, keys, owner.id_number, (JIAXING,))) == ["case-0", "case-1"]
    finally:
        db.dispose()


async def test_a_payee_error_report_is_read_only_in_its_court(web: str):
    bad = f"收款人,身份证号,开户行,账号,金额\r\n张三,{uuid.uuid4().hex[:8]},工商银行,1,1.00\r\n".encode()
    async with await login(web, "judge") as judge, await login(web, "judge-jiaxing") as foreign:
        r = await judge.post("/api/payouts/lists", files={"file": ("p.csv", bad, "text/csv")})
        assert r.status_code == 422, r.text
        report = r.json()["error_report"]
        assert (await judge.get(report)).status_code == 200
        r = await foreign.get(report)
        assert r.status_code == 404 and r.json()["code"] == "ERROR_REPORT_NOT_FOUND"


async def test_metrics_are_open_without_a_token_only_in_the_sandbox(settings: Settings):
    production = settings.model_copy(update={"profile": "production", "metrics_token": ""})
    app = FastAPI()
    install_error_handlers(app)
    metrics.install(app)
    app.state.om = SimpleNamespace(settings=production)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/metrics")
    assert r.status_code == 401 and r.json()["code"] == "METRICS_TOKEN_REQUIRED"


async def test_a_day_in_a_query_is_written_as_the_schema_says(web: str):
    """The review's Schemathesis run: ``started_to=0`` was read as 1970-01-01; the schema says a date."""
    async with await login(web, "judge") as judge:
        for query in ("started_to=0", "started_from=1700000000", "started_to=2026-1-5"):
            r = await judge.get(f"/api/workflows?{query}")
            assert r.status_code == 422, (query, r.text)
        assert (await judge.get("/api/legal/fees/enforcement?amount_fen=100&on=0")).status_code == 422
        assert (await judge.get("/api/workflows?started_from=2026-12-01&started_to=2026-12-06")).status_code == 200
        assert (await judge.get("/api/legal/fees/enforcement?amount_fen=100&on=2026-12-06")).status_code == 200
        # A moment too: ``due_before=0.5`` was read as half a second after 1970 (a later Schemathesis run).
        for query in ("due_before=0.5", "due_before=0", "due_before=2026-12-06"):
            assert (await judge.get(f"/api/tasks?{query}")).status_code == 422, query
        assert (await judge.get("/api/tasks?due_before=2026-12-06T10:00:00%2B08:00")).status_code == 200


async def test_the_schema_states_what_the_web_refuses_before_a_route(web: str):
    """The contract deviations of the review's Schemathesis run that were not the routes' own (web/contract.py,
    web/errors.py): the guard's text rule in the schema, a form field that cannot be null, a body that does
    not parse as its media type, and a 405 naming every method of its path."""
    async with httpx.AsyncClient(base_url=web) as anon:
        schema = (await anon.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    refused = "\u0013\u0085\u202e"
    # Every text a request carries, and the names of fields no model names, are plain text.
    name = components["Reasoned"]["propertyNames"]["pattern"]
    assert name == r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$"
    assert re.fullmatch(name, "理由\t\n") and not any(re.fullmatch(name, c) for c in refused)
    # A reason is stripped, then needed: white space alone is none.
    reason = components["Reasoned"]["properties"]["reason"]["pattern"]
    assert re.fullmatch(reason, " 理由\n") and not any(re.fullmatch(reason, c) for c in (*refused, "\r", " \t"))
    assert components["Reasoned"]["additionalProperties"] == {"$ref": "#/components/schemas/PlainJson"}
    query = {p["name"]: p["schema"] for p in schema["paths"]["/api/tasks"]["get"]["parameters"]}
    assert query["case_number"]["anyOf"][0]["pattern"] == name
    # Every body may be refused as too large, and says so.
    bodies = [op for ops in schema["paths"].values() for op in ops.values() if "requestBody" in op]
    assert len(bodies) > 30 and all("413" in op["responses"] for op in bodies)
    # The payee list's balance is left out for "none"; the text "null" is no number.
    form = schema["paths"]["/api/payouts/lists"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    balance = components[form["$ref"].rsplit("/", 1)[1]]["properties"]["balance_fen"]
    assert balance["type"] == "integer" and "anyOf" not in balance
    async with await login(web, "judge") as judge:
        r = await judge.post(
            "/api/tasks/x/reject", content=b'{"reason": "\xff\xfe"}', headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 422 and r.json()["code"] == "BODY_UNREADABLE", r.text
        assert r.json()["errors"][0]["rule"] == "BODY_UNREADABLE"
        r = await judge.post("/api/cases", content=b"{" + b" " * (2 * 1024 * 1024) + b"}")
        assert r.status_code == 413 and r.json()["code"] == "BODY_TOO_LARGE"
        r = await judge.request("OPTIONS", "/api/cases")
        assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
