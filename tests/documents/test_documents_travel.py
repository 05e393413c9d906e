"""Documents travel with the acts (DOMAIN §18.2, 查扣冻规定 Art. 1): a bank freezes, deducts or seizes only
on the court's sealed 协助执行通知书 for that account and amount, and says why it refuses; an asset inquiry
sends its notices, each issued once per step, listed for its workflow and recorded in its audit trail."""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import hashlib
import io
import random
import re
import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import httpx
import pytest
from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from activities.documents import DocumentOffice
from adapters.sandbox.wire import IDEMPOTENCY_HEADER, SealedDocument
from config.settings import Settings
from documents.pki import CourtKeys
from documents.render import Renderer
from domain.documents import DocumentKind, DocumentRequest
from simulators.documents import (
    DOCUMENT_MISMATCH,
    DOCUMENT_SEAL_INVALID,
    DocumentCheck,
    _info_keywords,
    court_signature,
    keywords,
)
from simulators.errors import SimulatorError
from store.blobs import BlobStore
from store.db import Database
from store.documents import DocumentStore
from tests.helpers import (
    account_number,
    assistance_notice,
    case_number,
    decide,
    deposit,
    new_debtor,
    pdf_words,
    record_history,
    resident_id,
    seed_subject,
    start,
    wait_status,
)
from tests.helpers import asset_inquiry_request as request
from workflows.asset_inquiry.models import APPROVE

pytestmark = pytest.mark.usefixtures("stack")
COURT = "杭州市上城区人民法院"


async def notice(
    settings: Settings,
    partner: str,
    account: str,
    amount_fen: int | None,
    keys: CourtKeys | None = None,
    timestamped: bool = False,
) -> SealedDocument:
    sealed = await assistance_notice(settings, partner, account, amount_fen, keys=keys, timestamped=timestamped)
    return SealedDocument(**sealed)


async def test_a_bank_refuses_a_freeze_without_its_sealed_notice(
    simulator: str, settings: Settings, tmp_path: Path
) -> None:
    account = account_number()
    await seed_subject(
        simulator,
        {"kind": "person", "name": "赵某某", "id_number": resident_id()},
        [deposit("bank-icbc", 50_000_00, account)],
    )

    async def freeze(document: SealedDocument | None) -> httpx.Response:
        return await _freeze_at_icbc(simulator, account, document, 10_000_00)

    r = await freeze(None)
    assert r.status_code == 422 and r.json()["code"] == "DOCUMENT_REQUIRED", r.text

    r = await freeze(await notice(settings, "bank-icbc", account, 20_000_00))  # sealed, for another amount
    assert r.status_code == 422 and r.json()["code"] == "DOCUMENT_MISMATCH" and "金额" in r.json()["message"]
    r = await freeze(await notice(settings, "bank-ccb", account, 10_000_00))  # to another bank
    assert r.json()["code"] == "DOCUMENT_MISMATCH"
    r = await freeze(await notice(settings, "bank-icbc", account_number(), 10_000_00))  # another account
    assert r.json()["code"] == "DOCUMENT_MISMATCH"

    good = await notice(settings, "bank-icbc", account, 10_000_00)
    pdf = base64.b64decode(good.pdf_base64)
    at = pdf.index(b"stream", 2000) + 20
    changed = pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1 :]

    forged = good.model_copy(
        update={"pdf_base64": base64.b64encode(changed).decode(), "sha256": hashlib.sha256(changed).hexdigest()}
    )
    r = await freeze(forged)
    assert r.status_code == 422 and r.json()["code"] == "DOCUMENT_SEAL_INVALID", r.text
    for garbled in (
        good.pdf_base64[:99] + "\n" + good.pdf_base64[99:],
        good.pdf_base64[:-4] + "=" + good.pdf_base64[-3:],
    ):
        r = await freeze(good.model_copy(update={"pdf_base64": garbled}))  # only the alphabet, padded at the end
        assert r.json()["code"] == "DOCUMENT_SEAL_INVALID" and "base64" in r.json()["message"], r.text

    stranger = CourtKeys(tmp_path / "another-ca", sandbox=True)  # a court certificate the banks' CA never issued
    r = await freeze(await notice(settings, "bank-icbc", account, 10_000_00, stranger))
    assert r.json()["code"] == "DOCUMENT_SEAL_INVALID"

    r = await freeze(good)
    assert r.status_code == 200, r.text
    assert r.json()["amount_fen"] == 10_000_00


