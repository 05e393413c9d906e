"""Small helpers the scenario tests share: valid identity numbers, seeding the simulators, starting and
driving workflows as a given user."""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import os
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel
from stdnum.cn import ric, uscc
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import HeaderCodecBehavior
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Interceptor, Replayer

from activities.tasks import calendar_for
from config.settings import CodecKeys, Settings
from domain.actors import Actor, Role
from domain.legal_time import TimeScale
from domain.parties import Party, PartyKind
from domain.partners import PartnerRef
from runtime.temporal import scenario_search_attributes
from security.converter import build_data_converter
from security.identity import ActorKeys, ActorSigner, ActorWorkerInterceptor, acting_as
from store.db import Database
from store.started import StartedStore
from workers.main import sandbox_runner
from workers.workflow_sandbox import reads_serialization_context
from workflows.foundation.child_matters import AssetInquiryRequest
from workflows.foundation.messages import DECIDE_UPDATE, STATUS_QUERY
from workflows.foundation.models import DecisionInput, ScenarioStatus
from workflows.foundation.scenario import ScenarioContext
from workflows.registry import SCENARIOS, all_workflows

JUDGE = Actor(user_id="judge", role=Role.JUDGE)
AUDITOR = Actor(user_id="auditor", role=Role.AUDITOR)
APPROVER = Actor(user_id="approver", role=Role.APPROVER, courts=("杭州市上城区人民法院",))
_serial = itertools.count(1)


def resident_id(birth: str = "19900101", region: str = "330106") -> str:
    """A valid 18-character resident ID number, unique within the test session."""
    body = f"{region}{birth}{next(_serial) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def credit_code() -> str:
    body = f"91330100MA{next(_serial):07d}"
    return body + uscc.calc_check_digit(body)


def account_number() -> str:
    return f"6222{uuid.uuid4().int % 10**15:015d}"


def case_number() -> str:
    return f"(2026)浙0102执{next(_serial) + 1000 * (uuid.uuid4().int % 900)}号"


async def seed_subject(sim: str, subject: dict[str, Any], assets: list[dict[str, Any]]) -> None:
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{sim}/_admin/subjects", json={**subject, "assets": assets})
        r.raise_for_status()


async def set_faults(sim: str, partner_id: str, **knobs: Any) -> None:
    async with httpx.AsyncClient() as http:
        r = await http.put(f"{sim}/partners/{partner_id}/_admin/faults", json=knobs)
        r.raise_for_status()


async def reset_faults(sim: str) -> None:
    async with httpx.AsyncClient() as http:
        (await http.post(f"{sim}/_admin/reset-faults")).raise_for_status()


