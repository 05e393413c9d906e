"""Mass payout (涉众案款发放): the rules a payout follows and what its activities take and return.

A release is approved by the judge, and by a second judge when it reaches the threshold (执行款物管理规定:
payouts of ¥100,000 or more need higher approval). Payees are paid in batches; each payee's payment
carries an idempotency key derived from the workflow id and the payee's row, and a corrected payee is
paid under a new key per correction round, so no payee can be paid twice. Payees still unpaid at the end
are put in escrow (提存) with the reason. The reconciliation checks every payee against the bank's own
statement and the totals to the fen. Pure: no I/O, no clock. The workflow's own input, decisions and
messages are in ``workflows.mass_payout.models``.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Annotated, BinaryIO, Literal, NamedTuple

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from domain.money import PositiveFen
from domain.parties import mask
from domain.personal import AccountNumber, IdNumber, PersonName
from domain.spreadsheet import safe_writer

SECOND_APPROVAL_THRESHOLD_FEN = 10_000_000  # ¥100,000
MAX_PAYEES = 1_000_000  # one list, as domain.payees.MAX_ROWS (issue 15: ~900,000 investors)


# --- what the payout's bank port (``adapters.interfaces.PayoutBank``) takes and answers ---------------------
# Typed dicts and named tuples, not models: a pydantic model per payee costs more than the payee's whole
# trip through the bank (a million payees). pydantic-core validates them in one pass where they are read.

BatchItemStatus = Literal["paid", "invalid_account", "name_mismatch", "account_closed", "timeout"]


class BatchItem(TypedDict):
    """One payee of a batch transfer (批量代发), keyed by ``item_key``: a dict, not a model, a million times."""

    item_key: Annotated[str, Field(min_length=1, max_length=255)]
    payee_name: Annotated[PersonName, Field(min_length=1, max_length=200)]
    id_number: Annotated[IdNumber, Field(min_length=1, max_length=32)]
    account: Annotated[AccountNumber, Field(min_length=1, max_length=34)]
    amount_fen: Annotated[int, Field(gt=0)]


class BatchItemAnswer(TypedDict):
    """The bank's answer for one item; a repeated ``item_key`` gets its first answer and pays nothing."""

    item_key: str
    status: BatchItemStatus
    bank_ref: str | None
    code: str | None


class BatchTransfer(TypedDict):
    """A batch transfer out of the case account (案款账户): at most 5,000 payees, keyed by ``batch_id``."""

    batch_id: Annotated[str, Field(min_length=1, max_length=255)]
    case_number: Annotated[str, Field(min_length=1, max_length=64)]
    from_account: Annotated[AccountNumber, Field(min_length=1, max_length=64)]
    items: Annotated[list[BatchItem], Field(min_length=1, max_length=5000)]


class StatementLine(NamedTuple):
    """One entry of the bank's statement of batch items (对账单): what a reconciliation reads."""

    item_key: str
    status: str
    amount_fen: int
    bank_ref: str | None


class StatementLines(NamedTuple):
    """A page of the statement; ``next_cursor`` (an item key) asks for the next, None after the last."""

    lines: list[StatementLine]
    next_cursor: str | None = None


class ItemStatus(StrEnum):
    """A bank's answer for one payee (sandbox-v1 ``BatchItemResult.status``)."""

    PAID = "paid"
    INVALID_ACCOUNT = "invalid_account"
    NAME_MISMATCH = "name_mismatch"
    ACCOUNT_CLOSED = "account_closed"
    TIMEOUT = "timeout"  # not executed: the same key is sent again

    @property
    def needs_correction(self) -> bool:
        return self in (ItemStatus.INVALID_ACCOUNT, ItemStatus.NAME_MISMATCH, ItemStatus.ACCOUNT_CLOSED)


class EscrowReason(StrEnum):
    """Why a payee's money went to escrow (提存) instead of to the payee."""

    CORRECTION_REJECTED = "correction_rejected"  # the clerk could not obtain correct details
    CORRECTION_CANCELLED = "correction_cancelled"
    CORRECTION_DEADLINE_PASSED = "correction_deadline_passed"
    CORRECTION_ROUNDS_EXHAUSTED = "correction_rounds_exhausted"
    BANK_TIMEOUT_UNRESOLVED = "bank_timeout_unresolved"
    BATCH_REFUSED = "batch_refused"  # the bank refused a whole batch (e.g. INSUFFICIENT_FUNDS)
    CORRECTION_NOT_CONFIRMED = "correction_not_confirmed"  # the second clerk did not confirm the change