ICBC = {"Authorization": "Bearer sandbox-bank-icbc"}


async def _debtor_at_icbc(simulator: str) -> str:
    """A new debtor with ¥50,000 in an ICBC account: the account's number."""
    account = account_number()
    debtor = {"kind": "person", "name": "钱某某", "id_number": resident_id()}
    await seed_subject(simulator, debtor, [deposit("bank-icbc", 50_000_00, account)])
    return account


async def _to_icbc(simulator: str, route: str, payload: Mapping[str, object]) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{simulator}/partners/bank-icbc/{route}",
            json=payload,
            headers={**ICBC, IDEMPOTENCY_HEADER: str(uuid.uuid4())},
        )


async def _freeze_at_icbc(
    simulator: str, account: str, document: SealedDocument | None, amount_fen: int
) -> httpx.Response:
    body = {
        "kind": "freeze",
        "asset_reference": account,
        "amount_fen": amount_fen,
        "expires_on": "2027-03-01",
        "court": COURT,
        "case_number": "(2026)浙0102执9号",
        "document_ref": "（2026）浙0102执9号之一",
        "document": document.model_dump() if document else None,
    }
    return await _to_icbc(simulator, "measures", body)


async def _frozen_at_icbc(simulator: str, account: str, document: SealedDocument, amount_fen: int) -> str:
    """The measure id of a freeze of ``account`` on ``document``, which the bank took."""
    r = await _freeze_at_icbc(simulator, account, document, amount_fen)
    assert r.status_code == 200, r.text
    return str(r.json()["measure_id"])


async def test_a_bank_deducts_on_the_freezes_notice_only_when_it_ordered_the_deduction(
    simulator: str, settings: Settings
) -> None:
    """One 冻结、扣划 notice orders both acts (民诉法解释 Art. 484): the bank files it with the freeze, and a
    deduction that names it (``notice_on_file``) needs no second notice — but only that notice, only if it
    ordered the deduction, and not for more than its amount."""
    account = await _debtor_at_icbc(simulator)
    post = functools.partial(_to_icbc, simulator)

    async def freeze(document: SealedDocument, amount_fen: int) -> str:
        return await _frozen_at_icbc(simulator, account, document, amount_fen)

    async def deduct(measure_id: str, named: SealedDocument, amount_fen: int) -> httpx.Response:
        on_file = {"document_id": named.document_id, "number": named.number, "sha256": named.sha256}
        return await post(
            "deductions",
            {
                "measure_id": measure_id,
                "amount_fen": amount_fen,
                "to_account": "CASE-1",
                "case_number": "(2026)浙0102执9号",
                "document_ref": "（2026）浙0102执9号之一",
                "notice_on_file": on_file,
            },
        )

    both = SealedDocument(**await assistance_notice(settings, "bank-icbc", account, 10_000_00, act="freeze_deduct"))
    frozen = await freeze(both, 10_000_00)
    freeze_only = await notice(settings, "bank-icbc", account, 5_000_00)
    frozen_only = await freeze(freeze_only, 5_000_00)

    r = await deduct(frozen_only, freeze_only, 5_000_00)  # its notice ordered the freeze alone
    assert r.status_code == 422 and r.json()["code"] == "DOCUMENT_REQUIRED" and "扣划" in r.json()["message"]
    r = await deduct(frozen_only, both, 5_000_00)  # another measure's notice
    assert r.json()["code"] == "DOCUMENT_MISMATCH", r.text
    r = await deduct(frozen, both, 10_000_01)  # more than the notice ordered
    assert r.json()["code"] == "DOCUMENT_MISMATCH" and "金额" in r.json()["message"], r.text
    async with httpx.AsyncClient() as http:
        ledger = (await http.get(f"{simulator}/partners/bank-icbc/_admin/deductions", headers=ICBC)).json()
    assert not [d for d in ledger if d["measure_id"] in (frozen, frozen_only)], "a refusal does nothing"

    r = await deduct(frozen, both, 10_000_00)
    assert r.status_code == 200 and r.json()["amount_fen"] == 10_000_00, r.text


