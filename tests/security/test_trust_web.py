"""Issue 11, items 5, 6 (activity side), 8 and 9 at the web and worker edges: body limits before parsing,
authentication before the body, login throttle, password policy, known agencies, strict money, control
and bidi characters, Idempotency-Key reuse, response headers, the log scrubber, deterministic activity
failures, and the production/sandbox start checks. Against the real web server where the behaviour is
the server's."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError
from temporalio.exceptions import ApplicationError

from activities.common import deterministic_failures_not_retried
from activities.tasks import DeadlineRequest, TaskActivities
from config.settings import Settings
from domain.legal_time import LegalDuration, TimeUnit
from domain.money import MAX_FEN, Fen, PositiveFen
from runtime.logging import scrub_text
from tests.helpers import login
from web import limits
from web.guard import GuardMiddleware

MB = 1024 * 1024
DECISION = "POST /api/workflows/x/decisions/approve HTTP/1.1\nHost: t\n"


async def _raw(web: str, head: str, body: bytes = b"", timeout: float = 5.0) -> tuple[int, str]:
    """Sends a request by hand (headers, and only as much body as given) and reads the status line and
    headers of the answer: shows what the server answers *before* it has a body."""
    url = httpx.URL(web)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        writer.write(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    finally:
        writer.close()
    text = raw.decode("latin-1")
    return int(text.split(" ", 2)[1]), text


# --- limits and authentication before the body (real web) ----------------------------------------------


async def test_an_oversized_declared_body_is_refused_before_it_is_sent(web: str):
    head = f"{DECISION}Content-Type: application/json\nContent-Length: {64 * MB}\n"
    status, _ = await _raw(web, head)
    assert status == 413


@pytest.mark.parametrize(
    ("path", "size"),
    [("/api/tasks/t-1/attachments", 300 * MB), ("/api/payouts/lists", 300 * MB), ("/api/auth/token", 1 * MB)],
)
async def test_uploads_and_logins_have_their_own_limits(web: str, path: str, size: int):
    head = f"POST {path} HTTP/1.1\nHost: t\nContent-Type: multipart/form-data; boundary=x\nContent-Length: {size}\n"
    status, _ = await _raw(web, head)
    assert status == 413


async def test_control_characters_in_query_strings_are_refused(web: str):
    judge = await login(web, "judge")
    async with judge:
        r = await judge.get("/api/workflows", params={"case_number": "(2026)浙0102执1号\u202e"})
        assert r.status_code == 422 and r.json()["code"] == "FORBIDDEN_CHARACTER"
        r = await judge.get("/api/workflows", params={"case_number": "(2026)浙0102执1号"})
        assert r.status_code == 200


async def test_an_unauthenticated_body_is_refused_before_it_is_read(web: str):
    # Chunked, and not a byte of body sent: only a server that refuses before reading can answer.
    head = f"{DECISION}Content-Type: application/json\nTransfer-Encoding: chunked\n"
    status, _ = await _raw(web, head)
    assert status == 401
    status, raw = await _raw(web, head.replace("Transfer", "Authorization: Bearer forged-token\nTransfer"))
    assert status == 401 and "www-authenticate: bearer" in raw.lower()
    status, _ = await _raw(web, head.replace("/api/workflows/x/decisions/approve", "/codec/decode"))
    assert status == 401


async def test_an_authenticated_body_that_grows_past_the_limit_is_cut_off(web: str):
    judge = await login(web, "judge")
    async with judge:

        async def body() -> Any:
            for _ in range(3):
                yield b"x" * MB  # no Content-Length: the limit is counted while reading

        r = await judge.post("/api/scenarios/asset-inquiry/workflows", content=body())
        assert r.status_code == 413 and r.json()["code"] == "BODY_TOO_LARGE"


# --- login throttle -------------------------------------------------------------------------------------


async def test_login_is_throttled_per_user_with_growing_back_off(web: str):
    admin = await login(web, "admin")
    name, password = f"throttled-{uuid.uuid4().hex[:6]}", "correct-horse-battery"
    async with admin:
        r = await admin.post(
            "/api/users",
            json={"username": name, "password": password, "role": "judge", "court": "杭州市上城区人民法院"},
        )
        assert r.status_code == 201, r.text
    async with httpx.AsyncClient(base_url=web) as anon:
        statuses = [
            (await anon.post("/api/auth/token", data={"username": name, "password": f"guess-{i}"})).status_code
            for i in range(8)
        ]
        assert statuses[:5] == [401] * 5 and 429 in statuses[5:], statuses
        blocked = await anon.post("/api/auth/token", data={"username": name, "password": password})
        assert blocked.status_code == 429, "the right password does not help while blocked"
        assert blocked.json()["code"] == "TOO_MANY_ATTEMPTS" and int(blocked.headers["retry-after"]) >= 1
        await asyncio.sleep(int(blocked.headers["retry-after"]) + 0.2)
        r = await anon.post("/api/auth/token", data={"username": name, "password": password})
        assert r.status_code == 200, "after the back-off the right password works"


# --- accounts -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"password": "12345678"}, None),  # pydantic's own length rule answers first (422)
        ({"password": "1234567890"}, "PASSWORD_TOO_COMMON"),
        ({"password": "qwertyuiop"}, "PASSWORD_TOO_COMMON"),
        ({"password": "short-1"}, None),
        ({"username": "longusername-x", "password": "LongUsername-X"}, "PASSWORD_IS_USERNAME"),
        ({"role": "agency", "agency": "bank-of-mallory"}, "UNKNOWN_AGENCY"),
    ],
)
async def test_password_policy_and_known_agencies(web: str, body: dict[str, Any], code: str | None):
    admin = await login(web, "admin")
    new = {"username": f"u-{uuid.uuid4().hex[:8]}", "password": "correct-horse-battery", "role": "judge", **body}
    async with admin:
        r = await admin.post("/api/users", json=new)
    assert r.status_code == 422, r.text
    if code:
        assert r.json()["code"] == code


async def test_an_agency_user_for_a_known_agency_is_created(web: str):
    admin = await login(web, "admin")
    async with admin:
        r = await admin.post(
            "/api/users",
            json={
                "username": f"icbc-{uuid.uuid4().hex[:6]}",
                "password": "correct-horse-battery",
                "role": "agency",
                "agency": "bank-icbc",
            },
        )
    assert r.status_code == 201, r.text


# --- money and text -------------------------------------------------------------------------------------


class _Owed(BaseModel):
    owed: PositiveFen
    costs: Fen = 0


def test_money_is_a_strict_integer_up_to_ten_to_the_fifteen_fen():
    assert _Owed.model_validate_json('{"owed": 1000000000000000}').owed == MAX_FEN == 10**15
    for bad in ('{"owed": 1000000000000001}', '{"owed": "100"}', '{"owed": 100.0}', '{"owed": true}', '{"owed": 0}'):
        with pytest.raises(ValidationError):
            _Owed.model_validate_json(bad)
    with pytest.raises(ValidationError):
        _Owed.model_validate({"owed": 10**30})


async def test_money_and_text_at_the_api(web: str):
    judge = await login(web, "judge")
    start = {
        "case_number": "(2026)浙0102执1号",
        "court": "杭州市上城区人民法院",
        "debtor": {"kind": "person", "name": "王某某", "id_number": "330106198503120319"},
        "amount_owed_fen": 100,
    }
    async with judge:
        for bad in ({"amount_owed_fen": 10**30}, {"amount_owed_fen": "100"}):
            r = await judge.post("/api/scenarios/asset-inquiry/workflows", json={**start, **bad})
            assert r.status_code == 422, r.text
        for court in ("杭州市上城区人民法院\x00", "杭州市\u202e院法民人区城上"):
            r = await judge.post("/api/scenarios/asset-inquiry/workflows", json={**start, "court": court})
            assert r.status_code == 422 and r.json()["code"] == "FORBIDDEN_CHARACTER", r.text


async def test_an_idempotency_key_reused_with_another_body_is_409(web: str, stack: Any):
    judge = await login(web, "judge")
    key = {"Idempotency-Key": uuid.uuid4().hex}
    start = {
        "case_number": f"(2026)浙0102执{uuid.uuid4().int % 10**6}号",
        "court": "杭州市上城区人民法院",
        "debtor": {"kind": "person", "name": "王某某", "id_number": "330106198503120319"},
        "amount_owed_fen": 100_00,
    }
    async with judge:
        first = await judge.post("/api/scenarios/asset-inquiry/workflows", json=start, headers=key)
        assert first.status_code == 201, first.text
        again = await judge.post("/api/scenarios/asset-inquiry/workflows", json=start, headers=key)
        assert again.status_code == 201 and again.json() == first.json(), "the same request is the same workflow"
        other = await judge.post(
            "/api/scenarios/asset-inquiry/workflows", json={**start, "amount_owed_fen": 999_00}, headers=key
        )
        assert other.status_code == 409 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED", other.text


# --- headers --------------------------------------------------------------------------------------------


async def test_security_headers_on_every_answer(web: str):
    async with httpx.AsyncClient(base_url=web) as anon:
        for path in ("/ui/login", "/api/me", "/healthz"):
            r = await anon.get(path)
            assert r.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
            assert "script-src 'self'" in r.headers["content-security-policy"]
            assert r.headers["referrer-policy"] == "same-origin"
        login_page = await anon.get("/ui/login")
        assert "secure" not in login_page.headers.get("set-cookie", "").lower(), "loopback stays plain http"


async def test_cookies_are_secure_beyond_loopback():
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"set-cookie", b"om_session=x; HttpOnly")]}
        )
        await send({"type": "http.response.body", "body": b"ok"})

    for base, secure in (("https://court.example.cn", True), ("http://127.0.0.1:8000", False)):
        guarded = GuardMiddleware(app, public_base_url=base)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded), base_url="http://t") as c:
            r = await c.get("/ui/login")
        assert ("; Secure" in r.headers["set-cookie"]) is secure


# --- logs -----------------------------------------------------------------------------------------------


def test_scrubber_catches_numbers_next_to_cjk_and_underscore():
    assert scrub_text("身份证330106198503120319") == "身份证[redacted]"
    assert scrub_text("id_330106198503120319") == "id_[redacted]"
    assert scrub_text("账号6222021234567890123，已冻结") == "账号[redacted]，已冻结"
    assert scrub_text("信用代码91330100MA2B3C4D5E号") == "信用代码[redacted]号"
    # An ID number is caught even glued to letters or dashes (issue 23: no ID belongs in a workflow id).
    assert scrub_text("asset-inquiry-330106198503120319") == "asset-inquiry-[redacted]"


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("3301 0619 8503 1203 19", "[redacted]"),  # ID with spaces
        ("330106-19850312-0319", "[redacted]"),  # and dashes
        ("卡号 6222 0212 3456 7890 123", "卡号 [redacted]"),  # card in groups
        ("ID330106198503120319abc", "ID[redacted]abc"),  # ID glued to letters
        ("acct 123456789; 12345678901234", "acct [redacted]; [redacted]"),  # 9 and 14 digit accounts
        ("tel 138 0013 8000", "tel [redacted]"),
        ("+86 138-0013-8000", "[redacted]"),
        ("座机0571-87654321", "座机[redacted]"),
        ("电话13800138000", "电话[redacted]"),
        ("车牌浙A12345，已查封", "车牌[redacted]，已查封"),
        ("浙A·D12345", "[redacted]"),  # new-energy plate with a separator
        ("VIN LSVAU2180N2183294.", "VIN [redacted]."),
        # Left alone: dates, times, amounts, short numbers, hashes, run ids.
        ("on 2026-12-06 at 12:30, 1200.00 yuan, 12345 ms", "on 2026-12-06 at 12:30, 1200.00 yuan, 12345 ms"),
        ("sha 3f786850e387550fdab836ed7e6dc881de23001b", "sha 3f786850e387550fdab836ed7e6dc881de23001b"),
        ("run 0d9f7c6e-1a2b-4c3d-8e9f-0123456789ab", "run 0d9f7c6e-1a2b-4c3d-8e9f-0123456789ab"),
    ],
)
def test_scrubber_catches_every_shape_the_review_found(text: str, scrubbed: str):
    assert scrub_text(text) == scrubbed


# --- deterministic activity failures --------------------------------------------------------------------


async def test_a_deadline_beyond_the_calendar_fails_once_with_a_code(tmp_path: Path):
    class _Store:
        def upsert_task(self, view: Any) -> None:
            pass

    acts = TaskActivities(_Store())
    request = DeadlineRequest(
        start=datetime(2026, 11, 29, tzinfo=UTC), durations=[LegalDuration(amount=10**12, unit=TimeUnit.CALENDAR_DAY)]
    )
    with pytest.raises(ApplicationError) as err:
        with deterministic_failures_not_retried():
            await acts.compute_deadlines(request)
    assert err.value.non_retryable and err.value.type == "OUT_OF_RANGE"


def test_the_worker_runs_every_activity_under_the_deterministic_failure_rule():
    import inspect

    import workers.main

    assert "DeterministicFailuresInterceptor()" in inspect.getsource(workers.main.build_worker)


# --- start checks ---------------------------------------------------------------------------------------


def test_production_refuses_dev_keys_sandbox_tokens_and_missing_keys(tmp_path: Path):
    prod = Settings(profile="production", var_dir=tmp_path, _env_file=None)
    problems = " ".join(prod.startup_problems())
    needed_keys = (
        "OM_CODEC_KEYS_JSON",
        "OM_ACTOR_KEYS_JSON",
        "OM_AUDIT_SIGNING_KEY",
        "OM_DOCUMENT_PKI_DIR",
        "OM_TSA_URL",
    )
    for needed in (*needed_keys, "sandbox token"):
        assert needed in problems
    dev = Settings(profile="sandbox", var_dir=tmp_path, _env_file=None)
    leaked = Settings(
        profile="production",
        var_dir=tmp_path,
        codec_keys_json=dev.codec_keys.model_dump_json(),
        actor_keys_json=dev.actor_keys.model_dump_json(),
        _env_file=None,
    )
    assert "sandbox (dev-) key" in " ".join(leaked.startup_problems())
    with pytest.raises(RuntimeError, match="refusing to start"):
        prod.check_startup()


def test_the_sandbox_refuses_public_binds_unless_allowed(tmp_path: Path):
    assert Settings(profile="sandbox", var_dir=tmp_path, _env_file=None).startup_problems() == []
    public = Settings(profile="sandbox", var_dir=tmp_path, web_host="0.0.0.0", _env_file=None)
    assert "OM_ALLOW_PUBLIC_BIND" in " ".join(public.startup_problems())
    allowed = Settings(profile="sandbox", var_dir=tmp_path, web_host="0.0.0.0", allow_public_bind=True, _env_file=None)
    assert allowed.startup_problems() == []


def test_tls_settings_become_a_temporal_tls_config(tmp_path: Path):
    from temporalio.service import TLSConfig

    (tmp_path / "ca.pem").write_bytes(b"CA")
    (tmp_path / "c.pem").write_bytes(b"CERT")
    (tmp_path / "k.pem").write_bytes(b"KEY")
    assert Settings(var_dir=tmp_path, _env_file=None).temporal_tls_config() is False
    tls = Settings(
        var_dir=tmp_path,
        temporal_tls=True,
        temporal_tls_ca_file=tmp_path / "ca.pem",
        temporal_tls_cert_file=tmp_path / "c.pem",
        temporal_tls_key_file=tmp_path / "k.pem",
        temporal_tls_server_name="temporal.internal",
        _env_file=None,
    ).temporal_tls_config()
    assert isinstance(tls, TLSConfig)
    assert (tls.server_root_ca_cert, tls.client_cert, tls.client_private_key, tls.domain) == (
        b"CA",
        b"CERT",
        b"KEY",
        "temporal.internal",
    )


def test_compose_publishes_neither_temporal_nor_its_ui_nor_postgres():
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    published: dict[str, list[str]] = {}
    service, in_services, in_ports = "", False, False
    for line in compose.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            in_services = line.startswith("services:")
        elif in_services and (m := re.match(r"^  ([\w-]+):$", line)):
            service, in_ports = m.group(1), False
            published[service] = []
        elif in_services and re.match(r"^    ports:", line):
            in_ports = True
        elif in_ports and (m := re.match(r"^      - (.+)$", line)):
            published[service].append(m.group(1))
        elif re.match(r"^    \S", line):
            in_ports = False
    for name in ("temporal", "temporal-ui", "postgresql"):
        assert published[name] == [], f"{name} must not be published on host interfaces"
    assert all(p.strip('"').startswith("127.0.0.1:") for p in published["simulators"])
    assert "OM_ACTOR_KEYS_JSON" in compose and "OM_TEMPORAL_TLS" in compose


def test_empty_tls_variables_mean_not_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OM_TEMPORAL_TLS_CA_FILE", "")
    monkeypatch.setenv("OM_TEMPORAL_TLS_SERVER_NAME", "")
    s = Settings(var_dir=tmp_path, _env_file=None)
    assert s.temporal_tls_ca_file is None and s.temporal_tls_server_name is None


async def test_the_issue_500s_and_502s_are_client_errors(web: str, stack: Any):
    """Found by fuzzing (issue 11): a huge offset, a huge token lifetime, a forged page token."""
    judge, admin = await login(web, "judge"), await login(web, "admin")
    async with judge, admin:
        r = await judge.get("/api/tasks", params={"offset": 10**20})
        assert r.status_code == 422, r.text
        r = await admin.post("/api/users/judge/tokens", json={"ttl_hours": 10**9})
        assert r.status_code == 422, r.text
        r = await judge.get("/api/workflows", params={"next_page_token": "Zm9yZ2VkLXBhZ2UtdG9rZW4"})
        assert r.status_code == 422 and r.json()["code"] == "INVALID_PAGE_TOKEN", r.text


async def test_a_ui_form_without_a_session_goes_to_the_login_page_unread(web: str):
    form = "Content-Type: application/x-www-form-urlencoded\nTransfer-Encoding: chunked\n"
    head = f"POST /ui/cases/x/cancel HTTP/1.1\nHost: t\n{form}"
    status, raw = await _raw(web, head)
    assert status == 303 and "location: /ui/login" in raw.lower()


async def test_production_refuses_a_database_with_demo_accounts_or_sandbox_tokens(tmp_path: Path):
    """A production web pointed at a database the sandbox seeded does not start (issue 11, item 2)."""
    import base64

    from web.accounts import demo_leftovers, seed_sandbox
    from web.app import create_app
    from web.db import Database

    sandbox = Settings(profile="sandbox", var_dir=tmp_path, _env_file=None)
    db = Database(sandbox.web_database_url)
    db.upgrade()
    seed_sandbox(db, sandbox.agencies())
    with db.session() as s:
        leftovers = demo_leftovers(s, sandbox.agencies())
    db.dispose()
    assert any("'judge'" in x for x in leftovers) and any("sandbox token" in x for x in leftovers)

    def key(kid: str) -> str:
        return f'{{"active": "{kid}", "keys": {{"{kid}": "{base64.urlsafe_b64encode(bytes(32)).decode()}"}}}}'

    prod = Settings(
        profile="production",
        var_dir=tmp_path,
        codec_keys_json=key("c1"),
        actor_keys_json=key("a1"),
        party_index_keys_json=key("p1"),
        audit_signing_key=base64.urlsafe_b64encode(bytes(32)).decode(),
        partners_file=_real_partners(tmp_path),
        document_pki_dir=_court_certificates(tmp_path),
        tsa_url="https://tsa.example/tsa",
        _env_file=None,
    )
    assert prod.startup_problems() == []
    app = create_app(prod)
    with pytest.raises(RuntimeError, match="demo account 'judge'"):
        async with app.router.lifespan_context(app):
            pass


def _court_certificates(tmp_path: Path) -> Path:
    """A production PKI directory: the CA the courts' seal certificates chain to (documents/pki.py)."""
    from documents.pki import CourtKeys, TsaKeys

    keys = CourtKeys(tmp_path / "pki", sandbox=True)
    keys.ca()
    TsaKeys(keys.directory / "tsa", sandbox=True).ca()  # the time-stamping authority's root, where it is looked for
    return keys.directory


