"""Wire models of the sandbox-v1 partner protocol (docs/partner-protocol.md).

Every mutating request carries ``Idempotency-Key``; a repeat with the same key gets the first answer
and has no second effect. Errors are ``{"code", "message"}`` with a 4xx (refusal) or 5xx (outage) status.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, Field, TypeAdapter
from typing_extensions import TypedDict

from domain.assets import AssetKind, AssetStatus
from domain.measures import MeasureKind, MeasureStatus, SeizureRank
from domain.parties import PartyKind
from domain.personal import AccountNumber, IdNumber, PersonName

IDEMPOTENCY_HEADER = "Idempotency-Key"


class WireSubject(BaseModel):
    kind: PartyKind
    name: PersonName
    id_number: IdNumber


class InquiryRequest(BaseModel):
    request_id: str = Field(description="unique per (workflow, step); echoed in the callback")
    subject: WireSubject
    callback_url: str | None = Field(default=None, description="where an asynchronous answer is posted")


class WireAsset(BaseModel):
    kind: AssetKind
    reference: AccountNumber
    description: str = ""
    available_fen: int | None = None
    status: AssetStatus = AssetStatus.NORMAL


class InquiryResponse(BaseModel):
    request_id: str
    status: Literal["answered", "accepted"]
    assets: list[WireAsset] = Field(default_factory=list)


class InquiryCallback(BaseModel):
    """Posted by a partner to ``callback_url`` when it answers later (or refuses later)."""

    request_id: str
    partner_id: str
    status: Literal["answered", "refused"]
    assets: list[WireAsset] = Field(default_factory=list)
    code: str | None = None
    message: str | None = None


class SealedDocument(BaseModel):
    """The court's sealed document sent with a request (协助执行通知书): the PDF as issued, with its number
    and SHA-256. The partner verifies the seal against the courts' CA and reads the account, act and
    amount it names from the PDF's keywords, under the seal (docs/partner-protocol.md)."""

    document_id: str = Field(max_length=40)
    number: str = Field(max_length=80, description="文书编号, e.g. （2026）浙0102执123号之一")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    pdf_base64: str = Field(max_length=4_000_000, description="the sealed PDF, base64")


class MeasureRequest(BaseModel):
    kind: MeasureKind
    asset_reference: AccountNumber
    amount_fen: int | None = Field(default=None, ge=0, description="freezes: the most to freeze")
    expires_on: date
    court: str
    case_number: str
    document_ref: str = Field(description="the ruling and assistance notice (裁定书/协助执行通知书) number")
    document: SealedDocument | None = Field(default=None, description="the sealed 协助执行通知书; required by banks")


class MeasureResponse(BaseModel):
    measure_id: str
    kind: MeasureKind
    asset_reference: AccountNumber
    amount_fen: int = 0
    rank: SeizureRank | None = None
    registered_at: datetime
    expires_on: date
    status: MeasureStatus


class RenewRequest(BaseModel):
    expires_on: date
    document_ref: str


class ReleaseRequest(BaseModel):
    reason: str
    document_ref: str
    amount_fen: int | None = Field(
        default=None, gt=0, le=10**15, description="release this much of a freeze only (部分解除); default: all"
    )


class DeductionRequest(BaseModel):
    measure_id: str
    amount_fen: int = Field(gt=0)
    to_account: AccountNumber = Field(description="the court's case account (案款账户)")
    case_number: str
    document_ref: str
    document: SealedDocument | None = Field(default=None, description="the sealed 协助执行通知书 (扣划)")


class DeductionResponse(BaseModel):
    deduction_id: str
    measure_id: str
    amount_fen: int
    status: Literal["completed"]


class ErrorBody(BaseModel):
    code: str
    message: str


# --- batch transfers out of a case account (涉众案款发放) ------------------------------------------------

# Per-item answers. ``timeout`` is the one non-final answer: the bank did not execute the item and keeps
# no result for its key, so the same key is sent again later; every other answer is final for its key.
BatchItemStatus = Literal["paid", "invalid_account", "name_mismatch", "account_closed", "timeout"]


class BatchTransferItem(BaseModel):
    item_key: str = Field(min_length=1, max_length=255, description="unique per payee and attempt; the bank's key")
    payee_name: PersonName = Field(min_length=1, max_length=200, description="checked against the account holder")
    id_number: IdNumber = Field(min_length=1, max_length=32)
    account: AccountNumber = Field(min_length=1, max_length=34)
    amount_fen: int = Field(gt=0)


