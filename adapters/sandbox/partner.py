"""sandbox-v1 over HTTP for banks, payment platforms and registries: the protocol our simulators speak
(docs/partner-protocol.md). The ports' domain models go out as their JSON; the inquiry is translated here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from pydantic_core import to_json

from adapters.base import HttpPartnerAdapter, PartnerProtocolError
from adapters.sandbox.wire import (
    BATCH_TRANSFER_ANSWER,
    STATEMENT_CSV_COLUMNS,
    AccountBalance,
    InquiryResponse,
    WireAsset,
    WireSubject,
)
from adapters.sandbox.wire import InquiryRequest as WireInquiryRequest
from domain.assets import FoundAsset, InquiryAnswer, InquiryOutcome, InquiryRequest
from domain.assistance import (
    CaseAccountStatement,
    DeductionRequest,
    DeductionResponse,
    MeasureRequest,
    MeasureResponse,
    ReleaseRequest,
    RenewRequest,
)
from domain.payout import BatchItemAnswer, BatchTransfer, StatementLine, StatementLines


class SandboxPartnerAdapter(HttpPartnerAdapter):
    """Implements every category interface; which calls a partner accepts is the partner's business."""

    async def inquire(self, request: InquiryRequest) -> InquiryAnswer | None:
        subject = request.subject
        wire = WireInquiryRequest(
            request_id=request.request_id,
            subject=WireSubject(kind=subject.kind, name=subject.name, id_number=subject.id_number),
            callback_url=request.callback_url,
        )
        status, answer = await self.http.post("inquiries", wire, InquiryResponse)
        if answer.request_id != request.request_id:
            raise PartnerProtocolError(self.partner_id, "REQUEST_ID_MISMATCH", "answer is for another request")
        if status == 202 and answer.status != "accepted":
            raise PartnerProtocolError(self.partner_id, "STATUS_MISMATCH", "202 without status 'accepted'")
        if answer.status == "accepted":
            return None
        return found_assets(self.partner_id, answer.assets)

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

    async def batch_transfer_items(self, idempotency_key: str, request: BatchTransfer) -> list[BatchItemAnswer]:
        """批量代发 (``POST batch-transfers``): the domain's typed dicts are the body, without a pydantic model
        per item (a million payees). The bank validates the request (a bad one is a 422 refusal)."""
        body = to_json(request)
        response = await self.http.post_json_bytes("batch-transfers", body, idempotency_key)
        answer = self.http.parse_with(response, BATCH_TRANSFER_ANSWER, "BatchTransferResponse")
        if answer["batch_id"] != request["batch_id"]:
            raise PartnerProtocolError(self.partner_id, "BATCH_ID_MISMATCH", "answer is for another batch")
        return answer["items"]

    async def statement_lines(
        self, case_number: str, key_prefix: str = "", after: str = "", limit: int = 50_000
    ) -> StatementLines:
        """对账单 (``GET batch-transfers/statement?format=csv``), read into plain tuples: what a reconciliation
        of a million items needs, at a fraction of the JSON page's cost. ``next_cursor`` is None after a
        short page."""
        params = {"case_number": case_number, "key_prefix": key_prefix, "after": after, "limit": limit, "format": "csv"}
        response = await self.http.get_response("batch-transfers/statement", params=params)
        try:
            lines = parse_statement_csv(response.content)
        except ValueError as exc:
            raise PartnerProtocolError(self.partner_id, "MALFORMED_ANSWER", f"statement page: {exc}") from exc
        return StatementLines(lines, lines[-1].item_key if len(lines) >= limit else None)

    async def account_balance(self, account: str) -> int:
        """余额: the balance of an account the court holds at this bank (the case account)."""
        answer = await self.http.get("accounts/balance", AccountBalance, params={"account": account})
        return answer.balance_fen

    async def case_account_statement(self, case_number: str) -> CaseAccountStatement:
        return await self.http.get("case-accounts/statement", CaseAccountStatement, params={"case_number": case_number})


def found_assets(partner_id: str, assets: list[WireAsset]) -> InquiryAnswer:
    """The assets a partner named, in the domain's terms."""
    return InquiryAnswer(
        partner_id=partner_id,
        outcome=InquiryOutcome.ANSWERED,
        assets=[FoundAsset(partner_id=partner_id, **a.model_dump()) for a in assets],
    )


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
