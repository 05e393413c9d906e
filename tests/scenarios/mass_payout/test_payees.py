"""The payee list (涉众案款发放名单): reading CSV in UTF-8, UTF-8-BOM and GBK with English or Chinese headers,
every row checked with exact errors (row, column, rule); the encrypted content-addressed store; and the
pure reconciliation of payees against a bank statement."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from stdnum import luhn
from stdnum.cn import ric, uscc

from config.settings import CodecKeys
from domain.parties import check_bank_account, check_resident_id, fast_resident_id
from domain.payees import (
    AMOUNT_DECIMALS,
    AMOUNT_FORMAT,
    AMOUNT_POSITIVE,
    AMOUNT_TOO_LARGE,
    BANK_ACCOUNT,
    CREDIT_CODE,
    DUPLICATE,
    EMPTY,
    ENCODING,
    EXCEEDS_BALANCE,
    MISSING_COLUMN,
    ORGANISATION,
    PERSON,
    REQUIRED,
    RESIDENT_ID,
    TOO_MANY_ROWS,
    Payee,
    PayeeError,
    error_report_csv,
    fast_bank_account,
    parse_payees,
    payees_csv,
)
from domain.payout import BankEntry, EscrowReason, PayeeFinal, parse_payee_key, payee_key, reconcile, reconciliation_csv
from store.blobs import BlobCorrupt, BlobNotFound, BlobStore

KEYS = CodecKeys(active="t1", keys={"t1": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="})
OTHER_KEYS = CodecKeys(active="t2", keys={"t2": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="})


def rid(i: int) -> str:
    day, seq = divmod(i, 1000)
    birth = date(1986, 1, 1) + timedelta(days=day * 37 % 7000)
    body = f"{('110105', '310101', '330106')[day % 3]}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def acct(i: int) -> str:
    body = f"62220200{i:010d}"
    return body + luhn.calc_check_digit(body)


def csv_text(rows: list[str], header: str = "姓名,身份证号,开户行,账号,金额") -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def good_row(i: int, amount: str = "100.00", name: str | None = None) -> str:
    return f"{name or '张' + str(i)},{rid(i)},中国工商银行杭州分行,{acct(i)},{amount}"


def problems(check_errors: list[PayeeError]) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.column, e.rule) for e in check_errors]


# --- reading ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_reads_utf8_bom_and_gbk(encoding: str) -> None:
    data = csv_text([good_row(1), good_row(2, '"1,234.56"')]).encode(encoding)
    check = parse_payees(data)
    assert check.accepted, check.errors
    assert check.encoding == ("gbk" if encoding == "gbk" else "utf-8")
    assert check.payees == [
        Payee(2, "张1", PERSON, rid(1), "中国工商银行杭州分行", acct(1), 10000),
        Payee(3, "张2", PERSON, rid(2), "中国工商银行杭州分行", acct(2), 123456),
    ]
    assert check.total_fen == 133456


def test_english_headers_extra_columns_and_a_credit_code() -> None:
    body = "91330100MA00000010"
    code = body[:17] + uscc.calc_check_digit(body[:17])
    data = csv_text(
        [f"1,{good_row(1)},备注", f"2,杭州某某有限公司,{code},建设银行,{acct(9)},50"],
        header="seq,name,id_number,bank,account,amount,remark",
    ).encode()
    check = parse_payees(data)
    assert check.accepted, check.errors
    assert [p.id_kind for p in check.payees] == [PERSON, ORGANISATION]
    assert check.payees[1].amount_fen == 5000


def test_split_id_columns_take_whichever_is_filled() -> None:
    header = "姓名,身份证号,统一社会信用代码,开户行,账号,金额"
    body = "91330100MA00000020"
    code = body[:17] + uscc.calc_check_digit(body[:17])
    rows = [f"张三,{rid(5)},,工行,{acct(5)},1", f"某公司,,{code},工行,{acct(6)},2"]
    check = parse_payees(csv_text(rows, header).encode())
    assert check.accepted, check.errors
    assert [p.id_number for p in check.payees] == [rid(5), code]


# --- rejections: exact row, column and rule ----------------------------------------------------------------


def test_bad_id_numbers() -> None:
    bad_check = rid(2)[:17] + ("0" if rid(2)[17] != "0" else "1")
    rows = [
        good_row(1),
        good_row(2).replace(rid(2), bad_check),  # row 3: wrong check digit
        good_row(3).replace(rid(3), rid(3)[:10] + "1332" + rid(3)[14:]),  # row 4: month 13
        good_row(4).replace(rid(4), "ABC123"),  # row 5: neither an ID nor a credit code
        good_row(5).replace(rid(5), ""),  # row 6: empty
    ]
    check = parse_payees(csv_text(rows).encode())
    assert not check.accepted and check.payees == []
    assert problems(check.errors) == [
        (3, "id_number", RESIDENT_ID),
        (4, "id_number", RESIDENT_ID),
        (5, "id_number", CREDIT_CODE),
        (6, "id_number", REQUIRED),
    ]
    assert "cn.ric" in check.errors[0].message


def test_bad_amounts() -> None:
    rows = [
        good_row(1, "12.345"),
        good_row(2, "0"),
        good_row(3, "-5"),
        good_row(4, "一百"),
        good_row(5, "NaN"),
        good_row(6, ""),
        good_row(7, "1e30"),  # once a 500: the decimal overflowed beyond the check
        good_row(8, "1" * 30),
    ]
    check = parse_payees(csv_text(rows).encode())
    assert problems(check.errors) == [
        (2, "amount", AMOUNT_DECIMALS),
        (3, "amount", AMOUNT_POSITIVE),
        (4, "amount", AMOUNT_POSITIVE),
        (5, "amount", AMOUNT_FORMAT),
        (6, "amount", AMOUNT_FORMAT),
        (7, "amount", REQUIRED),
        (8, "amount", AMOUNT_TOO_LARGE),
        (9, "amount", AMOUNT_TOO_LARGE),
    ]


def test_bad_accounts_and_several_errors_in_one_row() -> None:
    luhn_broken = acct(2)[:-1] + str((int(acct(2)[-1]) + 1) % 10)
    rows = [good_row(1).replace(acct(1), "12ab"), f",{rid(2)},,{luhn_broken},1.00"]
    check = parse_payees(csv_text(rows).encode())
    assert problems(check.errors) == [
        (2, "account", BANK_ACCOUNT),
        (3, "name", REQUIRED),
        (3, "bank", REQUIRED),
        (3, "account", BANK_ACCOUNT),
    ]
    assert "Luhn" in check.errors[-1].message


def test_duplicate_id_and_account() -> None:
    rows = [good_row(1), good_row(2), good_row(1, "5.00", name="张一"), good_row(2)]
    check = parse_payees(csv_text(rows).encode())
    assert problems(check.errors) == [(4, "id_number+account", DUPLICATE), (5, "id_number+account", DUPLICATE)]
    assert check.errors[0].message == "same ID number and account as row 2"


def test_gbk_file_with_a_bad_row() -> None:
    rows = [good_row(1), good_row(2, "300.5"), good_row(3, "1.001"), good_row(4)]
    check = parse_payees(csv_text(rows).encode("gbk"))
    assert check.encoding == "gbk"
    assert problems(check.errors) == [(4, "amount", AMOUNT_DECIMALS)]
    report = error_report_csv(check.errors).decode("utf-8-sig").splitlines()
    assert report == ["row,column,rule,message", "4,amount,amount_decimals,amount has more than two decimal places"]


def test_list_level_problems() -> None:
    assert problems(parse_payees(b"").errors) == [
        (1, c, MISSING_COLUMN) for c in ("name", "id_number", "bank", "account", "amount")
    ]
    assert problems(parse_payees(csv_text([]).encode()).errors) == [(None, "", EMPTY)]
    assert problems(parse_payees(b"\xff\xfe\xfa\xfb\xff").errors) == [(None, "", ENCODING)]
    three = csv_text([good_row(i) for i in range(3)]).encode()
    assert problems(parse_payees(three, max_rows=2).errors) == [(None, "", TOO_MANY_ROWS)]
    over = parse_payees(three, balance_fen=299_99)
    assert problems(over.errors) == [(None, "amount", EXCEEDS_BALANCE)] and over.payees == []
    assert parse_payees(three, balance_fen=300_00).accepted


def test_fast_checks_agree_with_the_library() -> None:
    import random

    rng = random.Random(7)
    for _ in range(20_000):
        account = str(rng.randrange(10**8, 10**20))
        try:
            expected: str | None = check_bank_account(account)
        except ValueError:
            expected = None
        try:
            got: str | None = fast_bank_account(account)
        except ValueError:
            got = None
        assert got == expected, account
    for i in range(3000):
        number = rid(i * 37)
        if rng.random() < 0.5:
            number = number[:6] + f"{rng.randrange(1900, 2030)}" + number[10:17]
            number += ric.calc_check_digit(number + "0") if rng.random() < 0.7 else "0"
        try:
            expected = check_resident_id(number)
        except ValueError as exc:
            expected = str(exc)
        try:
            got = fast_resident_id(number)
        except ValueError as exc:
            got = str(exc)
        assert got == expected, number


def test_two_hundred_thousand_rows_validate() -> None:
    # How fast is measured by `python -m bench.mass_payout` (docs/performance.md), not by a timed test.
    rows = [(i + 2, f"张{i}", PERSON, rid(i), "工行", acct(i), 100 + i) for i in range(200_000)]
    check = parse_payees(payees_csv(rows))
    assert check.accepted and len(check.payees) == 200_000
    assert sum(p.amount_fen for p in check.payees) == sum(100 + i for i in range(200_000))


# --- the blob store --------------------------------------------------------------------------------------------


def test_blobs_are_encrypted_content_addressed_and_write_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, KEYS)
    secret = "张三,110105199001010011,6222020000000001".encode()
    digest = store.put(secret)
    path = store.path(digest)
    assert secret not in path.read_bytes() and b"110105" not in path.read_bytes()
    assert store.get(digest) == secret
    mtime = path.stat().st_mtime_ns
    assert store.put(secret) == digest and path.stat().st_mtime_ns == mtime  # write-once

    raw = bytearray(path.read_bytes())
    raw[-1] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(BlobCorrupt):
        store.get(digest)
    other = store.put(b"another blob")
    path.write_bytes(store.path(other).read_bytes())  # a valid file under the wrong name
    with pytest.raises(BlobCorrupt):
        store.get(digest)
    with pytest.raises(BlobNotFound):
        store.get("0" * 64)
    with pytest.raises(BlobNotFound):
        store.get("../../etc/passwd")
    with pytest.raises(BlobCorrupt):
        BlobStore(tmp_path, OTHER_KEYS).get(other)  # a store without the key cannot read it
    rotated = CodecKeys(active="t2", keys={**KEYS.keys, **OTHER_KEYS.keys})
    assert BlobStore(tmp_path, rotated).get(other) == b"another blob"  # old key still decrypts


def test_a_big_blob_is_read_in_pieces_and_none_leaves_before_the_whole_is_checked(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, KEYS)
    data = os.urandom(100_000) + "张三".encode()
    digest = store.put(data)
    pieces = list(store.get_pieces(digest, size=4096))
    assert b"".join(pieces) == data and len(pieces) == 25 and all(len(p) == 4096 for p in pieces[:-1])

    path = store.path(digest)
    raw = bytearray(path.read_bytes())
    raw[-20] ^= 1  # the last byte of the ciphertext: a reader of the first pieces would never see it
    path.write_bytes(bytes(raw))
    with pytest.raises(BlobCorrupt):
        store.get_pieces(digest, size=4096)  # before a first piece is handed out
    path.write_bytes(bytes(raw[:20]))
    with pytest.raises(BlobCorrupt):
        store.get_pieces(digest)


def test_record_lists_are_read_by_slice(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, KEYS, cache_chunks=2)
    records = [[i, f"n{i}", i * 10] for i in range(1000)]
    digest = store.put_records(records, chunk_rows=64, meta={"total_fen": 1})
    manifest = store.manifest(digest)
    assert (manifest.count, len(manifest.chunks), manifest.meta) == (1000, 16, {"total_fen": 1})
    assert store.read_records(digest, 60, 10) == records[60:70]  # across a chunk boundary
    assert store.read_records(digest, 990, 100) == records[990:]
    assert store.read_records(digest, 1000, 5) == []
    assert store.read_records(digest) == records
    assert store.put_records(records, chunk_rows=64, meta={"total_fen": 1}) == digest
    store.set_ref("errors", "abc", digest)
    assert store.get_ref("errors", "abc") == digest and store.get_ref("errors", "nope") is None


# --- reconciliation (pure) --------------------------------------------------------------------------------------


def test_keys_and_reconciliation() -> None:
    wid = "mass-payout-x"
    assert payee_key(wid, 7) == "mass-payout-x/payee/7" and payee_key(wid, 7, 2) == "mass-payout-x/payee/7/r2"
    assert parse_payee_key(wid, "mass-payout-x/payee/7/r2") == (7, 2)
    assert parse_payee_key(wid, "mass-payout-y/payee/7") is None
    payees = [[r, f"p{r}", PERSON, rid(r), "工行", acct(r), 100 * r] for r in (2, 3, 4, 5)]
    finals = {
        1: PayeeFinal(position=1, row=3, amount_fen=300, state="paid", round=1, key=payee_key(wid, 3, 1)),
        2: PayeeFinal(
            position=2, row=4, amount_fen=400, state="escrowed", round=0, reason=EscrowReason.CORRECTION_REJECTED
        ),
    }
    statement = [
        BankEntry(payee_key(wid, 2), "paid", 200, "B1"),
        BankEntry(payee_key(wid, 3), "invalid_account", 300, None),
        BankEntry(payee_key(wid, 3, 1), "paid", 300, "B2"),
        BankEntry(payee_key(wid, 4), "account_closed", 400, None),
        BankEntry(payee_key(wid, 5), "paid", 500, "B3"),
        BankEntry("another-workflow/payee/2", "paid", 999, "X"),
    ]
    rows, summary = reconcile(wid, payees, finals, statement)
    assert [r.check for r in rows] == ["ok"] * 4
    assert summary.balanced and (summary.paid_fen, summary.escrowed_fen, summary.released_fen) == (1000, 400, 1400)
    csv_lines = reconciliation_csv(rows, summary).decode("utf-8-sig").splitlines()
    assert csv_lines[2].split(",")[2] == "*" * 14 + rid(3)[-4:]  # ID numbers masked
    assert csv_lines[-1].startswith("balanced,yes")

    double = [
        *statement,
        BankEntry(payee_key(wid, 5, 1), "paid", 500, "B4"),
        BankEntry(payee_key(wid, 4, 1), "paid", 400, "B5"),
    ]
    rows, summary = reconcile(wid, payees, finals, [*double, BankEntry(payee_key(wid, 99), "paid", 1, "B6")])
    assert [r.check for r in rows] == ["ok", "ok", "paid_but_escrowed", "double_credit", "unknown_item"]
    assert not summary.balanced and summary.mismatches == 3
    _, missing = reconcile(wid, payees, finals, statement[:-2])
    assert not missing.balanced and missing.mismatch_rows == ["5: not_in_bank_statement"]
