"""Activities that talk to partners: asset inquiry and control measures.

Idempotency keys and request ids derive from the workflow id and the step, so a retried attempt or a
restarted worker sends the same key and the partner gives the first answer instead of a second effect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

import pybase64
from pydantic import BaseModel, Field
from temporalio import activity

from activities.common import idempotency_key, refusals_not_retried
from adapters.base import PartnerRefusal, PartnerUnavailable
from adapters.registry import AdapterRegistry
from domain.assets import InquiryAnswer, InquiryOutcome, InquiryRequest
from domain.assistance import (
    CaseAccountStatement,
    DeductionRequest,
    DeductionResponse,
    MeasureRequest,
    MeasureResponse,
    NoticeOnFile,
    ReleaseRequest,
    RenewRequest,
    SealedDocument,
)
from domain.documents import AssistanceAct, DocumentKind, DocumentRequest, ServiceMethod
from domain.legal_time import CHINA_TZ
from domain.measures import MeasureKind
from domain.parties import Party
from domain.personal import AccountNumber
from runtime.logging import get_logger

if TYPE_CHECKING:
    from activities.documents import DocumentOffice
    from activities.resources import WorkerResources

log = get_logger(__name__)

REQUEST_ID_SEPARATOR = "::"
INQUIRY_ACTIVITY_PREFIX = "inquire/"


class InquireAssetsInput(BaseModel):
    partner_id: str
    subject: Party


class InquirePartnersInput(BaseModel):
    """One pass over many partners at once: the fast path of an inquiry (网络查控 总对总)."""

    partner_ids: list[str]
    subject: Party
    budget_seconds: float = Field(gt=0, description="how long this pass waits for any one partner")


class InquiryAttempt(BaseModel):
    """What one call to a partner gave: an answer (or refusal), an acceptance (the answer will come by
    callback), or nothing usable yet (an outage: the workflow retries that partner on its own)."""

    partner_id: str
    status: Literal["answered", "accepted", "unavailable"]
    answer: InquiryAnswer | None = None
    reason: str | None = None


class MeasureInput(BaseModel):
    """Register a freeze or seizure. ``step`` names it within the workflow (``freeze/3``)."""

    partner_id: str
    step: str
    kind: MeasureKind
    asset_reference: AccountNumber
    amount_fen: int | None = None
    expires_on: date
    court: str
    case_number: str
    document_ref: str
    debtor: Party | None = None  # named in the 协助执行通知书 the request carries
    # The judge ordered the deduction with the freeze: one 冻结、扣划 notice orders both (民诉法解释 Art. 484),
    # and the deduction names it (``DeductInput.notice_on_file``) instead of carrying a second one.
    deduct_too: bool = False
    ruling_id: str | None = None  # the ruling the notice cites: its copy is served with the notice


class MeasureAnswer(MeasureResponse):
    """The partner's answer, and the 协助执行通知书 the request carried (None before documents existed)."""

    document_id: str | None = None
    document_number: str | None = None
    sha256: str | None = None

    def notice_on_file(self) -> NoticeOnFile | None:
        """The notice the partner now holds for this measure, for a later act to name."""
        if self.document_id is None or self.document_number is None or self.sha256 is None:
            return None
        return NoticeOnFile(document_id=self.document_id, number=self.document_number, sha256=self.sha256)


class DeductionAnswer(DeductionResponse):
    document_id: str | None = None
    document_number: str | None = None
    sha256: str | None = None


# What a 协助执行通知书 asks of the assisting body, and the property it names, by act.
ACT_NAMES = {
    AssistanceAct.FREEZE: "冻结",
    AssistanceAct.SEIZE: "查封",
    AssistanceAct.DEDUCT: "扣划",
    AssistanceAct.FREEZE_AND_DEDUCT: "冻结、扣划",
    AssistanceAct.RELEASE: "解除冻结、查封",
}
ASSET_WORDS = {
    AssistanceAct.FREEZE: "被执行人名下的存款账户",
    AssistanceAct.SEIZE: "被执行人名下的登记财产",
    AssistanceAct.DEDUCT: "已冻结账户内的存款",
    AssistanceAct.FREEZE_AND_DEDUCT: "被执行人名下的存款账户",
    AssistanceAct.RELEASE: "被执行人名下已冻结、查封的财产",
}
# A release names what it lifts (the notice's keyword stays ``release``).
RELEASE_NAMES = {MeasureKind.FREEZE: "解除冻结", MeasureKind.SEIZE: "解除查封"}