def payee_key(workflow_id: str, row: int, round_: int = 0) -> str:
    """``<workflow id>/payee/<row>`` for the first payment, ``…/r<n>`` after the n-th correction."""
    key = f"{workflow_id}/payee/{row}"
    return f"{key}/r{round_}" if round_ else key


def parse_payee_key(workflow_id: str, key: str) -> tuple[int, int] | None:
    """(row, round) of one of this workflow's keys, None for any other key."""
    prefix = f"{workflow_id}/payee/"
    if not key.startswith(prefix):
        return None
    row, _, round_ = key[len(prefix) :].partition("/r")
    if not row.isdigit() or (round_ and not round_.isdigit()):
        return None
    return int(row), int(round_ or 0)


def approvals_needed(total_fen: int, threshold_fen: int, payee_changed: bool = False) -> int:
    """Two (双人审批, 执行款物管理规定 Art 14) at or above the court's threshold, and whatever the total where the
    list pays someone in the party's stead (an agent collecting, 执行工作规定 Art 20): a change of payee."""
    return 2 if total_fen >= threshold_fen or payee_changed else 1


def batch_count(payees: int, batch_size: int) -> int:
    return -(-payees // batch_size)


def batch_range(index: int, payees: int, batch_size: int) -> tuple[int, int]:
    """(offset, limit) of batch ``index``."""
    offset = index * batch_size
    return offset, min(batch_size, payees - offset)


# --- the payee list ------------------------------------------------------------------------------------


class PayeeListRef(BaseModel):
    """An accepted payee list in the blob store (``POST /api/payouts/lists`` answers with it)."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="the list's content hash")
    count: int = Field(gt=0, le=MAX_PAYEES)
    total_fen: PositiveFen


# --- what the payout's activities take and return ----------------------------------------------------


class PayeeOverride(BaseModel):
    """A corrected payee, paid with the corrected details under the key of its correction round."""

    position: int = Field(ge=0)
    row: int
    round: int = Field(ge=1)
    account: AccountNumber
    name: PersonName = Field(default="", description="empty: the name on the list")
    bank: str = ""


class PayInput(BaseModel):
    workflow_id: str = Field(description="the mass-payout workflow id: the root of every payee key")
    batch_id: str
    bank: str
    case_number: str
    from_account: AccountNumber
    list_sha256: str
    offset: int = Field(ge=0)
    limit: int = Field(ge=0)
    positions: list[int] | None = Field(default=None, description="round 0: only these (timed-out) payees")
    overrides: list[PayeeOverride] = Field(default_factory=list, description="corrected payees instead")
    items_per_request: int = 1000


class ItemOutcome(BaseModel):
    """A payee the bank did not pay (or, with ``status`` None, that was never sent: the bank refused the
    whole request with ``code``). Name and masked account are for the clerk's correction task."""

    position: int
    row: int
    round: int
    status: ItemStatus | None
    code: str | None = None
    amount_fen: int
    name: PersonName = ""
    account_masked: str = ""


class PayResult(BaseModel):
    amount_fen: int = Field(description="the amount of every item sent")
    paid_count: int
    paid_fen: int
    failures: list[ItemOutcome] = Field(default_factory=list)


class BalanceInput(BaseModel):
    bank: str
    account: AccountNumber


class PayeeFinal(BaseModel):
    """How a payee ended who was not simply paid by the first payment."""

    position: int
    row: int
    amount_fen: int
    state: Literal["paid", "escrowed"]
    round: int = Field(description="the round of the payment that paid, or of the last attempt")
    key: str | None = Field(default=None, description="the item key that paid")
    last_status: ItemStatus | None = None
    reason: EscrowReason | None = None
    corrections: int = 0
    corrected_by: list[str] = Field(default_factory=list, description="who corrected, round by round")
    confirmed_by: list[str] = Field(default_factory=list, description="who confirmed each correction (四眼)")


class BatchOutcome(BaseModel):
    """Written to the blob store when a batch closes; the payees it does not list were paid at once."""

    workflow_id: str
    index: int
    offset: int
    limit: int
    exceptions: list[PayeeFinal] = Field(default_factory=list)


class ReconcileInput(BaseModel):
    workflow_id: str
    bank: str
    case_number: str
    list_sha256: str
    outcomes: list[str] = Field(default_factory=list, description="hashes of the batches' outcomes")


class ReconciliationSummary(BaseModel):
    report_sha256: str = Field(description="the per-payee report (CSV) in the blob store")
    payees: int
    released_fen: int
    paid_count: int
    paid_fen: int
    escrowed_count: int
    escrowed_fen: int
    bank_paid_count: int
    bank_paid_fen: int
    mismatches: int
    balanced: bool = Field(description="paid + escrowed = released, bank = ours, and no payee mismatches")
    mismatch_rows: list[str] = Field(default_factory=list, description="the first mismatches, 'row: check'")


# --- reconciliation ---------------------------------------------------------------------------------------


class BankEntry(NamedTuple):
    item_key: str
    status: str
    amount_fen: int
    bank_ref: str | None


class ReconRow(NamedTuple):
    row: int | None
    name: PersonName
    id_number: IdNumber
    bank: str
    account: AccountNumber
    amount_fen: int
    state: str
    escrow_reason: str
    item_key: str
    bank_status: str
    bank_ref: str
    check: str


OK = "ok"


def reconcile(
    workflow_id: str,
    payees: Iterable[Sequence[object]],
    finals: dict[int, PayeeFinal],
    statement: Iterable[BankEntry],
) -> tuple[list[ReconRow], ReconciliationSummary]:
    """Every payee's final state against the bank's statement; ``report_sha256`` is left empty.

    A payee absent from ``finals`` (by position) was paid by its first key, ``<workflow id>/payee/<row>``."""
    rows: list[ReconRow] = []
    summary = reconcile_rows(workflow_id, payees, finals, group_statement(workflow_id, statement), rows.append)
    return rows, summary


def group_statement(workflow_id: str, statement: Iterable[BankEntry]) -> dict[int, list[BankEntry]]:
    """This workflow's statement entries by payee row (another workflow's items in the case are left out)."""
    by_row: dict[int, list[BankEntry]] = {}
    for entry in statement:
        parsed = parse_payee_key(workflow_id, entry.item_key)
        if parsed is not None:
            by_row.setdefault(parsed[0], []).append(entry)
    return by_row


def reconcile_rows(
    workflow_id: str,
    payees: Iterable[Sequence[object]],
    finals: Mapping[int, PayeeFinal],
    by_row: Mapping[int, Sequence[BankEntry]],
    emit: Callable[[ReconRow], object],
) -> ReconciliationSummary:
    """:func:`reconcile` for lists of any length: each report row goes to ``emit`` as it is made (a
    million payees need not be held), the statement is looked up by payee row (``by_row`` may live on
    disk), payees come in list order."""
    t = _Totals()
    mismatch_rows: list[str] = []
    seen: set[int] = set()
    for position, payee in enumerate(payees):
        row, name, _kind, id_number, bank, account, amount = payee
        assert isinstance(row, int) and isinstance(amount, int)
        seen.add(row)
        final = finals.get(position)
        state = final.state if final else "paid"
        key = (final.key or "") if final else payee_key(workflow_id, row)
        entries: Sequence[BankEntry] = by_row.get(row, ())
        shown: BankEntry | None
        if len(entries) == 1:  # the usual case, spared a list comprehension (a million payees)
            shown = entries[0]
            paid = [shown] if shown.status == "paid" else []
        else:
            paid = [e for e in entries if e.status == "paid"]
            shown = paid[0] if paid else (entries[-1] if entries else None)
        check = _check(state, key, amount, paid)
        t.add(state, amount, paid)
        if check != OK:
            t.mismatches += 1
            if len(mismatch_rows) < 20:
                mismatch_rows.append(f"{row}: {check}")
        emit(
            ReconRow(
                row,
                str(name),
                mask(str(id_number)),
                str(bank),
                mask(str(account)),
                amount,
                state,
                final.reason.value if final and final.reason else "",
                key,
                shown.status if shown else "",
                (shown.bank_ref or "") if shown else "",
                check,
            )
        )
    for row in by_row:  # the statement's rows no payee has (keys only: most rows were seen above)
        if row in seen:
            continue
        for e in by_row[row]:
            t.mismatches += 1
            t.bank_paid_count += e.status == "paid"
            t.bank_paid_fen += e.amount_fen if e.status == "paid" else 0
            emit(
                ReconRow(
                    None, "", "", "", "", e.amount_fen, "", "", e.item_key, e.status, e.bank_ref or "", "unknown_item"
                )
            )
    return ReconciliationSummary(
        report_sha256="",
        payees=t.payees,
        released_fen=t.released_fen,
        paid_count=t.paid_count,
        paid_fen=t.paid_fen,
        escrowed_count=t.escrowed_count,
        escrowed_fen=t.escrowed_fen,
        bank_paid_count=t.bank_paid_count,
        bank_paid_fen=t.bank_paid_fen,
        mismatches=t.mismatches,
        balanced=t.paid_fen + t.escrowed_fen == t.released_fen
        and t.bank_paid_fen == t.paid_fen
        and t.bank_paid_count == t.paid_count
        and t.mismatches == 0,
        mismatch_rows=mismatch_rows,
    )


class _Totals:
    def __init__(self) -> None:
        self.payees = self.released_fen = self.paid_count = self.paid_fen = 0
        self.escrowed_count = self.escrowed_fen = self.bank_paid_count = self.bank_paid_fen = self.mismatches = 0

    def add(self, state: str, amount: int, paid: list[BankEntry]) -> None:
        self.payees += 1
        self.released_fen += amount
        if state == "paid":
            self.paid_count += 1
            self.paid_fen += amount
        else:
            self.escrowed_count += 1
            self.escrowed_fen += amount
        if paid:
            self.bank_paid_count += len(paid)
            self.bank_paid_fen += paid[0].amount_fen if len(paid) == 1 else sum(e.amount_fen for e in paid)


def _check(state: str, key: str, amount: int, paid: list[BankEntry]) -> str:
    if len(paid) > 1:
        return "double_credit"
    if state == "escrowed":
        return "paid_but_escrowed" if paid else OK
    if not paid:
        return "not_in_bank_statement"
    if paid[0].item_key != key:
        return "key_mismatch"
    if paid[0].amount_fen != amount:
        return "amount_mismatch"
    return OK


RECONCILIATION_COLUMNS = (
    "row",
    "name",
    "id_number",
    "bank",
    "account",
    "amount_yuan",
    "state",
    "escrow_reason",
    "item_key",
    "bank_status",
    "bank_ref",
    "check",
)


def reconciliation_csv(rows: Iterable[ReconRow], summary: ReconciliationSummary) -> bytes:
    """The report as CSV (UTF-8 with a BOM for Excel): one line per payee, then the totals.

    ID and account numbers are masked to their last four characters; the full list stays in the store."""
    report = ReconciliationReport()
    for r in rows:
        report.add(r)
    return report.finish(summary)


class ReconciliationReport:
    """:func:`reconciliation_csv` written as the rows come, encoded to UTF-8 at once (a text buffer of a
    million rows with Chinese names would take four bytes a character) into memory, or into ``sink`` (a
    binary file: a million rows are ~130 MB, which a worker need not hold) — then ``close`` it."""

    def __init__(self, sink: BinaryIO | None = None) -> None:
        self._memory: io.BytesIO | None = None
        if sink is None:
            sink = self._memory = io.BytesIO()
        # The BOM by hand: the utf-8-sig codec's incremental encoder is pure Python, once per row.
        sink.write(codecs.BOM_UTF8)
        self._text = io.TextIOWrapper(sink, encoding="utf-8", newline="")
        self._w = safe_writer(self._text, lineterminator="\r\n")
        self._w.writerow(RECONCILIATION_COLUMNS)

    def add(self, r: ReconRow) -> None:
        row, name, id_number, bank, account, fen, state, reason, key, bank_status, bank_ref, check = r
        self._w.writerow(
            (
                "" if row is None else row,
                name,
                id_number,
                bank,
                account,
                f"{fen // 100}.{fen % 100:02d}",
                state,
                reason,
                key,
                bank_status,
                bank_ref,
                check,
            )
        )

    def finish(self, summary: ReconciliationSummary) -> bytes:
        """Writes the totals; the whole report (in memory; b"" when written to a sink)."""
        self.close(summary)
        return self._memory.getvalue() if self._memory is not None else b""

    def close(self, summary: ReconciliationSummary) -> None:
        """Writes the totals and lets go of the sink (flushed, left open for its owner to read)."""
        w = self._w
        w.writerow([])
        for label, fen, count in (
            ("total_released", summary.released_fen, summary.payees),
            ("total_paid", summary.paid_fen, summary.paid_count),
            ("total_escrowed", summary.escrowed_fen, summary.escrowed_count),
            ("bank_paid", summary.bank_paid_fen, summary.bank_paid_count),
        ):
            w.writerow([label, count, "", "", "", _yuan(fen), "", "", "", "", "", ""])
        w.writerow(["balanced", "yes" if summary.balanced else "NO", "", "", "", "", "", "", "", "", "", ""])
        self._text.flush()
        self._text.detach().flush()


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
