"""Parties act in their case space (DOMAIN §19.2–19.3): the applicant sends leads, asks for a 失信 entry and
applies to resume after 终本; the debtor reports property, asks to correct an entry and proposes instalments;
either objects or leaves the judge a message; an agent files their power of attorney. Each goes to the case
as a request with its period to answer (domain/party_requests.py), on record in the case's history; the
judge answers with reasons, and an answer may act:
- a lead verified becomes the matter that acts on it — a vehicle's seizure, an inquiry reaching the bank or the
  registry (domain/leads.py) — started from the case with the lead's facts;
- instalments the applicant agreed to, recorded (``settle``), start the settlement matter with that schedule;
- a late or false property report answered ``sanction`` carries the sanction decided (domain/report_sanctions.py),
  and a 失信 sanction, like a 失信 request accepted, starts the listing matter (its review, the president decides);
- a resumption accepted puts the 执恢 application, prefilled from the case, in the filing clerk's queue;
- an agency confirmed lets the agent stand in the case (web/services/party_agents.py).

Who a party is in a case comes from the party index (the case's own parties) or a confirmed agency, never
from what they send.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, Field
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from domain.calendar import CalendarYearUnavailable
from domain.documents import DEBTOR
from domain.errors import Conflict, Forbidden, NotFound, OneMatterError, ValidationFailed
from domain.leads import LeadAction, LeadAsset, lead_action, merged
from domain.partners import PartnerEndpoint
from domain.party_requests import (
    REPORTS,
    RULES,
    SANCTION,
    SETTLE,
    SETTLEMENT_MATTER,
    PartyRequestKind,
    PartySide,
    answer_due,
    sides_of,
)
from domain.property_report import PropertyReport, supplement_due
from domain.report_sanctions import (
    ReconsiderationOutcome,
    ReportBreach,
    SanctionDecision,
    SanctionKind,
    SanctionProposal,
    decide,
)
from domain.settlement import Instalment, schedule_problem
from runtime.logging import get_logger
from security.identity import acting_as
from store.cases import CaseRegisterEntry
from web.db import Database, utcnow
from web.errors import GatewayTimeout
from web.services import cases, party_agents, party_applications, party_resumption
from web.services.access import require_role
from web.services.party_accounts import PartyDesk
from web.services.party_agents import Appointment, Standing, answers_for, standing
from web.services.workflows import execute_update_as
from workflows.case.models import (
    ANSWER_PARTY_REQUEST_UPDATE,
    FILE_PARTY_REQUEST_UPDATE,
    PARTY_CONSENT_UPDATE,
    REPORT_SANCTION_UPDATE,
    SANCTION_RECONSIDERATION_UPDATE,
    SANCTION_RECONSIDERED_UPDATE,
    CaseView,
    PartyAnswer,
    PartyConsent,
    PartyFiling,
    PartyRequest,
    ReconsiderationApplication,
    ReconsiderationDecided,
    ReportSanction,
)
from workflows.settlement.models import TITLE_RESUMED_UPDATE, TitleResumed

log = get_logger(__name__)

VERIFY = "verify"  # a lead verified (财产调查规定 Art 2): it becomes the matter that acts on it (domain/leads.py)
SETTLEMENT = SETTLEMENT_MATTER  # what instalments agreed and recorded start (执行和解)
DISHONEST = "dishonest-list"  # what a 失信 request accepted, or a report breach sanctioned so, starts


class NewPartyRequest(BaseModel):
    kind: PartyRequestKind
    text: str = Field(default="", max_length=4000, description="内容 (报告财产可只填 report)")
    attachments: list[str] = Field(default_factory=list, max_length=10, description="已上传文件的 SHA-256")
    instalments: list[Instalment] = Field(default_factory=list, max_length=120, description="分期履行计划")
    asset: LeadAsset | None = Field(default=None, description="财产线索: 财产类型及号牌、开户行、坐落等")
    report: PropertyReport | None = Field(
        default=None, description="报告财产 / 补充报告: 财产调查规定第五条的五类财产及第六条、第七条的变动"
    )
    on_behalf_of: int | None = Field(
        default=None,
        ge=1,
        description="代理人代为提交: 为本方列明的第几位当事人 (1 = 第一位); 代理本方多位当事人时, 报告财产须写明",
    )


# What one party files for themselves, never for their side: a debtor's property report is that debtor's own
# (财产调查规定 Art 5), and a sanction on it names that debtor alone.
ONE_PARTYS_OWN = frozenset({PartyRequestKind.PROPERTY_REPORT, PartyRequestKind.PROPERTY_SUPPLEMENT})


class Answer(BaseModel):
    answer: str = Field(min_length=1, max_length=32, description="答复: 如 verify / decline, upheld / dismissed")
    reason: str = Field(min_length=1, max_length=2000, description="理由或答复内容")
    sanction: SanctionProposal | None = Field(default=None, description="报告财产 answered sanction: 罚款/拘留/失信")
    matter: dict[str, Any] = Field(
        default_factory=dict,
        description="财产线索 verified: the judge's own fields of the matter it starts (the seizure's ruling_ref …), "
        "over what the lead pre-fills",
    )


class Consent(BaseModel):
    agree: bool = Field(description="申请执行人是否同意被执行人的分期履行方案")
    reason: str = Field(default="", max_length=2000)


def _closed(case_id: str) -> OneMatterError:
    return ValidationFailed("CASE_CLOSED", f"案件 {case_id} 已结案 / the case is closed", "case_id")


Answered = TypeVar("Answered", bound=BaseModel)


async def update_case(
    client: Client, actor: Actor, entry: CaseRegisterEntry, name: str, arg: BaseModel, result_type: type[Answered]
) -> Answered:
    """An Update to the case as ``actor``; a closed case and a case that does not answer say so in words."""

    async def closed() -> OneMatterError:
        return _closed(entry.case_id)

    answered: Answered = await execute_update_as(
        client,
        actor,
        entry.workflow_id,
        name,
        arg,
        closed=closed,
        timeout=GatewayTimeout("CASE_TIMEOUT", "案件未及时应答 / the case did not answer in time"),
        result_type=result_type,
    )
    return answered


async def _send(client: Client, actor: Actor, entry: CaseRegisterEntry, name: str, arg: BaseModel) -> PartyRequest:
    return await update_case(client, actor, entry, name, arg, PartyRequest)


def side_of(roles: Sequence[str], kind: PartyRequestKind) -> PartySide:
    """The party's side in the case for this kind of request; a party named on both sides files as the side
    the request belongs to."""
    allowed = sides_of(roles) & RULES[kind].filers
    if not allowed:
        raise ValidationFailed(
            "NOT_THE_FILER", f"kind: {RULES[kind].title}不由您这一方提出 / not filed by your side", "kind"
        )
    return min(allowed)


def _within_authority(st: Standing, kind: PartyRequestKind) -> None:
    if st.agent and RULES[kind].special_authority and not st.special_authority:
        raise Forbidden(
            "SPECIAL_AUTHORITY_REQUIRED",
            f"kind: 代理人{RULES[kind].title}须有委托人的特别授权 (执行工作规定第二十条) / needs special authority",
        )


def _asset(body: NewPartyRequest) -> None:
    if body.asset is not None and body.kind is not PartyRequestKind.LEAD:
        raise ValidationFailed("NOT_A_LEAD", "asset: 仅财产线索填写财产 / only a lead names an asset", "asset")


def _schedule(body: NewPartyRequest) -> None:
    if body.kind is not PartyRequestKind.INSTALMENTS:
        if body.instalments:
            raise ValidationFailed(
                "NOT_INSTALMENTS", "instalments: 仅分期履行申请填写 / only for instalments", "instalments"
            )
        return
    problem = schedule_problem(body.instalments) if body.instalments else "至少一期 / at least one instalment"
    if problem:
        raise ValidationFailed("INVALID_SCHEDULE", f"instalments: {problem}", "instalments")


def _report(body: NewPartyRequest) -> tuple[str, date | None]:
    """A report or supplement carries the report in its structure (its text, if none given, says what it holds);
    a supplement reports at least one change, and is due 10 days after its earliest (Art 7). Anything else
    carries text and no report."""
    report = body.report
    if body.kind not in REPORTS:
        if report is not None:
            raise ValidationFailed(
                "NOT_A_REPORT", "report: 仅报告财产或补充报告时填写 / only for a property report", "report"
            )
        if not body.text.strip():
            raise ValidationFailed("TEXT_REQUIRED", "text: 请填写内容 / write what you ask", "text")
        return body.text, None
    if report is None:
        raise ValidationFailed(
            "REPORT_REQUIRED",
            "report: 请按财产调查规定第五条逐项报告财产 (收入存款等、不动产、动产、财产性权利、其他)",
            "report",
        )
    due = None
    if body.kind is PartyRequestKind.PROPERTY_SUPPLEMENT:
        if not report.changes:
            raise ValidationFailed(
                "SUPPLEMENT_WITHOUT_CHANGE",
                "report.changes: 补充报告须写明财产变动情况及变动日期 (财产调查规定第七条) / the change and its date",
                "report.changes",
            )
        earliest = min(report.changes, key=lambda c: c.changed_on)
        try:
            due = supplement_due(earliest.changed_on)
        except CalendarYearUnavailable:
            field = f"report.changes.{report.changes.index(earliest)}.changed_on"
            raise ValidationFailed(
                "DATE_OUT_OF_RANGE", f"{field}: 变动日期超出可计算的范围 / not a date we can count from", field
            ) from None
    return body.text.strip() or report.summary(), due


async def file_request(
    desk: PartyDesk, client: Client, actor: Actor, case_id: str, body: NewPartyRequest
) -> PartyRequest:
    if body.kind is PartyRequestKind.AGENCY:
        raise ValidationFailed("USE_AGENCIES", "kind: 委托代理请提交授权委托书 (POST /api/my/agencies)", "kind")
    st = await standing(desk, actor, case_id)
    await party_applications.check_attachments(desk.db, actor, body.attachments)
    side = side_of(st.roles, body.kind)
    _within_authority(st, body.kind)
    _schedule(body)
    _asset(body)
    breached = None
    if body.kind is PartyRequestKind.RESUME:
        # On an open case, only a settlement in default opens it (执行和解规定 Art 9); the case checks the matter.
        with acting_as(actor):
            view = await cases.case_view(client, st.entry)
        breached = None if view.closed else await party_resumption.breached_settlement(client, view)
    text, report_due_on = _report(body)
    place = _place(st, side, body)
    filing = PartyFiling(
        request_id=f"pr-{utcnow():%Y%m%d}-{secrets.token_hex(6)}",
        kind=body.kind,
        side=side,
        text=text,
        report=body.report,
        report_due_on=report_due_on,
        attachments=body.attachments,
        answer_due_on=answer_due(body.kind, utcnow()),
        instalments=body.instalments,
        agent=st.agent,
        place=place,
        special_authority=st.special_authority,
        asset=body.asset,
        settlement_workflow_id=breached.settlement_workflow_id if breached else None,
    )
    return await _send(client, actor, st.entry, FILE_PARTY_REQUEST_UPDATE, filing)


def _place(st: Standing, side: PartySide, body: NewPartyRequest) -> int | None:
    """The filer's place among the parties of their side (1 = the first the case names): a report's sanction
    names that debtor and no other. An agent files for the principal who signed the power; one acting for several
    parties of the side names which (``on_behalf_of``) — required for what is one party's own, a property report;
    otherwise None files for the side. None too for an agent whose principal was not recorded."""
    places = st.places_on(side)
    if body.on_behalf_of is not None:
        if body.on_behalf_of not in places:
            raise ValidationFailed(
                "NOT_YOUR_PRINCIPAL",
                f"on_behalf_of: 您不是本方第 {body.on_behalf_of} 位当事人, 也未受其委托 / "
                "you may file only for yourself or a party who appointed you",
                "on_behalf_of",
            )
        return body.on_behalf_of
    if st.agent and len(places) > 1:
        if body.kind in ONE_PARTYS_OWN:
            raise ValidationFailed(
                "ON_BEHALF_OF_REQUIRED",
                f"on_behalf_of: 您代理本方 {len(places)} 位当事人, 报告财产须写明为哪一位提交 / "
                "you act for several parties of this side: name the one whose report this is",
                "on_behalf_of",
            )
        return None
    return places[0] if len(places) == 1 else None


def breaching_debtor(request: PartyRequest, debtors: int) -> int:
    """The debtor a sanction on this report names (their place, 1 = the first): the one who filed it, or the
    case's only debtor. A report on record without its filer's place (filed by an agent of several debtors before
    they had to name one) names nobody: sanctioning it would guess, so it is refused."""
    if request.place is not None:
        return request.place
    if debtors == 1:
        return 1
    raise Conflict(
        "DEBTOR_NOT_NAMED",
        "这份报告未写明是哪一位被执行人的, 不能据此处罚; 拒不报告的, 请在制裁中写明被执行人 / "
        "the report does not name its debtor: sanction a refusal naming the debtor instead",
        "request_id",
    )


async def file_agency(desk: PartyDesk, client: Client, actor: Actor, body: Appointment) -> PartyRequest:
    """An agent files their power of attorney in the case it names; the judge confirms or refuses it."""
    st, request_id = await party_agents.appoint(desk, actor, body)
    authority = "特别授权 (代为和解、收取执行款)" if body.special_authority else "一般授权"
    filing = PartyFiling(
        request_id=request_id,
        kind=PartyRequestKind.AGENCY,
        side=side_of(st.roles, PartyRequestKind.AGENCY),
        text=f"委托代理 — {authority}。{body.text}".strip(),
        attachments=[body.power_of_attorney_sha256],
        special_authority=body.special_authority,
        agent=True,
    )
    return await _send(client, actor, st.entry, FILE_PARTY_REQUEST_UPDATE, filing)


async def consent(
    desk: PartyDesk, client: Client, actor: Actor, case_id: str, request_id: str, body: Consent
) -> PartyRequest:
    """The applicant agrees (or not) to the debtor's instalments; an agent needs special authority to."""
    st = await standing(desk, actor, case_id)
    if PartySide.APPLICANT not in sides_of(st.roles):
        raise Forbidden("APPLICANT_ONLY", "仅申请执行人可以同意分期履行 / the applicant agrees")
    _within_authority(st, PartyRequestKind.INSTALMENTS)
    arg = PartyConsent(request_id=request_id, agree=body.agree, reason=body.reason)
    return await _send(client, actor, st.entry, PARTY_CONSENT_UPDATE, arg)


