"""A party's own cases (当事人的案件空间): exactly the cases whose requests name the party's number, found
through the party index (web/services/parties.py) — never a search over case data — and shown with what
the party may see of each (DOMAIN §19.4): its number, court, how it names the party, and its matters'
states. Nothing here reaches another party's data."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from temporalio.client import Client
from temporalio.service import RPCError

from audit.redact import mask_text
from config.settings import Settings
from domain.actors import Actor
from domain.documents import DEBTOR, DocumentKind, ServiceMethod
from domain.errors import NotFound
from domain.leads import LeadAsset
from domain.parties import Party
from domain.party_requests import RULES, PartySide, sides_of
from domain.property_report import PropertyReport
from domain.report_sanctions import STATUS_WORDS, SanctionDecision, SanctionStatus
from domain.settlement import Instalment
from runtime.temporal import CASE_NUMBER, STATUS
from security.identity import acting_as
from store.blobs import BlobStore
from store.case_pages import CasePageStore
from store.cases import CaseRegisterEntry, CaseRow
from store.documents import DocumentStore
from store.parties import PartyIndexEntry
from web.db import Database, PartyFile, User, utcnow
from web.services import party_resumption as resumption
from web.services.cases import case_view
from web.services.documents import office_for
from web.services.parties import file_type, file_types
from web.services.party_accounts import PartyDesk, party_digests
from web.services.party_agents import Standing, addressees, agent_cases, answers_for, standing
from web.services.party_applications import party_file_store
from web.services.party_closure import closure_matter
from web.services.party_payments import Till, settle_pending
from web.services.party_requests import update_case
from web.services.party_resumption import ResumeOffer
from web.services.users import display_name
from workflows.case.models import (
    SANCTION_RECEIVED_UPDATE,
    CaseView,
    MatterRecord,
    NodeLocation,
    PushedNode,
    ReportSanction,
    SanctionDocument,
    SanctionReceipt,
    SanctionReconsideration,
)
from workflows.case.words import WORDS as CASE_WORDS
from workflows.foundation.case_link import EffectKind, RegisterKind
from workflows.foundation.models import TimelineEntry
from workflows.registry import SCENARIOS

MAX_MATTERS = 200  # one party's matters a page shows; the party index caps a search at 500


class MyMatter(BaseModel):
    scenario: str
    workflow_id: str
    status: str


class MyCase(BaseModel):
    case_id: str = Field(description="the case's id (a matter filed before cases existed: its case number)")
    case_number: str
    court: str | None
    roles: list[str] = Field(description="how the case names the party: debtor, applicants …")
    matters: list[MyMatter]


def _entries(db: Database, wanted: list[str]) -> list[tuple[str, str, str, str | None]]:
    rows = db.rows(
        select(PartyIndexEntry.workflow_id, PartyIndexEntry.scenario, PartyIndexEntry.role, PartyIndexEntry.court)
        .where(PartyIndexEntry.digest.in_(wanted))
        .order_by(PartyIndexEntry.created_at)
        .limit(MAX_MATTERS)
    )
    return [(r.workflow_id, r.scenario, r.role, r.court) for r in rows]


def _filed(db: Database, workflow_ids: list[str]) -> dict[str, tuple[str, str, str]]:
    """Workflow id → (case id, case number, court) of the filed cases (执行案件) among them."""
    rows = db.rows(
        select(CaseRow.workflow_id, CaseRow.case_id, CaseRow.case_number, CaseRow.court).where(
            CaseRow.workflow_id.in_(workflow_ids)
        )
    )
    return {r.workflow_id: (r.case_id, r.case_number, r.court) for r in rows}


async def _matter(client: Client, workflow_id: str) -> tuple[str, str] | None:
    """(case number, status) as the workflow service has them; None for one it no longer knows."""
    try:
        desc = await client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return None
    attrs = desc.typed_search_attributes
    status = attrs.get(STATUS) or (desc.status.name.lower() if desc.status else "")
    return attrs.get(CASE_NUMBER) or "", status


async def my_cases(desk: PartyDesk, client: Client, actor: Actor) -> list[MyCase]:
    """The filed cases that name the party, each with the matters that name them; a matter started before
    its case was filed stands under its own case number."""
    entries = await desk.db.run(_entries, desk.db, await party_digests(desk, actor))
    by_workflow: dict[str, tuple[str, str | None, list[str]]] = {}
    for workflow_id, scenario, role, court in entries:
        _, _, roles = by_workflow.setdefault(workflow_id, (scenario, court, []))
        roles.append(role)
    filed = await desk.db.run(_filed, desk.db, list(by_workflow))
    cases: dict[str, MyCase] = {}
    roles_of: dict[str, set[str]] = defaultdict(set)
    for workflow_id, (case_id, number, court) in filed.items():
        cases[number] = MyCase(case_id=case_id, case_number=number, court=court, roles=[], matters=[])
        roles_of[number].update(by_workflow[workflow_id][2])
    matters = [w for w in by_workflow if w not in filed]
    described = await asyncio.gather(*(_matter(client, w) for w in matters))
    for workflow_id, found in zip(matters, described, strict=True):
        if found is None:
            continue
        number, status = found
        scenario, court, roles = by_workflow[workflow_id]
        case = cases.setdefault(number, MyCase(case_id=number, case_number=number, court=court, roles=[], matters=[]))
        case.matters.append(MyMatter(scenario=scenario, workflow_id=workflow_id, status=status))
        roles_of[number].update(roles)
    for number, case in cases.items():
        case.roles = sorted(roles_of[number])
    for case_id, number, court, role in await desk.db.run(agent_cases, desk.db, actor.user_id):
        agency = cases.setdefault(
            number, MyCase(case_id=case_id, case_number=number, court=court, roles=[], matters=[])
        )
        agency.roles = sorted({*agency.roles, role})
    return list(cases.values())


# --- one case, as a party follows it (执行流程公开, DOMAIN §19.1, §19.4) --------------------------------------------

# The steps of the case a party is shown (流程公开意见 Arts 1–3 [V, in part]; §19.1's recalled list: measures,
# coercive steps, disposals, settlement, closing with the amount recovered). Everything else on the court's
# timeline (notices between matters, continue-as-new, refused requests inside the court) stays inside.
DISCLOSED: frozenset[str] = frozenset(
    {"filed", "matter-started", "matter-ended", "full-performance", "term-extended", "closed", "paid-online"}
    | {"node-pushed", "report-sanctioned"}
    | {k.value for k in EffectKind if k is not EffectKind.MATTER_ENDED}
)


class PartyName(BaseModel):
    """A party as the other side sees them: the name, and only the own side's number, masked (§19.4)."""

    kind: str
    name: str
    id_number: str | None = Field(default=None, description="masked; only on the party's own side")


