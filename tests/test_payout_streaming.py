"""A million payees (issue 15): the reconciliation streams — statement spooled to a temporary file by
payee row, payees read chunk by chunk, the report encoded as it is written — and says exactly what the
in-memory reconciliation says, row for row and byte for byte."""

from __future__ import annotations

from activities.payout import StatementFile
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

    with StatementFile(WID) as spooled:
        for i in range(0, len(statement), 1_000):  # page by page, as the bank's statement arrives
            spooled.add(statement[i : i + 1_000])
        assert spooled.entries == len(statement) - 1  # the other workflow's item is not kept
        streamed_summary = reconcile_rows(WID, iter(payees), finals, spooled, emit)
    assert streamed == rows
    assert streamed_summary == summary
    assert report.finish(streamed_summary) == reconciliation_csv(rows, summary)
    assert not summary.balanced and summary.mismatches >= 4
    checks = {r.row: r.check for r in rows}
    assert checks[10] == "not_in_bank_statement" and checks[20] == "amount_mismatch"
    assert checks[30] == "double_credit" and checks[44] == "ok" and checks[None] == "unknown_item"