async def answer_request(
    client: Client,
    settings: Settings,
    partners: Sequence[PartnerEndpoint],
    db: Database,
    actor: Actor,
    case_id: str,
    request_id: str,
    body: Answer,
) -> PartyRequest:
    """The judge's answer. A lead verified becomes the matter that acts on it (domain/leads.py: a vehicle's
    seizure, an inquiry reaching the bank or the registry), started from the case with the lead's facts and
    the judge's own fields (``matter``); its id is on the answer, so the applicant sees what became of it."""
    require_role(actor, Role.JUDGE)
    entry = await cases.visible_entry(db, actor, case_id)
    view = await cases.case_view(client, entry)
    request = next((r for r in view.party_requests if r.request_id == request_id), None)
    if request is None:
        raise NotFound("REQUEST_NOT_FOUND", f"没有这项申请 {request_id} / no such request", "request_id")
    sanction = _sanction(view, request, body)
    verified = request.kind is PartyRequestKind.LEAD and body.answer == VERIFY
    if body.matter and not verified:
        raise ValidationFailed(
            "MATTER_NOT_STARTED", "matter: 仅核实财产线索时填写 / only when verifying a lead", "matter"
        )
    matter, not_told = None, None
    if request.answer is None:
        if verified:
            action = lead_action(request.asset, partners)
            fields = merged(action.prefill, body.matter)
            # Aimed at what the lead names: only the named bank, or the registry, is asked.
            aimed = [p for p in partners if p.id in action.partners] if action.partners else partners
            matter = await _start(
                client, settings, aimed, db, actor, case_id, action.scenario, fields, f"lead:{request_id}"
            )
        elif request.kind is PartyRequestKind.DISHONEST_REQUEST and body.answer == "accept":
            # The listing's own procedure decides within the 15 days (失信规定 Art 5), on the applicant's request.
            asked = {"applicant_requested": True}
            matter = await _start(
                client, settings, partners, db, actor, case_id, DISHONEST, asked, f"dishonest:{request_id}"
            )
        elif sanction is not None and sanction.kind is SanctionKind.DISHONEST:
            # 失信规定 Art 1(四): the court's own motion, against the debtor who breached the order, not every debtor
            ex_officio = {"applicant_requested": False, "debtor": breaching_debtor(request, len(view.debtors)) - 1}
            matter = await _start(
                client, settings, partners, db, actor, case_id, DISHONEST, ex_officio, f"dishonest:{request_id}"
            )
        elif request.kind is PartyRequestKind.RESUME and body.answer == "accept" and request.settlement_workflow_id:
            not_told = await tell_settlement(client, actor, case_id, request, body.reason)
        elif request.kind is PartyRequestKind.INSTALMENTS and body.answer == SETTLE and request.consent is True:
            plan = {
                "signed_on": view.ledger.on.isoformat(),
                "instalments": [i.model_dump(mode="json") for i in request.instalments],
            }
            matter = await _start(
                client, settings, partners, db, actor, case_id, SETTLEMENT, plan, f"instalments:{request_id}"
            )
    arg = PartyAnswer(
        request_id=request_id,
        answer=body.answer,
        reason=body.reason,
        matter_workflow_id=matter,
        sanction=sanction,
        settlement_not_told=not_told,
    )
    answered = await _send(client, actor, entry, ANSWER_PARTY_REQUEST_UPDATE, arg)
    await party_agents.judge_decided(db, request.kind, request_id, body.answer)
    if request.kind is PartyRequestKind.RESUME and body.answer == "accept":
        await party_applications.resumption(db, view, answered)
    return answered


