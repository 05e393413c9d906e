"""The ``PayoutBank`` port over a bank's ISO 20022 files (routes: docs/partner-protocol.md, "ISO 20022").

``POST iso20022/pain.001`` takes a credit-transfer initiation and answers its pain.002 status report;
``GET iso20022/camt.054`` the case's booked debits, page by page; ``GET iso20022/camt.052`` the case account's
balance. The file's ``MsgId`` derives from the batch id and each ``EndToEndId`` from the payee's item key
(``messages.reference``), so a retried file is the same file and the bank pays no ``EndToEndId`` twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import httpx

from adapters.base import HttpPartnerAdapter, PartnerProtocolError, PartnerRefusal
from adapters.iso20022 import messages
from domain.partners import PartnerEndpoint
from domain.payout import BatchItemAnswer, BatchTransfer, StatementLine, StatementLines

R = TypeVar("R")
XML = "application/xml"
# ISO reasons for a rejected file, as the codes the payout records (the sandbox bank's codes).
FILE_REFUSALS = {messages.INSUFFICIENT_FUNDS: "INSUFFICIENT_FUNDS", messages.INVALID_FILE: "INVALID_FILE"}
# pain.001 files of a few thousand payees take the XML bindings tens of milliseconds: off the event loop.
_OFF_LOOP_ITEMS = 200


class Iso20022PayoutBank(HttpPartnerAdapter):
    def __init__(self, endpoint: PartnerEndpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(endpoint, transport)
        self._initiator = endpoint.name  # the court's name at this bank, as its files' initiating party

    async def account_balance(self, account: str) -> int:
        response = await self.http.get_response("iso20022/camt.052", params={"account": account})
        return self._read(messages.read_account_report, response.content, account)

    async def batch_transfer_items(self, idempotency_key: str, request: BatchTransfer) -> list[BatchItemAnswer]:
        """One pain.001 for the batch, its pain.002 read back into each item's answer by ``EndToEndId``."""
        keys = {messages.reference(i["item_key"]): i["item_key"] for i in request["items"]}
        big = len(keys) > _OFF_LOOP_ITEMS
        build = messages.credit_transfer_initiation
        document = await asyncio.to_thread(build, request, self._initiator) if big else build(request, self._initiator)
        response = await self.http.post_bytes("iso20022/pain.001", document, XML, idempotency_key)
        read = messages.read_payment_status_report
        report = (
            await asyncio.to_thread(self._read, read, response.content) if big else self._read(read, response.content)
        )
        if report.original_msg_id != messages.reference(request["batch_id"]):
            raise PartnerProtocolError(self.partner_id, "BATCH_ID_MISMATCH", "the status report is for another file")
        if report.rejected is not None:
            code, text = report.rejected
            raise PartnerRefusal(self.partner_id, FILE_REFUSALS.get(code, code), text or f"file rejected ({code})")
        answers: list[BatchItemAnswer] = []
        for s in report.statuses:
            key = keys.get(s.end_to_end_id)
            if key is None:
                continue  # not in this file: the payout takes only its own keys
            # The ISO reason (AC01, AC04, BE01) read as the status; its code is the one sandbox-v1 gives.
            reason = None if s.status == "paid" else s.status.upper()
            answers.append({"item_key": key, "status": s.status, "bank_ref": s.bank_ref, "code": reason})
        return answers  # an EndToEndId the report leaves out (or gives an unknown status) is unknown: sent again

    async def statement_lines(
        self, case_number: str, key_prefix: str = "", after: str = "", limit: int = 50_000
    ) -> StatementLines:
        """The case's booked debits from camt.054, as the payee keys their remittance information names
        (only those starting ``key_prefix``); ``after`` is the previous page's cursor. A bank books only
        payments, so every line is ``paid``: refusals are in the pain.002 reports, not on the account."""
        params = {"case_number": case_number, "after": after, "limit": limit}
        response = await self.http.get_response("iso20022/camt.054", params=params)
        notification = await asyncio.to_thread(self._read, messages.read_debit_notification, response.content)
        lines = [
            StatementLine(d.remittance, "paid", d.amount_fen, d.bank_ref)
            for d in notification.debits
            if d.remittance.startswith(key_prefix)
        ]
        last = notification.debits[-1].end_to_end_id if notification.debits else None
        return StatementLines(lines, None if notification.last_page or last is None else last)

    def _read(self, reader: Callable[..., R], data: bytes, *args: str) -> R:
        """A file read by ``reader``, or a protocol error naming what was wrong with it."""
        try:
            return reader(data, *args)
        except messages.MessageError as exc:
            raise PartnerProtocolError(self.partner_id, "MALFORMED_ANSWER", str(exc)[:300]) from exc