async def test_a_release_that_carries_its_notice_is_checked_like_a_freeze(simulator: str, settings: Settings) -> None:
    """A 解除 notice goes with a release (查扣冻规定 Art. 28) and is checked: for this measure's account and the act
    of release; a release without one is still taken (measures placed before releases carried it)."""
    account = await _debtor_at_icbc(simulator)

    async def freeze() -> str:
        document = await notice(settings, "bank-icbc", account, 1_000_00)
        return await _frozen_at_icbc(simulator, account, document, 1_000_00)

    async def release(measure_id: str, document: SealedDocument | None) -> httpx.Response:
        body = {"reason": "依法解除", "document_ref": "（2026）浙0102执9号之二"}
        payload = {**body, "document": document and document.model_dump()}
        return await _to_icbc(simulator, f"measures/{measure_id}/release", payload)

    one, other = await freeze(), await freeze()
    freeze_notice = await notice(settings, "bank-icbc", account, None)  # the act is 冻结, not 解除
    r = await release(one, freeze_notice)
    assert r.status_code == 422 and r.json()["code"] == "DOCUMENT_MISMATCH" and "协助事项" in r.json()["message"]
    stranger = SealedDocument(**await assistance_notice(settings, "bank-icbc", account_number(), None, act="release"))
    r = await release(one, stranger)  # a 解除 notice for another account
    assert r.json()["code"] == "DOCUMENT_MISMATCH" and "账户" in r.json()["message"], r.text

    released = SealedDocument(**await assistance_notice(settings, "bank-icbc", account, None, act="release"))
    r = await release(one, released)
    assert r.status_code == 200 and r.json()["status"] == "released", r.text
    r = await release(other, None)
    assert r.status_code == 200 and r.json()["status"] == "released", r.text