async def tell_settlement(client: Client, actor: Actor, case_id: str, request: PartyRequest, reason: str) -> str | None:
    """执恢 accepted on a breached settlement (执行和解规定 Art 9): the settlement records that its original title
    is resumed and ends. None when it did; else the code why not (it had ended: ``SETTLEMENT_ENDED``), for the
    case's timeline to say so instead."""
    assert request.settlement_workflow_id is not None

    async def ended() -> Conflict:
        return Conflict("SETTLEMENT_ENDED", "执行和解事项已结束 / the settlement has ended", "settlement_workflow_id")

    told = TitleResumed(request_id=request.request_id, case_id=case_id, reason=reason)
    try:
        await execute_update_as(
            client,
            actor,
            request.settlement_workflow_id,
            TITLE_RESUMED_UPDATE,
            told,
            closed=ended,
            timeout=GatewayTimeout("SETTLEMENT_TIMEOUT", "执行和解事项未及时应答 / the settlement did not answer"),
        )
    except OneMatterError as exc:
        log.info("settlement not told of the resumption", request_id=request.request_id, code=exc.code)
        return exc.code
    return None


def lead_actions(requests: Sequence[dict[str, Any]], partners: Sequence[PartnerEndpoint]) -> dict[str, LeadAction]:
    """What each lead of the case (as the case page lists them) becomes once verified, by request id."""
    return {
        r["request_id"]: lead_action(LeadAsset.model_validate(r["asset"]) if r.get("asset") else None, partners)
        for r in requests
        if r.get("kind") == PartyRequestKind.LEAD.value
    }


