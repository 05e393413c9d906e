"""Enforcement cases (执行案件): filing (立案) by the court's filing clerk, the register a judge lists, one
case's file, matters started from the case, closing and the term's extension.

A case is an entity workflow (``workflows/case/``) plus its row in the register (store/cases.py): the row
answers lists without asking Temporal about every case; the workflow answers everything about one case.
Courts are tenants: a case outside the caller's courts does not exist for them (the same 404 as an
unknown id).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, OrderedDict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from sqlalchemy.exc import SQLAlchemyError
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError

from config.settings import Settings
from domain.actors import Actor, Role
from domain.case_closing import CLOSING_RULES, ClosingMode
from domain.case_number import CaseNumberParts, CaseType, UnknownCourt, court_code
from domain.case_term import term_params
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.fees import enforcement_fee
from domain.filing import FILING_KEYS, application_period, execution_notice_due
from domain.ledger import Claim
from domain.legal_params import P, params_at
from domain.legal_time import CHINA_TZ, LegalClock
from domain.money import Fen, PositiveFen
from domain.parties import Party
from domain.partners import PartnerEndpoint
from domain.report_sanctions import SanctionStatus
from runtime.logging import get_logger
from runtime.temporal import CASE_NUMBER, COURT, STATUS
from security.identity import acting_as
from store.case_pages import CasePageStore
from store.cases import CaseFilter, CaseRegisterEntry, CaseStore
from store.db import Database, utcnow
from store.sealing import SealError
from store.started import StartedStore
from web.db import User
from web.errors import GatewayTimeout, ServiceUnavailable
from web.services import incidents, parties, party_collection, payment_refunds
from web.services.access import DECIDERS, READERS, require_role
from web.services.scenarios import check_agencies, context_for, scenario_or_404, workflow_id_for
from web.services.workflow_detail import QUERY_TIMEOUT, HistoryKey, LengthCache, history_key, share_page, shared_page
from web.services.workflow_updates import decision_input, execute_update_as
from workflows.case.models import (
    CASE_STATUS_QUERY,
    CLOSE_UPDATE,
    EXCLUDE_PERIOD_UPDATE,
    REQUEST_EXTENSION_UPDATE,
    START_MATTER_UPDATE,
    CaseFiling,
    CaseInput,
    CaseTitle,
    CaseView,
    CloseCase,
    ExclusionRequest,
    ExtensionRequest,
    StartMatter,
)
from workflows.foundation.case_link import CaseRef
from workflows.foundation.messages import DECIDE_UPDATE
from workflows.foundation.scenario import Scenario

log = get_logger(__name__)

FILERS = (Role.FILING_CLERK,)
CASE_READERS = (*READERS, Role.FILING_CLERK)
INDEX_NAME = "case"  # the party index's "scenario" of a case's own parties


# --- models -------------------------------------------------------------------------------------------------


class ClaimIn(BaseModel):
    """申请执行标的: the principal, the interest the title awards, costs; the fee from the bands unless given."""

    model_config = ConfigDict(extra="forbid")

    principal_fen: PositiveFen = Field(description="本金 (fen)")
    interest_fen: Fen = Field(default=0, description="一般债务利息 (fen), to the filing date")
    costs_fen: Fen = Field(default=0, description="执行费用 (fen) other than the application fee")
    fee_fen: Fen | None = Field(default=None, description="申请执行费; left out: 诉讼费用交纳办法 Art. 14(一)")


class FilingRequest(BaseModel):
    """申请执行书 as the filing clerk enters it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "court": "杭州市上城区人民法院",
                    "applicants": [{"kind": "organisation", "name": "某银行", "id_number": "91330100MA00000011"}],
                    "debtors": [{"kind": "person", "name": "张三", "id_number": "330106198503120319"}],
                    "title": {
                        "document_number": "(2025)浙0102民初100号",
                        "issuer": "杭州市上城区人民法院",
                        "effective_on": "2025-10-01",
                        "performance_due_on": "2025-10-31",
                    },
                    "claim": {"principal_fen": 30000000, "interest_fen": 400000, "costs_fen": 0},
                }
            ]
        },
    )

    court: str = Field(min_length=2, max_length=100, description="执行法院")
    applicants: list[Party] = Field(min_length=1, max_length=50, description="申请执行人")
    debtors: list[Party] = Field(min_length=1, max_length=50, description="被执行人")
    title: CaseTitle
    claim: ClaimIn
    judge: str | None = Field(default=None, max_length=64, description="承办法官 (user id); left out: assigned")
    received_on: date | None = Field(default=None, description="收到申请之日; left out: today")
    case_type: CaseType = Field(default=CaseType.FIRST, description="执 (first) or 执恢 (resumed)")
    resumes_case_id: str | None = Field(
        default=None, max_length=64, description="恢复执行: the case (case_id) this 执恢 case resumes"
    )

    @field_validator("resumes_case_id")
    @classmethod
    def _resumption_is_zhihui(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and info.data.get("case_type") is not CaseType.RESUMED:
            raise ValueError("恢复执行的案件类型为执恢 / a resumption is filed as 执恢 (case_type)")
        return value


class Filed(BaseModel):
    case_id: str
    case_number: str
    workflow_id: str
    judge: str
    application_period_ends_on: date
    late_application: bool
    warnings: list[str] = Field(default_factory=list)


class StartedMatter(BaseModel):
    workflow_id: str
    workflow_ids: list[str] = Field(default_factory=list, description="one per debtor, where the matter is")


class CloseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: ClosingMode
    checklist: dict[str, bool] = Field(default_factory=dict)
    reason: str = Field(min_length=1, max_length=2000)
    document_number: str = Field(default="", max_length=100)


# --- filing ---------------------------------------------------------------------------------------------------


def _today() -> date:
    return datetime.now(CHINA_TZ).date()


def _judges_of(db: Database, court: str) -> list[str]:
    with db.session() as s:
        users = s.query(User).filter(User.role == Role.JUDGE.value, User.active.is_(True)).all()
        return sorted(u.username for u in users if court in u.courts)


def _assign_judge(db: Database, store: CaseStore, court: str, wanted: str | None) -> str:
    """The named judge (an active judge of the court), or the court's judge with the fewest open cases."""
    judges = _judges_of(db, court)
    if wanted is not None:
        if wanted not in judges:
            raise ValidationFailed(
                "UNKNOWN_JUDGE", f"judge: {wanted} 不是本院在职的执行法官 / not a judge of {court}", "judge"
            )
        return wanted
    if not judges:
        raise ValidationFailed("NO_JUDGE", f"court: {court} 没有可分配的执行法官 / no judge to assign", "court")
    load = {j: 0 for j in judges}
    for row in store.list((court,), open_only=True, limit=10_000):
        if row.judge in load:
            load[row.judge] += 1
    return min(judges, key=lambda j: (load[j], j))


async def file_case(
    client: Client,
    settings: Settings,
    db: Database,
    actor: Actor,
    req: FilingRequest,
    history_limit: int | None = None,
    docketed: CaseNumberParts | None = None,
    filed_on: date | None = None,
) -> Filed:
    """立案: a filing clerk dockets an application of their court. The number comes from the court's own
    yearly sequence; a late application is filed with its warning (民诉法解释 Art. 481); a judge is
    assigned; the case's workflow starts. ``history_limit``: events before the case continues as new (tests).
    ``docketed``/``filed_on``: a case docketed before the platform (its matters ran under that 案号, see
    web/services/attach_cases.py) keeps its number and filing day; the court's sequence moves past it."""
    require_role(actor, *FILERS)
    if not actor.in_court(req.court):
        raise ValidationFailed("COURT_FORBIDDEN", "court: 只能在本院立案 / a clerk files for their own court", "court")
    try:
        code = court_code(req.court)
    except UnknownCourt:
        raise ValidationFailed(
            "COURT_CODE_UNKNOWN", f"court: 未配置 {req.court} 的法院代字 / no court code", "court"
        ) from None
    store = CaseStore(db)
    resumes = await _resumed(db, actor, req) if req.resumes_case_id else None
    held = await db.run(parties.file_type, db, req.title.document_sha256) if req.title.document_sha256 else None
    if req.title.document_sha256 and held != "application/pdf":
        raise ValidationFailed(
            "TITLE_DOCUMENT_UNKNOWN",
            "title.document_sha256: 本院未收到该执行依据文件 / the court holds no such title document",
            "title.document_sha256",
        )
    judge = await db.run(_assign_judge, db, store, req.court, req.judge)
    today = filed_on or _today()
    received = req.received_on or today
    if received > today:
        raise ValidationFailed(
            "INVALID_RECEIVED_ON", "received_on: 收到申请之日不能晚于今天 / in the future", "received_on"
        )
    params = params_at(today)
    period = application_period(req.title.performance_due_on, received, params)
    claimed = req.claim
    fee = claimed.fee_fen
    if fee is None:
        fee = enforcement_fee(claimed.principal_fen + claimed.interest_fen, params).fee_fen
    claim = Claim(
        principal_fen=claimed.principal_fen,
        interest_fen=claimed.interest_fen,
        costs_fen=claimed.costs_fen,
        fee_fen=fee,
        performance_due_on=req.title.performance_due_on,
        delayed_daily_rate=params.ratio(P.DELAYED_INTEREST_DAILY),
    )
    if docketed is None:
        sequence = await db.run(store.next_sequence, req.court, req.case_type.value, today.year)
        number = CaseNumberParts(year=today.year, court_code=code, case_type=req.case_type, sequence=sequence)
    else:
        number = await _docketed(db, store, req.court, code, docketed)
        sequence = number.sequence
    case_id = uuid.uuid4().hex[:16]
    workflow_id = f"case-{case_id}"
    filing = CaseFiling(
        case_id=case_id,
        workflow_id=workflow_id,
        number=number,
        case_number=str(number),
        court=req.court,
        judge=judge,
        filed_by=actor.user_id,
        received_on=received,
        filed_on=today,
        applicants=req.applicants,
        debtors=req.debtors,
        title=req.title,
        claim=claim,
        application_period=period,
        execution_notice_due_on=execution_notice_due(received, params),
        params=term_params(params, *FILING_KEYS),
        resumes=resumes,
    )
    entry = CaseRegisterEntry(
        case_id=case_id,
        workflow_id=workflow_id,
        court=req.court,
        year=number.year,
        court_code=code,
        case_type=number.case_type.value,
        sequence=sequence,
        case_number=str(number),
        judge=judge,
        filed_by=actor.user_id,
        filed_on=today,
        late_application=period.late,
        term_due_on=None,
        term_colour="green",
        next_deadline=None,
        owed_fen=0,
        claimed_fen=claimed.principal_fen + claimed.interest_fen + claimed.costs_fen,
        recovered_fen=0,
        balance_fen=0,
        closing_mode=None,
        closed_on=None,
    )
    await db.run(store.add, entry)
    await parties.index_case(db, settings.party_index_keys, workflow_id, INDEX_NAME, req.court, req)
    # The root of its matters: they are the web's because the case is (web/services/register.py).
    await db.run(StartedStore(db).record, workflow_id, "case", req.court, actor.user_id, None, str(number))
    clock = LegalClock(epoch=datetime.now(CHINA_TZ), scale=settings.time_scale())
    with acting_as(actor):
        await client.start_workflow(
            "EnforcementCase",
            CaseInput(
                filing=filing,
                clock=clock,
                filing_documents=docketed is None,
                **({"history_limit": history_limit} if history_limit else {}),
            ),
            id=workflow_id,
            task_queue=settings.task_queue,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(CASE_NUMBER, str(number)),
                    SearchAttributePair(COURT, req.court),
                    SearchAttributePair(STATUS, "open"),
                ]
            ),
        )
    log.info("case filed", case_id=case_id, case_number=str(number), judge=judge, late=period.late)
    return Filed(
        case_id=case_id,
        case_number=str(number),
        workflow_id=workflow_id,
        judge=judge,
        application_period_ends_on=period.ends_on,
        late_application=period.late,
        warnings=[period.warning] if period.warning else [],
    )


