"""Existing matters join their cases (issue 20 item 8): every scenario workflow, running or finished,
started before cases existed is attached to the case of its court with its 案号 — the case learns the
matter and what it did (money recovered or paid out, measures still in force, its end) as matter effects,
each with an effect id derived from the matter's workflow id, so a second run changes nothing.

A matter already on its case (started from it, or attached before) is left alone: it reports itself, and
attaching it again would count its money twice. A 案号 without a filed case is filed from its matters when
they say enough: its application (申请执行书: parties with ID numbers, the title, the claim) is gathered
from what the matters were started with, completed by what the admin supplies for that 案号, and filed in
the name of a filing clerk of its court, keeping its number and the day its first matter started; then its
matters are attached. What is still missing is said field by field (``needs``), and nothing is filed.
Run by ``python -m web.admin attach-cases [--clerk USER] [--application FILE]``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from temporalio.client import Client, WorkflowExecutionStatus

from config.settings import Settings
from domain.actors import SYSTEM_ACTOR, Actor
from domain.assets import AssetKind, measure_description
from domain.case_number import normalise_case_number, parse_case_number
from domain.errors import OneMatterError
from domain.legal_time import CHINA_TZ
from runtime.logging import get_logger
from runtime.temporal import CASE_NUMBER, COURT, SCENARIO
from security.identity import acting_as
from store.cases import CaseRow
from store.db import Database
from web.services.cases import FilingRequest, file_case
from web.services.workflows import quote
from workflows.case.models import CASE_STATUS_QUERY, CaseView
from workflows.foundation.case_link import MATTER_EFFECT_SIGNAL, EffectKind, MatterEffect, RecoverySource, RegisterKind
from workflows.foundation.messages import STATUS_QUERY
from workflows.foundation.models import ScenarioStatus
from workflows.registry import SCENARIOS

log = get_logger(__name__)


class AttachReport(BaseModel):
    attached: list[str] = Field(default_factory=list, description="matters attached in this run")
    already: list[str] = Field(default_factory=list, description="matters already on their case")
    unfiled: dict[str, list[str]] = Field(default_factory=dict, description="案号 without a case → its matters")
    needs: dict[str, list[str]] = Field(
        default_factory=dict, description="案号 → what its application still lacks (field: rule), nothing filed"
    )
    filed: dict[str, str] = Field(default_factory=dict, description="案号 filed from its matters → case_id")
    effects: int = 0


class Filing(BaseModel):
    """Filing the unfiled: in whose name (a filing clerk of the court) and what the admin adds per 案号."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: Settings
    clerks: dict[str, Actor] = Field(description="court → the filing clerk the cases are filed by")
    supplements: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="案号 → FilingRequest fields that override what the matters say"
    )


