"""Activities of the mass payout: checking the list and the case account, paying a batch of payees
through the bank's batch transfer, recording how a batch ended, and reconciling against the bank.

Payees are read from the blob store by (list hash, offset, limit): no activity input or result carries
the list. Every item's key is ``<mass-payout workflow id>/payee/<row>[/r<round>]``, so a retried attempt
or a restarted worker sends the same keys and the bank answers them again without paying twice.
"""

from __future__ import annotations

import asyncio
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic_core import from_json
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common import refusals_not_retried
from adapters.base import PartnerProtocolError, PartnerRefusal
from adapters.registry import AdapterRegistry
from domain.parties import mask
from domain.payout import (
    BalanceInput,
    BankEntry,
    BatchItem,
    BatchOutcome,
    BatchTransfer,
    ItemOutcome,
    ItemStatus,
    PayeeFinal,
    PayeeListRef,
    PayInput,
    PayResult,
    ReconcileInput,
    ReconciliationReport,
    ReconciliationSummary,
    StatementLines,
    parse_payee_key,
    payee_key,
    reconcile_rows,
)
from runtime.logging import get_logger
from store.blobs import BlobError, BlobStore

if TYPE_CHECKING:
    from activities.resources import WorkerResources

log = get_logger(__name__)

STATEMENT_PAGE = 50_000  # the bank's largest page
REPORT_PIECE = 1 << 20
CHUNKS_KEPT = 16


def _outcome(item: BatchItem, origin: tuple[int, int, int], status: ItemStatus | None, code: str | None) -> ItemOutcome:
    """A payee the bank did not pay; ``origin`` is its (position, row, round)."""
    position, row, round_ = origin
    return ItemOutcome(
        position=position,
        row=row,
        round=round_,
        status=status,
        code=code,
        amount_fen=item["amount_fen"],
        name=item["payee_name"],
        account_masked=mask(item["account"]),
    )


class PayoutActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> PayoutActivities:
        return cls(r.blobs, r.adapters)

    def __init__(self, store: BlobStore, adapters: AdapterRegistry) -> None:
        self._store = store
        self._adapters = adapters
        # Recently parsed chunks of payee lists, oldest first (pay activities run on the event loop only).
        self._chunks: dict[str, list[list[Any]]] = {}

    @activity.defn(name="payout_check_list")
    async def check_list(self, ref: PayeeListRef) -> PayeeListRef:
        """The list exists, is intact, and is what the judge was shown (count and total)."""
        try:
            manifest = self._store.manifest(ref.sha256)
        except BlobError as exc:
            raise ApplicationError(str(exc), type="PAYEE_LIST_UNAVAILABLE", non_retryable=True) from exc
        total = manifest.meta.get("total_fen")
        if manifest.count != ref.count or total != ref.total_fen:
            raise ApplicationError(
                f"the stored list has {manifest.count} payees and {total} fen, not {ref.count} and {ref.total_fen}",
                type="PAYEE_LIST_MISMATCH",
                non_retryable=True,
            )
        return ref

    @activity.defn(name="payout_case_balance")
    async def case_balance(self, inp: BalanceInput) -> int:
        with refusals_not_retried():
            return await self._adapters.payout_bank(inp.bank).account_balance(inp.account)

    @activity.defn(name="payout_pay")
    async def pay(self, inp: PayInput) -> PayResult:
        """Pays the payees of one batch (or its timed-out or corrected ones) and sorts the answers."""
        rows = self._rows(inp.list_sha256, inp.offset, inp.limit)
        items: list[BatchItem] = []
        origins: list[tuple[int, int, int]] = []  # each item's (position, row, round)
        index: dict[str, int] = {}  # item key -> its place in items
        if inp.overrides:
            for o in inp.overrides:
                row, name, _kind, id_number, _bank, _account, amount = rows[o.position - inp.offset]
                key = payee_key(inp.workflow_id, o.row, o.round)
                index[key] = len(items)
                items.append(
                    BatchItem(
                        item_key=key,
                        payee_name=o.name or name,
                        id_number=id_number,
                        account=o.account,
                        amount_fen=amount,
                    )
                )
                origins.append((o.position, row, o.round))
        else:
            wanted = set(inp.positions) if inp.positions is not None else None
            prefix = payee_key(inp.workflow_id, 0)[:-1]  # "<workflow id>/payee/": keys built inline, as payee_key
            for i, (row, name, _kind, id_number, _bank, account, amount) in enumerate(rows):
                position = inp.offset + i
                if wanted is not None and position not in wanted:
                    continue
                key = f"{prefix}{row}"
                index[key] = len(items)
                # Literals, not the TypedDict's call nor a named tuple: each costs twice as much, a million times.
                items.append(
                    {
                        "item_key": key,
                        "payee_name": name,
                        "id_number": id_number,
                        "account": account,
                        "amount_fen": amount,
                    }
                )
                origins.append((position, row, 0))
        result = PayResult(amount_fen=sum(i["amount_fen"] for i in items), paid_count=0, paid_fen=0)
        bank = self._adapters.payout_bank(inp.bank)
        answered: set[str] = set()
        for n, start in enumerate(range(0, len(items), inp.items_per_request)):
            part = items[start : start + inp.items_per_request]
            batch_id = f"{inp.batch_id}/{n}"
            request = BatchTransfer(
                batch_id=batch_id, case_number=inp.case_number, from_account=inp.from_account, items=part
            )
            try:
                answer = await bank.batch_transfer_items(batch_id, request)
            except PartnerProtocolError as exc:
                # An answer we cannot read may have paid: unknown, so the same keys are sent again later.
                log.warning("batch transfer answer unreadable", batch_id=batch_id, code=exc.code)
                continue
            except PartnerRefusal as exc:
                # A refusal has no effect: neither this request's items nor the ones after it were paid.
                log.warning("batch transfer refused", batch_id=batch_id, code=exc.code)
                for i in range(start, len(items)):
                    result.failures.append(_outcome(items[i], origins[i], None, exc.code))
                    answered.add(items[i]["item_key"])
                break
            paid_count = paid_fen = 0
            for answered_item in answer:
                key = answered_item["item_key"]
                i = index.get(key, -1)
                if i < 0 or key in answered:
                    continue  # not ours, or repeated: only the first answer per key counts
                answered.add(key)
                if answered_item["status"] == "paid":
                    paid_count += 1
                    paid_fen += items[i]["amount_fen"]
                else:
                    status = ItemStatus(answered_item["status"])
                    result.failures.append(_outcome(items[i], origins[i], status, answered_item["code"]))
            result.paid_count += paid_count
            result.paid_fen += paid_fen
            activity.heartbeat(start + len(part))
        for key, i in index.items():
            if key not in answered:  # the bank left it out: unknown, so it is sent again under the same key
                result.failures.append(_outcome(items[i], origins[i], ItemStatus.TIMEOUT, "NOT_ANSWERED"))
        return result

    def _rows(self, digest: str, offset: int, limit: int) -> list[list[Any]]:
        """Payees [offset, offset + limit) of a stored list, as ``BlobStore.read_records`` reads them but
        parsed by pydantic-core (half json's time); a chunk two batches share is kept for the second."""
        m = self._store.manifest(digest)
        end = min(m.count, offset + limit)
        rows: list[list[Any]] = []
        if end <= offset:
            return rows
        for n in range(offset // m.chunk_rows, (end - 1) // m.chunk_rows + 1):
            chunk = self._chunks.pop(m.chunks[n], None)
            if chunk is None:
                chunk = from_json(self._store.get(m.chunks[n]))
            self._chunks[m.chunks[n]] = chunk
            while len(self._chunks) > CHUNKS_KEPT:
                self._chunks.pop(next(iter(self._chunks)))
            base = n * m.chunk_rows
            rows.extend(chunk[max(offset - base, 0) : end - base])
        return rows

    @activity.defn(name="payout_record_outcome")
    async def record_outcome(self, outcome: BatchOutcome) -> str:
        return self._store.put(outcome.model_dump_json().encode())

    @activity.defn(name="payout_reconcile")
    async def reconcile(self, inp: ReconcileInput) -> ReconciliationSummary:
        """Every payee against the bank's statement; the per-payee report goes to the blob store.

        Streamed, so a list of a million payees fits a small worker: the statement arrives as CSV pages
        into a compact index by payee row (~90 bytes an entry), payees are read chunk by chunk, and the
        report is written to a temporary file as it is made and stored from there."""
        bank = self._adapters.payout_bank(inp.bank)
        prefix = f"{inp.workflow_id}/payee/"
        statement = StatementIndex(inp.workflow_id)

        async def page(after: str) -> StatementLines:
            with refusals_not_retried():
                return await bank.statement_lines(inp.case_number, prefix, after, STATEMENT_PAGE)

        current = await page("")
        while True:
            # The bank makes the next page while this one is indexed.
            following = asyncio.ensure_future(page(current.next_cursor)) if current.next_cursor else None
            try:
                await asyncio.to_thread(statement.add, current.lines)
            except BaseException:
                if following is not None:
                    following.cancel()
                raise
            activity.heartbeat(statement.entries)
            if following is None:
                break
            current = await following
        return await asyncio.to_thread(self._report, inp, statement)

    def _report(self, inp: ReconcileInput, statement: StatementIndex) -> ReconciliationSummary:
        finals: dict[int, PayeeFinal] = {}
        for digest in inp.outcomes:
            outcome = BatchOutcome.model_validate_json(self._store.get(digest))
            finals.update((f.position, f) for f in outcome.exceptions)
        with tempfile.TemporaryFile(prefix="om-report-") as spool:
            report = ReconciliationReport(spool)
            summary = reconcile_rows(inp.workflow_id, self._payees(inp.list_sha256), finals, statement, report.add)
            report.close(summary)

            def pieces() -> Iterator[bytes]:
                spool.seek(0)
                while piece := spool.read(REPORT_PIECE):
                    yield piece

            summary.report_sha256 = self._store.put_pieces(pieces)
        log.info(
            "payout reconciled",
            workflow_id=inp.workflow_id,
            payees=summary.payees,
            balanced=summary.balanced,
            mismatches=summary.mismatches,
        )
        return summary

    def _payees(self, digest: str) -> Iterator[list[Any]]:
        """The list in order, one stored chunk at a time (never the whole list in memory). Each chunk is
        read once, so the store's cache is passed by; pydantic-core parses a chunk in half json's time."""
        manifest = self._store.manifest(digest)
        for chunk in manifest.chunks:
            rows: list[list[Any]] = from_json(self._store.get(chunk))
            yield from rows

    def all(self) -> list[Callable[..., Any]]:
        return [self.check_list, self.case_balance, self.pay, self.record_outcome, self.reconcile]


_STATUSES = tuple(ItemStatus)  # a status's code in the index is its place here, plus one
_STATUS_CODE = {status.value: n + 1 for n, status in enumerate(_STATUSES)}


class StatementIndex(Mapping[int, Sequence[BankEntry]]):
    """One payout's bank statement by payee row, compact enough to hold a million entries (~90 MB).

    Almost every entry is a payee's first-payment key, ``<workflow id>/payee/<row>``: those are kept in
    arrays indexed by row (status code, amount, bank reference), and the key is made again when asked
    for. Any other entry of this workflow (a correction round's key, a second entry for a row, a key
    written another way, an unknown status, a row beyond ``DENSE_ROWS``) is kept whole, with the other
    entries of its row, in statement order. Rows iterate in the order the statement first named them,
    and each row's entries come in statement order: what ``domain.payout.group_statement`` gives."""

    DENSE_ROWS = 4_000_000  # rows at or beyond this are kept whole: a stray key must not size the arrays

    def __init__(self, workflow_id: str) -> None:
        self._workflow_id = workflow_id
        self._prefix = f"{workflow_id}/payee/"
        self._code = bytearray()  # 0: no first-payment entry held in the arrays for this row
        self._amount = array("q")
        self._ref: list[str | None] = []
        self._whole: dict[int, list[BankEntry]] = {}
        self._order = array("q")
        self.entries = 0

    def add(self, entries: Iterable[tuple[str, str, int, str | None]]) -> None:
        """Adds statement entries (``BankEntry`` or ``StatementLine``) in statement order; another
        workflow's items in the same case are left out."""
        prefix, plen, code_of = self._prefix, len(self._prefix), _STATUS_CODE
        codes, whole = self._code, self._whole
        for key, status, amount, bank_ref in entries:
            if not key.startswith(prefix):
                continue
            rest = key[plen:]
            code = code_of.get(status, 0)
            if rest.isdigit() and code and (row := int(rest)) < self.DENSE_ROWS and str(row) == rest:
                if row >= len(codes):
                    self._grow(row)
                if codes[row] == 0 and row not in whole:
                    codes[row] = code
                    self._amount[row] = amount
                    self._ref[row] = bank_ref
                    self._order.append(row)
                    self.entries += 1
                    continue
            parsed = parse_payee_key(self._workflow_id, key)
            if parsed is None:
                continue
            row = parsed[0]
            held = whole.get(row)
            if held is None:
                held = whole[row] = []
                if row < len(codes) and codes[row]:  # its first entry moves out of the arrays, to keep order
                    held.append(self._dense(row))
                    codes[row] = 0
                else:
                    self._order.append(row)
            held.append(BankEntry(key, status, amount, bank_ref))
            self.entries += 1

    def _grow(self, row: int) -> None:
        more = max(row + 1 - len(self._code), len(self._code) // 2, 1024)
        self._code.extend(bytes(more))
        self._amount.extend(array("q", bytes(8 * more)))
        self._ref.extend([None] * more)

    def _dense(self, row: int) -> BankEntry:
        return BankEntry(
            f"{self._prefix}{row}", _STATUSES[self._code[row] - 1].value, self._amount[row], self._ref[row]
        )

    def __getitem__(self, row: int) -> list[BankEntry]:
        held = self._whole.get(row)
        if held is not None:
            return held
        if 0 <= row < len(self._code) and self._code[row]:
            return [self._dense(row)]
        raise KeyError(row)

    def get(self, row: int, default: Any = None) -> Any:
        held = self._whole.get(row)
        if held is not None:
            return held
        if 0 <= row < len(self._code) and (code := self._code[row]):
            return [BankEntry(f"{self._prefix}{row}", _STATUSES[code - 1].value, self._amount[row], self._ref[row])]
        return default

    def __contains__(self, row: object) -> bool:
        if not isinstance(row, int):
            return False
        return row in self._whole or (0 <= row < len(self._code) and self._code[row] != 0)

    def __iter__(self) -> Iterator[int]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)
