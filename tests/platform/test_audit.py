"""The audit trail: derived from Temporal history (who, role, when, action, reason, partner references,
numbers masked), exported with a hash chain and an Ed25519 signature, verified offline by the CLI
(which names the first altered event), archived past Temporal's retention; and the codec endpoint
for Temporal's UI."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel
from temporalio import workflow
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Worker

from activities.audit import ArchiveRequest, AuditActivities
from audit.archive import load_archived
from audit.chain import seal
from audit.derive import RunningRun, _reference_of, derive_trail
from audit.export import build_export, export_bytes
from audit.redact import Redactor, reachable_models
from audit.trail import AuditEvent, TrailHeader
from audit.verify import verify_export
from config.settings import Settings
from domain.actors import Actor, Role
from domain.parties import Party, PartyKind, mask
from domain.personal import PersonName, PhoneNumber, PlateNumber
from security.converter import build_codec
from security.identity import acting_as
from store.db import Database
from tests.helpers import (
    account_number,
    asset_inquiry_request,
    case_number,
    credit_code,
    decide,
    login,
    resident_id,
    seed_subject,
    start,
    wait_status,
)
from web.app import create_app
from workflows.asset_inquiry.models import APPROVE, REJECT
from workflows.foundation.child_matters import AssetInquiryRequest
from workflows.personal_data import personal_data_models

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


# --- the export, offline ----------------------------------------------------------------------------------


def sample_trail() -> Any:
    judge = Actor(user_id="judge", role=Role.JUDGE)
    bank = Actor(user_id="bank-icbc", role=Role.AGENCY, agency="bank-icbc")
    events = [
        AuditEvent(
            index=0, at=T0, workflow_id="wf", event_id=1, category="start", action="workflow_started", actor=judge
        ),
        AuditEvent(
            index=0,
            at=T0 + timedelta(minutes=5),
            workflow_id="wf",
            event_id=9,
            category="update",
            action="decide:approve-control",
            actor=judge,
            reason="经审查, 依法冻结",
            outcome="completed",
        ),
        AuditEvent(
            index=0,
            at=T0 + timedelta(minutes=6),
            workflow_id="wf",
            event_id=14,
            category="activity",
            action="register_measure",
            actor=judge,
            partner="bank-icbc",
            reference="measure_id=FRZ-0001",
            outcome="completed",
            detail={"amount_fen": 5_000_00},
        ),
        AuditEvent(
            index=0,
            at=T0 + timedelta(hours=2),
            workflow_id="wf:task:x",
            event_id=7,
            category="update",
            action="complete",
            actor=bank,
        ),
    ]
    header = TrailHeader(
        workflow_id="wf", run_id="run-1", workflow_type="AssetInquiry", case_number="(2026)浙0102执1号"
    )
    return seal(header, events)


def write_export(tmp_path: Path, doc: dict[str, Any], name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_bytes(export_bytes(doc))
    return path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit", *args], cwd=REPO, capture_output=True, text=True, timeout=60)


def flip_byte_in(path: Path, needle: str, occurrence: int = 0) -> None:
    """Changes one byte inside the given text in the file (the first byte of its last character)."""
    raw = path.read_bytes()
    at = -1
    for _ in range(occurrence + 1):
        at = raw.index(needle.encode(), at + 1)
    last = at + len(needle.encode()) - 1
    changed = bytes([raw[last] ^ 0x01])  # 'e' -> 'd', '6' -> '7': still valid UTF-8 and JSON
    path.write_bytes(raw[:last] + changed + raw[last + 1 :])


def test_export_verifies_and_names_the_altered_event(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    doc = build_export(sample_trail(), key)
    assert verify_export(doc).ok
    path = write_export(tmp_path, doc)
    ok = cli("verify", str(path))
    assert ok.returncode == 0, ok.stderr
    assert "OK: 4 events" in ok.stdout

    flip_byte_in(path, '"user_id": "bank-icbc')  # one byte of event 3's actor
    bad = cli("verify", str(path))
    assert bad.returncode == 1
    assert "event 3 (complete) has been altered" in bad.stderr


def test_every_kind_of_tampering_is_caught(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    doc = build_export(sample_trail(), key)

    reason = json.loads(json.dumps(doc))
    reason["events"][1]["reason"] = "经审查, 依法冻结并扣划"
    v = verify_export(reason)
    assert not v.ok and v.problem is not None and (v.problem.index, v.problem.action) == (1, "decide:approve-control")

    removed = json.loads(json.dumps(doc))
    del removed["events"][2]
    assert "event 2 (complete)" in verify_export(removed).message

    truncated = json.loads(json.dumps(doc))
    truncated["events"].pop()
    assert "removed from the end" in verify_export(truncated).message

    header = json.loads(json.dumps(doc))
    header["header"]["case_number"] = "(2026)浙0102执2号"
    assert "header" in verify_export(header).message

    # Rebuilding the whole chain after an edit still fails: the server did not sign the new head.
    forged = build_export(sample_trail(), key)
    forged_events = [e.model_copy(update={"reason": None}) for e in sample_trail().events]
    reseal = seal(sample_trail().header, forged_events).model_dump(mode="json")
    forged.update(events=reseal["events"], chain=reseal["chain"])
    assert verify_export(forged).message.startswith("bad signature")

    # Re-signed with another key: passes on its own, fails against the pinned key.
    other = build_export(sample_trail(), Ed25519PrivateKey.generate())
    assert verify_export(other).ok
    assert not verify_export(other, doc["signature"]["public_key"]).ok
    path = write_export(tmp_path, other)
    assert cli("verify", str(path), "--public-key", doc["signature"]["public_key"]).returncode == 1

    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert cli("verify", str(garbage)).returncode == 2


def registered_redactor() -> Redactor:
    """What the web and the worker build: the registered scenarios' marked fields."""
    return Redactor.for_models(*personal_data_models())