def application_from(court: str, requests: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What a case's application can be gathered from its matters' requests: the debtors and applicants
    (with their ID numbers), the title's number and issuer (失信), its performance period (disposal), the
    principal — the largest amount owed any matter stated."""
    debtors: dict[str, dict[str, Any]] = {}
    applicants: dict[str, dict[str, Any]] = {}
    title: dict[str, Any] = {}
    owed: list[int] = []
    for r in requests:
        for side, keys in ((debtors, ("debtor", "person")), (applicants, ("applicant",))):
            for key in keys:
                p = r.get(key)
                if isinstance(p, dict) and p.get("id_number"):
                    side.setdefault(p["id_number"], {f: p.get(f) for f in ("kind", "name", "id_number")})
        if r.get("title_document"):
            title.setdefault("document_number", r["title_document"])
        if r.get("title_issuer"):
            title.setdefault("issuer", r["title_issuer"])
        for c in r.get("creditors") or []:
            if isinstance(c, dict) and c.get("performance_due_on"):
                title.setdefault("performance_due_on", c["performance_due_on"])
        owed += [int(r[k]) for k in ("amount_owed_fen", "outstanding_fen", "owed_fen") if isinstance(r.get(k), int)]
    out: dict[str, Any] = {"court": court, "title": title}
    if debtors:
        out["debtors"] = list(debtors.values())
    if applicants:
        out["applicants"] = list(applicants.values())
    if owed:
        out["claim"] = {"principal_fen": max(owed)}
    return out


def _merged(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merged(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def needs_of(exc: ValidationError) -> list[str]:
    """Each missing or wrong field of the application, with the rule: what the admin must supply."""
    return [f"{'.'.join(str(p) for p in e['loc']) or 'application'}: {e['msg']}" for e in exc.errors()]


def effects_of(
    wid: str,
    scenario: str,
    status: ScenarioStatus,
    closed_at: datetime | None,
    partner_names: Mapping[str, str] | None = None,
) -> list[MatterEffect]:
    """What the case must know of a matter it did not see happen, from the matter's own record: that it
    belongs to the case, the money it moved, the measures it holds (described from the matter's report:
    the partner's name, the kind of property, its reference masked), and its end."""
    names = partner_names or {}
    reported = {r.get("index"): r for r in status.summary.get("report", []) if isinstance(r, dict)}
    at = closed_at or datetime.now(UTC)

    def effect(kind: EffectKind, what: str, **fields: Any) -> MatterEffect:
        return MatterEffect(
            effect_id=f"{wid}:attached:{what}",
            matter_workflow_id=wid,
            scenario=scenario,
            kind=kind,
            occurred_at=at,
            description=fields.pop("description", "已有事项并入本案 / an existing matter attached"),
            **fields,
        )

    out = [effect(EffectKind.MATTER_ATTACHED, "matter")]
    result = status.result or {}
    if scenario == "asset-inquiry":
        if result.get("deducted_fen"):
            out.append(
                effect(
                    EffectKind.MONEY_RECOVERED,
                    "deducted",
                    amount_fen=result["deducted_fen"],
                    source=RecoverySource.DEDUCTION,
                )
            )
        for m in result.get("measures", []):
            if m.get("status") != "active":
                continue
            kind = RegisterKind.FREEZE if m["kind"] == "freeze" else RegisterKind.SEIZE
            out.append(
                effect(
                    EffectKind.MEASURE_PLACED,
                    f"{m['kind']}/{m['asset_index']}",
                    measure_key=f"{m['kind']}/{m['asset_index']}",
                    register_kind=kind,
                    description=measure_description(
                        names.get(m["partner_id"], m["partner_id"]),
                        AssetKind(m["asset_kind"]),
                        str(reported.get(m["asset_index"], {}).get("reference") or "—"),
                        str(reported.get(m["asset_index"], {}).get("description") or ""),
                    ),
                    amount_fen=m.get("amount_fen") if kind is RegisterKind.FREEZE else None,
                    effective_from=_day(m.get("registered_at")),
                    expires_on=_day(m.get("expires_at")),
                    holder_workflow_id=f"{wid}:term:{m['asset_index']}",
                    partner_id=m["partner_id"],
                    partner_measure_id=m.get("measure_id"),
                    asset_kind=m["asset_kind"],
                )
            )
    elif scenario == "settlement" and result.get("paid_fen"):
        out.append(
            effect(EffectKind.MONEY_RECOVERED, "paid", amount_fen=result["paid_fen"], source=RecoverySource.SETTLEMENT)
        )
    elif scenario == "mass-payout" and result.get("paid_fen"):
        out.append(effect(EffectKind.MONEY_PAID_OUT, "paid", amount_fen=result["paid_fen"]))
    if closed_at is not None:
        out.append(effect(EffectKind.MATTER_ENDED, "end", status=status.status))
    return out


def _day(value: Any) -> date | None:
    return datetime.fromisoformat(value).date() if isinstance(value, str) else None


class Matter(BaseModel):
    workflow_id: str
    scenario: str
    court: str
    case_number: str
    started_at: datetime
    closed_at: datetime | None = Field(default=None, description="None: running")


async def _matters(client: Client, case_numbers: Sequence[str] | None) -> AsyncIterator[Matter]:
    """Every scenario workflow (measure watches and agency tasks are not matters), of these 案号 if given."""
    query = f"{SCENARIO.name} IN ({_listed(SCENARIOS)})"
    if case_numbers is not None:
        query += f" AND {CASE_NUMBER.name} IN ({_listed(case_numbers)})"
    async for w in client.list_workflows(query, page_size=500):
        attrs = w.typed_search_attributes
        number, court, scenario = attrs.get(CASE_NUMBER), attrs.get(COURT), attrs.get(SCENARIO)
        if number and court and scenario:
            closed = w.close_time if w.status != WorkflowExecutionStatus.RUNNING else None
            yield Matter(
                workflow_id=w.id,
                scenario=scenario,
                court=court,
                case_number=number,
                started_at=w.start_time,
                closed_at=closed,
            )


def _normalised(number: str) -> str:
    """As the register writes a 案号 (full-width brackets): a matter's may have been typed half-width."""
    try:
        return normalise_case_number(number)
    except ValueError:
        return number


def _listed(values: Iterable[str]) -> str:
    return ", ".join(quote(v) for v in values)


async def _request_of(client: Client, workflow_id: str) -> dict[str, Any]:
    """The request a matter was started with, from its first history event (decrypted by the codec)."""
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        payloads = event.workflow_execution_started_event_attributes.input.payloads
        [started] = await client.data_converter.decode(payloads)
        request = started.get("request") if isinstance(started, dict) else None
        return request if isinstance(request, dict) else {}
    return {}


async def _file_from_matters(
    client: Client,
    db: Database,
    filing: Filing,
    number: str,
    matters: list[Matter],
    report: AttachReport,
    dry_run: bool,
) -> str | None:
    """Files the case of ``number`` from its matters (and the admin's supplement); its workflow id, or
    None with what it needs in ``report.needs``."""
    court = matters[0].court
    clerk = filing.clerks.get(court)
    if clerk is None:
        report.needs[number] = [f"clerk: 未指定 {court} 的立案人员 (--clerk) / no filing clerk of this court named"]
        return None
    gathered = application_from(court, [await _request_of(client, m.workflow_id) for m in matters])
    try:
        req = FilingRequest.model_validate(_merged(gathered, filing.supplements.get(number, {})))
        docketed = parse_case_number(number)
    except ValidationError as exc:
        report.needs[number] = needs_of(exc)
        return None
    except ValueError as exc:
        report.needs[number] = [f"case_number: {exc}"]
        return None
    if dry_run:
        report.filed[number] = "(dry run)"
        return None
    filed_on = min(m.started_at for m in matters).astimezone(CHINA_TZ).date()
    try:
        filed = await file_case(client, filing.settings, db, clerk, req, docketed=docketed, filed_on=filed_on)
    except OneMatterError as exc:
        report.needs[number] = [f"{exc.field or 'application'}: {exc.message}"]
        return None
    report.filed[number] = filed.case_id
    log.info("case filed from its matters", case_id=filed.case_id, matters=len(matters))
    return filed.workflow_id


async def attach_cases(
    client: Client,
    db: Database,
    dry_run: bool = False,
    case_numbers: Sequence[str] | None = None,
    filing: Filing | None = None,
    partner_names: Mapping[str, str] | None = None,
) -> AttachReport:
    """Attaches what is not yet on its case; ``case_numbers`` limits the run to those 案号; with ``filing``,
    a 案号 without a case is filed from its matters first (or what it needs is said)."""
    report = AttachReport()
    cases: dict[tuple[str, str], str | None] = {}
    views: dict[str, CaseView] = {}
    unfiled: dict[str, list[Matter]] = {}

    async def attach(case_wf: str, m: Matter) -> None:
        if case_wf not in views:
            views[case_wf] = await client.get_workflow_handle(case_wf).query(CASE_STATUS_QUERY, result_type=CaseView)
        if any(x.workflow_id == m.workflow_id for x in views[case_wf].matters):
            report.already.append(m.workflow_id)
            return
        status = await client.get_workflow_handle(m.workflow_id).query(STATUS_QUERY, result_type=ScenarioStatus)
        effects = effects_of(m.workflow_id, m.scenario, status, m.closed_at, partner_names)
        if not dry_run:
            case = client.get_workflow_handle(case_wf)
            for e in effects:
                await case.signal(MATTER_EFFECT_SIGNAL, e)
        report.attached.append(m.workflow_id)
        report.effects += len(effects)
        log.info("matter attached", workflow_id=m.workflow_id, case=case_wf, effects=len(effects), dry_run=dry_run)

    with acting_as(SYSTEM_ACTOR):
        async for m in _matters(client, case_numbers):
            key = (m.court, m.case_number)
            if key not in cases:
                number = _normalised(m.case_number)
                rows = db.rows(
                    select(CaseRow.workflow_id).where(CaseRow.court == m.court, CaseRow.case_number == number)
                )
                cases[key] = rows[0].workflow_id if rows else None
            case_wf = cases[key]
            if case_wf is None:
                report.unfiled.setdefault(m.case_number, []).append(m.workflow_id)
                unfiled.setdefault(m.case_number, []).append(m)
                continue
            await attach(case_wf, m)
        for number, matters in unfiled.items() if filing is not None else ():
            assert filing is not None
            filed_wf = await _file_from_matters(client, db, filing, number, matters, report, dry_run)
            if filed_wf is not None:
                del report.unfiled[number]
                for m in matters:
                    await attach(filed_wf, m)
    return report