class PartyMeasure(BaseModel):
    kind: str = Field(description="冻结 / 查封 / 失信 / 限消, in words")
    description: str
    amount_fen: int | None
    effective_from: date | None
    expires_on: date | None
    state: str


class CaseNode(BaseModel):
    """One node of the case a party follows: when, what (in words), and its figures."""

    at: datetime
    action: str
    title: str
    amount_fen: int | None = None
    text: str | None = None


class PartyLedger(BaseModel):
    owed_fen: int
    recovered_fen: int
    paid_out_fen: int
    balance_fen: int


class RequestAction(BaseModel):
    """What became of a request: the matter its answer started (a verified lead's seizure or inquiry, the
    listing a 失信 request started, the settlement of agreed instalments) and where it stands, in words."""

    scenario: str
    title: str = Field(description="the matter, in words: 异地扣押, 网络查控 …")
    status: str
    status_title: str
    ended: bool


class PartyRequestView(BaseModel):
    """A request in the case space: the party's own; for the applicant also the debtor's property report and
    instalment proposals (to agree to)."""

    request_id: str
    kind: str
    title: str
    mine: bool
    text: str
    attachments: list[str]
    filed_at: datetime
    answer_due_on: date | None
    answer: str | None
    reason: str | None
    answered_at: datetime | None
    instalments: list[Instalment] = Field(default_factory=list)
    consent: bool | None = None
    late: bool = False
    sanction: SanctionDecision | None = None
    asset: LeadAsset | None = None
    action: RequestAction | None = None
    report: PropertyReport | None = Field(default=None, description="the other side sees numbers masked (§19.4)")
    report_due_on: date | None = None