async def _start(
    client: Client,
    settings: Settings,
    partners: Sequence[PartnerEndpoint],
    db: Database,
    actor: Actor,
    case_id: str,
    scenario: str,
    body: dict[str, Any],
    key: str,
) -> str:
    started = await cases.start_matter(client, settings, partners, db, actor, case_id, scenario, body, key)
    return started.workflow_id


def _sanction(view: CaseView, request: PartyRequest, body: Answer) -> SanctionDecision | None:
    """The sanction on a property report's breach, checked against the caps for the debtor (a person or an
    entity) and given its basis; only a property report is answered with one."""
    if body.sanction is None:
        return None
    if request.kind is not PartyRequestKind.PROPERTY_REPORT or body.answer != SANCTION:
        raise ValidationFailed("SANCTION_REQUIRED", "sanction: 仅对报告财产答复 sanction 时填写", "sanction")
    return decide(body.sanction, view.debtors[breaching_debtor(request, len(view.debtors)) - 1].kind)


class RefusedReport(BaseModel):
    """The judge's sanction on a debtor who filed no report within the order's period (拒绝报告)."""

    sanction: SanctionProposal
    reason: str = Field(min_length=1, max_length=2000, description="理由")
    debtor: int = Field(default=1, ge=1, le=1000, description="被处罚的被执行人: 在本案被执行人中的位次 (1 = 第一名)")