async def _docketed(db: Database, store: CaseStore, court: str, code: str, number: CaseNumberParts) -> CaseNumberParts:
    """An existing 案号 of the court, not yet filed here: the sequence is moved past it so no new case takes it."""
    if number.court_code != code:
        message = f"case_number: {number} 不是 {court} ({code}) 的案号 / not a number of this court"
        raise ValidationFailed("CASE_NUMBER_COURT", message, "case_number")
    taken = await db.run(store.reserve, court, number.case_type.value, number.year, number.sequence)
    if taken:
        raise Conflict("CASE_NUMBER_TAKEN", f"案号 {number} 已立案 / already filed", "case_number")
    return number


async def _resumed(db: Database, actor: Actor, req: FilingRequest) -> CaseRef:
    """The earlier case a 执恢 case resumes (after 终本, a breached settlement …): one of the clerk's court."""
    earlier = await db.run(CaseStore(db).get, req.resumes_case_id)
    if earlier is None or not actor.in_court(earlier.court) or earlier.court != req.court:
        message = f"resumes_case_id: 本院没有案件 {req.resumes_case_id} / no such case of this court"
        raise ValidationFailed("UNKNOWN_CASE", message, "resumes_case_id")
    return CaseRef(case_id=earlier.case_id, workflow_id=earlier.workflow_id, case_number=earlier.case_number)