COMPUTED = {"kind", "title", "mine", "action", "report"}  # PartyRequestView's fields set from more than the request


class SpaceNode(BaseModel):
    """A node the judge pushed (执行节点): photos and video by SHA-256 (GET /api/my/cases/{id}/files/{sha})."""

    node_id: str
    at: datetime | None
    title: str
    text: str
    attachments: list[str]
    videos: list[str] = Field(default_factory=list, description="those of the attachments that are videos")
    location: NodeLocation | None


class ServedDocument(BaseModel):
    """A document the court issued to the party's side (GET /api/my/cases/{id}/documents/{document_id})."""

    document_id: str
    title: str
    number: str
    issued_at: datetime
    served_at: datetime | None = Field(description="送达日期, where a receipt to this side is recorded")


class PartySanction(SanctionDecision):
    """A sanction for a breach of the report order as the debtor sees it: the decision and its basis, where it
    stands (the president's approval, the decision document), and the remedy — reconsideration within 3 days of
    receipt (``reconsideration_due_on`` once received; ``may_reconsider`` while it may be applied for)."""

    sanction_id: str
    status: SanctionStatus
    status_title: str
    reason: str
    document: SanctionDocument | None = None
    served_on: date | None = None
    reconsideration_due_on: date | None = None
    reconsideration: SanctionReconsideration | None = None
    may_reconsider: bool = False


def party_sanction(s: ReportSanction, today: date) -> PartySanction:
    due = s.reconsideration_due_on
    open_ = s.document is not None and s.reconsideration is None and (due is None or today <= due)
    return PartySanction(
        **s.decision.model_dump(),
        sanction_id=s.sanction_id,
        status=s.status,
        status_title=STATUS_WORDS[s.status],
        reason=s.reason,
        document=s.document,
        served_on=s.served_on,
        reconsideration_due_on=due,
        reconsideration=s.reconsideration,
        may_reconsider=open_,
    )


class PartyCase(BaseModel):
    """The case's own space (执行案件专属空间) as a party sees it."""

    case_id: str
    case_number: str
    court: str
    judge: str
    filed_on: date
    status: str
    status_title: str
    my_roles: list[str]
    applicants: list[PartyName]
    debtors: list[PartyName]
    title_document_number: str
    ledger: PartyLedger
    measures: list[PartyMeasure]
    term_due_on: date
    nodes: list[CaseNode]
    requests: list[PartyRequestView]
    pushed_nodes: list[SpaceNode] = Field(default_factory=list)
    documents: list[ServedDocument] = Field(default_factory=list)
    sanctions: list[PartySanction] = Field(
        default_factory=list, description="the debtor's own: fines, detention, 失信 for a breach of the report order"
    )
    acting_as_agent: bool = False
    special_authority: bool = False
    reporting_for: list[int] = Field(
        default_factory=list,
        description="an agent of several debtors: their principals' places, one of which each report names",
    )
    closed: dict[str, str] | None
    resume_offer: ResumeOffer | None = Field(
        default=None, description="the applicant may apply to resume: after 终本, or a settlement in default"
    )
    closure_awaiting_signature: bool = Field(
        default=False, description="the judge proposes 终本: the applicant may sign to confirm it (民诉法解释 Art. 517)"
    )


