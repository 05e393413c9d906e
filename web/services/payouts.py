"""Mass payout (涉众案款发放) files: checking and storing a payee list, its error report, and the
reconciliation report of a finished payout.

An accepted list is stored encrypted in the blob store; ``{sha256, count, total_fen}`` is what the
``mass-payout`` scenario's ``payee_list`` takes. The blocking parts run in a thread.

A list of up to a million rows is taken in bounded memory (issue 15): the web server spools the uploaded
file to disk as it arrives (Starlette's multipart parser; the guard in web/limits.py cuts a body off at
its route's limit while it streams in), and the intake reads that file in pieces — once to hash it and
tell UTF-8 from GBK, once to check it row by row (``domain.payees.PayeeStream``) while the accepted rows
are sealed into the blob store chunk by chunk (``store.blobs.RecordsWriter``). The list enters the store
only when its last row has passed; a rejected or interrupted list leaves nothing but its error report.
The check says exactly what ``parse_payees`` says of the same bytes (tests/scenarios/mass_payout/test_payee_upload.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowExecutionStatus

from domain.actors import Actor
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.parties import mask
from domain.payees import (
    MAX_ROWS,
    PayeeError,
    PayeeStream,
    encoding_error,
    error_report_csv,
    error_report_row,
    sniff_encoding,
    text_codec,
)
from domain.payout import PayeeListRef
from domain.spreadsheet import safe_writer
from runtime.logging import get_logger
from store.blobs import BlobError, BlobStore
from store.db import Database
from web.services.access import READERS, STARTERS, require_role
from web.services.workflow_detail import visible_case

log = get_logger(__name__)

# A row is ~105 bytes in UTF-8 with a Chinese name and bank (the bench's million-row list: 105 MB); 256 bytes
# a row leaves room for long bank names and extra columns. web/limits.py allows the form around it.
MAX_UPLOAD_BYTES = MAX_ROWS * 256  # 256 MB (244 MiB)
READ_BYTES = 1024 * 1024  # the piece of the spooled upload read at a time
ERRORS_SHOWN = 100
ERROR_REPORTS = "payee-list-errors"
LIST_CHUNK_ROWS = 2000
PAYOUT_WORKFLOW_TYPE = "MassPayout"


class AcceptedList(PayeeListRef):
    """Pass ``{sha256, count, total_fen}`` as the scenario's ``payee_list``."""

    source_sha256: str = Field(description="SHA-256 of the uploaded file")
    encoding: str


class RowError(BaseModel):
    row: int | None
    column: str
    rule: str
    message: str


class RejectedList(BaseModel):
    code: str = "PAYEE_LIST_REJECTED"
    message: str
    field: str = "file"
    source_sha256: str
    error_count: int
    errors: list[RowError] = Field(description=f"the first {ERRORS_SHOWN}; all of them in the error report")
    error_report: str = Field(description="URL of the full error report (CSV)")


@dataclass
class Intake:
    source_sha256: str
    encoding: str
    accepted: AcceptedList | None
    errors: list[PayeeError]  # the first ERRORS_SHOWN, in the error report's order
    report_url: str = ""
    error_count: int = 0
    report_digest: str = ""  # the error report's blob; upload_list files it under the uploader's court


def intake_payee_csv(store: BlobStore, data: bytes, balance_fen: int | None = None, max_rows: int = MAX_ROWS) -> Intake:
    """``intake_payee_file`` of bytes in memory (the benches, tests). Blocking."""
    return intake_payee_file(store, io.BytesIO(data), balance_fen, max_rows)