def test_redaction_masks_numbers_and_names() -> None:
    pid, acct = resident_id(), account_number()
    out = registered_redactor().redact(
        {
            "debtor": {"kind": "person", "name": "王某某", "id_number": pid},
            "reference": acct,
            "note": f"账户 {acct} 已冻结",
            "amount_fen": 123,
        }
    )
    text = json.dumps(out, ensure_ascii=False)
    assert pid not in text and acct not in text and "王某某" not in text
    assert out["debtor"]["name"] == "**某" and out["reference"] == mask_of(acct)
    assert out["debtor"]["id_number"].endswith(pid[-4:]) and out["amount_fen"] == 123
    assert acct[-4:] in out["note"]


def test_a_partner_reference_that_is_a_number_of_a_person_is_masked() -> None:
    """``_reference_of`` masks an identity, credit-code or account number a partner put where its own
    reference belongs; its own references (measure ids, document ids, digests) stay as they are."""
    pid, code = resident_id(), credit_code()
    numbers = [pid, code, f"{pid[:6]} {pid[6:]}", f"{code[:8]}-{code[8:]}", f"  {pid}\t", account_number()]
    numbers.append(code[:8] + "\u2013" + code[8:])  # a full-width dash: stdnum's look-alike mapping decides
    own = ["FRZ-0001", "DED-20261207-000123", str(uuid.uuid4()), "a" * 64, "x" * 18, pid[:17] + "Y", "-" * 20]
    own.append("7— 06298-7\n—BB49- 77173-6")  # stdnum's is_valid raises on it: the trail is still derived
    result = {f"ref{i}_id": value for i, value in enumerate(numbers + own)}
    shown = dict(part.split("=", 1) for part in (_reference_of(result) or "").split(", "))
    for i, value in enumerate(numbers):
        assert shown[f"ref{i}_id"] == mask(value), value
    for i, value in enumerate(own, start=len(numbers)):
        assert shown[f"ref{i}_id"] == value, value


def mask_of(value: str, keep: int = 4) -> str:
    return "*" * (len(value) - keep) + value[-keep:]


# What web/audit.py listed by hand before the models declared their personal data.
_FORMER_KEY_LISTS = {
    *("id_number", "account", "account_no", "account_number", "bank_account", "to_account", "from_account"),
    *("case_account", "payee_account", "asset_reference", "reference", "card_number", "vin", "plate", "phone"),
    *("mobile", "name", "owner", "holder", "payee", "payee_name", "debtor_name", "buyer_name", "tenant"),
}


def test_registered_models_declare_what_the_key_lists_held() -> None:
    """No regression against the hand-kept lists: each of their keys that a registered model has as a
    field of text is masked because some model marks it."""
    keys = registered_redactor().keys
    fields = {
        name
        for model in reachable_models(personal_data_models())
        for name, info in model.model_fields.items()
        if info.annotation in (str, str | None)
    }
    missing = sorted((_FORMER_KEY_LISTS & fields) - set(keys))
    assert not missing, f"fields formerly masked but now marked nowhere: {missing}"
    assert {"name", "id_number", "vin", "plate", "reference"} <= set(keys)