def _names(parties: list[Party], own: bool) -> list[PartyName]:
    return [PartyName(kind=p.kind.value, name=p.name, id_number=p.masked_id if own else None) for p in parties]


def _node(entry: TimelineEntry) -> CaseNode:
    detail = entry.detail
    text = entry.reason if entry.action in {e.value for e in EffectKind} else None
    if entry.action == "matter-started" and isinstance(detail.get("scenario"), str):
        found = SCENARIOS.get(detail["scenario"])
        text = found.title if found else None
    amount = detail.get("amount_fen")
    return CaseNode(
        at=entry.at,
        action=entry.action,
        title=CASE_WORDS.actions[entry.action].zh if entry.action in CASE_WORDS.actions else entry.action,
        amount_fen=amount if isinstance(amount, int) else None,
        text=mask_text(text) if text else None,
    )


def served_documents(db: Database, case_number: str, court: str, wanted: set[str]) -> list[ServedDocument]:
    """The case's documents addressed to ``wanted`` (``addressees``: the party's sides, and the party by place
    for a personal notice), from the documents store, oldest first."""
    shown = []
    for doc, served in DocumentStore(db).listing(case_number=case_number):
        if doc.court != court or not wanted & set(doc.addressed_to):
            continue
        to_side = [r.served_at for r in served if r.recipient in wanted]
        shown.append(
            ServedDocument(
                document_id=doc.document_id,
                title=doc.title,
                number=doc.number,
                issued_at=doc.issued_at,
                served_at=min(to_side) if to_side else None,
            )
        )
    return shown


def _space_node(n: PushedNode, types: dict[str, str]) -> SpaceNode:
    videos = [a for a in n.attachments if types.get(a, "").startswith("video/")]
    return SpaceNode(
        node_id=n.node_id,
        at=n.at,
        title=n.title,
        text=n.text,
        attachments=n.attachments,
        videos=videos,
        location=n.location,
    )


