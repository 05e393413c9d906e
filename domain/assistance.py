"""What the court asks of an assisting body (协助执行单位) holding the debtor's property, and what it answers:
register a measure (冻结/查封), renew (续冻/续封), release (解除), deduct (扣划), and the case account's credits
(入账流水). The ``adapters.interfaces`` ports speak these; each protocol translates them at its own edge
(sandbox-v1 sends them as their own JSON: docs/partner-protocol.md). Money is integer fen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.measures import MeasureKind, MeasureStatus, SeizureRank
from domain.personal import AccountNumber


class SealedDocument(BaseModel):
    """The court's sealed document sent with a request (协助执行通知书): the PDF as issued, with its number
    and SHA-256. The partner verifies the seal against the courts' CA and reads the account, act and
    amount it names from the PDF's keywords, under the seal (docs/partner-protocol.md)."""

    document_id: str = Field(max_length=40)
    number: str = Field(max_length=80, description="文书编号, e.g. （2026）浙0102执123号之一")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    pdf_base64: str = Field(max_length=4_000_000, description="the sealed PDF, base64")


class NoticeOnFile(BaseModel):
    """A sealed notice the partner already holds, named rather than sent again: the 冻结、扣划 notice served
    with a freeze orders the deduction too (a levy ruling also freezes, 民诉法解释 Art. 484), so the deduction
    refers to it. The partner checks it is the notice it took the freeze on, and that it ordered the deduction
    of at least this amount."""

    document_id: str = Field(max_length=40)
    number: str = Field(max_length=80)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


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
    document: SealedDocument | None = Field(default=None, description="the sealed 协助执行通知书 (解除)")


class DeductionRequest(BaseModel):
    measure_id: str
    amount_fen: int = Field(gt=0)
    to_account: AccountNumber = Field(description="the court's case account (案款账户)")
    case_number: str
    document_ref: str
    document: SealedDocument | None = Field(default=None, description="the sealed 协助执行通知书 (扣划)")
    notice_on_file: NoticeOnFile | None = Field(
        default=None, description="instead of ``document``: the 冻结、扣划 notice the freeze was registered on"
    )


class DeductionResponse(BaseModel):
    deduction_id: str
    measure_id: str
    amount_fen: int
    status: Literal["completed"]


class CaseAccountStatementLine(BaseModel):
    """入账流水: one payment into the court's case account for a case, as the bank booked it."""

    reference: str = Field(description="the bank's serial number (流水号)")
    amount_fen: int
    received_on: date


class CaseAccountStatement(BaseModel):
    case_number: str
    lines: list[CaseAccountStatementLine]
