"""The payee list of a mass payout (涉众案款发放): reading the court's CSV and checking every row.

A list is up to ``MAX_ROWS`` (1,000,000) rows of name, ID number (居民身份证号) or unified social credit code
(统一社会信用代码), bank (开户行), account (账号) and amount in yuan (金额, at most two decimals). Files come
from spreadsheets, so they may be UTF-8, UTF-8 with a BOM, or GBK; headers may be English or Chinese.

Every problem is reported, not just the first: a row number (the header is row 1), the column and a
rule code, so the clerk can fix the file in one pass. Pure: no I/O, no clock.

Two ways in, with one result: ``parse_payees`` holds the file and every payee (lists of a few thousand rows,
tests); ``PayeeStream`` reads the same rows one at a time and keeps nothing that grows with the list but
one 16-byte key per row for the duplicate check, so the web takes a million-row list in bounded memory.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from domain.money import AmountError, yuan_to_fen
from domain.parties import check_bank_account, check_credit_code, fast_resident_id
from domain.spreadsheet import safe_writer

# Large fund-raising frauds reach ~900,000 investors (issue 15): one list holds up to a million payees;
# the worker streams it (payments by chunk, reconciliation through a spooled statement).
MAX_ROWS = 1_000_000
COLUMNS = ("name", "id_number", "bank", "account", "amount")
PERSON, ORGANISATION = "person", "organisation"

# Header spellings seen in court spreadsheets; matched after stripping spaces and lower-casing.
HEADER_ALIASES: dict[str, str] = {
    "name": "name",
    "姓名": "name",
    "名称": "name",
    "户名": "name",
    "姓名/名称": "name",
    "收款人": "name",
    "id_number": "id_number",
    "id": "id_number",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "证件号码": "id_number",
    "统一社会信用代码": "id_number",
    "身份证号/统一社会信用代码": "id_number",
    "bank": "bank",
    "开户行": "bank",
    "开户银行": "bank",
    "account": "account",
    "账号": "account",
    "银行账号": "account",
    "收款账号": "account",
    "amount": "amount",
    "金额": "amount",
    "金额(元)": "amount",
    "金额（元）": "amount",
    "发放金额": "amount",
}

# Rule codes: what an error report and the API name.
REQUIRED = "required"
TOO_LONG = "too_long"
RESIDENT_ID = "resident_id"
CREDIT_CODE = "credit_code"
BANK_ACCOUNT = "bank_account"
AMOUNT_FORMAT = "amount_format"
AMOUNT_DECIMALS = "amount_decimals"
AMOUNT_POSITIVE = "amount_positive"
AMOUNT_TOO_LARGE = "amount_too_large"
DUPLICATE = "duplicate"
MISSING_COLUMN = "missing_column"
DUPLICATE_COLUMN = "duplicate_column"
EXTRA_FIELDS = "extra_fields"
ENCODING = "encoding"
EMPTY = "empty"
TOO_MANY_ROWS = "too_many_rows"
EXCEEDS_BALANCE = "exceeds_balance"

_MAX_LENGTH = {"name": 200, "bank": 100}
_AMOUNT_NOISE = str.maketrans("", "", ",，¥￥ ")


class Payee(NamedTuple):
    """One accepted row. ``row`` is its row number in the uploaded file and names it for good: the
    payment's idempotency key, the correction task and the reconciliation report all use it."""

    row: int
    name: str
    id_kind: str  # PERSON or ORGANISATION
    id_number: str
    bank: str
    account: str
    amount_fen: int


class PayeeError(NamedTuple):
    row: int | None  # None: the list as a whole (e.g. its total exceeds the balance)
    column: str
    rule: str
    message: str


@dataclass
class PayeeListCheck:
    """The result of reading one file: the payees when every row passed, else every error found."""

    payees: list[Payee] = field(default_factory=list)
    errors: list[PayeeError] = field(default_factory=list)
    encoding: str = ""
    rows: int = 0

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def total_fen(self) -> int:
        return sum(p.amount_fen for p in self.payees)


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, GBK second; spreadsheets on Chinese Windows save GBK."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gbk"), "gbk"
    except UnicodeDecodeError as exc:
        raise ValueError(f"neither UTF-8 nor GBK (byte {exc.start})") from None