async def case_space(
    desk: PartyDesk,
    client: Client,
    actor: Actor,
    case_id: str,
    till: Till | None = None,
    pages: CasePageStore | None = None,
    max_age: timedelta = timedelta(0),
    acted_at: datetime | None = None,
) -> PartyCase:
    """A case that names the party (or whose agency the judge confirmed), as they may see it; any other
    case does not exist for them (404). Payments of theirs still open at the platform are settled first.

    The case's view is the court's whole file, built once per history length and kept by the web
    (``case_view``; ``pages``: shared by its processes); what this party may see is cut from it here, at
    every load, after their standing is checked — a view is never kept per party, so none crosses to another.
    A view known current within ``max_age`` and after the party's own last act (``acted_at``) is shown without
    asking Temporal (the page's bounded staleness, ``OM_PARTY_VIEW_MAX_AGE_SECONDS``)."""
    st = await standing(desk, actor, case_id)
    entry, roles = st.entry, st.roles
    if till is not None and await settle_pending(till, client, actor, case_id):
        acted_at = utcnow()  # a payment credited just now is shown at once
    with acting_as(actor):
        view = await case_view(client, entry, pages, max_age, acted_at)
        offer = await resumption.offer(client, view) if PartySide.APPLICANT in sides_of(roles) else None
    sides = sides_of(roles)
    applicant = PartySide.APPLICANT in sides
    ledger = view.ledger
    shown = [
        r
        for r in view.party_requests
        if r.by == actor.user_id or r.side in sides or (RULES[r.kind].seen_by_other_side and r.side not in sides)
    ]
    actions = await _actions(client, view.matters, {r.matter_workflow_id for r in shown if r.matter_workflow_id})
    wanted = addressees(st)
    attached = [a for n in view.pushed_nodes for a in n.attachments]
    types = await desk.db.read(file_types, desk.db, attached) if attached else {}
    return PartyCase(
        case_id=view.case_id,
        case_number=view.case_number,
        court=view.court,
        judge=await desk.db.read(display_name, desk.db, view.judge) or view.judge,  # by name, not the login
        filed_on=view.filed_on,
        status=view.status,
        status_title=CASE_WORDS.statuses[view.status].zh if view.status in CASE_WORDS.statuses else view.status,
        my_roles=roles,
        applicants=_names(view.applicants, own=applicant),
        debtors=_names(view.debtors, own=not applicant),
        title_document_number=view.title.document_number,
        ledger=PartyLedger(
            owed_fen=ledger.owed_fen,
            recovered_fen=ledger.recovered_fen,
            paid_out_fen=ledger.paid_out_fen,
            balance_fen=ledger.balance_fen,
        ),
        measures=[
            PartyMeasure(
                kind=MEASURE_WORDS.get(m.register_kind, m.register_kind.value),
                description=mask_text(m.description),
                amount_fen=m.amount_fen,
                effective_from=m.effective_from,
                expires_on=m.expires_on,
                state=m.state,
            )
            for m in view.measures
        ],
        term_due_on=view.term.due_on,
        nodes=[_node(e) for e in view.timeline if e.action in DISCLOSED],
        requests=[
            PartyRequestView(
                **r.model_dump(
                    include=set(PartyRequestView.model_fields) - {"kind", "title", "mine", "action", "report"}
                ),
                kind=r.kind.value,
                title=RULES[r.kind].title,
                mine=r.by == actor.user_id,
                action=actions.get(r.matter_workflow_id or ""),
                report=r.report if r.report is None or r.side in sides else r.report.masked(),
            )
            for r in shown
        ],
        pushed_nodes=[_space_node(n, types) for n in view.pushed_nodes],
        # Each debtor sees the sanctions that name them (an agent, their principal's): not another debtor's.
        sanctions=[
            party_sanction(x, view.ledger.on) for x in view.report_sanctions if answers_for(st, DEBTOR, x.debtor)
        ],
        documents=await desk.db.read(served_documents, desk.db, entry.case_number, entry.court, wanted),
        acting_as_agent=st.agent,
        special_authority=st.special_authority,
        reporting_for=_principals_of_several(st, DEBTOR),
        closed={"mode": view.closed.title, "on": view.closed.on.isoformat()} if view.closed else None,
        resume_offer=offer,
        closure_awaiting_signature=applicant and await _closure_awaits(client, view),
    )


def _principals_of_several(st: Standing, side: str) -> list[int]:
    """An agent's principals' places on the side when there are several (a report then names whose it is)."""
    places = st.places_on(side) if st.agent else []
    return places if len(places) > 1 else []


async def _closure_awaits(client: Client, view: CaseView) -> bool:
    """A closure matter running and awaiting the judge's ruling (its status as indexed): the applicant's form."""
    matter = closure_matter(view)
    now = await _matter(client, matter) if matter else None
    return now is not None and now[1] == "awaiting_closure"


async def _actions(client: Client, matters: list[MatterRecord], wanted: set[str]) -> dict[str, RequestAction]:
    """The matters the party's requests started, each with its state: a running one as it stands now (its
    search attribute), an ended one as it ended."""
    started = [m for m in matters if m.workflow_id in wanted]
    running = [m.workflow_id for m in started if m.ended_at is None]
    live = dict(zip(running, await asyncio.gather(*(_matter(client, w) for w in running)), strict=True))
    out = {}
    for m in started:
        now = live.get(m.workflow_id)
        status = now[1] if now and now[1] else m.status
        scenario = SCENARIOS.get(m.scenario)
        words = scenario.words.statuses if scenario else {}
        out[m.workflow_id] = RequestAction(
            scenario=m.scenario,
            title=scenario.title if scenario else m.scenario,
            status=status,
            status_title=words[status].zh if status in words else status,
            ended=m.ended_at is not None,
        )
    return out


