"""Existing matters join their cases (issue 20 item 8): every scenario workflow, running or finished,
started before cases existed is attached to the case of its court with its 案号 — the case learns the
matter and what it did (money recovered or paid out, measures still in force, its end) as matter effects,
each with an effect id derived from the matter's workflow id, so a second run changes nothing.

A matter already on its case (started from it, or attached before) is left alone: it reports itself, and
attaching it again would count its money twice. A 案号 without a filed case is listed, not invented: a
case needs its application (parties with ID numbers, the title, the claim), which only the filing clerk
dockets; once filed, the next run attaches its matters. Run by ``python -m web.admin attach-cases``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from temporalio.client import Client, WorkflowExecutionStatus

from domain.actors import SYSTEM_ACTOR
from domain.assets import AssetKind, measure_description
from runtime.logging import get_logger
from runtime.temporal import CASE_NUMBER, COURT, SCENARIO
from security.identity import acting_as
from store.cases import CaseRow
from store.db import Database
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
    effects: int = 0


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


async def _matters(
    client: Client, case_numbers: Sequence[str] | None
) -> AsyncIterator[tuple[str, str, str, str, datetime | None]]:
    """Every scenario workflow (measure watches and agency tasks are not matters), of these 案号 if given:
    id, scenario, court, 案号, and when it closed (None: running)."""
    query = f"{SCENARIO.name} IN ({_listed(SCENARIOS)})"
    if case_numbers is not None:
        query += f" AND {CASE_NUMBER.name} IN ({_listed(case_numbers)})"
    async for w in client.list_workflows(query, page_size=500):
        attrs = w.typed_search_attributes
        number, court, scenario = attrs.get(CASE_NUMBER), attrs.get(COURT), attrs.get(SCENARIO)
        if number and court and scenario:
            closed = w.close_time if w.status != WorkflowExecutionStatus.RUNNING else None
            yield w.id, scenario, court, number, closed


def _listed(values: Iterable[str]) -> str:
    return ", ".join(quote(v) for v in values)


async def attach_cases(
    client: Client, db: Database, dry_run: bool = False, case_numbers: Sequence[str] | None = None
) -> AttachReport:
    """Attaches what is not yet on its case; ``case_numbers`` limits the run to those 案号."""
    report = AttachReport()
    cases: dict[tuple[str, str], str | None] = {}
    views: dict[str, CaseView] = {}
    with acting_as(SYSTEM_ACTOR):
        async for wid, scenario, court, number, closed_at in _matters(client, case_numbers):
            key = (court, number)
            if key not in cases:
                rows = db.rows(select(CaseRow.workflow_id).where(CaseRow.court == court, CaseRow.case_number == number))
                cases[key] = rows[0].workflow_id if rows else None
            case_wf = cases[key]
            if case_wf is None:
                report.unfiled.setdefault(number, []).append(wid)
                continue
            if case_wf not in views:
                views[case_wf] = await client.get_workflow_handle(case_wf).query(
                    CASE_STATUS_QUERY, result_type=CaseView
                )
            if any(m.workflow_id == wid for m in views[case_wf].matters):
                report.already.append(wid)
                continue
            status = await client.get_workflow_handle(wid).query(STATUS_QUERY, result_type=ScenarioStatus)
            effects = effects_of(wid, scenario, status, closed_at)
            if not dry_run:
                case = client.get_workflow_handle(case_wf)
                for e in effects:
                    await case.signal(MATTER_EFFECT_SIGNAL, e)
            report.attached.append(wid)
            report.effects += len(effects)
            log.info("matter attached", workflow_id=wid, case=case_wf, effects=len(effects), dry_run=dry_run)
    return report
