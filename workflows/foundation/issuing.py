"""A scenario issues its documents (出具法律文书) at the legal step: one foundation call per document.

``DocumentIssuer.issue`` runs the ``issue_document`` activity with the step's idempotency key (workflow id +
step), so a retried or replayed step keeps its one number; the timeline records the document's number,
title and hash (never its content: names and numbers exist only in the sealed PDF). Each call site names
its own patch marker, so a history recorded before the step issued its document replays without it.

A document the law has the president (院长) sign is issued only after the signature:
``PresidentSignature.ask`` offers the signature on the decision desk to an approver of the case's court
(``Role.APPROVER``, 院长/庭长) and waits; the signer is printed on the document apart from the seal
(DOMAIN §18.3), by the name the web carries with the signature (``DecisionInput.signer_name``). A refusal
returns ``None`` and the scenario treats its decision as not taken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.documents import ISSUE_DOCUMENT, IssueRequest
    from domain.actors import SYSTEM_ACTOR, Role
    from domain.documents import DocumentKind, DocumentRequest, IssuedDocument
    from domain.legal_time import CHINA_TZ
    from workflows.foundation import retries
    from workflows.foundation.case_link import CaseRef
    from workflows.foundation.decisions import DecisionDesk, DecisionSpec
    from workflows.foundation.patches import RunPatches
    from workflows.foundation.timeline import Timeline

ISSUE_TIMEOUT = timedelta(minutes=2)  # render and seal: well under a second, unless the worker is swamped
PRESIDENT_SIGN, PRESIDENT_REFUSE = "president-sign", "president-refuse"
AWAITING_PRESIDENT = "awaiting_president_signature"  # a status: every scenario that asks has its word
PRESIDENT_DECISIONS = (
    DecisionSpec(PRESIDENT_SIGN, roles=(Role.APPROVER,)),
    DecisionSpec(PRESIDENT_REFUSE, reason_required=True, roles=(Role.APPROVER,)),
)


class IssuedRef(BaseModel):
    """What a workflow keeps of a document it issued (and the case page lists): no personal data."""

    document_id: str
    kind: DocumentKind
    title: str
    number: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    addressed_to: list[str] = Field(default_factory=list)


class DocumentIssuer:
    """Issues one workflow's documents under its case's number at its court."""

    def __init__(
        self,
        timeline: Timeline,
        court: str,
        case_number: str,
        case: CaseRef | None = None,
        patches: RunPatches | None = None,
    ) -> None:
        """``patches``: the run's, whose starter's level may know a call site's patch (then no marker)."""
        self.timeline = timeline
        self.patches = patches
        self.court = court
        self.case_number = case.case_number if case else case_number
        self.case_id = case.case_id if case else None
        self.issued: list[IssuedRef] = []

    async def issue(
        self,
        step: str,
        kind: DocumentKind,
        fields: dict[str, Any],
        *,
        patch: str,
        issued_on: date | None = None,
        president_name: str = "",
        addressed_to: Iterable[str] = (),
    ) -> IssuedRef | None:
        """The step's document, or None for a history recorded before the step issued one (``patch``) and
        when it cannot be issued (an incident the judge sees; the act itself goes on: the court's decision
        stands without its paper, which the clerk issues again)."""
        if not (self.patches.patched(patch) if self.patches is not None else workflow.patched(patch)):
            return None
        info = workflow.info()
        on = issued_on or workflow.now().astimezone(CHINA_TZ).date()
        addressees = list(addressed_to)
        try:
            request = DocumentRequest(
                kind=kind,
                court=self.court,
                case_number=self.case_number,
                issued_on=on,
                fields=fields,
                workflow_id=info.workflow_id,
                case_id=self.case_id,
                idempotency_key=f"{info.workflow_id}/{step}/document",
                addressed_to=addressees,
            )
        except ValidationError as exc:
            # A request the model refuses (an addressee that is not an id): the judge sees why, the act goes on.
            where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())  # never the values
            self.timeline.record("document_not_issued", f"文书请求无效: {where}", SYSTEM_ACTOR, step=step)
            return None
        try:
            issued: IssuedDocument = await workflow.execute_activity(
                ISSUE_DOCUMENT,
                IssueRequest(document=request, president_name=president_name),
                result_type=IssuedDocument,
                activity_id=f"document/{step}",
                start_to_close_timeout=ISSUE_TIMEOUT,
                retry_policy=retries.QUICK,
            )
        except ActivityError as exc:
            self.timeline.incident(f"document/{step}", exc)
            return None
        ref = IssuedRef(
            document_id=issued.document_id,
            kind=kind,
            title=issued.title,
            number=issued.number,
            sha256=issued.sha256,
            addressed_to=addressees,
        )
        self.issued.append(ref)
        self.timeline.record(
            "document_issued",
            actor=SYSTEM_ACTOR,
            document_id=ref.document_id,
            title=ref.title,
            number=ref.number,
            sha256=ref.sha256,
            president=president_name or None,
        )
        return ref


class PresidentSignature:
    """The president's signature (院长签发) on the decision desk: offered to approvers, waited for."""

    def __init__(self, desk: DecisionDesk, timeline: Timeline, set_status: Callable[[str], None]) -> None:
        self.desk = desk
        self.timeline = timeline
        self.set_status = set_status

    async def ask(self, title: str, patch: str) -> str | None:
        """The signer as the document prints them once an approver signs: their name as the court records it
        (carried with the signature), else their user id; None on a refusal (recorded with its reasons).
        For a history recorded before the signature was asked, the judge's decision stands alone: ""."""
        if not workflow.patched(patch):
            return ""
        self.timeline.record("president_signature_requested", actor=SYSTEM_ACTOR, title=title)
        self.set_status(AWAITING_PRESIDENT)
        decision = await self.desk.wait(PRESIDENT_SIGN, PRESIDENT_REFUSE)
        assert decision is not None
        if decision.decision == PRESIDENT_REFUSE:
            return None
        return decision.signer_name or self.timeline.decided_by(PRESIDENT_SIGN)