def parse_payees(data: bytes, balance_fen: int | None = None, max_rows: int = MAX_ROWS) -> PayeeListCheck:
    """Reads and checks a payee CSV. With ``balance_fen`` the total is also checked against it."""
    check = PayeeListCheck()
    try:
        text, check.encoding = decode(data)
    except ValueError as exc:
        check.errors.append(encoding_error(exc))
        return check
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    positions = _header_positions(header or [], check.errors)
    if check.errors:
        return check
    checker = _RowChecker(positions, len(header or []))
    for number, record in enumerate(reader, start=2):
        if not "".join(record).strip():
            continue  # blank lines at the end of a spreadsheet export
        check.rows += 1
        if check.rows > max_rows:
            check.errors.append(_too_many_rows(max_rows))
            check.payees = []
            check.errors.sort(key=_error_order)  # the list-level error first, as PayeeStream reports it
            return check
        payee = checker.check(number, record, check.errors)
        if payee is not None:
            check.payees.append(payee)
    if check.rows == 0:
        check.errors.append(_EMPTY_LIST)
    if check.errors:
        check.payees = []
        check.errors.sort(key=_error_order)
        return check
    total = check.total_fen
    if balance_fen is not None and total > balance_fen:
        check.errors.append(_exceeds_balance(total, balance_fen))
        check.payees = []
    return check


def encoding_error(exc: ValueError) -> PayeeError:
    """The list-level error of a file that is neither UTF-8 nor GBK (``exc`` from ``decode`` or
    ``sniff_encoding``)."""
    return PayeeError(None, "", ENCODING, f"the file is {exc}")


def sniff_encoding(read: Callable[[], Iterable[bytes]]) -> str:
    """The encoding ``decode`` would choose, found without holding the file: each call of ``read`` gives
    the file's bytes in pieces from its start (a GBK file is read twice). Every call is read to its end,
    so a caller hashing the pieces of the first one hashes the whole file. Raises ``decode``'s ValueError
    (the same byte position) when neither encoding fits."""
    if _first_undecodable(read(), "utf-8-sig") is None:
        return "utf-8"
    position = _first_undecodable(read(), "gbk")
    if position is None:
        return "gbk"
    raise ValueError(f"neither UTF-8 nor GBK (byte {position})")


def text_codec(encoding: str) -> str:
    """The codec that reads a file of ``encoding`` as ``decode`` does (a UTF-8 BOM is dropped)."""
    return "utf-8-sig" if encoding == "utf-8" else encoding


class PayeeStream:
    """``parse_payees`` one row at a time, for a list too big to hold (up to ``MAX_ROWS``).

    ``read(lines)`` takes the decoded file as lines (``newline=""``: an ``io.TextIOWrapper`` over the
    bytes, see ``text_codec``) and yields every accepted payee and every row error in file order — a
    row's errors in the order ``parse_payees`` lists them, header errors as it lists them. What concerns
    the list as a whole (too many rows, no rows, a total over the balance) is known only at the end: it
    is in ``list_errors`` once ``read`` is exhausted and comes *before* the row errors in the full list
    (``parse_payees`` sorts it first too). Accepted payees keep coming after an error, so a caller that
    stores them must stop at the first error; the list is accepted only if ``accepted`` at the end.
    """

    def __init__(self, balance_fen: int | None = None, max_rows: int = MAX_ROWS) -> None:
        self.balance_fen = balance_fen
        self.max_rows = max_rows
        self.rows = 0  # non-blank rows read
        self.count = 0  # rows accepted
        self.total_fen = 0  # of the accepted rows
        self.row_errors = 0
        self.list_errors: list[PayeeError] = []

    @property
    def accepted(self) -> bool:
        return not self.row_errors and not self.list_errors

    def read(self, lines: Iterable[str]) -> Iterator[Payee | PayeeError]:
        reader = csv.reader(lines)
        header = next(reader, None)
        header_errors: list[PayeeError] = []
        positions = _header_positions(header or [], header_errors)
        if header_errors:
            self.row_errors += len(header_errors)
            yield from header_errors
            return
        checker = _RowChecker(positions, len(header or []))
        errors: list[PayeeError] = []
        for number, record in enumerate(reader, start=2):
            if not "".join(record).strip():
                continue
            self.rows += 1
            if self.rows > self.max_rows:
                self.list_errors.append(_too_many_rows(self.max_rows))
                return
            payee = checker.check(number, record, errors)
            if errors:
                errors.sort(key=_error_order)
                self.row_errors += len(errors)
                yield from errors
                errors.clear()
            elif payee is not None:
                self.count += 1
                self.total_fen += payee.amount_fen
                yield payee
        if self.rows == 0:
            self.list_errors.append(_EMPTY_LIST)
        elif self.accepted and self.balance_fen is not None and self.total_fen > self.balance_fen:
            self.list_errors.append(_exceeds_balance(self.total_fen, self.balance_fen))