# --- reading ----------------------------------------------------------------------------------------------


def case_not_found(case_id: str) -> NotFound:
    return NotFound("CASE_NOT_FOUND", f"没有案件 {case_id} / no case {case_id!r}", "case_id")


async def visible_entry(db: Database, actor: Actor, case_id: str) -> CaseRegisterEntry:
    """The register row of a case of the caller's courts; anything else is the same 404."""
    require_role(actor, *CASE_READERS)
    entry = await db.run(CaseStore(db).get, case_id)
    if entry is None or not actor.in_court(entry.court):
        raise case_not_found(case_id)
    return entry


async def list_cases(
    db: Database, actor: Actor, mine: bool = False, where: CaseFilter | None = None, offset: int = 0, limit: int = 200
) -> list[CaseRegisterEntry]:
    """The cases of the caller's courts; ``mine``: those the caller is the judge of; ``where``: a dashboard
    figure's cases."""
    require_role(actor, *CASE_READERS)
    if not actor.courts:
        return []
    judge = actor.user_id if mine else None
    return await db.run(CaseStore(db).list, actor.courts, judge, False, limit, where, offset)


# The case's file as its status query built it, per history length (the query's "today" is its last task's).
_views = LengthCache[CaseView](size=256)
# Its key in the pages the web's processes share (store/case_pages.py), apart from the case workflow's own page.
SHARED_VIEW = "case-view:"
# Per case, the key of its newest view this process knows and when a describe saying so was sent: what a party's
# load within ``OM_PARTY_VIEW_MAX_AGE_SECONDS`` reuses without asking Temporal. Bounded (oldest goes).
_known: OrderedDict[str, tuple[datetime, HistoryKey]] = OrderedDict()
KNOWN_CASES = 4096
# How case views were answered, counted per process: "described" (asked Temporal its history length), "fresh"
# (reused within the party's age, no describe). Read by tests and by whoever profiles a web process.
view_counts: Counter[str] = Counter()


