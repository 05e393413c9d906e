"""A million payees (issue 15): the reconciliation streams — the statement held in a compact index by
payee row, payees read chunk by chunk, the report written to a file as it is made — and says exactly
what the in-memory reconciliation says, row for row and byte for byte."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import pytest

from activities.payout import PayoutActivities, StatementIndex
from adapters.registry import AdapterRegistry
from adapters.sandbox.partner import parse_statement_csv
from adapters.sandbox.wire import STATEMENT_CSV_COLUMNS, StatementLine
from config.settings import CodecKeys
from domain.payout import (
    BankEntry,
    ItemStatus,
    PayeeFinal,
    ReconciliationReport,
    ReconRow,
    payee_key,
    reconcile,
    reconcile_rows,
    reconciliation_csv,
)
from store.blobs import BlobStore

WID = "mass-payout-stream"


def case(n: int) -> tuple[list[list[object]], list[BankEntry], dict[int, PayeeFinal]]:
    payees: list[list[object]] = [
        [row, f"收款人{row}", "person", "110105199001010011", "工行", f"6222{row:012d}", 1_000 + row]
        for row in range(2, n + 2)
    ]
    statement: list[BankEntry] = []
    for row in range(2, n + 2):
        if row == 10:
            continue  # paid by us, missing at the bank
        if row == 44:
            statement.append(BankEntry(payee_key(WID, row), "invalid_account", 1_000 + row, None))
            continue  # refused, corrected, paid again under its correction key (below)
        amount = 5 if row == 20 else 1_000 + row  # the bank paid a different amount
        statement.append(BankEntry(payee_key(WID, row), "paid", amount, f"B{row}"))
    statement.append(BankEntry(payee_key(WID, 30), "paid", 1_030, "again"))  # a double credit
    statement.append(BankEntry(payee_key(WID, n + 500), "paid", 7, "stray"))  # an item no payee has
    statement.append(BankEntry("another-workflow/payee/3", "paid", 7, "other"))  # not ours: left out
    statement.append(BankEntry(payee_key(WID, 44, 1), "paid", 1_044, "corrected"))  # a correction's key
    statement.append(BankEntry(f"{WID}/payee/0051", "paid", 9, "odd"))  # row 51 written another way
    statement.append(BankEntry(payee_key(WID, 52), "reversed", 1_052, None))  # a status we do not know
    statement.append(BankEntry(payee_key(WID, 10**9), "paid", 3, "far"))  # a stray row far beyond the list
    statement.append(BankEntry(payee_key(WID, n + 300), "paid", 4, "stray2"))  # named after the one above
    finals = {
        42: PayeeFinal(
            position=42,
            row=44,
            amount_fen=1_044,
            state="paid",
            round=1,
            key=payee_key(WID, 44, 1),
            last_status=ItemStatus.PAID,
        ),
    }
    return payees, statement, finals


def test_streamed_reconciliation_equals_the_in_memory_one_across_windows() -> None:
    payees, statement, finals = case(12_345)  # more rows than one window of the statement file
    rows, summary = reconcile(WID, payees, finals, statement)
    streamed: list[ReconRow] = []
    report = ReconciliationReport()

    def emit(r: ReconRow) -> None:
        streamed.append(r)
        report.add(r)

    index = StatementIndex(WID)
    for i in range(0, len(statement), 1_000):  # page by page, as the bank's statement arrives
        index.add(statement[i : i + 1_000])
    assert index.entries == len(statement) - 1  # the other workflow's item is not kept
    streamed_summary = reconcile_rows(WID, iter(payees), finals, index, emit)
    assert streamed == rows
    assert streamed_summary == summary
    assert report.finish(streamed_summary) == reconciliation_csv(rows, summary)
    assert not summary.balanced and summary.mismatches >= 4
    checks = {r.row: r.check for r in rows}
    assert checks[10] == "not_in_bank_statement" and checks[20] == "amount_mismatch"
    assert checks[30] == "double_credit" and checks[44] == "ok" and checks[None] == "unknown_item"
    assert checks[51] == "double_credit" and checks[52] == "ok"  # its second, unpaid entry changes nothing
    assert [r.bank_ref for r in rows if r.row is None] == ["stray", "far", "stray2"]  # as the statement named them


def test_the_index_gives_each_row_its_entries_in_statement_order() -> None:
    """A row's first-payment entry held compactly moves out when another entry for its row arrives,
    so the row's entries keep the statement's order whichever comes first."""
    first, corrected = (
        BankEntry(payee_key(WID, 7), "invalid_account", 70, None),
        BankEntry(payee_key(WID, 7, 1), "paid", 70, "R1"),
    )
    odd = BankEntry(f"{WID}/payee/07", "paid", 70, "odd")
    index = StatementIndex(WID)
    index.add([odd, first, corrected, BankEntry(payee_key(WID, 8), "paid", 80, "R8")])
    assert index[7] == [odd, first, corrected] and index[8] == [BankEntry(payee_key(WID, 8), "paid", 80, "R8")]
    assert list(index) == [7, 8] and len(index) == 2 and 9 not in index and index.get(9, ()) == ()
    assert index.entries == 4


def test_a_report_written_to_a_file_is_the_report_in_memory() -> None:
    payees, statement, finals = case(3_000)
    rows, summary = reconcile(WID, payees, finals, statement)
    with tempfile.TemporaryFile() as sink:
        report = ReconciliationReport(sink)
        for r in rows:
            report.add(r)
        assert report.finish(summary) == b""
        sink.seek(0)
        assert sink.read() == reconciliation_csv(rows, summary)


def test_a_csv_statement_page_reads_the_same_with_or_without_quoting() -> None:
    header = ",".join(STATEMENT_CSV_COLUMNS)
    plain = f"{header}\nw/payee/2,paid,100,6222,B1,,2026-11-29T00:00:00+00:00\nw/payee/3,invalid_account,7,6223,,X,t\n"
    assert parse_statement_csv(plain.encode()) == [
        StatementLine("w/payee/2", "paid", 100, "B1"),
        StatementLine("w/payee/3", "invalid_account", 7, None),
    ]
    quoted = f'{header}\r\n"w,1/payee/2",paid,100,6222,"B""1",,t\r\n'
    assert parse_statement_csv(quoted.encode()) == [StatementLine("w,1/payee/2", "paid", 100, 'B"1')]
    for bad in (
        f"{header}\nw/payee/2,paid,100\n",
        f"{header}\nw/payee/2,lost,1,a,,,t\n",
        "item_key\n",
        f"{header}\n\nw/payee/2,paid,1,a,,,t\n",
    ):
        with pytest.raises(ValueError):
            parse_statement_csv(bad.encode())


def test_a_batch_reads_its_payees_as_the_store_reads_them(tmp_path: Path) -> None:
    """The pay activity's own chunk reader (pydantic-core's parser, a few chunks kept) gives exactly the
    store's rows for any window, across chunk boundaries and past the end."""
    keys = CodecKeys.model_validate({"active": "k", "keys": {"k": base64.urlsafe_b64encode(bytes(range(32))).decode()}})
    store = BlobStore(tmp_path, keys)
    digest = store.put_records([[i + 2, f"收款人{i}", "person", "x", "工行", f"6222{i}", i + 1] for i in range(10_123)])
    activities = PayoutActivities(store, AdapterRegistry([]))
    for offset, limit in [(0, 5_000), (5_000, 5_000), (10_000, 5_000), (1_999, 2), (10_123, 5), (0, 0), (3, 10_200)]:
        assert activities._rows(digest, offset, limit) == store.read_records(digest, offset, limit)