def error_report_row(e: PayeeError) -> list[object]:
    """One line of the error report: row (empty for the whole list), column, rule, message."""
    return ["" if e.row is None else e.row, e.column, e.rule, e.message]


def error_report_csv(errors: Iterable[PayeeError]) -> bytes:
    """The downloadable error report: UTF-8 with a BOM, so that Excel shows the Chinese correctly."""
    out = io.StringIO()
    w = safe_writer(out, lineterminator="\r\n")
    w.writerow(["row", "column", "rule", "message"])
    w.writerows(error_report_row(e) for e in errors)
    return out.getvalue().encode("utf-8-sig")


def payees_csv(payees: Iterable[Sequence[object]], encoding: str = "utf-8") -> bytes:
    """Writes payees back as an upload file (name, id_number, bank, account, amount in yuan)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["姓名", "身份证号/统一社会信用代码", "开户行", "账号", "金额"])
    for p in payees:
        _row, name, _kind, id_number, bank, account, amount_fen = p
        assert isinstance(amount_fen, int)
        w.writerow([name, id_number, bank, account, f"{amount_fen // 100}.{amount_fen % 100:02d}"])
    return out.getvalue().encode(encoding)


# --- internals ------------------------------------------------------------------------------------------

_EMPTY_LIST = PayeeError(None, "", EMPTY, "the file has no payee rows")


def _too_many_rows(max_rows: int) -> PayeeError:
    return PayeeError(None, "", TOO_MANY_ROWS, f"more than {max_rows:,} rows")


def _exceeds_balance(total: int, balance_fen: int) -> PayeeError:
    return PayeeError(
        None,
        "amount",
        EXCEEDS_BALANCE,
        f"the total {total / 100:,.2f} yuan exceeds the case account balance {balance_fen / 100:,.2f} yuan",
    )


def _first_undecodable(pieces: Iterable[bytes], codec: str) -> int | None:
    """The position of the first byte ``codec`` cannot decode (as ``bytes.decode`` reports it), or None.
    Reads ``pieces`` to the end either way."""
    decoder = codecs.getincrementaldecoder(codec)()
    position: int | None = None
    fed = 0
    for piece in pieces:
        if position is None:
            pending = len(decoder.getstate()[0])  # bytes of a character split between pieces
            try:
                decoder.decode(piece)
            except UnicodeDecodeError as exc:
                position = fed - pending + exc.start
        fed += len(piece)
    if position is None:
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            position = fed - pending + exc.start
    return position


def _error_order(e: PayeeError) -> tuple[int, int]:
    column = COLUMNS.index(e.column) if e.column in COLUMNS else len(COLUMNS)
    return (e.row or 0, column)


def _header_positions(header: list[str], errors: list[PayeeError]) -> dict[str, list[int]]:
    """Which cells hold which column. The ID column may be split in two (身份证号 and 统一社会信用代码)."""
    positions: dict[str, list[int]] = {}
    seen: dict[str, str] = {}
    for i, raw in enumerate(header):
        label = raw.strip().replace(" ", "").lower()
        column = HEADER_ALIASES.get(label)
        if column is None:
            continue  # extra columns (备注, 序号) are allowed and ignored
        if column in seen and not (column == "id_number" and seen[column] != label):
            errors.append(PayeeError(1, column, DUPLICATE_COLUMN, f"column {column!r} appears twice ({raw!r})"))
        seen[column] = label
        positions.setdefault(column, []).append(i)
    for column in COLUMNS:
        if column not in positions:
            names = "/".join(k for k, v in HEADER_ALIASES.items() if v == column)
            errors.append(PayeeError(1, column, MISSING_COLUMN, f"no {column!r} column (accepted headers: {names})"))
    return positions


class _RowChecker:
    def __init__(self, positions: dict[str, list[int]], width: int) -> None:
        self._pos = positions
        self._width = width
        # 16 bytes of BLAKE2b per (ID number, account) instead of the two strings: ~110 instead of ~260
        # bytes a row, which is what a million-row list costs. A false match needs a 128-bit collision.
        self._seen: dict[int, int] = {}

    def _cell(self, record: list[str], column: str) -> str:
        for i in self._pos[column]:
            if i < len(record):
                value = record[i].strip()
                if value:
                    return value
        return ""

    def check(self, number: int, record: list[str], errors: list[PayeeError]) -> Payee | None:
        before = len(errors)
        if len(record) > self._width and any(c.strip() for c in record[self._width :]):
            errors.append(PayeeError(number, "", EXTRA_FIELDS, "more cells than header columns (an unquoted comma?)"))
        name = self._text(number, record, "name", errors)
        bank = self._text(number, record, "bank", errors)
        kind, id_number = self._id(number, self._cell(record, "id_number"), errors)
        account = self._account(number, self._cell(record, "account"), errors)
        amount = self._amount(number, self._cell(record, "amount"), errors)
        if id_number and account:
            first = self._seen.setdefault(_pair_key(id_number, account), number)
            if first != number:
                errors.append(
                    PayeeError(number, "id_number+account", DUPLICATE, f"same ID number and account as row {first}")
                )
        if len(errors) > before:
            return None
        assert amount is not None
        return Payee(number, name, kind, id_number, bank, account, amount)

    def _text(self, number: int, record: list[str], column: str, errors: list[PayeeError]) -> str:
        value = self._cell(record, column)
        if not value:
            errors.append(PayeeError(number, column, REQUIRED, f"{column} is empty"))
        elif len(value) > _MAX_LENGTH[column]:
            errors.append(PayeeError(number, column, TOO_LONG, f"{column} is longer than {_MAX_LENGTH[column]}"))
        return value

    @staticmethod
    def _id(number: int, value: str, errors: list[PayeeError]) -> tuple[str, str]:
        """A resident ID if it is all digits (an X may end it), else a credit code. All-digit credit codes
        exist too, so an all-digit value that fails as an ID is tried as one before it is refused."""
        if not value:
            errors.append(PayeeError(number, "id_number", REQUIRED, "id_number is empty"))
            return "", ""
        compact = value.upper()
        if compact[:-1].isdigit() and (compact[-1].isdigit() or compact[-1] == "X"):
            try:
                return PERSON, fast_resident_id(compact)
            except ValueError as person_error:
                if len(compact) == 18:
                    try:
                        return ORGANISATION, check_credit_code(compact)
                    except ValueError:
                        pass
                errors.append(PayeeError(number, "id_number", RESIDENT_ID, str(person_error)))
                return "", ""
        try:
            return ORGANISATION, check_credit_code(value)
        except ValueError as exc:
            errors.append(PayeeError(number, "id_number", CREDIT_CODE, str(exc)))
            return "", ""

    @staticmethod
    def _account(number: int, value: str, errors: list[PayeeError]) -> str:
        if not value:
            errors.append(PayeeError(number, "account", REQUIRED, "account is empty"))
            return ""
        try:
            return fast_bank_account(value)
        except ValueError as exc:
            errors.append(PayeeError(number, "account", BANK_ACCOUNT, str(exc)))
            return ""

    @staticmethod
    def _amount(number: int, value: str, errors: list[PayeeError]) -> int | None:
        if not value:
            errors.append(PayeeError(number, "amount", REQUIRED, "amount is empty"))
            return None
        cleaned = value.translate(_AMOUNT_NOISE)
        try:
            parsed = Decimal(cleaned)
        except InvalidOperation:
            parsed = Decimal("NaN")
        if not parsed.is_finite():
            errors.append(PayeeError(number, "amount", AMOUNT_FORMAT, "amount is not a number of yuan"))
            return None
        try:
            fen = yuan_to_fen(parsed)
        except AmountError as exc:
            errors.append(
                PayeeError(
                    number,
                    "amount",
                    exc.rule,
                    str(exc) if exc.rule != AMOUNT_DECIMALS else "amount has more than two decimal places",
                )
            )
            return None
        if fen <= 0:
            errors.append(PayeeError(number, "amount", AMOUNT_POSITIVE, "amount must be greater than zero"))
            return None
        return fen


def _pair_key(id_number: str, account: str) -> int:
    digest = hashlib.blake2b(f"{id_number}\x1f{account}".encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big")


def fast_bank_account(value: str) -> str:
    """``check_bank_account`` with a table-driven Luhn for the common case (stdnum's costs ~15 µs); any
    account it doubts goes to ``check_bank_account``, which has the last word."""
    if value.isdigit() and value.isascii() and 9 <= len(value) <= 30:
        if not (16 <= len(value) <= 19 and value[0] in "3456"):
            return value
        if sum(map(int, value[-1::-2] + value[-2::-2].translate(_LUHN_DOUBLE))) % 10 == 0:
            return value
    return check_bank_account(value)


# A digit in an even place from the right counts twice, with its digits summed: 7 -> 14 -> 5.
_LUHN_DOUBLE = str.maketrans("0123456789", "0246813579")