async def case_view(
    client: Client,
    entry: CaseRegisterEntry,
    pages: CasePageStore | None = None,
    max_age: timedelta = timedelta(0),
    not_before: datetime | None = None,
) -> CaseView:
    """The case's file: a describe says its history length; an unchanged case is answered from this
    process's memory, or (given ``pages``) from the view another process built at that length, and a changed
    one by its status query (which waits for the worker).

    ``max_age`` (a party's page, bounded staleness): a view known current within that age, and since
    ``not_before`` (the party's own last act on the case), is answered without the describe."""
    if max_age > timedelta(0):
        recent = await _recent_view(entry.workflow_id, pages, utcnow() - max_age, not_before)
        if recent is not None:
            view_counts["fresh"] += 1
            return recent
    handle = client.get_workflow_handle(entry.workflow_id)
    asked = utcnow()
    try:
        async with asyncio.timeout(QUERY_TIMEOUT.total_seconds()):
            key = history_key(await handle.describe())
            view_counts["described"] += 1
            _know(key, asked)
            cached = _views.get(key)
            if cached is None and pages is not None:
                cached = await _shared_view(pages, key)
                if cached is not None:
                    _views.put(key, cached)
            if cached is not None:
                if pages is not None and max_age > timedelta(0):
                    await _confirm_shared(pages, key, asked)
                return cached
            view: CaseView = await handle.query(CASE_STATUS_QUERY, result_type=CaseView)
    except TimeoutError:
        raise GatewayTimeout(
            "CASE_QUERY_TIMEOUT", "案件未及时应答, 请稍后重试 / the case did not answer in time"
        ) from None
    except (RPCError, WorkflowQueryFailedError) as exc:
        log.warning("case query failed", case_id=entry.case_id, error=type(exc).__name__)
        raise ServiceUnavailable("CASE_UNAVAILABLE", "案件暂时无法读取 / the case cannot be read now") from None
    _views.put(key, view)
    if pages is not None:
        await share_page(pages, (SHARED_VIEW + key[0], *key[1:]), view.model_dump_json(), asked)
    return view