def _document_fields(notice: SealedDocument | NoticeOnFile | None) -> dict[str, str | None]:
    if notice is None:
        return {}
    return {"document_id": notice.document_id, "document_number": notice.number, "sha256": notice.sha256}


class RenewMeasureInput(BaseModel):
    partner_id: str
    step: str
    measure_id: str
    expires_on: date
    document_ref: str


class ReleaseMeasureInput(BaseModel):
    partner_id: str
    step: str
    measure_id: str
    reason: str
    document_ref: str
    amount_fen: int | None = None  # a freeze's excess only (部分解除); None releases the measure
    # With the court, the 解除 协助执行通知书 goes with the request ("" before releases carried one).
    court: str = ""
    case_number: str = ""
    kind: MeasureKind | None = None
    asset_reference: AccountNumber | None = None
    debtor: Party | None = None
    ruling_id: str | None = None  # the 解除 ruling the notice cites: its copy is served with the notice


class DeductInput(BaseModel):
    partner_id: str
    step: str
    measure_id: str
    amount_fen: int
    to_account: AccountNumber
    case_number: str
    document_ref: str
    court: str = ""  # the court whose 协助执行通知书 goes with the deduction ("" before documents existed)
    asset_reference: AccountNumber | None = None  # the frozen account, named in the notice
    debtor: Party | None = None
    notice_on_file: NoticeOnFile | None = None  # the freeze's 冻结、扣划 notice: no second one is issued
    ruling_id: str | None = None  # the ruling a 扣划 notice of its own cites


def request_id_for(workflow_id: str, activity_id: str) -> str:
    return f"{workflow_id}{REQUEST_ID_SEPARATOR}{activity_id}"


def parse_request_id(request_id: str) -> tuple[str, str]:
    """(workflow id, activity id) of an inquiry, for completing it when the partner calls back."""
    workflow_id, sep, activity_id = request_id.partition(REQUEST_ID_SEPARATOR)
    if not sep or not workflow_id or not activity_id.startswith(INQUIRY_ACTIVITY_PREFIX):
        raise ValueError("request_id is not one of ours")
    return workflow_id, activity_id


def inquiry_activity_id(partner_id: str) -> str:
    return f"{INQUIRY_ACTIVITY_PREFIX}{partner_id}"


class CaseAccountStatementInput(BaseModel):
    bank: str
    case_number: str


class PartnerActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> PartnerActivities:
        return cls(r.adapters, r.settings.public_base_url, r.documents)

    def __init__(
        self, adapters: AdapterRegistry, callback_base_url: str, documents: DocumentOffice | None = None
    ) -> None:
        self._adapters = adapters
        self._callback_base_url = callback_base_url.rstrip("/")
        self._documents = documents  # None: requests go without their notice (partners that need none)
        self._partner_names = {e.id: e.name for e in adapters.endpoints()}

    async def _inquire_one(self, partner_id: str, subject: Party) -> InquiryAttempt:
        info = activity.info()
        request = InquiryRequest(
            request_id=request_id_for(info.workflow_id or "", inquiry_activity_id(partner_id)),
            subject=subject,
            callback_url=f"{self._callback_base_url}/api/partners/{partner_id}/callbacks/inquiry",
        )
        try:
            answer = await self._adapters.get(partner_id).inquire(request)
        except PartnerRefusal as exc:
            log.info("inquiry refused", partner=partner_id, code=exc.code)
            refused = InquiryAnswer(
                partner_id=partner_id, outcome=InquiryOutcome.REFUSED, reason_code=exc.code, reason=exc.message
            )
            return InquiryAttempt(partner_id=partner_id, status="answered", answer=refused)
        if answer is None:
            return InquiryAttempt(partner_id=partner_id, status="accepted")
        return InquiryAttempt(partner_id=partner_id, status="answered", answer=answer)

    @activity.defn(name="inquire_partners")
    async def inquire_partners(self, inp: InquirePartnersInput) -> list[InquiryAttempt]:
        """Asks every partner at once; one slow or failing partner never holds up the others."""

        async def one(partner_id: str) -> InquiryAttempt:
            try:
                async with asyncio.timeout(inp.budget_seconds):  # in this task: wait_for would start another
                    return await self._inquire_one(partner_id, inp.subject)
            except (PartnerUnavailable, TimeoutError) as exc:
                reason = exc.code if isinstance(exc, PartnerUnavailable) else "SLOW"
                return InquiryAttempt(partner_id=partner_id, status="unavailable", reason=reason)

        return list(await asyncio.gather(*(one(p) for p in inp.partner_ids)))

    @activity.defn(name="inquire_assets")
    async def inquire_assets(self, inp: InquireAssetsInput) -> InquiryAttempt:
        """Asks one partner again after an outage; Temporal retries this until the partner's deadline."""
        return await self._inquire_one(inp.partner_id, inp.subject)

    async def _assistance_notice(
        self,
        inp: MeasureInput | DeductInput | ReleaseMeasureInput,
        act: AssistanceAct,
        asset_reference: str,
        amount_fen: int | None,
        act_name: str | None = None,
    ) -> SealedDocument | None:
        """Issues the step's 协助执行通知书 to the partner (once per step: a retry gets the same number)."""
        if self._documents is None or not inp.court:
            return None
        info = activity.info()
        fields: dict[str, Any] = {
            "recipient": self._partner_names.get(inp.partner_id, inp.partner_id),
            "recipient_id": inp.partner_id,
            "act": act,
            "act_name": act_name or ACT_NAMES[act],
            "asset": ASSET_WORDS[act],
            "asset_reference": asset_reference,
            "amount_fen": amount_fen,
            "ruling_number": inp.document_ref,
            "ruling_id": inp.ruling_id,  # a keyword under the seal: the ruling's copy, at GET /api/documents/{id}
        }
        if inp.debtor is not None:
            fields |= {"debtor_name": inp.debtor.name, "debtor_id": inp.debtor.id_number}
        request = DocumentRequest(
            kind=DocumentKind.ASSISTANCE_NOTICE,
            court=inp.court,
            case_number=inp.case_number,
            issued_on=info.scheduled_time.astimezone(CHINA_TZ).date(),
            fields=fields,
            workflow_id=info.workflow_id,
            idempotency_key=f"{idempotency_key(inp.step)}/assistance-notice",
        )
        issued, pdf = await asyncio.to_thread(self._documents.issue_sealed, request)
        return SealedDocument(
            document_id=issued.document_id,
            number=issued.number,
            sha256=issued.sha256,
            pdf_base64=pybase64.b64encode_as_string(pdf),  # on the event loop: SIMD, ~2 µs (the stdlib's ~80)
        )

    async def _served(self, notice: SealedDocument | None, partner_id: str, ruling_id: str | None = None) -> None:
        """The partner's system accepted the request with its notice: the notice is served on it now, and the
        copy of the ruling it cites with it (CPL 90: on arrival in the recipient's system; 查扣冻规定 Art. 1:
        effective when served on the assisting body; DOMAIN §18.2: notice and a copy of the ruling). The
        answer is the electronic receipt."""
        if notice is None or self._documents is None:
            return
        documents, now = self._documents, datetime.now(UTC)

        def record() -> None:
            for document_id in (notice.document_id, *([ruling_id] if ruling_id else [])):
                documents.record_service(
                    document_id, partner_id, ServiceMethod.ELECTRONIC, now, f"system:{partner_id}", with_receipt=False
                )

        await asyncio.to_thread(record)

    @activity.defn(name="register_measure")
    async def register_measure(self, inp: MeasureInput) -> MeasureAnswer:
        """Sends the freeze or seizure with its sealed 协助执行通知书; the answer names the notice (its id and
        SHA-256 go into the audit chain)."""
        if inp.deduct_too and inp.kind is not MeasureKind.FREEZE:
            raise ValueError("only a freeze is ordered together with its deduction")
        act = AssistanceAct.FREEZE_AND_DEDUCT if inp.deduct_too else AssistanceAct(inp.kind.value)
        notice = await self._assistance_notice(inp, act, inp.asset_reference, inp.amount_fen)
        request = MeasureRequest(
            kind=inp.kind,
            asset_reference=inp.asset_reference,
            amount_fen=inp.amount_fen,
            expires_on=inp.expires_on,
            court=inp.court,
            case_number=inp.case_number,
            document_ref=inp.document_ref,
            document=notice,
        )
        with refusals_not_retried():
            answer = await self._adapters.get(inp.partner_id).register_measure(idempotency_key(inp.step), request)
        await self._served(notice, inp.partner_id, inp.ruling_id)
        return MeasureAnswer(**answer.model_dump(), **_document_fields(notice))

    @activity.defn(name="renew_measure")
    async def renew_measure(self, inp: RenewMeasureInput) -> MeasureResponse:
        request = RenewRequest(expires_on=inp.expires_on, document_ref=inp.document_ref)
        with refusals_not_retried():
            return await self._adapters.get(inp.partner_id).renew_measure(
                idempotency_key(inp.step), inp.measure_id, request
            )

    @activity.defn(name="release_measure")
    async def release_measure(self, inp: ReleaseMeasureInput) -> MeasureAnswer:
        """解除, with its sealed 协助执行通知书 when the court is given (the answer names it)."""
        name = RELEASE_NAMES.get(inp.kind) if inp.kind is not None else None
        reference = inp.asset_reference or inp.measure_id
        notice = await self._assistance_notice(inp, AssistanceAct.RELEASE, reference, inp.amount_fen, act_name=name)
        request = ReleaseRequest(
            reason=inp.reason, document_ref=inp.document_ref, amount_fen=inp.amount_fen, document=notice
        )
        with refusals_not_retried():
            answer = await self._adapters.get(inp.partner_id).release_measure(
                idempotency_key(inp.step), inp.measure_id, request
            )
        await self._served(notice, inp.partner_id, inp.ruling_id)
        return MeasureAnswer(**answer.model_dump(), **_document_fields(notice))

    @activity.defn(name="deduct_funds")
    async def deduct_funds(self, inp: DeductInput) -> DeductionAnswer:
        """Deducts on the freeze's 冻结、扣划 notice the partner holds (``notice_on_file``), or else with a 扣划
        notice of its own; the answer names the notice either way."""
        notice = None
        if inp.notice_on_file is None:
            reference = inp.asset_reference or inp.measure_id
            notice = await self._assistance_notice(inp, AssistanceAct.DEDUCT, reference, inp.amount_fen)
        request = DeductionRequest(
            measure_id=inp.measure_id,
            amount_fen=inp.amount_fen,
            to_account=inp.to_account,
            case_number=inp.case_number,
            document_ref=inp.document_ref,
            document=notice,
            notice_on_file=inp.notice_on_file,
        )
        with refusals_not_retried():
            answer = await self._adapters.get(inp.partner_id).deduct(idempotency_key(inp.step), request)
        await self._served(notice, inp.partner_id, inp.ruling_id)
        return DeductionAnswer(**answer.model_dump(), **_document_fields(notice or inp.notice_on_file))

    @activity.defn(name="case_account_statement")
    async def case_account_statement(self, inp: CaseAccountStatementInput) -> CaseAccountStatement:
        """入账流水 of the case account: what a bank's credit notice is checked against (a read: no key)."""
        with refusals_not_retried():
            return await self._adapters.get(inp.bank).case_account_statement(inp.case_number)

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.inquire_partners,
            self.inquire_assets,
            self.register_measure,
            self.renew_measure,
            self.release_measure,
            self.deduct_funds,
            self.case_account_statement,
        ]