def _real_partners(tmp_path: Path) -> Path:
    path = tmp_path / "partners.json"
    path.write_text(
        '[{"id": "bank-x", "category": "bank", "name": "X 银行", "base_url": "https://bank-x.example/api",'
        ' "token": "a-real-secret-token"}]'
    )
    return path


# --- bodies (issue 23, item 4) --------------------------------------------------------------------------


def test_the_route_and_the_exact_media_type_decide_how_a_body_is_read():
    payees = "/api/payouts/lists"
    upload = limits.body_plan("POST", payees, "multipart/form-data; boundary=x")
    assert upload == limits.BodyPlan(257 * MB, read_by_guard=False), "an upload streams to the route"
    # The review's trick: "application/json" inside a multipart content type no longer makes it text.
    tricky = limits.body_plan("POST", payees, 'multipart/form-data; boundary="application/json"')
    assert tricky == upload
    # JSON to an upload route is JSON: read whole, so held to the text limit.
    assert limits.body_plan("POST", payees, "Application/JSON; charset=utf-8") == limits.BodyPlan(MB, True)
    assert limits.body_plan("POST", "/api/scenarios/x/workflows", "multipart/form-data; boundary=x").limit == MB
    assert limits.body_plan("POST", "/codec/decode", "application/json").limit == 8 * MB, "a route may say more"


async def test_json_to_an_upload_route_gets_the_text_limit(web: str):
    judge = await login(web, "judge")
    async with judge:

        async def body() -> Any:
            for _ in range(3):
                yield b" " * MB  # chunked: counted while reading

        r = await judge.post("/api/payouts/lists", content=body(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["code"] == "BODY_TOO_LARGE"


async def test_a_body_is_collected_in_linear_time():
    chunks = [b"x" * 1024] * 8192  # 8 MB in 1 KB chunks: appending to bytes copies ~32 GB

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": chunks.pop(), "more_body": bool(chunks)}

    started = time.perf_counter()
    body = await limits.read_all(receive)
    assert len(body) == 8 * MB and time.perf_counter() - started < 0.5