async def ledger(sim: str, partner_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{sim}/partners/{partner_id}/_admin/ledger")
        r.raise_for_status()
        rows: list[dict[str, Any]] = r.json()
        return rows


def context(
    settings: Settings, workflow_id: str, deadlines: dict[str, float] | None = None, acceleration: float | None = None
) -> ScenarioContext:
    partners: list[PartnerRef] = []
    for p in settings.partners():
        ref = p.ref()
        if deadlines and p.id in deadlines:
            ref = ref.model_copy(update={"answer_deadline": timedelta(seconds=deadlines[p.id])})
        partners.append(ref)
    return ScenarioContext(
        workflow_id=workflow_id,
        partners=partners,
        time_scale=TimeScale(acceleration=acceleration or settings.time_acceleration),
        callback_base_url=settings.public_base_url,
        calendar=calendar_for(settings.var_dir),
    )


@functools.cache
def started_register(url: str) -> StartedStore:
    """The web's register of started workflows (store/started.py), in the tests' web database."""
    db = Database(url)
    db.upgrade()
    return StartedStore(db)


def register_start(settings: Settings, workflow_id: str, scenario: str, court: str, actor: Actor, number: str) -> None:
    """What the web records before it starts a scenario workflow: a test that starts one as the web would
    records it too, or the web's lists and pages do not show it (web/services/register.py)."""
    started_register(settings.web_database_url).record(workflow_id, "scenario", court, actor.user_id, scenario, number)


async def start(
    client: Client,
    settings: Settings,
    scenario: str,
    request: BaseModel,
    actor: Actor = JUDGE,
    task_queue: str | None = None,
    overrides: dict[str, Any] | None = None,
    **ctx: Any,
) -> WorkflowHandle[Any, Any]:
    s = SCENARIOS[scenario]
    wid = f"{scenario}-test-{uuid.uuid4().hex[:12]}"
    inp = s.build_input(request, context(settings, wid, **ctx))
    if overrides:
        inp = inp.model_copy(update=overrides)
    register_start(settings, wid, scenario, s.court(request), actor, s.case_number(request))
    with acting_as(actor):
        return await client.start_workflow(
            s.workflow.run,  # type: ignore[attr-defined]
            inp,
            id=wid,
            task_queue=task_queue or settings.task_queue,
            search_attributes=scenario_search_attributes(s.case_number(request), scenario, "running", s.court(request)),
        )


async def status(handle: WorkflowHandle[Any, Any]) -> ScenarioStatus:
    with acting_as(AUDITOR):
        return await handle.query(STATUS_QUERY, result_type=ScenarioStatus)


async def wait_status(handle: WorkflowHandle[Any, Any], wanted: str, timeout: float = 60) -> ScenarioStatus:
    """The workflow's status once it is ``wanted``; a workflow another one is starting (a child whose start
    its parent has commanded, not yet recorded) is waited for like any other status."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            st: ScenarioStatus | None = await status(handle)
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            st = None
        if st is not None and st.status == wanted:
            return st
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"status stayed {st.status if st else 'not started'!r}, wanted {wanted!r}")
        await asyncio.sleep(0.1)


async def decide(
    handle: WorkflowHandle[Any, Any], decision: str, reason: str = "依法审查", actor: Actor = JUDGE, **payload: Any
) -> Any:
    with acting_as(actor):
        return await handle.execute_update(
            DECIDE_UPDATE, DecisionInput(decision=decision, reason=reason, payload=payload)
        )


async def president_signs(handle: WorkflowHandle[Any, Any], actor: Actor | None = None) -> Any:
    """The president (院长, an approver) signs the document the desk is waiting on (workflows/foundation/issuing.py),
    once the workflow asks for the signature."""
    from workflows.foundation.issuing import PRESIDENT_SIGN

    async def asked() -> bool:
        return any(d.name == PRESIDENT_SIGN for d in (await status(handle)).pending_decisions)

    await eventually(asked)
    return await decide(handle, PRESIDENT_SIGN, reason="", actor=actor or APPROVER)


async def president_signs_on_the_web(web: str, workflow_id: str) -> None:
    """The president (the demo court's approver) signs through the API, as the case page's form does."""
    async with await login(web, "approver") as president:
        signed = await president.post(f"/api/workflows/{workflow_id}/decisions/president-sign", json={"reason": ""})
        assert signed.status_code == 200, signed.text


def pdf_words(pdf: bytes) -> str:
    """A PDF's text as poppler's ``pdftotext`` reads it, whitespace removed (CJK lines break anywhere)."""
    import re
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, check=True)
    return re.sub(r"\s+", "", out.stdout.decode())


HISTORIES = Path(__file__).resolve().parent / "histories"
# The committed histories the replay test replays (the keys they were recorded with beside them).
HISTORY_FILES = [f for f in sorted(HISTORIES.glob("*.json")) if not f.name.endswith("-keys.json")]
ACTOR_KEYS = HISTORIES / "actor-keys.json"


def replayer(
    codec_keys: Path = HISTORIES / "codec-keys.json",
    actor_keys: Path = ACTOR_KEYS,
    before: Sequence[Interceptor] = (),
) -> Replayer:
    """A replayer as the worker is configured (also for tests that replay a history they just made);
    ``before``: interceptors a worker takes from its client (tracing)."""
    keys = CodecKeys.model_validate_json(codec_keys.read_text())
    actors = ActorWorkerInterceptor(ActorSigner(ActorKeys.model_validate_json(actor_keys.read_text())))
    converter = build_data_converter(keys)
    return Replayer(
        workflows=all_workflows(),
        data_converter=converter,
        # Actors are verified on replay too, against the test-only signing key recorded sessions use.
        interceptors=[*before, actors],
        header_codec_behavior=HeaderCodecBehavior.CODEC,
        workflow_runner=sandbox_runner(context_free=not reads_serialization_context(converter)),
    )


async def record_history(handle: WorkflowHandle[Any, Any], name: str) -> None:
    """With OM_RECORD_HISTORIES=1, saves the workflow's history for the replay test to commit."""
    if os.environ.get("OM_RECORD_HISTORIES") != "1":
        return
    history = await handle.fetch_history()
    record = {"workflow_id": handle.id, "history": json.loads(history.to_json())}
    (HISTORIES / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False))


async def login(web: str, username: str, password: str | None = None) -> httpx.AsyncClient:
    """An API client logged in as a sandbox user (password = user name)."""
    async with httpx.AsyncClient(base_url=web) as anon:
        r = await anon.post("/api/auth/token", data={"username": username, "password": password or username})
        r.raise_for_status()
        token = r.json()["access_token"]
    return httpx.AsyncClient(base_url=web, headers={"Authorization": f"Bearer {token}"}, timeout=30)


async def ui_page(web: str, username: str, path: str) -> str:
    """A page of the UI as ``username`` sees it (the session cookie is the login's token), in Chinese."""
    async with await login(web, username) as api:
        token = api.headers["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=web, cookies={"om_session": token}, timeout=30) as browser:
        r = await browser.get(path)
        r.raise_for_status()
        return r.text


async def eventually(check: Any, timeout: float = 30, interval: float = 0.1) -> Any:
    """Polls an async check until it returns something truthy; errors meanwhile count as "not yet"."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            value = await check()
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            value = None
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def settled_history_length(handle: WorkflowHandle[Any, Any], quiet: float = 0.5) -> int:
    """The history length once the workflow has stopped adding events (it is waiting for someone)."""
    length = -1
    while True:
        now = len((await handle.fetch_history()).events)
        if now == length:
            return now
        length = now
        await asyncio.sleep(quiet)


def refusal_code(exc: WorkflowUpdateFailedError) -> str:
    """The machine-readable code a workflow's validator refused an Update with."""
    cause = exc.cause
    assert isinstance(cause, ApplicationError), f"not a refusal: {cause!r}"
    return str(cause.type)


async def assistance_notice(
    settings: Settings,
    partner: str,
    reference: str,
    amount_fen: int | None,
    act: str = "freeze",
    case: str = "(2026)浙0102执9号",
    keys: Any = None,
    timestamped: bool = False,
) -> dict[str, Any]:
    """A sealed 协助执行通知书 to ``partner`` for ``reference`` and ``amount_fen``, as a request's ``document``:
    what a bank needs before it freezes, seizes or deducts (simulators/documents.py). Issued by a test's own
    document office under the session's sandbox CA, which the simulators trust, unless ``keys`` (a
    ``CourtKeys``) names another; ``timestamped``: PAdES B-T, the simulators' TSA's timestamp on the seal, as
    the worker's are (else B-B)."""
    import base64
    from datetime import date

    from activities.documents import DocumentOffice
    from activities.partners import ACT_NAMES
    from documents.pki import CourtKeys
    from domain.documents import AssistanceAct, DocumentKind, DocumentRequest
    from store.blobs import BlobStore
    from store.db import Database

    db = Database(f"sqlite:///{settings.var_dir / 'test-documents.db'}")
    db.upgrade()
    keys = keys or CourtKeys(settings.document_pki_path, sandbox=True)
    from documents.timestamps import tsa_client

    stamper = tsa_client(settings) if timestamped else None
    office = DocumentOffice(db, BlobStore.for_settings(settings), keys, timestamper=stamper)
    fields = {
        "recipient": partner,
        "recipient_id": partner,
        "act": act,
        "act_name": ACT_NAMES[AssistanceAct(act)],
        "asset": "存款账户",
        "asset_reference": reference,
        "amount_fen": amount_fen,
        "ruling_number": f"{case}之一",
    }
    request = DocumentRequest(
        kind=DocumentKind.ASSISTANCE_NOTICE,
        court="杭州市上城区人民法院",
        case_number=case,
        issued_on=date(2026, 3, 2),
        fields=fields,
        workflow_id="tests",
        idempotency_key=f"tests/{uuid.uuid4()}",
    )
    # pyHanko runs an event loop of its own: issue in a thread, as the worker's activity does.
    issued, pdf = await asyncio.to_thread(office.issue_sealed, request)
    db.dispose()
    return {
        "document_id": issued.document_id,
        "number": issued.number,
        "sha256": issued.sha256,
        "pdf_base64": base64.b64encode(pdf).decode(),
    }


# Everything personal the tests put into the system through these helpers; the asset inquiry's privacy test
# looks for it in Temporal's database.
PERSONAL_DATA: list[str] = []


def deposit(partner: str, fen: int, ref: str | None = None) -> dict[str, Any]:
    ref = ref or account_number()
    PERSONAL_DATA.append(ref)
    return {"partner_id": partner, "kind": "deposit", "reference": ref, "description": "活期存款", "available_fen": fen}


async def new_debtor(simulator: str, assets: list[dict[str, Any]], company: bool = False) -> Party:
    if company:
        party = Party(kind=PartyKind.ORGANISATION, name="杭州某某贸易有限公司", id_number=credit_code())
    else:
        party = Party(kind=PartyKind.PERSON, name="王某某", id_number=resident_id())
    PERSONAL_DATA.append(party.id_number)
    await seed_subject(simulator, party.model_dump(mode="json"), assets)
    return party


def asset_inquiry_request(debtor: Party, owed: int, costs: int = 0) -> AssetInquiryRequest:
    """An asset inquiry's request against ``debtor`` in 上城's court."""
    return AssetInquiryRequest(
        case_number=case_number(),
        court="杭州市上城区人民法院",
        debtor=debtor,
        amount_owed_fen=owed,
        execution_costs_fen=costs,
    )