def _know(key: HistoryKey, asked: datetime) -> None:
    """Keeps the newest describe of a case (a late answer to an older describe does not replace it)."""
    known = _known.get(key[0])
    if known is None or known[0] < asked:
        _known[key[0]] = (asked, key)
        _known.move_to_end(key[0])
        while len(_known) > KNOWN_CASES:
            _known.popitem(last=False)


async def _recent_view(
    workflow_id: str, pages: CasePageStore | None, since: datetime, not_before: datetime | None
) -> CaseView | None:
    """The view known current after ``since`` and after ``not_before``, from this process's memory or the
    web's shared pages (another process's describe); None: ask Temporal."""
    after = max(since, not_before) if not_before is not None else since
    known = _known.get(workflow_id)
    if known is not None and known[0] > after:
        view = _views.get(known[1])
        if view is not None:
            return view
    if pages is None:
        return None
    try:
        found = await pages.db.read(pages.latest, SHARED_VIEW + workflow_id)
    except (SQLAlchemyError, SealError) as exc:
        log.warning("shared case view unreadable", workflow_id=workflow_id, error=type(exc).__name__)
        return None
    if found is None or found[2] <= after:
        return None
    run_id, length, at, page = found
    key = (workflow_id, run_id, length)
    view = _views.get(key)
    if view is None:
        try:
            view = CaseView.model_validate_json(page)
        except ValidationError:
            return None
        _views.put(key, view)
    _know(key, at)
    return view


async def _confirm_shared(pages: CasePageStore, key: HistoryKey, asked: datetime) -> None:
    """Tells the other processes this case's view was still current when ``asked`` (a cache: a database
    hiccup only costs them a describe)."""
    try:
        await pages.db.run(pages.confirm, SHARED_VIEW + key[0], key[1], key[2], asked)
    except SQLAlchemyError as exc:
        log.warning("case view not confirmed", workflow_id=key[0], error=type(exc).__name__)


async def _shared_view(pages: CasePageStore, key: HistoryKey) -> CaseView | None:
    """The view another process built at this key; one that no longer reads as a view (built by another
    version) is built again."""
    found = await shared_page(pages, (SHARED_VIEW + key[0], *key[1:]))
    try:
        return CaseView.model_validate_json(found) if found is not None else None
    except ValidationError:
        log.warning("shared case view unreadable", workflow_id=key[0])
        return None


def _party(p: Party) -> dict[str, str]:
    return {"kind": p.kind.value, "name": p.name, "id_number_masked": p.masked_id}