# --- a new scenario's personal data, declared on its own model --------------------------------------------


class Guardian(BaseModel):
    name: PersonName
    phone: PhoneNumber = ""


class GuardianshipRequest(BaseModel):
    """A model no module of the audit package knows: a test-only scenario's request."""

    case_number: str
    guardian: Guardian
    vehicle_plate: PlateNumber
    remark: str = ""


class GuardianshipInput(BaseModel):
    request: GuardianshipRequest


@workflow.defn(name="TestOnlyGuardianship", sandboxed=False)
class GuardianshipWorkflow:
    @workflow.run
    async def run(self, inp: GuardianshipInput) -> str:
        return "done"


async def test_a_new_models_marked_fields_are_masked_in_an_export(client: Client) -> None:
    """Marking a field on a new scenario's model is all it takes: the trail derived from the real
    history masks it, with no change to audit/ — and without the marker it would show."""
    request = GuardianshipRequest(
        case_number="(2026)浙0102执9号",
        guardian=Guardian(name="欧阳明月", phone="13800138000"),
        vehicle_plate="浙A·12345",
        remark="监护人",
    )
    queue = f"guardianship-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[GuardianshipWorkflow]):
        wid = f"guardianship-{uuid.uuid4().hex[:8]}"
        with acting_as(Actor(user_id="judge", role=Role.JUDGE)):
            await client.execute_workflow(
                GuardianshipWorkflow.run, GuardianshipInput(request=request), id=wid, task_queue=queue
            )

    marked = await derive_trail(client, wid, Redactor.for_models(GuardianshipWorkflow))
    content = export_bytes(build_export(marked, Ed25519PrivateKey.generate())).decode()
    for secret in ("欧阳明月", "13800138000", "浙A·12345"):
        assert secret not in content
    started = marked.events[0].detail["request"]
    assert started["guardian"] == {"name": "***月", "phone": mask_of("13800138000")}
    assert started["vehicle_plate"] == mask_of("浙A·12345") and started["remark"] == "监护人"

    unmarked = await derive_trail(client, wid, Redactor({}))
    assert unmarked.events[0].detail["request"]["guardian"]["name"] == "欧阳明月"