MEASURE_WORDS = {
    RegisterKind.FREEZE: "冻结",
    RegisterKind.SEIZE: "查封 / 扣押",
    RegisterKind.DISHONEST_LIST: "纳入失信被执行人名单",
    RegisterKind.CONSUMPTION_RESTRICTION: "限制消费",
}


# --- files and documents, to the party who may see them only -----------------------------------------------------


def _uploaded_by(db: Database, username: str, sha256: str) -> bool:
    rows = db.rows(
        select(PartyFile.sha256)
        .join(User, User.id == PartyFile.user_id)
        .where(User.username == username, PartyFile.sha256 == sha256)
    )
    return bool(rows)


async def case_file(
    desk: PartyDesk, settings: Settings, client: Client, actor: Actor, case_id: str, sha256: str
) -> tuple[str, bytes]:
    """A photo of a node the judge pushed to the case, or the party's own upload: (content type, bytes)."""
    st = await standing(desk, actor, case_id)
    with acting_as(actor):
        view = await case_view(client, st.entry)
    pushed = {a for n in view.pushed_nodes for a in n.attachments}
    content_type = await desk.db.run(file_type, desk.db, sha256)
    allowed = sha256 in pushed or await desk.db.run(_uploaded_by, desk.db, actor.user_id, sha256)
    if content_type is None or not allowed:
        raise NotFound("FILE_NOT_FOUND", "没有这个文件 / no such file", "sha256")
    return content_type, await desk.db.run(party_file_store(settings).get, sha256)


SANCTION_DECISIONS = frozenset({DocumentKind.FINE_DECISION, DocumentKind.DETENTION_DECISION})


async def served_pdf(
    desk: PartyDesk, settings: Settings, client: Client, actor: Actor, case_id: str, document_id: str
) -> bytes:
    """A sealed document issued to the party's side of the case, and to no one else. The debtor opening a fine's
    or detention's decision receives it (electronic service, 在线诉讼规则 Art 31): the service is recorded on the
    document and told to the case, where the 3 days for reconsideration start (CPL Art 119)."""
    st = await standing(desk, actor, case_id)
    sides = sides_of(st.roles)
    wanted = addressees(st)
    listed = await desk.db.run(served_documents, desk.db, st.entry.case_number, st.entry.court, wanted)
    doc = await desk.db.run(DocumentStore(desk.db).get, document_id)
    if doc is None or document_id not in {d.document_id for d in listed}:
        raise NotFound("DOCUMENT_NOT_FOUND", f"没有这份文书 {document_id} / no such document", "document_id")
    if doc.kind in SANCTION_DECISIONS and PartySide.DEBTOR in sides:
        await _sanction_received(desk, settings, client, actor, st.entry, document_id)
    return await desk.db.run(BlobStore.for_settings(settings).get, doc.sha256)


async def _sanction_received(
    desk: PartyDesk, settings: Settings, client: Client, actor: Actor, entry: CaseRegisterEntry, document_id: str
) -> None:
    office = office_for(settings, desk.db)
    at = utcnow()
    served = await desk.db.run(
        lambda: office.record_service(document_id, DEBTOR, ServiceMethod.ELECTRONIC, at, str(actor), with_receipt=False)
    )
    first = min(r.served_at for r in served if r.recipient == DEBTOR)
    with acting_as(actor):
        view = await case_view(client, entry)
    for s in view.report_sanctions:
        if s.document is not None and s.document.document_id == document_id and s.served_on is None:
            await update_case(
                client,
                actor,
                entry,
                SANCTION_RECEIVED_UPDATE,
                SanctionReceipt(sanction_id=s.sanction_id, received_at=first),
                ReportSanction,
            )


async def my_case_number(desk: PartyDesk, actor: Actor, case_id: str) -> str:
    """The case number of a case the party stands in (404 otherwise)."""
    return (await standing(desk, actor, case_id)).entry.case_number