def case_document(view: CaseView, entry: CaseRegisterEntry) -> dict[str, Any]:
    """``GET /api/cases/{id}``: the case's file as the API shows it."""
    ledger = view.ledger.model_dump(mode="json")
    term = view.term.model_dump(mode="json")
    return {
        "case_id": view.case_id,
        "case_number": view.case_number,
        "court": view.court,
        "judge": view.judge,
        "workflow_id": entry.workflow_id,
        "status": view.status,
        "filed_on": view.filed_on.isoformat(),
        "parties": {
            "applicants": [_party(p) for p in view.applicants],
            "debtors": [_party(p) for p in view.debtors],
        },
        "title": view.title.model_dump(mode="json"),
        "application_period": view.application_period.model_dump(mode="json"),
        "resumes": view.resumes.model_dump(mode="json") if view.resumes else None,
        "execution_notice_due_on": view.execution_notice_due_on.isoformat(),
        "notice_period": view.notice_period.model_dump(mode="json") if view.notice_period else None,
        "ledger": ledger,
        "measures": [
            {
                "kind": m.register_kind.value,
                "matter": m.matter_workflow_id,
                "scenario": m.scenario,
                "measure_key": m.measure_key,
                "description": m.description,
                "amount_fen": m.amount_fen,
                "effective_from": m.effective_from.isoformat() if m.effective_from else None,
                "expires_on": m.expires_on.isoformat() if m.expires_on else None,
                "renewal_due_on": m.renewal_due_on.isoformat() if m.renewal_due_on else None,
                "state": m.state,
            }
            for m in view.measures
        ],
        "term": term,
        "matters": [m.model_dump(mode="json") for m in view.matters],
        "pending_decisions": [d.model_dump(mode="json") for d in view.pending_decisions],
        "timeline": [e.model_dump(mode="json") for e in view.timeline],
        "closed": view.closed.model_dump(mode="json") if view.closed else None,
        "fully_performed_on": view.fully_performed_on.isoformat() if view.fully_performed_on else None,
        "closing_modes": {m.value: {"title": r.title, "checklist": r.checklist} for m, r in CLOSING_RULES.items()},
        "party_requests": [r.model_dump(mode="json") for r in view.party_requests],
        "report_sanctions": [x.model_dump(mode="json") for x in view.report_sanctions],
        "next_steps": [p.model_dump(mode="json") for p in view.next_steps],
        "history_length": view.history_length,
        "runs": view.runs,
    }


async def get_case(client: Client, db: Database, actor: Actor, case_id: str) -> dict[str, Any]:
    entry = await visible_entry(db, actor, case_id)
    document = case_document(await case_view(client, entry), entry)
    # A cancel, terminate or reset of the case's workflow, or of one of its matters, done outside the web
    # (web/services/incidents.py): one query for all.
    ids = [entry.workflow_id, *(m["workflow_id"] for m in document["matters"])]
    found = await incidents.recorded(db, (entry.court,), ids)
    # Money paid online that the case did not take (after it ended): refund items (web/services/payment_refunds.py).
    refunds = await payment_refunds.of_case(db, entry.court, entry.case_id)
    return {
        **document,
        "incidents": [i.model_dump(mode="json") for i in found],
        "payment_refunds": [r.model_dump(mode="json") for r in refunds],
    }


# --- matters ------------------------------------------------------------------------------------------------


def requests_from_case(scenario: Scenario, view: CaseView, body: dict[str, Any]) -> list[BaseModel]:
    """The matter's requests: the judge's own fields over what the case knows (``Scenario.from_case``).
    Where the matter takes one debtor and the judge named none, one matter per debtor of the case."""
    facts = view.facts()
    if "debtor" in scenario.request_model.model_fields and "debtor" not in body and len(facts.debtors) > 1:
        return [scenario.from_case(facts, body | {"debtor": i}) for i in range(len(facts.debtors))]
    return [scenario.from_case(facts, body)]