def test_the_verifier_loads_neither_fastapi_sqlalchemy_nor_temporal() -> None:
    probe = (
        "import sys, audit.verify, audit.__main__\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'sqlalchemy', 'temporalio'))\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


# --- the trail from a real workflow ----------------------------------------------------------------------


async def approved_inquiry(client: Client, settings: Settings, simulator: str) -> tuple[str, list[str]]:
    """An asset inquiry the judge approved, run to its end; and the personal data it carried."""
    debtor = Party(kind=PartyKind.PERSON, name="李某某", id_number=resident_id())
    account = account_number()
    deposit = {
        "partner_id": "bank-icbc",
        "kind": "deposit",
        "reference": account,
        "description": "活期",
        "available_fen": 80_000_00,
    }
    await seed_subject(simulator, debtor.model_dump(mode="json"), [deposit])
    req = AssetInquiryRequest(
        case_number=case_number(),
        court="杭州市上城区人民法院",
        debtor=debtor,
        amount_owed_fen=50_000_00,
        execution_costs_fen=0,  # left out, the application fee would be proposed as the costs
    )
    handle = await start(client, settings, "asset-inquiry", req)
    await wait_status(handle, "awaiting_decision")
    await decide(handle, APPROVE, reason="经审查, 依法冻结扣划", deduct=True)
    await handle.result()
    return handle.id, [debtor.id_number, account, debtor.name]


@pytest.mark.usefixtures("stack")
async def test_trail_names_who_did_what_and_why(
    client: Client, settings: Settings, simulator: str, web: str, tmp_path: Path
):
    wid, personal = await approved_inquiry(client, settings, simulator)
    async with await login(web, "auditor") as auditor:
        r = await auditor.get(f"/api/workflows/{wid}/audit")
        assert r.status_code == 200, r.text
        trail = r.json()
        for secret in personal:
            assert secret not in r.text

        events = trail["events"]
        started = events[0]
        assert started["action"] == "workflow_started"
        assert started["actor"] == {"user_id": "judge", "role": "judge", "agency": None}
        decision = next(e for e in events if e["action"] == f"decide:{APPROVE}")
        assert decision["actor"]["user_id"] == "judge" and decision["actor"]["role"] == "judge"
        assert decision["reason"] == "经审查, 依法冻结扣划"
        assert decision["outcome"] == "completed"
        freeze = next(e for e in events if e["action"] == "register_measure" and e["outcome"] == "completed")
        # The partner's reference for the measure, and the sealed notice it acted on (issue 25).
        reference = dict(part.split("=", 1) for part in freeze["reference"].split(", "))
        assert freeze["partner"] == "bank-icbc" and reference["measure_id"] and reference["document_id"]
        assert freeze["detail"]["amount_fen"] == 50_000_00
        assert freeze["actor"]["user_id"] == "judge"  # acting for the judge who approved
        inquiry = next(e for e in events if e["action"].startswith("inquire"))
        assert inquiry["actor"]["user_id"] == "judge" and inquiry["outcome"] == "completed"
        assert inquiry["detail"]["partners"]["bank-icbc"]["assets"] == 1
        assert events[-1]["action"] == "workflow_completed"
        assert [e["index"] for e in events] == list(range(len(events)))

        r = await auditor.get(f"/api/workflows/{wid}/audit/export")
        assert r.status_code == 200
        assert "attachment" in r.headers["content-disposition"]
        path = tmp_path / "export.json"
        path.write_bytes(r.content)
        key = (await auditor.get("/api/audit/public-key")).json()
        (tmp_path / "key.json").write_text(json.dumps(key))

    ok = cli("verify", str(path), "--public-key-file", str(tmp_path / "key.json"))
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(path.read_text())
    assert doc["signature"]["key_id"] == key["key_id"]

    # One byte of the decision's reason changed: the CLI names that event.
    index = next(e["index"] for e in doc["events"] if e["action"] == f"decide:{APPROVE}")
    flip_byte_in(path, "依法冻结扣划")
    bad = cli("verify", str(path))
    assert bad.returncode == 1
    assert f"event {index} (decide:{APPROVE}) has been altered" in bad.stderr


@pytest.mark.usefixtures("stack")
async def test_a_run_archiving_itself_is_not_described(client: Client, settings: Settings, simulator: str):
    """The archive activity, run by the workflow as its last step, derives the trail without asking Temporal to
    describe the run (one call less on every scenario's end): the trail is the same as with the describe."""
    debtor = Party(kind=PartyKind.PERSON, name="王某某", id_number=resident_id())
    await seed_subject(simulator, debtor.model_dump(mode="json"), [])
    req = asset_inquiry_request(debtor, owed=10_000_00)
    handle = await start(client, settings, "asset-inquiry", req)
    await wait_status(handle, "awaiting_decision")  # running, its status upserted once
    redact = Redactor.for_models(*personal_data_models())
    described = await derive_trail(client, handle.id, redact)
    running = await derive_trail(client, handle.id, redact, RunningRun(handle.result_run_id or "", "AssetInquiry"))
    assert described.header.status == "awaiting_decision" and described.header.temporal_status == "RUNNING"
    assert running == described

    await decide(handle, REJECT, reason="财产不足, 不予控制")
    await handle.result()
    db = Database(settings.web_database_url)
    try:
        archived = load_archived(db, handle.id)
    finally:
        db.dispose()
    assert archived is not None
    # Written by the run itself before it closed: the status it had reached, still running.
    assert archived.header.status == "rejected" and archived.header.temporal_status == "RUNNING"
    assert archived.header.run_id == handle.result_run_id and archived.header.case_number == req.case_number


@pytest.mark.usefixtures("stack")
async def test_only_readers_get_the_trail(web: str, client: Client, settings: Settings, simulator: str):
    wid, _ = await approved_inquiry(client, settings, simulator)
    async with httpx.AsyncClient(base_url=web) as anon:
        assert (await anon.get(f"/api/workflows/{wid}/audit")).status_code == 401
        assert (await anon.get("/api/audit/public-key")).status_code == 200  # a public key is public
    async with await login(web, "bank-icbc") as bank:
        r = await bank.get(f"/api/workflows/{wid}/audit")
        assert r.status_code == 403 and r.json()["code"] == "ROLE_FORBIDDEN"
        assert (await bank.get(f"/api/workflows/{wid}/audit/export")).status_code == 403
    for reader in ("judge", "admin"):
        async with await login(web, reader) as h:
            assert (await h.get(f"/api/workflows/{wid}/audit")).status_code == 200
    async with await login(web, "auditor") as auditor:
        r = await auditor.get("/api/workflows/no-such-workflow/audit")
        assert r.status_code == 404


class ForgetfulClient:
    """The real client, except that Temporal has forgotten some workflows (as after retention)."""

    def __init__(self, real: Client, forgotten: set[str]) -> None:
        self._real, self._forgotten = real, forgotten

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def get_workflow_handle(self, workflow_id: str, **kw: Any) -> Any:
        if workflow_id in self._forgotten:
            return _Forgotten()
        return self._real.get_workflow_handle(workflow_id, **kw)


class _Forgotten:
    async def describe(self) -> Any:
        raise RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b"")


