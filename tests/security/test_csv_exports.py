"""Issue 23, item 5: no CSV the project writes for people runs as a formula in a spreadsheet, and the
payout's 案号 is checked like every other."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from domain.payees import PayeeError, error_report_csv
from domain.payout import ReconciliationSummary, ReconRow, reconciliation_csv
from domain.spreadsheet import safe_cell
from web.services.dashboard import Dashboard, PayoutProgress, to_csv
from workflows.mass_payout.models import MassPayoutRequest

ATTACK = "=cmd|' /C calc'!A0"


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_that_starts_a_formula_is_written_as_text(start: str):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell(f"张{start}") == f"张{start}", "only the first character matters"
    assert safe_cell(-5) == -5, "numbers stay numbers"


def test_the_reconciliation_report_does_not_run_a_payee_named_like_a_formula():
    summary = ReconciliationSummary(
        report_sha256="0" * 64,
        payees=1,
        released_fen=100,
        paid_count=1,
        paid_fen=100,
        escrowed_count=0,
        escrowed_fen=0,
        bank_paid_count=1,
        bank_paid_fen=100,
        mismatches=0,
        balanced=True,
    )
    row = ReconRow(1, ATTACK, "****0319", "@SUM(1)", "****1234", 100, "paid", "", "k-1", "ok", "+r", "ok")
    lines = _rows(reconciliation_csv([row], summary))
    assert lines[1][1] == "'" + ATTACK and lines[1][3] == "'@SUM(1)" and lines[1][10] == "'+r"


def test_the_payee_error_report_does_not_run_a_column_named_like_a_formula():
    lines = _rows(error_report_csv([PayeeError(3, '=HYPERLINK("http://x")', "bad", "-")]))
    assert lines[1] == ["3", '\'=HYPERLINK("http://x")', "bad", "'-"]


def test_the_supervisors_payouts_csv_does_not_run_a_case_number():
    board = Dashboard(
        courts=["杭州市上城区人民法院"],
        generated_at=datetime(2026, 12, 6, tzinfo=UTC),
        window_days=30,
        agencies=[],
        performance=[],
        cases=[],
        cases_partial=False,
        payouts=[
            PayoutProgress(
                workflow_id="mass-payout-1",
                case_number=ATTACK,
                court="杭州市上城区人民法院",
                status="running",
                payees=1,
                paid_count=0,
                total_fen=100,
                paid_fen=0,
                percent_paid=0.0,
            )
        ],
    )
    lines = _rows(to_csv(board, "payouts").encode())
    assert lines[1][1] == "'" + ATTACK


def test_the_payout_case_number_is_checked_like_every_other():
    request = {
        "case_number": '(2026)浙0102执1号"',
        "court": "杭州市上城区人民法院",
        "payee_list": {"sha256": "0" * 64, "count": 1, "total_fen": 100},
        "case_account": "6222021234567890123",
    }
    with pytest.raises(ValidationError) as err:
        MassPayoutRequest.model_validate(request)
    assert [e["loc"] for e in err.value.errors()] == [("case_number",)]