def _with_container(pdf: bytes, container: bytes) -> bytes:
    """``pdf`` with its seal's /Contents replaced by ``container`` (hex, zero-padded to the same room)."""
    start, end, _ = (int(n) for n in re.findall(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)", pdf)[0])
    hexed = binascii.hexlify(container)
    return pdf[: start + 1] + hexed + b"0" * (end - start - 2 - len(hexed)) + pdf[end - 1 :]


def _container(pdf: bytes) -> cms.ContentInfo:
    start, end, _ = (int(n) for n in re.findall(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)", pdf)[0])
    return cms.ContentInfo.load(binascii.unhexlify(pdf[start + 1 : end - 1]))


def _resealed_under(pdf: bytes, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> bytes:
    """``pdf``'s seal as a forger would remake it: naming ``certificate`` (a court's), signed with ``key``."""
    content = _container(pdf)
    signed = content["content"]
    signer = signed["signer_infos"][0]
    cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    signed["certificates"] = [cert]
    signer["sid"] = cms.SignerIdentifier(
        name="issuer_and_serial_number", value={"issuer": cert.issuer, "serial_number": cert.serial_number}
    )
    kept = [a for a in signer["signed_attrs"] if a["type"].dotted != "1.2.840.113549.1.9.16.2.47"]
    named = tsp.SigningCertificateV2({"certs": [{"cert_hash": hashlib.sha256(cert.dump()).digest()}]})
    attrs = cms.CMSAttributes([*kept, cms.CMSAttribute({"type": "signing_certificate_v2", "values": [named]})])
    signer["signed_attrs"] = attrs
    signer["signature"] = key.sign(b"\x31" + attrs.dump()[1:], ec.ECDSA(hashes.SHA256()))
    return _with_container(pdf, content.dump(force=True))


async def test_a_bank_checks_a_courts_certificate_once_and_each_notice_in_full(
    simulator: str, settings: Settings, tmp_path: Path
) -> None:
    """A bank validates a court certificate's chain once (pyHanko) and remembers it; every later notice under
    it is still checked for itself — a changed byte, a seal value made with another key under the court's
    certificate, an update appended after the seal — and each is refused (the full check agrees)."""
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    check = DocumentCheck(settings.document_pki_path / "ca.pem")
    account = account_number()
    first = await notice(settings, "bank-icbc", account, 10_000_00)
    second = await notice(settings, "bank-icbc", account, 10_000_00)

    async def require(document: SealedDocument, amount_fen: int = 10_000_00) -> None:
        await check.require(
            document, partner_id="bank-icbc", acts=("freeze",), references=(account,), amount_fen=amount_fen
        )

    await require(first)
    assert check.full_checks == 1
    await require(second)
    assert check.full_checks == 1, "the court's certificate is remembered"
    with pytest.raises(SimulatorError) as refused:
        await require(second, 20_000_00)
    assert refused.value.code == DOCUMENT_MISMATCH and check.full_checks == 1

    pdf = base64.b64decode(second.pdf_base64)
    at = pdf.index(b"stream", 2000) + 20
    signature = _container(pdf)["content"]["signer_infos"][0]["signature"]
    flipped = _container(pdf)
    flipped["content"]["signer_infos"][0]["signature"] = signature.native[:-1] + bytes([signature.native[-1] ^ 1])
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    info = writer.trailer["/Info"]
    info[NameObject("/Keywords")] = TextStringObject(str(info["/Keywords"]).replace("1000000", "9000000"))
    writer.update_container(info)
    appended = io.BytesIO()
    writer.write(appended)
    assert keywords(appended.getvalue())["amount_fen"] == "9000000"
    stranger = CourtKeys(tmp_path / "another-ca", sandbox=True).credentials(COURT)
    court = CourtKeys(settings.document_pki_path, sandbox=True).credentials(COURT).certificate
    forgeries = {
        "a byte of the page changed": pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1 :],
        "the seal's value changed": _with_container(pdf, flipped.dump(force=True)),
        "another key under the court's certificate": _resealed_under(pdf, court, stranger.key),
        "the amount rewritten in an update after the seal": appended.getvalue(),
    }
    for name, forged in forgeries.items():
        sealed = court_signature(forged)
        assert sealed is None or not sealed.sound, name
        document = second.model_copy(
            update={"pdf_base64": base64.b64encode(forged).decode(), "sha256": hashlib.sha256(forged).hexdigest()}
        )
        with pytest.raises(SimulatorError) as refused:
            await require(document)
        assert refused.value.code == DOCUMENT_SEAL_INVALID, (name, refused.value.message)
    assert check.full_checks == 1 + len(forgeries), "each went the full way, which refused it too"

    # PAdES B-T, as the worker seals: another form of container, validated once in full, then the fast path,
    # which checks the timestamp too — a byte of it changed is not the fast path's to accept: the full way
    # decides, as before (the sandbox's banks do not check the TSA: docs/partner-protocol.md).
    stamped = [await notice(settings, "bank-icbc", account, 10_000_00, timestamped=True) for _ in range(2)]
    for document in stamped:
        await require(document)
    assert check.full_checks == 2 + len(forgeries)
    pdf = base64.b64decode(stamped[1].pdf_base64)
    raw = _container(pdf).dump()
    token = _container(pdf)["content"]["signer_infos"][0]["unsigned_attrs"][0]["values"][0]
    tst_info = token["content"]["encap_content_info"]["content"].contents
    at = raw.index(tst_info) + len(tst_info) // 2
    changed = _with_container(pdf, raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1 :])
    sealed = court_signature(changed)
    assert sealed is not None and not sealed.sound
    await require(
        stamped[1].model_copy(
            update={"pdf_base64": base64.b64encode(changed).decode(), "sha256": hashlib.sha256(changed).hexdigest()}
        )
    )
    assert check.full_checks == 3 + len(forgeries)

    # The fast path reads the container as DER itself: any one byte of it changed is read as unsound, or not
    # read (a full check), or, if it were read as sound in the remembered form, pyHanko would accept it too.
    from documents.seal import verify_pdf

    ca = x509.load_pem_x509_certificate((settings.document_pki_path / "ca.pem").read_bytes())
    known = court_signature(pdf)
    assert known is not None and known.sound
    rng = random.Random(7)
    for at in rng.sample(range(len(raw)), 300):
        changed = _with_container(pdf, raw[:at] + bytes([raw[at] ^ rng.randrange(1, 256)]) + raw[at + 1 :])
        sealed = court_signature(changed)
        if sealed is not None and sealed.sound and sealed.known_as == known.known_as:
            assert verify_pdf(changed, ca).ok, at


async def test_a_bank_reads_the_keywords_under_the_seal_as_pyhanko_does(settings: Settings) -> None:
    """The keywords are read from the last revision's cross-reference section when the notice is of the plain
    shape sealing writes, else by pyHanko's reader; both read the same — on sealed notices (a reference in
    ASCII, written as a literal string, and one in Chinese, written as UTF-16), and on every one-byte change,
    deletion or insertion tried in the trailer, the last cross-reference section and the document
    information: the fast reading is left to pyHanko, or is what pyHanko reads."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    def pyhankos(pdf: bytes) -> str | None:
        try:
            info = PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view.get("/Info")
            return str(info.get_object().get("/Keywords", "")) if info is not None else ""
        except Exception:
            return None

    rng = random.Random(25)
    for reference in (account_number(), "杭州市上城区望江路1号(3幢)"):
        pdf = base64.b64decode((await notice(settings, "bank-icbc", reference, 10_000_00)).pdf_base64)
        assert _info_keywords(pdf) == pyhankos(pdf) and keywords(pdf)["asset_reference"] == reference
        info_at = pdf.rindex(re.search(rb"/Info (\d+) 0 R", pdf[-400:]).group(1) + b" 0 obj")  # type: ignore[union-attr]
        xref_at = pdf.rindex(b"xref", 0, len(pdf) - 30)
        read_fast = 0
        for _ in range(400):
            at = rng.randrange(*rng.choice([(info_at, info_at + 400), (xref_at, len(pdf))]))
            byte = bytes([rng.choice(b" \n\r()<>[]/%#\\0123456789RnfobjxrefstarttrailerInfoKeywords\x00\xff")])
            head, rest = pdf[:at], pdf[at + 1 :]
            changed = rng.choice([head + byte + rest, head + rest, head + byte + pdf[at:]])  # change, cut, insert
            fast = _info_keywords(changed)
            if fast is not None:
                read_fast += 1
                assert fast == pyhankos(changed), (at, changed[at - 20 : at + 20])
        assert read_fast > 25  # the fuzz reached the fast reader, not only its refusals


async def test_an_asset_inquiry_sends_its_notices_once_per_step(client, settings: Settings, simulator: str) -> None:
    from audit.derive import derive_trail
    from audit.redact import Redactor
    from documents.seal import verify_pdf

    debtor = await new_debtor(simulator, [deposit("bank-icbc", 3_000_00), deposit("bank-ccb", 9_000_00)])
    handle = await start(client, settings, "asset-inquiry", request(debtor, owed=5_000_00))
    await wait_status(handle, "awaiting_decision")
    await decide(handle, APPROVE, reason="依法冻结扣划")
    result = await handle.result()
    assert result.frozen_fen == 5_000_00 and result.deducted_fen == 5_000_00

    db = Database(settings.web_database_url)
    listed = DocumentStore(db).listing(workflow_id=handle.id)
    titles = [d.title for d, _ in listed]
    # The approval's one ruling, then one 冻结、扣划 notice a bank (民诉法解释 Art. 484): each freeze's notice
    # orders its deduction too.
    assert titles == ["执行裁定书（扣划）", "协助执行通知书", "协助执行通知书"], titles
    numbers = [d.number for d, _ in listed]
    assert len(set(numbers)) == 3 and all("之" in n for n in numbers)
    blobs = BlobStore.for_settings(settings)
    ca = CourtKeys(settings.document_pki_path, sandbox=True).ca()
    for d, _ in listed:
        assert (await asyncio.to_thread(verify_pdf, blobs.get(d.sha256), ca)).ok

    ruling, *notices = (d for d, _ in listed)
    # Served on both sides; its copy on each bank with the notice it cites (DOMAIN §18.2).
    assert ruling.addressed_to == ["applicant", "debtor"], ruling.addressed_to
    served = {d.document_id: records for d, records in listed}
    assert sorted(s.recipient for s in served[ruling.document_id]) == ["bank-ccb", "bank-icbc"]
    ruling_text = pdf_words(blobs.get(ruling.sha256))
    assert "冻结、扣划被执行人" in ruling_text and "伍仟元" in ruling_text, ruling_text
    for d in notices:  # each cites the ruling by its number, and orders both acts
        assert keywords(blobs.get(d.sha256))["act"] == "freeze_deduct"
        text = pdf_words(blobs.get(d.sha256))
        assert ruling.number in text and "冻结、扣划" in text, text

    trail = await derive_trail(client, handle.id, Redactor.for_models())
    recorded = " ".join(e.reference or "" for e in trail.events)
    for d, _ in listed:
        assert f"sha256={d.sha256}" in recorded
    # Each deduction names the notice its freeze was registered on: one notice, two acts, both in the trail.
    deductions = " ".join(e.reference or "" for e in trail.events if "deduct" in e.action)
    assert all(f"sha256={d.sha256}" in deductions for d in notices), deductions
    # History holds the hash and the number, never the notice's content.
    history = await handle.fetch_history()
    raw = history.to_json()
    assert debtor.id_number not in raw and "pdf_base64" not in raw
    await record_history(handle, "asset-inquiry-ruling-one-notice")


async def test_an_inquiry_started_before_the_ruling_and_one_notice_keeps_a_notice_for_each_act(
    client, settings: Settings, simulator: str
) -> None:
    """A run started at patch level 2 (before the control ruling and the 冻结、扣划 notice) issues a 冻结 and a 扣划
    notice a bank and no ruling, as it always did: its history replays the same on the new code."""
    debtor = await new_debtor(simulator, [deposit("bank-icbc", 3_000_00), deposit("bank-ccb", 9_000_00)])
    handle = await start(
        client, settings, "asset-inquiry", request(debtor, owed=5_000_00), overrides={"patch_level": 2}
    )
    await wait_status(handle, "awaiting_decision")
    await decide(handle, APPROVE, reason="依法冻结扣划")
    assert (await handle.result()).deducted_fen == 5_000_00

    listed = DocumentStore(Database(settings.web_database_url)).listing(workflow_id=handle.id)
    blobs = BlobStore.for_settings(settings)
    assert [d.title for d, _ in listed] == ["协助执行通知书"] * 4  # and no ruling: its notices cite the step
    acts = sorted(keywords(blobs.get(d.sha256))["act"] for d, _ in listed)
    assert acts == ["deduct", "deduct", "freeze", "freeze"], acts


async def test_the_judge_lists_downloads_and_records_a_receipt_from_which_a_period_runs(
    web: str, settings: Settings
) -> None:
    """Served on the bank when its system accepted the notice; the debtor's copy served on paper, the clerk
    records the receipt; the 执行通知书's period runs from that receipt, not from the issue date."""
    from datetime import UTC, datetime, timedelta

    from domain.documents import period_end_from_service
    from domain.legal_time import LegalDuration, TimeUnit
    from tests.helpers import login

    db = Database(settings.web_database_url)
    keys = CourtKeys(settings.document_pki_path, sandbox=True)
    office = DocumentOffice(db, BlobStore.for_settings(settings), keys, Renderer())
    case = case_number()
    workflow_id = f"wf-notice-{uuid.uuid4().hex[:8]}"
    fields: dict[str, object] = {
        f: f"（{f}）" for f in office.renderer.library.spec(DocumentKind.EXECUTION_NOTICE).required
    }
    fields |= {"claim_fen": 1_000_00, "period_days": "10"}
    issued = await asyncio.to_thread(
        office.issue,
        DocumentRequest(
            kind=DocumentKind.EXECUTION_NOTICE,
            court=COURT,
            case_number=case,
            issued_on=date(2026, 3, 2),
            fields=fields,
            workflow_id=workflow_id,
            idempotency_key=f"{workflow_id}/execution-notice",
        ),
    )

    judge = await login(web, "judge")
    other_court = await login(web, "judge-jiaxing")
    listed = (await judge.get(f"/api/workflows/{workflow_id}/documents")).json()
    assert [(d["kind"], d["number"], d["served"]) for d in listed] == [("执行通知书", issued.number, [])]
    assert set(listed[0]) >= {"document_id", "kind", "number", "sha256", "issued_at", "served"}

    pdf = await judge.get(f"/api/documents/{issued.document_id}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf.headers["x-document-sha256"] == issued.sha256
    assert (await other_court.get(f"/api/documents/{issued.document_id}")).status_code == 404
    assert (await other_court.get(f"/api/workflows/{workflow_id}/documents")).json() == []

    period = LegalDuration(amount=10, unit=TimeUnit.CALENDAR_DAY)
    assert period_end_from_service(None, period) is None  # not served: the period has not begun

    received = datetime(2026, 3, 9, 15, 30, tzinfo=UTC)
    r = await judge.post(
        f"/api/documents/{issued.document_id}/service",
        json={"recipient": "debtor", "method": "direct", "served_at": received.isoformat(), "address": "住所地"},
    )
    assert r.status_code == 200, r.text
    served = r.json()["served"]
    assert [(s["recipient"], s["method"]) for s in served] == [("debtor", "direct")]
    assert served[0]["receipt_document_id"]
    served_at = datetime.fromisoformat(served[0]["served_at"])
    assert served_at == received
    assert period_end_from_service(served_at, period) == received + timedelta(days=10)

    # A second receipt for the same recipient changes nothing: the first service counts.
    later = await judge.post(
        f"/api/documents/{issued.document_id}/service",
        json={"recipient": "debtor", "method": "post", "served_at": (received + timedelta(days=3)).isoformat()},
    )
    assert [s["served_at"] for s in later.json()["served"]] == [served[0]["served_at"]]

    # The 送达回证 is itself a sealed document of the case, referring to the notice.
    kinds = {d["kind"]: d for d in (await judge.get(f"/api/workflows/{workflow_id}/documents")).json()}
    assert kinds["送达回证"]["refers_to"] == issued.document_id
    bad = await judge.post(
        f"/api/documents/{issued.document_id}/service",
        json={"recipient": "张三", "method": "direct", "served_at": received.isoformat()},
    )
    assert bad.status_code == 422  # a recipient is a role or an agency, never a name
    await judge.aclose()
    await other_court.aclose()


async def test_an_announcement_is_served_thirty_days_after_publication() -> None:
    from datetime import UTC, datetime

    from domain.documents import ServiceMethod, service_date

    published = datetime(2026, 3, 1, tzinfo=UTC)
    assert service_date(ServiceMethod.ANNOUNCEMENT, published) == datetime(2026, 3, 31, tzinfo=UTC)
    assert service_date(ServiceMethod.ELECTRONIC, published) == published
