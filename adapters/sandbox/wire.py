"""Wire models of the sandbox-v1 partner protocol (docs/partner-protocol.md), shared by our adapters
(``adapters.sandbox``) and the simulators that speak it.

Every mutating request carries ``Idempotency-Key``; a repeat with the same key gets the first answer
and has no second effect. Errors are ``{"code", "message"}`` with a 4xx (refusal) or 5xx (outage) status.

sandbox-v1 was written after the domain, so most of its bodies are a domain model's own JSON: those are
re-exported here under their wire names (a measure, a deduction, a batch transfer's typed dicts). What the
wire says differently — the inquiry's subject and assets, the callback, errors, the batch's models, the
CSV statement — is declared here and translated in ``adapters.sandbox.partner`` and ``callbacks``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, TypeAdapter
from typing_extensions import TypedDict

from adapters.base import IDEMPOTENCY_HEADER, ErrorBody
from domain.assets import AssetKind, AssetStatus
from domain.assistance import (
    CaseAccountStatement,
    CaseAccountStatementLine,
    DeductionRequest,
    DeductionResponse,
    MeasureRequest,
    MeasureResponse,
    NoticeOnFile,
    ReleaseRequest,
    RenewRequest,
    SealedDocument,
)
from domain.parties import PartyKind
from domain.payout import BatchItem, BatchItemAnswer, BatchItemStatus, BatchTransfer, StatementLine, StatementLines
from domain.personal import AccountNumber, IdNumber, PersonName

__all__ = [  # the HTTP client's conventions, and the domain's models whose JSON is sandbox-v1's body
    "IDEMPOTENCY_HEADER",
    "BatchItem",
    "BatchItemAnswer",
    "BatchItemStatus",
    "BatchTransfer",
    "CaseAccountStatement",
    "CaseAccountStatementLine",
    "DeductionRequest",
    "DeductionResponse",
    "ErrorBody",
    "MeasureRequest",
    "MeasureResponse",
    "NoticeOnFile",
    "ReleaseRequest",
    "RenewRequest",
    "SealedDocument",
    "StatementLine",
    "StatementLines",
]


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


# --- batch transfers out of a case account (涉众案款发放) ------------------------------------------------

# Per-item answers (``BatchItemStatus``). ``timeout`` is the one non-final answer: the bank did not execute
# the item and keeps no result for its key, so the same key is sent again later; every other answer is
# final for its key.


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


# --- the same batch transfer as plain dicts, for a million payees ------------------------------------------
# A pydantic model per item costs more than the item's whole trip through the bank (a million payees:
# ~8 s of a worker's CPU to build and encode the models, ~2 s to read the answers), so the payout's hot
# path sends and reads the same JSON as the domain's typed dicts (``domain.payout.BatchTransfer``),
# validated by pydantic-core in one pass. The models above stay the protocol's documentation.


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