def intake_payee_file(
    store: BlobStore, source: IO[bytes], balance_fen: int | None = None, max_rows: int = MAX_ROWS
) -> Intake:
    """Checks a payee CSV read from a seekable file, a piece at a time, and stores it: an accepted list
    chunk by chunk, a rejected one's error report (the list itself never). Memory does not grow with the
    file but for the duplicate check's key per row. Blocking: run it in a thread."""
    hashed = hashlib.sha256()
    reads = 0

    def pieces() -> Iterator[bytes]:
        nonlocal reads
        reads += 1
        first = reads == 1
        source.seek(0)
        while piece := source.read(READ_BYTES):
            if first:
                hashed.update(piece)
            yield piece

    try:
        encoding = sniff_encoding(pieces)
    except ValueError as exc:
        return _rejected(store, hashed.hexdigest(), "", [encoding_error(exc)], _Spool(), 0, [])
    source_sha256 = hashed.hexdigest()
    stream = PayeeStream(balance_fen, max_rows)
    shown: list[PayeeError] = []
    with _Spool() as row_errors, store.records_writer(LIST_CHUNK_ROWS) as writer:
        source.seek(0)
        text = io.TextIOWrapper(source, encoding=text_codec(encoding), newline="")
        try:
            for item in stream.read(text):
                if isinstance(item, PayeeError):
                    if not shown:
                        writer.discard()  # the list will be refused: stop storing, drop what is staged
                    row_errors.write(item)
                    if len(shown) < ERRORS_SHOWN:
                        shown.append(item)
                elif not shown:
                    writer.append(item)
        finally:
            text.detach()  # the caller's file stays open
        if not stream.accepted:
            return _rejected(store, source_sha256, encoding, stream.list_errors, row_errors, stream.row_errors, shown)
        digest = writer.commit(
            {"kind": "payee-list", "total_fen": stream.total_fen, "source_sha256": source_sha256, "encoding": encoding}
        )
    accepted = AcceptedList(
        sha256=digest, count=stream.count, total_fen=stream.total_fen, source_sha256=source_sha256, encoding=encoding
    )
    return Intake(source_sha256, encoding, accepted, [])


class _Spool:
    """The rows of an error report, spooled to disk as they are found (a million bad rows would not fit
    the memory budget); written out as ``domain.payees.error_report_csv`` writes it."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=READ_BYTES)
        self._text = io.TextIOWrapper(self._file, encoding="utf-8", newline="")
        self._csv = safe_writer(self._text, lineterminator="\r\n")

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._text.close()

    def write(self, e: PayeeError) -> None:
        self._csv.writerow(error_report_row(e))

    def report(self, list_errors: list[PayeeError]) -> Iterator[bytes]:
        """The whole report: BOM and header, the list-level errors, then the spooled rows."""
        yield error_report_csv(list_errors)
        self._text.flush()
        self._file.seek(0)
        while piece := self._file.read(READ_BYTES):
            yield piece
        self._file.seek(0, io.SEEK_END)


def _rejected(
    store: BlobStore,
    source_sha256: str,
    encoding: str,
    list_errors: list[PayeeError],
    row_errors: _Spool,
    row_error_count: int,
    first_row_errors: list[PayeeError],
) -> Intake:
    """Stores the error report (list-level errors first, as parse_payees sorts them) under the upload's hash."""
    with row_errors:
        digest = store.put_pieces(lambda: row_errors.report(list_errors))
    url = f"/api/payouts/lists/{source_sha256}/errors.csv"
    shown = [*list_errors, *first_row_errors][:ERRORS_SHOWN]
    return Intake(source_sha256, encoding, None, shown, url, len(list_errors) + row_error_count, digest)


def report_ref(court: str, source_sha256: str) -> str:
    """Where a court's error report of an upload is filed: the same file rejected in another court is
    another report, and a court knowing the hash of another's upload finds nothing."""
    return hashlib.sha256(f"{court}\n{source_sha256}".encode()).hexdigest()


def blob_store(state: Any) -> BlobStore:
    """One store per app (its decrypted-chunk cache is worth keeping), kept on the app's shared state."""
    store: BlobStore | None = getattr(state, "payout_blobs", None)
    if store is None:
        store = BlobStore.for_settings(state.settings)
        state.payout_blobs = store
    return store


async def upload_list(
    store: BlobStore, actor: Actor, source: IO[bytes] | bytes, balance_fen: int | None
) -> AcceptedList | RejectedList:
    """A judge's payee list (up to ``MAX_ROWS`` rows), every row checked; nothing is stored for a rejected
    list but its error report. ``source``: the uploaded file (seekable, e.g. the spooled ``UploadFile.file``)
    or its bytes."""
    require_role(actor, *STARTERS)
    file = io.BytesIO(source) if isinstance(source, bytes) else source
    size = file.seek(0, io.SEEK_END)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationFailed("FILE_TOO_LARGE", f"the file is larger than {MAX_UPLOAD_BYTES // 10**6} MB", "file")
    intake = await asyncio.to_thread(intake_payee_file, store, file, balance_fen)
    if intake.accepted is not None:
        log.info("payee list accepted", by=actor.user_id, count=intake.accepted.count, sha256=intake.accepted.sha256)
        return intake.accepted
    for court in actor.courts[:1]:  # a judge has exactly one court
        await asyncio.to_thread(
            store.set_ref, ERROR_REPORTS, report_ref(court, intake.source_sha256), intake.report_digest
        )
    log.info("payee list rejected", by=actor.user_id, errors=intake.error_count, source=intake.source_sha256)
    return RejectedList(
        message=f"{intake.error_count} problem(s) in the payee list; nothing was stored",
        source_sha256=intake.source_sha256,
        error_count=intake.error_count,
        errors=[RowError(**e._asdict()) for e in intake.errors[:ERRORS_SHOWN]],
        error_report=intake.report_url,
    )


