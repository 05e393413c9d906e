"""sandbox-v1 over HTTP: the protocol our simulators speak (docs/partner-protocol.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import httpx
from pydantic_core import to_json

from adapters.base import PartnerHttpClient, PartnerProtocolError
from adapters.protocol import (
    BATCH_TRANSFER_ANSWER,
    STATEMENT_CSV_COLUMNS,
    AccountBalance,
    BatchItemAnswer,
    BatchTransfer,
    BatchTransferRequest,
    BatchTransferResponse,
    CaseAccountStatement,
    DeductionRequest,
    DeductionResponse,
    InquiryRequest,
    InquiryResponse,
    MeasureRequest,
    MeasureResponse,
    ReleaseRequest,
    RenewRequest,
    StatementLine,
    StatementLines,
    StatementPage,
)
from domain.partners import PartnerEndpoint


class SandboxPartnerAdapter:
    """Implements every category interface; which calls a partner accepts is the partner's business."""

    def __init__(self, endpoint: PartnerEndpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.http = PartnerHttpClient(endpoint, transport=transport)
        self.partner_id = endpoint.id

    async def aclose(self) -> None:
        await self.http.aclose()

    async def inquire(self, request: InquiryRequest) -> InquiryResponse:
        status, answer = await self.http.post("inquiries", request, InquiryResponse)
        if answer.request_id != request.request_id:
            raise PartnerProtocolError(self.partner_id, "REQUEST_ID_MISMATCH", "answer is for another request")
        if status == 202 and answer.status != "accepted":
            raise PartnerProtocolError(self.partner_id, "STATUS_MISMATCH", "202 without status 'accepted'")
        return answer

    async def register_measure(self, idempotency_key: str, request: MeasureRequest) -> MeasureResponse:
        _, answer = await self.http.post("measures", request, MeasureResponse, idempotency_key)
        return answer

    async def renew_measure(self, idempotency_key: str, measure_id: str, request: RenewRequest) -> MeasureResponse:
        _, answer = await self.http.post(f"measures/{measure_id}/renew", request, MeasureResponse, idempotency_key)
        return answer

    async def release_measure(self, idempotency_key: str, measure_id: str, request: ReleaseRequest) -> MeasureResponse:
        _, answer = await self.http.post(f"measures/{measure_id}/release", request, MeasureResponse, idempotency_key)
        return answer

    async def deduct(self, idempotency_key: str, request: DeductionRequest) -> DeductionResponse:
        _, answer = await self.http.post("deductions", request, DeductionResponse, idempotency_key)
        return answer

    async def batch_transfer(self, idempotency_key: str, request: BatchTransferRequest) -> BatchTransferResponse:
        """批量代发: pays many payees from the case account; each item is idempotent by its ``item_key``."""
        _, answer = await self.http.post("batch-transfers", request, BatchTransferResponse, idempotency_key)
        if answer.batch_id != request.batch_id:
            raise PartnerProtocolError(self.partner_id, "BATCH_ID_MISMATCH", "answer is for another batch")
        return answer

    async def batch_transfer_items(self, idempotency_key: str, request: BatchTransfer) -> list[BatchItemAnswer]:
        """``batch_transfer`` with plain dicts in and out: the same request and answer, without a pydantic
        model per item (a million payees). The bank validates the request (a bad one is a 422 refusal)."""
        body = to_json(request)
        response = await self.http.post_json_bytes("batch-transfers", body, idempotency_key)
        answer = self.http.parse_with(response, BATCH_TRANSFER_ANSWER, "BatchTransferResponse")
        if answer["batch_id"] != request["batch_id"]:
            raise PartnerProtocolError(self.partner_id, "BATCH_ID_MISMATCH", "answer is for another batch")
        return answer["items"]

    async def statement(
        self, case_number: str, key_prefix: str = "", after: str = "", limit: int = 20_000
    ) -> StatementPage:
        """对账单: the bank's own record of batch items for a case, in ``item_key`` order, page by page."""
        params = {"case_number": case_number, "key_prefix": key_prefix, "after": after, "limit": limit}
        return await self.http.get("batch-transfers/statement", StatementPage, params=params)

    async def statement_lines(
        self, case_number: str, key_prefix: str = "", after: str = "", limit: int = 50_000
    ) -> StatementLines:
        """``statement`` as a CSV page, read into plain tuples: what a reconciliation of a million items
        needs, at a fraction of the JSON's cost. ``next_cursor`` is None after a short page."""
        params = {"case_number": case_number, "key_prefix": key_prefix, "after": after, "limit": limit, "format": "csv"}
        response = await self.http.get_response("batch-transfers/statement", params=params)
        try:
            lines = parse_statement_csv(response.content)
        except ValueError as exc:
            raise PartnerProtocolError(self.partner_id, "MALFORMED_ANSWER", f"statement page: {exc}") from exc
        return StatementLines(lines, lines[-1].item_key if len(lines) >= limit else None)

    async def account_balance(self, account: str) -> AccountBalance:
        """余额: the balance of an account the court holds at this bank (the case account)."""
        return await self.http.get("accounts/balance", AccountBalance, params={"account": account})

    async def case_account_statement(self, case_number: str) -> CaseAccountStatement:
        return await self.http.get("case-accounts/statement", CaseAccountStatement, params={"case_number": case_number})


_STATUSES = frozenset(("paid", "invalid_account", "name_mismatch", "account_closed", "timeout"))


def parse_statement_csv(data: bytes) -> list[StatementLine]:
    """A CSV statement page (header ``STATEMENT_CSV_COLUMNS``) as lines; ValueError when it is not one."""
    text = data.decode("utf-8")
    if '"' in text:
        rows: Iterable[list[str]] = csv.reader(io.StringIO(text))
    else:
        # Nothing quoted, so no field holds a comma or a line break: splitting is what the csv module
        # would read, at half its cost (a million lines).
        parts = text.split("\n")
        if parts and not parts[-1]:
            parts.pop()  # the last line's end
        rows = (part.removesuffix("\r").split(",") for part in parts)
    rows = iter(rows)
    if tuple(next(rows, ())) != STATEMENT_CSV_COLUMNS:
        raise ValueError("the header is not the statement's columns")
    lines: list[StatementLine] = []
    add, line = lines.append, StatementLine
    for key, status, amount, _account, bank_ref, _code, _booked_at in rows:  # a short or long line: ValueError
        if status not in _STATUSES or not key:
            raise ValueError(f"line {len(lines) + 2} is not a statement entry")
        add(line(key, status, int(amount), bank_ref or None))
    return lines