async def sanction_refused_report(
    client: Client,
    settings: Settings,
    partners: Sequence[PartnerEndpoint],
    db: Database,
    actor: Actor,
    case_id: str,
    body: RefusedReport,
) -> ReportSanction:
    """With no report to answer, the judge's sanction stands on the case itself, checked against the caps with
    its basis; a 失信 sanction starts the listing (失信规定 Art 1(四))."""
    require_role(actor, Role.JUDGE)
    entry = await cases.visible_entry(db, actor, case_id)
    if body.sanction.breach is not ReportBreach.REFUSED:
        raise ValidationFailed(
            "ANSWER_THE_REPORT",
            "sanction.breach: 逾期或虚假报告请在该报告上答复 / answer the report itself",
            "sanction",
        )
    view = await cases.case_view(client, entry)
    if body.debtor > len(view.debtors):
        raise ValidationFailed(
            "NO_SUCH_DEBTOR", f"debtor: 本案只有 {len(view.debtors)} 名被执行人 / no such debtor", "debtor"
        )
    decision = decide(body.sanction, view.debtors[body.debtor - 1].kind)
    sanction_id = f"sn-{utcnow():%Y%m%d}-{secrets.token_hex(6)}"
    if decision.kind is SanctionKind.DISHONEST:
        await _start(
            client,
            settings,
            partners,
            db,
            actor,
            case_id,
            DISHONEST,
            {"applicant_requested": False, "debtor": body.debtor - 1},  # the debtor who refused, not every debtor
            sanction_id,
        )
    arg = ReportSanction(sanction_id=sanction_id, decision=decision, reason=body.reason, debtor=body.debtor)
    return await update_case(client, actor, entry, REPORT_SANCTION_UPDATE, arg, ReportSanction)


class ReconsiderationIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000, description="复议理由")
    attachments: list[str] = Field(default_factory=list, max_length=10, description="已上传文件的 SHA-256")


async def apply_reconsideration(
    desk: PartyDesk, client: Client, actor: Actor, case_id: str, sanction_id: str, body: ReconsiderationIn
) -> ReportSanction:
    """复议: the debtor (or their confirmed agent) applies online against a fine or detention, once, within 3 days
    of receiving the decision (CPL Art 119; the case refuses it after, with the rule)."""
    st = await standing(desk, actor, case_id)
    if PartySide.DEBTOR not in sides_of(st.roles):
        raise Forbidden("DEBTOR_ONLY", "仅被处罚的被执行人可以申请复议 / only the debtor sanctioned applies")
    with acting_as(actor):
        view = await cases.case_view(client, st.entry)
    named = next((s.debtor for s in view.report_sanctions if s.sanction_id == sanction_id), None)
    if named is not None and not answers_for(st, DEBTOR, named):  # the debtor it names, or their agent
        raise Forbidden("DEBTOR_ONLY", "仅被处罚的被执行人可以申请复议 / only the debtor sanctioned applies")
    await party_applications.check_attachments(desk.db, actor, body.attachments)
    arg = ReconsiderationApplication(sanction_id=sanction_id, text=body.text, attachments=body.attachments)
    return await update_case(client, actor, st.entry, SANCTION_RECONSIDERATION_UPDATE, arg, ReportSanction)


class HigherCourtDecision(BaseModel):
    outcome: ReconsiderationOutcome = Field(description="upheld 维持 | revoked 撤销 | varied 变更")
    decision_ref: str = Field(min_length=3, max_length=100, description="复议决定书文号")
    reason: str = Field(min_length=1, max_length=2000)


async def record_reconsideration(
    client: Client, db: Database, actor: Actor, case_id: str, body: ReconsiderationDecided
) -> ReportSanction:
    """The judge records the higher court's decision on a reconsideration (民诉法解释 Art 185)."""
    require_role(actor, Role.JUDGE)
    entry = await cases.visible_entry(db, actor, case_id)
    return await update_case(client, actor, entry, SANCTION_RECONSIDERED_UPDATE, body, ReportSanction)
