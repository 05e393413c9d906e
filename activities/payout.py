"""Activities of the mass payout: checking the list and the case account, paying a batch of payees
through the bank's batch transfer, recording how a batch ended, and reconciling against the bank.

Payees are read from the blob store by (list hash, offset, limit): no activity input or result carries
the list. Every item's key is ``<mass-payout workflow id>/payee/<row>[/r<round>]``, so a retried attempt
or a restarted worker sends the same keys and the bank answers them again without paying twice.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common import refusals_not_retried
from adapters.base import PartnerProtocolError, PartnerRefusal
from adapters.protocol import BatchTransferItem, BatchTransferRequest
from adapters.registry import AdapterRegistry
from core.blobstore import BlobError, BlobStore
from core.logging import get_logger
from domain.parties import mask
from domain.payout import (
    BalanceInput,
    BankEntry,
    BatchOutcome,
    ItemOutcome,
    ItemStatus,
    PayeeFinal,
    PayeeListRef,
    PayInput,
    PayResult,
    ReconcileInput,
    ReconciliationReport,
    ReconciliationSummary,
    parse_payee_key,
    payee_key,
    reconcile_rows,
)

if TYPE_CHECKING:
    from activities.resources import WorkerResources

log = get_logger(__name__)

STATEMENT_PAGE = 20_000


class _Meta(NamedTuple):
    position: int
    row: int
    round: int
    item: BatchTransferItem

    def outcome(self, status: ItemStatus | None, code: str | None) -> ItemOutcome:
        return ItemOutcome(
            position=self.position,
            row=self.row,
            round=self.round,
            status=status,
            code=code,
            amount_fen=self.item.amount_fen,
            name=self.item.payee_name,
            account_masked=mask(self.item.account),
        )


class PayoutActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> PayoutActivities:
        return cls(r.blobs, r.adapters)

    def __init__(self, store: BlobStore, adapters: AdapterRegistry) -> None:
        self._store = store
        self._adapters = adapters

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
            answer = await self._adapters.get(inp.bank).account_balance(inp.account)
        return answer.balance_fen

    @activity.defn(name="payout_pay")
    async def pay(self, inp: PayInput) -> PayResult:
        """Pays the payees of one batch (or its timed-out or corrected ones) and sorts the answers."""
        rows = self._store.read_records(inp.list_sha256, inp.offset, inp.limit)
        items: list[BatchTransferItem] = []
        meta: dict[str, _Meta] = {}
        if inp.overrides:
            for o in inp.overrides:
                row, name, _kind, id_number, _bank, _account, amount = rows[o.position - inp.offset]
                item = BatchTransferItem(
                    item_key=payee_key(inp.workflow_id, o.row, o.round),
                    payee_name=o.name or name,
                    id_number=id_number,
                    account=o.account,
                    amount_fen=amount,
                )
                items.append(item)
                meta[item.item_key] = _Meta(o.position, row, o.round, item)
        else:
            wanted = set(inp.positions) if inp.positions is not None else None
            for i, (row, name, _kind, id_number, _bank, account, amount) in enumerate(rows):
                position = inp.offset + i
                if wanted is not None and position not in wanted:
                    continue
                item = BatchTransferItem(
                    item_key=payee_key(inp.workflow_id, row),
                    payee_name=name,
                    id_number=id_number,
                    account=account,
                    amount_fen=amount,
                )
                items.append(item)
                meta[item.item_key] = _Meta(position, row, 0, item)
        result = PayResult(amount_fen=sum(i.amount_fen for i in items), paid_count=0, paid_fen=0)
        bank = self._adapters.get(inp.bank)
        answered: set[str] = set()
        for n, start in enumerate(range(0, len(items), inp.items_per_request)):
            part = items[start : start + inp.items_per_request]
            request = BatchTransferRequest(
                batch_id=f"{inp.batch_id}/{n}", case_number=inp.case_number, from_account=inp.from_account, items=part
            )
            try:
                answer = await bank.batch_transfer(request.batch_id, request)
            except PartnerProtocolError as exc:
                # An answer we cannot read may have paid: unknown, so the same keys are sent again later.
                log.warning("batch transfer answer unreadable", batch_id=request.batch_id, code=exc.code)
                continue
            except PartnerRefusal as exc:
                # A refusal has no effect: neither this request's items nor the ones after it were paid.
                log.warning("batch transfer refused", batch_id=request.batch_id, code=exc.code)
                for item in items[start:]:
                    result.failures.append(meta[item.item_key].outcome(None, exc.code))
                    answered.add(item.item_key)
                break
            for answered_item in answer.items:
                m = meta.get(answered_item.item_key)
                if m is None or answered_item.item_key in answered:
                    continue  # not ours, or repeated: only the first answer per key counts
                answered.add(answered_item.item_key)
                status = ItemStatus(answered_item.status)
                if status is ItemStatus.PAID:
                    result.paid_count += 1
                    result.paid_fen += m.item.amount_fen
                else:
                    result.failures.append(m.outcome(status, answered_item.code))
            activity.heartbeat(start + len(part))
        for key, m in meta.items():
            if key not in answered:  # the bank left it out: unknown, so it is sent again under the same key
                result.failures.append(m.outcome(ItemStatus.TIMEOUT, "NOT_ANSWERED"))
        return result

    @activity.defn(name="payout_record_outcome")
    async def record_outcome(self, outcome: BatchOutcome) -> str:
        return self._store.put(outcome.model_dump_json().encode())

    @activity.defn(name="payout_reconcile")
    async def reconcile(self, inp: ReconcileInput) -> ReconciliationSummary:
        """Every payee against the bank's statement; the per-payee report goes to the blob store.

        Streamed, so a list of a million payees fits a small worker: the statement is spooled page by
        page into a temporary file indexed by payee row, payees are read chunk by chunk, and report rows
        are encoded as they are made."""
        bank = self._adapters.get(inp.bank)
        with StatementFile(inp.workflow_id) as statement:
            after = ""
            while True:
                with refusals_not_retried():
                    page = await bank.statement(inp.case_number, f"{inp.workflow_id}/payee/", after, STATEMENT_PAGE)
                entries = [BankEntry(e.item_key, e.status, e.amount_fen, e.bank_ref) for e in page.entries]
                await asyncio.to_thread(statement.add, entries)
                activity.heartbeat(statement.entries)
                if not page.next_cursor:
                    break
                after = page.next_cursor
            return await asyncio.to_thread(self._report, inp, statement)

    def _report(self, inp: ReconcileInput, statement: StatementFile) -> ReconciliationSummary:
        finals: dict[int, PayeeFinal] = {}
        for digest in inp.outcomes:
            outcome = BatchOutcome.model_validate_json(self._store.get(digest))
            finals.update((f.position, f) for f in outcome.exceptions)
        report = ReconciliationReport()
        summary = reconcile_rows(inp.workflow_id, self._payees(inp.list_sha256), finals, statement, report.add)
        summary.report_sha256 = self._store.put(report.finish(summary))
        log.info(
            "payout reconciled",
            workflow_id=inp.workflow_id,
            payees=summary.payees,
            balanced=summary.balanced,
            mismatches=summary.mismatches,
        )
        return summary

    def _payees(self, digest: str) -> Iterator[list[Any]]:
        """The list in order, one stored chunk at a time (never the whole list in memory)."""
        manifest = self._store.manifest(digest)
        for offset in range(0, manifest.count, manifest.chunk_rows):
            yield from self._store.read_records(digest, offset, manifest.chunk_rows)

    def all(self) -> list[Callable[..., Any]]:
        return [self.check_list, self.case_balance, self.pay, self.record_outcome, self.reconcile]


class StatementFile(Mapping[int, Sequence[BankEntry]]):
    """One payout's bank statement by payee row, in a temporary SQLite file rather than in memory.

    Lookups come in list order, so rows are read a window at a time; iteration is in row order."""

    WINDOW = 5_000

    def __init__(self, workflow_id: str) -> None:
        self._workflow_id = workflow_id
        self._dir = tempfile.TemporaryDirectory(prefix="om-statement-")
        # check_same_thread off: pages are added and the report is made on worker threads, one at a time.
        self._db = sqlite3.connect(Path(self._dir.name) / "statement.db", check_same_thread=False)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
            "CREATE TABLE s (row INTEGER NOT NULL, item_key TEXT, status TEXT, amount_fen INTEGER, bank_ref TEXT);"
        )
        self.entries = 0
        self._indexed = False
        self._low = self._high = -1
        self._window: dict[int, list[BankEntry]] = {}

    def add(self, entries: Sequence[BankEntry]) -> None:
        rows = []
        for e in entries:
            parsed = parse_payee_key(self._workflow_id, e.item_key)
            if parsed is not None:  # else another workflow's item in the same case
                rows.append((parsed[0], e.item_key, e.status, e.amount_fen, e.bank_ref))
        with self._db:
            self._db.executemany("INSERT INTO s VALUES (?, ?, ?, ?, ?)", rows)
        self.entries += len(rows)

    def _index(self) -> None:
        if not self._indexed:
            self._db.execute("CREATE INDEX s_row ON s (row)")
            self._indexed = True

    def _load(self, low: int) -> None:
        self._index()
        self._low, self._high = low, low + self.WINDOW
        self._window = {}
        for row, *entry in self._db.execute(
            "SELECT row, item_key, status, amount_fen, bank_ref FROM s WHERE row >= ? AND row < ? ORDER BY rowid",
            (self._low, self._high),
        ):
            self._window.setdefault(row, []).append(BankEntry(*entry))

    def __getitem__(self, row: int) -> list[BankEntry]:
        if not self._low <= row < self._high:
            self._load(row)
        if row not in self._window:
            raise KeyError(row)
        return self._window[row]

    def __iter__(self) -> Iterator[int]:
        self._index()
        for (row,) in self._db.execute("SELECT DISTINCT row FROM s ORDER BY row"):
            yield row

    def __len__(self) -> int:
        self._index()
        return int(self._db.execute("SELECT count(DISTINCT row) FROM s").fetchone()[0])

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()

    def __enter__(self) -> StatementFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