async def error_report(store: BlobStore, actor: Actor, source_sha256: str) -> Iterator[bytes]:
    """The full error report of a rejected upload: row, column, rule, message (no cell values). In pieces,
    checked whole first: a million rows' report is tens of megabytes."""
    require_role(actor, *READERS)
    refs = (store.get_ref(ERROR_REPORTS, report_ref(court, source_sha256)) for court in actor.courts)
    digest = next((d for d in refs if d is not None), None)
    if digest is None:
        raise NotFound("ERROR_REPORT_NOT_FOUND", "no rejected upload with this hash", "sha256")
    pieces: Iterator[bytes] = await asyncio.to_thread(store.get_pieces, digest)
    return pieces


PAYEE_PAGE = 50


class PayeeLine(BaseModel):
    """One payee as the approver reads it: name, bank and amount; the numbers masked."""

    row: int
    name: str
    id_number: str
    bank: str
    account: str
    amount_fen: int


class PayeePage(BaseModel):
    """A page of a payout's list (审批时查看名单): rows ``offset`` … of ``count``."""

    offset: int
    count: int
    total_fen: int
    rows: list[PayeeLine]

    @property
    def next_offset(self) -> int | None:
        return self.offset + PAYEE_PAGE if self.offset + PAYEE_PAGE < self.count else None

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - PAYEE_PAGE, 0) if self.offset > 0 else None


async def payee_page(store: BlobStore, summary: Mapping[str, Any], offset: int = 0) -> PayeePage | None:
    """A page of the payee list a payout pays, for the judge and the approvers deciding on it; ``summary``
    is the payout's status summary, read by the caller for a case the user may see (it names the list).
    None for a payout that does not name its list (started before lists were shown)."""
    digest = summary.get("list_sha256")
    if not isinstance(digest, str):
        return None

    def read() -> PayeePage:
        manifest = store.manifest(digest)
        start = min(max(offset, 0), max(manifest.count - 1, 0))
        rows = store.read_records(digest, start, PAYEE_PAGE)
        lines = [
            PayeeLine(row=r[0], name=r[1], id_number=mask(r[3]), bank=r[4], account=mask(r[5]), amount_fen=r[6])
            for r in rows
        ]
        return PayeePage(
            offset=start, count=manifest.count, total_fen=int(manifest.meta.get("total_fen", 0)), rows=lines
        )

    try:
        return await asyncio.to_thread(read)
    except BlobError:
        return None  # the list's file is gone: the page says the list cannot be shown


async def reconciliation_report(
    store: BlobStore, client: Client, db: Database, actor: Actor, workflow_id: str
) -> bytes:
    """对账报告 of a finished mass payout: every payee against the bank's statement, then the totals."""
    desc = await visible_case(client, db, actor, workflow_id)  # of the actor's courts, or 404
    handle = client.get_workflow_handle(workflow_id)
    if desc.workflow_type != PAYOUT_WORKFLOW_TYPE:
        raise NotFound("NOT_A_PAYOUT", "this workflow is not a mass payout", "workflow_id")
    if desc.status is not WorkflowExecutionStatus.COMPLETED:
        status = desc.status.name if desc.status else "UNKNOWN"
        raise Conflict("NOT_RECONCILED", f"the payout has not finished (Temporal status {status})")
    result = await handle.result()
    summary = result.get("reconciliation") if isinstance(result, dict) else None
    if not summary:
        ended = result.get("status") if isinstance(result, dict) else None
        raise Conflict("NOT_RECONCILED", f"the payout ended without paying ({ended})")
    try:
        data: bytes = await asyncio.to_thread(store.get, summary["report_sha256"])
    except BlobError as exc:
        raise NotFound("REPORT_UNAVAILABLE", str(exc)) from None
    return data