async def start_matter(
    client: Client,
    settings: Settings,
    partners: Sequence[PartnerEndpoint],
    db: Database,
    actor: Actor,
    case_id: str,
    name: str,
    body: dict[str, Any],
    idempotency_key: str | None = None,
) -> StartedMatter:
    """The judge starts a matter of the case: only the matter's own fields are typed, the rest comes from
    the case. Nothing starts unless every request is valid."""
    require_role(actor, Role.JUDGE)
    entry = await visible_entry(db, actor, case_id)
    scenario = scenario_or_404(name)
    view = await case_view(client, entry)
    requests = [await party_collection.checked(db, settings, r) for r in requests_from_case(scenario, view, body)]
    for req in requests:  # all checked before any starts: nothing half-done
        check_agencies(scenario, req, settings.agencies(), entry.court)
    started: list[str] = []
    for i, req in enumerate(requests):
        key = f"{idempotency_key}:{i}" if idempotency_key else None
        wid = workflow_id_for(name, actor, key)
        inp = scenario.build_input(req, context_for(settings, partners, wid))
        await parties.index_case(db, settings.party_index_keys, wid, name, entry.court, req)
        start = StartMatter(
            scenario=name,
            workflow_type=scenario.workflow.__temporal_workflow_definition.name,  # type: ignore[attr-defined]
            workflow_id=wid,
            input=inp.model_dump(mode="json"),
        )
        await _case_update(client, db, actor, case_id, START_MATTER_UPDATE, start)
        started.append(wid)
    log.info("matters started from the case", case_id=case_id, scenario=name, count=len(started))
    return StartedMatter(workflow_id=started[0], workflow_ids=started)


async def _closed(case_id: str) -> ValidationFailed:
    return ValidationFailed("CASE_CLOSED", f"案件 {case_id} 已结案 / the case is closed", "case_id")


# --- closing and the term -------------------------------------------------------------------------------------


async def _case_update(client: Client, db: Database, actor: Actor, case_id: str, name: str, arg: BaseModel) -> Any:
    """An Update to a case of the judge's (or approver's) courts, refusals passed on with their codes."""
    entry = await visible_entry(db, actor, case_id)
    return await execute_update_as(
        client,
        actor,
        entry.workflow_id,
        name,
        arg,
        closed=lambda: _closed(case_id),
        timeout=GatewayTimeout("CASE_TIMEOUT", "案件未及时应答 / the case did not answer in time"),
    )


async def close_case(client: Client, db: Database, actor: Actor, case_id: str, body: CloseBody) -> Any:
    """结案: refused (with every reason) while a matter is open or a measure the mode does not keep is in force."""
    require_role(actor, Role.JUDGE)
    return await _case_update(client, db, actor, case_id, CLOSE_UPDATE, CloseCase.model_validate(body.model_dump()))


async def exclude_period(client: Client, db: Database, actor: Actor, case_id: str, body: ExclusionRequest) -> Any:
    """A period the term does not count (审限规定 Art. 9: announcement, appraisal, suspension, auction …)."""
    require_role(actor, Role.JUDGE)
    return await _case_update(client, db, actor, case_id, EXCLUDE_PERIOD_UPDATE, body)


async def request_extension(client: Client, db: Database, actor: Actor, case_id: str, reason: str) -> Any:
    require_role(actor, Role.JUDGE)
    return await _case_update(client, db, actor, case_id, REQUEST_EXTENSION_UPDATE, ExtensionRequest(reason=reason))


async def decide(client: Client, db: Database, actor: Actor, case_id: str, decision: str, reason: str) -> Any:
    """The president's (院长, the approver role) decision on the term's extension."""
    require_role(actor, *DECIDERS)
    return await _case_update(
        client, db, actor, case_id, DECIDE_UPDATE, await decision_input(db, actor, decision, reason)
    )


async def decide_sanction(
    client: Client, db: Database, actor: Actor, case_id: str, sanction_id: str, decision: str, reason: str
) -> Any:
    """院长批准 or 不予批准 a fine or detention (CPL Art 119) from the case page. The case's desk decides the
    oldest sanction awaiting the president, so the one the president read is checked to be it: a page left
    open while another was decided never approves a sanction its reader did not see."""
    require_role(actor, Role.APPROVER)
    view = await case_view(client, await visible_entry(db, actor, case_id))
    waiting = [s.sanction_id for s in view.report_sanctions if s.status is SanctionStatus.AWAITING_PRESIDENT]
    if not waiting or waiting[0] != sanction_id:
        raise Conflict(
            "SANCTION_NOT_AWAITING",
            f"sanction_id: 处罚 {sanction_id} 不是待院长批准的下一项 (已决定或另有在先的) "
            "/ not the next sanction awaiting the president",
            "sanction_id",
        )
    return await decide(client, db, actor, case_id, decision, reason)
