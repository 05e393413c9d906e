"""Resuming enforcement, offered to the applicant in their case space (申请恢复执行, DOMAIN §16.1, §17.2).

Two grounds open it:
- the current procedure ended (终本): a new application after 终本 knows no time bar (民诉法解释 Art 517);
- a settlement (执行和解) the debtor has not performed — an instalment missed or paid short: the applicant
  may apply to resume enforcement of the original title (执行和解规定 Art 9), within two years of the last
  day of the performance period the agreement fixed (CPL Art 250; 执行和解规定 Art 10), which the settlement
  matter counts (and ends itself when it lapses). The court does not resume while nothing is in default
  (Art 11), so the offer stands only while the settlement says it is in default.

Either way the application goes to the judge as a ``resume`` request; accepted, the 执恢 application joins
the filing clerk's queue (web/services/party_applications.py), what was paid already deducted from its claim
(the settlement's instalments are credited to the case's ledger).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from domain.party_requests import RULES, SETTLEMENT_MATTER, PartyRequestKind
from web.services.workflow_detail import LengthCache, history_key
from workflows.case.models import CaseView
from workflows.foundation.messages import STATUS_QUERY
from workflows.foundation.models import ScenarioStatus

CURRENT_PROCEDURE_ENDED = "current-procedure-ended"  # 终本's closing mode
DEFAULTED = "defaulted"  # the settlement's status while an instalment is in default


class ResumeOffer(BaseModel):
    """申请恢复执行, as the applicant's space offers it: on what ground, under which rule, until when."""

    ground: str = Field(description="settlement-breached | current-procedure-ended")
    reason: str
    basis: str
    period_ends_on: date | None = Field(description="the last day to apply; none after 终本 (no time bar)")
    settlement_workflow_id: str | None = None


# The settlements' statuses this process has read, by history length: the applicant's page asks at every load
# while a settlement runs, and an unchanged settlement is answered from here after a describe (web/services/
# workflow_detail.py), not by a query that waits for the worker.
_statuses = LengthCache[ScenarioStatus](size=256)


async def _defaulted(client: Client, workflow_id: str) -> ScenarioStatus | None:
    handle = client.get_workflow_handle(workflow_id)
    try:
        key = history_key(await handle.describe())
        status = _statuses.get(key)
        if status is None:
            status = await handle.query(STATUS_QUERY, result_type=ScenarioStatus)
            _statuses.put(key, status)
    except (RPCError, WorkflowQueryFailedError):
        return None  # a settlement that cannot answer now offers nothing now; the page is read again later
    return status if status.status == DEFAULTED else None


async def breached_settlement(client: Client, view: CaseView) -> ResumeOffer | None:
    """The case's settlement in default, as an offer to resume (None: no settlement is in default)."""
    for matter in view.matters:
        if matter.scenario != SETTLEMENT_MATTER or matter.ended_at is not None:
            continue
        status = await _defaulted(client, matter.workflow_id)
        if status is None:
            continue
        ends = status.summary.get("period_ends")
        return ResumeOffer(
            ground="settlement-breached",
            reason="被执行人未按和解协议履行: 您可以申请恢复执行原生效法律文书, 已履行的部分予以扣除",
            basis="执行和解规定第九条; 民事诉讼法第二百五十条 (自和解协议约定履行期间的最后一日起二年内)",
            period_ends_on=date.fromisoformat(ends) if isinstance(ends, str) else None,
            settlement_workflow_id=matter.workflow_id,
        )
    return None


async def offer(client: Client, view: CaseView) -> ResumeOffer | None:
    """What the applicant's space offers now: resuming after 终本 or after a breached settlement, unless an
    application to resume is already before the judge or was accepted."""
    asked = [r for r in view.party_requests if r.kind is PartyRequestKind.RESUME]
    if any(r.answer is None or r.answer == "accept" for r in asked):
        return None
    if view.closed is not None:
        if view.closed.mode.value != CURRENT_PROCEDURE_ENDED:
            return None
        return ResumeOffer(
            ground=CURRENT_PROCEDURE_ENDED,
            reason="本案已终结本次执行程序: 发现被执行人有可供执行的财产的, 可以申请恢复执行",
            basis=RULES[PartyRequestKind.RESUME].basis,
            period_ends_on=None,
        )
    return await breached_settlement(client, view)