class BatchTransferRequest(BaseModel):
    batch_id: str = Field(min_length=1, max_length=255)
    case_number: str = Field(min_length=1, max_length=64)
    from_account: AccountNumber = Field(min_length=1, max_length=64, description="the court's case account (案款账户)")
    items: list[BatchTransferItem] = Field(min_length=1, max_length=5000)


class BatchItemResult(BaseModel):
    item_key: str
    status: BatchItemStatus
    bank_ref: str | None = Field(default=None, description="the bank's reference of a paid item")
    code: str | None = Field(default=None, description="the bank's reason code of a failed item")


class BatchTransferResponse(BaseModel):
    batch_id: str
    items: list[BatchItemResult]


class StatementEntry(BaseModel):
    """One line of the bank's own ledger of batch items (对账单): every final answer, paid or not."""

    item_key: str
    status: BatchItemStatus
    amount_fen: int
    account: AccountNumber
    bank_ref: str | None = None
    code: str | None = None
    booked_at: datetime


class StatementPage(BaseModel):
    case_number: str
    entries: list[StatementEntry]
    next_cursor: str | None = Field(default=None, description="pass as ``after`` for the next page")


class AccountBalance(BaseModel):
    account: AccountNumber
    balance_fen: int


class CaseAccountStatementLine(BaseModel):
    """入账流水: one payment into the court's case account for a case, as the bank booked it."""

    reference: str = Field(description="the bank's serial number (流水号)")
    amount_fen: int
    received_on: date


class CaseAccountStatement(BaseModel):
    case_number: str
    lines: list[CaseAccountStatementLine]


# --- the same batch transfer as plain dicts, for a million payees ------------------------------------------
# A pydantic model per item costs more than the item's whole trip through the bank (a million payees:
# ~8 s of a worker's CPU to build and encode the models, ~2 s to read the answers), so the payout's hot
# path sends and reads the same JSON as typed dicts, validated by pydantic-core in one pass. The models
# above stay the protocol's documentation and what small callers use.


class BatchItem(TypedDict):
    """``BatchTransferItem`` as a dict: one payee of a batch transfer."""

    item_key: Annotated[str, Field(min_length=1, max_length=255)]
    payee_name: Annotated[PersonName, Field(min_length=1, max_length=200)]
    id_number: Annotated[IdNumber, Field(min_length=1, max_length=32)]
    account: Annotated[AccountNumber, Field(min_length=1, max_length=34)]
    amount_fen: Annotated[int, Field(gt=0)]


class BatchTransfer(TypedDict):
    """``BatchTransferRequest`` as a dict (the same JSON)."""

    batch_id: Annotated[str, Field(min_length=1, max_length=255)]
    case_number: Annotated[str, Field(min_length=1, max_length=64)]
    from_account: Annotated[AccountNumber, Field(min_length=1, max_length=64)]
    items: Annotated[list[BatchItem], Field(min_length=1, max_length=5000)]


class BatchItemAnswer(TypedDict):
    """``BatchItemResult`` as a dict."""

    item_key: str
    status: BatchItemStatus
    bank_ref: str | None
    code: str | None


class BatchTransferAnswer(TypedDict):
    """``BatchTransferResponse`` as a dict (the same JSON)."""

    batch_id: str
    items: list[BatchItemAnswer]


BATCH_TRANSFER = TypeAdapter(BatchTransfer)
BATCH_TRANSFER_ANSWER = TypeAdapter(BatchTransferAnswer)

# The statement as CSV pages (``GET batch-transfers/statement?format=csv``): the same entries, one line each
# under this header, empty for null. A million entries parse in under 2 s from CSV, against ~14 s as
# JSON objects with datetimes; a page shorter than ``limit`` is the last.
STATEMENT_CSV_COLUMNS = ("item_key", "status", "amount_fen", "account", "bank_ref", "code", "booked_at")


class StatementLine(NamedTuple):
    """One statement entry from a CSV page: what a reconciliation reads (the rest stays at the bank)."""

    item_key: str
    status: str
    amount_fen: int
    bank_ref: str | None


class StatementLines(NamedTuple):
    lines: list[StatementLine]
    next_cursor: str | None = None