@pytest.mark.usefixtures("stack")
async def test_archived_trail_outlives_temporal(client: Client, settings: Settings, simulator: str, web: str):
    wid, _ = await approved_inquiry(client, settings, simulator)
    db = Database(settings.web_database_url)
    try:
        # The activity a workflow runs last; here run on its own against the closed workflow.
        env = ActivityEnvironment(client=client)
        result = await env.run(
            AuditActivities(db, personal_data_models()).archive_audit_trail, ArchiveRequest(workflow_id=wid)
        )
        assert result.events > 5
        archived = load_archived(db, wid)
        assert archived is not None and archived.source == "archive"
        async with await login(web, "auditor") as auditor:
            live = (await auditor.get(f"/api/workflows/{wid}/audit")).json()
            assert live["source"] == "live"
    finally:
        db.dispose()

    # Temporal has forgotten the workflow: the auditor still reads the same trail, and can export it.
    app = create_app(settings, ForgetfulClient(client, {wid}))  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://web") as h:
        r = await h.post("/api/auth/token", data={"username": "auditor", "password": "auditor"})
        h.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        kept = (await h.get(f"/api/workflows/{wid}/audit")).json()
        assert kept["source"] == "archive"
        assert kept["chain"]["head"] == live["chain"]["head"]
        assert kept["events"] == live["events"]
        export = await h.get(f"/api/workflows/{wid}/audit/export")
        assert export.status_code == 200
        assert verify_export(export.json()).ok
        assert (await h.get("/api/workflows/never-existed/audit")).status_code == 404


# --- codec endpoint for Temporal's UI ---------------------------------------------------------------------


def wire(payloads: list[Any]) -> dict[str, Any]:
    return {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                "data": base64.b64encode(p.data).decode(),
            }
            for p in payloads
        ]
    }


async def test_codec_endpoint_decodes_for_readers_only(web: str, settings: Settings):
    from temporalio.api.common.v1 import Payload

    codec = build_codec(settings.codec_keys)
    plain = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps({"id_number": "secret"}).encode())
    sealed = await codec.encode([plain])
    body = wire(sealed)
    async with httpx.AsyncClient(base_url=web) as anon:
        assert (await anon.post("/codec/decode", json=body)).status_code == 401
        origin = settings.temporal_ui_url
        pre = await anon.options(
            "/codec/decode",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-namespace",
            },
        )
        assert pre.status_code == 204
        assert pre.headers["access-control-allow-origin"] == origin
        assert pre.headers["access-control-allow-credentials"] == "true"
        elsewhere = await anon.options("/codec/decode", headers={"Origin": "http://evil.example"})
        assert elsewhere.status_code == 403 and "access-control-allow-origin" not in elsewhere.headers
        # A refusal still carries CORS headers, so Temporal's UI can tell the user why.
        refused = await anon.post("/codec/decode", json=body, headers={"Origin": origin})
        assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == origin
    for reader in ("bank-icbc", "judge", "auditor"):  # a codec call cannot be held to their courts
        async with await login(web, reader) as outsider:
            assert (await outsider.post("/codec/decode", json=body)).status_code == 403
    async with await login(web, "admin") as auditor:
        r = await auditor.post("/codec/decode", json=body, headers={"Origin": settings.temporal_ui_url})
        assert r.status_code == 200, r.text
        assert r.headers["access-control-allow-origin"] == settings.temporal_ui_url
        out = r.json()["payloads"][0]
        assert base64.b64decode(out["data"]) == plain.data
        assert base64.b64decode(out["metadata"]["encoding"]) == b"json/plain"
        enc = await auditor.post("/codec/encode", json=wire([plain]))
        assert enc.status_code == 200
        assert base64.b64decode(enc.json()["payloads"][0]["metadata"]["encoding"]) == b"binary/encrypted"
        back = await auditor.post("/codec/decode", json=enc.json())
        assert base64.b64decode(back.json()["payloads"][0]["data"]) == plain.data
        bad = await auditor.post("/codec/decode", json={"payloads": [{"metadata": {}, "data": "***"}]})
        assert bad.status_code == 422
