"""The court's documents (DOMAIN §18): every template renders and refuses a missing field, the same input
gives the same bytes, a 协助执行通知书 says the 案号, the court and the amount in Chinese; the seal is a PAdES
signature that poppler's pdfsig verifies and that breaks on a changed byte; numbers are taken once per
step; the content is kept only encrypted."""

from __future__ import annotations

import asyncio
import hashlib
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms, tsp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from activities.documents import DocumentOffice
from config.settings import Settings
from documents import seal_update
from documents.pki import CourtKeys
from documents.render import Renderer, chinese_date
from documents.seal import CourtSeal, timestamp_attribute, verify_pdf
from documents.timestamps import tsa_client, tsa_trust
from domain.documents import (
    DocumentKind,
    DocumentRequest,
    MissingDocumentField,
    ServiceMethod,
    amount_in_words,
    chinese_ordinal,
    document_number,
)
from domain.errors import NotFound
from simulators.documents import keywords
from simulators.tsa import SimulatedTsa
from store.blobs import BlobStore
from store.db import Database

COURT = "杭州市上城区人民法院"
CASE = "(2026)浙0102执123号"
ISSUED = date(2026, 3, 2)

RENDERER = Renderer()


def sample_fields(kind: DocumentKind) -> dict[str, object]:
    spec = RENDERER.library.spec(kind)
    return {f: (1_234_567 if f.endswith("_fen") else f"（{f}）") for f in spec.required}


def assistance_fields() -> dict[str, object]:
    return {
        "recipient": "中国工商银行股份有限公司杭州分行",
        "recipient_id": "bank-icbc",
        "act": "freeze",
        "asset_reference": "6222020202020202020",
        "applicant_name": "李四",
        "debtor_name": "张三",
        "debtor_id": "330106198503120319",
        "act_name": "冻结",
        "asset": "银行账户",
        "amount_fen": 1_234_567,
        "ruling_number": "（2026）浙0102执123号之一",
        "term": "一年",
    }


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", "", out.stdout.decode())


def test_amounts_ordinals_and_dates_are_written_as_a_court_writes_them() -> None:
    assert amount_in_words(1_234_567) == "人民币壹万贰仟叁佰肆拾伍元陆角柒分"
    assert amount_in_words(100_000) == "人民币壹仟元整"
    assert amount_in_words(1_000_005) == "人民币壹万元零伍分"
    assert amount_in_words(10_000_000_000) == "人民币壹亿元整"
    assert amount_in_words(10_050_000_000) == "人民币壹亿零伍拾万元整"
    assert amount_in_words(30) == "人民币叁角整"
    assert [chinese_ordinal(n) for n in (1, 10, 12, 20, 105)] == ["一", "十", "十二", "二十", "一百零五"]
    assert document_number(CASE, 1) == "（2026）浙0102执123号之一"
    assert chinese_date(date(2026, 10, 21)) == "二〇二六年十月二十一日"


@pytest.mark.parametrize("kind", sorted(RENDERER.library.specs), ids=str)
def test_each_template_renders_and_refuses_a_missing_field(kind: DocumentKind) -> None:
    fields = sample_fields(kind)
    pdf = RENDERER.render(kind, COURT, CASE, "（2026）浙0102执123号之一", ISSUED, fields)
    assert pdf.startswith(b"%PDF-") and b"pdfaid:part" in pdf  # PDF/A
    assert seal_update.plan(pdf) is not None, "sealed by the update written as bytes, not pyHanko's path"
    spec = RENDERER.library.spec(kind)
    assert spec.required, f"{kind} declares no required field"
    for name in spec.required:
        with pytest.raises(MissingDocumentField) as failed:
            RENDERER.render(kind, COURT, CASE, "x", ISSUED, {k: v for k, v in fields.items() if k != name})
        assert failed.value.code == "DOCUMENT_FIELD_MISSING" and failed.value.field == name
        assert name in failed.value.message


def test_every_kind_has_a_template() -> None:
    assert set(RENDERER.library.specs) == set(DocumentKind)


def test_the_same_input_gives_the_same_bytes_dated_from_the_input(tmp_path: Path) -> None:
    render = lambda d: RENDERER.render(DocumentKind.ASSISTANCE_NOTICE, COURT, CASE, "n", d, assistance_fields())  # noqa: E731
    first, again = render(ISSUED), render(ISSUED)
    assert hashlib.sha256(first).digest() == hashlib.sha256(again).digest()
    assert render(date(2026, 3, 3)) != first
    (tmp_path / "d.pdf").write_bytes(first)
    info = subprocess.run(["pdfinfo", str(tmp_path / "d.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"CreationDate:\s+Mon Mar\s+2 00:00:00 2026", info), info


def test_a_render_reads_only_its_own_data(tmp_path: Path) -> None:
    """The data go in as an in-memory file the compiler keeps between compiles: the next document, the
    seal in between and a fresh compiler each see only their own."""
    ours = lambda: RENDERER.render(DocumentKind.ASSISTANCE_NOTICE, COURT, CASE, "n", ISSUED, assistance_fields())  # noqa: E731
    first = ours()
    court, case = "嘉兴市中级人民法院", "(2026)浙04执9号"
    other = RENDERER.render(
        DocumentKind.CLOSING_NOTICE, court, case, "m", ISSUED, sample_fields(DocumentKind.CLOSING_NOTICE)
    )
    RENDERER.render_seal(court)
    assert (
        ours()
        == first
        == Renderer().render(DocumentKind.ASSISTANCE_NOTICE, COURT, CASE, "n", ISSUED, assistance_fields())
    )
    assert court in pdf_text(other, tmp_path) and court not in pdf_text(first, tmp_path)
    assert RENDERER.render_seal(COURT) != RENDERER.render_seal(court)
    # The metadata are set after the body (base.typ): the PDF still carries them, this document's own.
    (tmp_path / "first.pdf").write_bytes(first)
    info = subprocess.run(["pdfinfo", str(tmp_path / "first.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"^Title:\s+协助执行通知书$", info, re.M) and re.search(rf"^Author:\s+{COURT}$", info, re.M), info
    assert keywords(first) == {"act": "freeze", "amount_fen": "1234567", "asset_reference": "6222020202020202020"} | {
        "recipient_id": "bank-icbc"
    }


def test_the_assistance_notice_names_the_case_the_court_and_the_amount_in_words(tmp_path: Path) -> None:
    pdf = RENDERER.render(
        DocumentKind.ASSISTANCE_NOTICE, COURT, CASE, "（2026）浙0102执123号之二", ISSUED, assistance_fields()
    )
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "协助执行通知书",
        "（2026）浙0102执123号之二",
        COURT,
        "人民币壹万贰仟叁佰肆拾伍元陆角柒分",
        "¥12,345.67",
    ):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(tmp_path / "doc.pdf")], capture_output=True, text=True).stdout
    assert "NotoSerifCJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


PAYOUT_FIELDS: dict[DocumentKind, dict[str, object]] = {
    DocumentKind.DISTRIBUTION_PLAN: {
        "applicant_name": "李四",
        "debtor_name": "张三",
        "property": "诸暨市某镇某路1号厂房（不动产单元号 330681001001GB00001F00010001）",
        "proceeds_fen": 285_000_000,
        "lines": ["1|执行费用|杭州市上城区人民法院|¥7,400.00|¥7,400.00", "2|抵押权|某银行|¥1,200,000.00|¥1,200,000.00"],
        "surplus_fen": 114_260_000,
        "objection_days": "15",
    },
    DocumentKind.PAYOUT_NOTICE: {
        "payee_name": "李四",
        "applicant_name": "李四",
        "debtor_name": "张三",
        "source": "处置被执行人所有的厂房所得价款",
        "paid_on": date(2026, 3, 2),
        "amount_fen": 1_234_567,
        "channel": "转入你方指定的银行账户",
        "held_fen": 100_000,
        "held_reason": "因分配方案异议涉及争议，依法予以提存",
    },
}


@pytest.mark.parametrize("kind", sorted(PAYOUT_FIELDS), ids=str)
def test_the_payout_documents_name_the_case_the_court_and_the_amount_in_words(
    kind: DocumentKind, tmp_path: Path
) -> None:
    """执行财产分配方案 (民诉法解释 Arts. 508–510) and 执行款发放通知书: the 案号, the court, the amounts written out
    and the rule they stand on."""
    pdf = RENDERER.render(kind, COURT, CASE, "（2026）浙0102执123号之五", ISSUED, PAYOUT_FIELDS[kind])
    text = pdf_text(pdf, tmp_path)
    amounts = {
        DocumentKind.DISTRIBUTION_PLAN: (
            "人民币贰佰捌拾伍万元整",
            "¥2,850,000.00",
            "¥1,200,000.00",
            "第五百零九条",
            "15日内",
        ),
        DocumentKind.PAYOUT_NOTICE: (
            "人民币壹万贰仟叁佰肆拾伍元陆角柒分",
            "¥12,345.67",
            "人民币壹仟元整",
            "法发〔2017〕6号",
        ),
    }[kind]
    for expected in (RENDERER.library.spec(kind).title, "（2026）浙0102执123号之五", COURT, *amounts):
        assert expected in text, expected
    if kind is DocumentKind.PAYOUT_NOTICE:  # a mass payout's summary names no parties: the case by its number
        unnamed = {k: v for k, v in PAYOUT_FIELDS[kind].items() if k not in ("applicant_name", "debtor_name")}
        text = pdf_text(RENDERER.render(kind, COURT, CASE, "n", ISSUED, unnamed), tmp_path)
        assert f"本院执行的{CASE}一案" in text and "申请执行人" not in text


def test_a_court_carries_its_own_version_of_a_template(tmp_path: Path) -> None:
    import shutil

    from documents.render import WORKFLOWS_DIR, TemplateLibrary

    root = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS_DIR / "foundation" / "documents", root / "foundation" / "documents")
    shutil.copytree(WORKFLOWS_DIR / "case" / "documents", root / "case" / "documents")
    own = root / "case" / "documents" / "courts" / "嘉兴市中级人民法院" / "closing_notice.typ"
    own.parent.mkdir(parents=True)
    own.write_text(
        (root / "case" / "documents" / "closing_notice.typ").read_text().replace("特此通知。", "本院特此通知。"),
        encoding="utf-8",
    )
    renderer = Renderer(TemplateLibrary(root))
    fields = sample_fields(DocumentKind.CLOSING_NOTICE)
    theirs = renderer.render(DocumentKind.CLOSING_NOTICE, "嘉兴市中级人民法院", CASE, "n", ISSUED, fields)
    ours = renderer.render(DocumentKind.CLOSING_NOTICE, COURT, CASE, "n", ISSUED, fields)
    assert "本院特此通知" in pdf_text(theirs, tmp_path) and "本院特此通知" not in pdf_text(ours, tmp_path)
    assert renderer.library.template_version(DocumentKind.CLOSING_NOTICE, "嘉兴市中级人民法院").endswith(
        "+嘉兴市中级人民法院"
    )


@pytest.fixture
def office(tmp_path: Path, settings: Settings, simulator: str) -> DocumentOffice:
    """A document office as the worker's: every seal timestamped by the simulators' TSA (PAdES B-T)."""
    db = Database(f"sqlite:///{tmp_path / 'web.db'}")
    db.upgrade()
    keys = CourtKeys(tmp_path / "pki", sandbox=True)
    blobs = BlobStore(tmp_path / "blobs", settings.codec_keys)
    return DocumentOffice(db, blobs, keys, RENDERER, timestamper=tsa_client(settings))


def request(kind: DocumentKind, key: str, **fields: object) -> DocumentRequest:
    return DocumentRequest(
        kind=kind,
        court=COURT,
        case_number=CASE,
        issued_on=ISSUED,
        fields=fields or sample_fields(kind),
        workflow_id="wf-documents-test",
        idempotency_key=key,
    )


def test_a_sealed_document_verifies_with_pdfsig_and_breaks_on_a_changed_byte(
    office: DocumentOffice, tmp_path: Path, settings: Settings
) -> None:
    issued = office.issue(request(DocumentKind.ASSISTANCE_NOTICE, "wf-documents-test/step-1", **assistance_fields()))
    sealed = office.pdf(issued.document_id)
    assert hashlib.sha256(sealed).hexdigest() == issued.sha256
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in report and "Total document signed" in report, report
    assert COURT in report

    tsa = tsa_trust(settings)
    verdict = verify_pdf(sealed, office.keys.ca(), tsa)
    assert verdict.ok and verdict.signer == COURT, verdict.message
    assert verdict.timestamped_at is not None and verdict.signed_at is not None
    assert abs((verdict.timestamped_at - verdict.signed_at).total_seconds()) < 120, "the TSA's time, not a claim"

    # One byte of the signed content changed (inside the page's text stream, before the signature).
    at = sealed.index(b"stream", 2000) + 20
    broken = sealed[:at] + bytes([sealed[at] ^ 0x01]) + sealed[at + 1 :]
    path.write_bytes(broken)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" not in report and ("Digest Mismatch" in report or "Invalid" in report), report
    assert not verify_pdf(broken, office.keys.ca(), tsa).ok

    # Another CA's court certificate does not pass for this court's.
    other = CourtKeys(tmp_path / "other-pki", sandbox=True)
    assert not verify_pdf(sealed, other.ca(), tsa).ok


def test_the_seal_carries_the_tsas_timestamp_over_its_signature(
    office: DocumentOffice, tmp_path: Path, settings: Settings
) -> None:
    """PAdES B-T: the signer's unsigned attribute ``signature-time-stamp-token`` is an RFC 3161 token whose
    imprint is the SHA-256 of this seal's signature value, signed by the TSA the deployment trusts — and not
    by any other; a seal without one (B-B) does not pass where a timestamp is required."""
    from asn1crypto import tsp

    from documents.pki import TsaKeys

    issued = office.issue(request(DocumentKind.ASSISTANCE_NOTICE, "wf-documents-test/b-t", **assistance_fields()))
    sealed = office.pdf(issued.document_id)
    at = sealed.index(b"/Contents <") + len(b"/Contents <")
    # The room's zero padding after the container: read by its own length (a container whose last byte is 0,
    # one seal in 256, lost that byte to a right-strip of zeros).
    container = cms.ContentInfo.load(bytes.fromhex(sealed[at : sealed.index(b">", at)].decode()))
    signer = container["content"]["signer_infos"][0]
    (attribute,) = signer["unsigned_attrs"]
    assert attribute["type"].native == "signature_time_stamp_token"
    token = attribute["values"][0]
    # The attribute as pyHanko's timestamp provider writes it (documents/seal.py writes its DER itself).
    from pyhanko.sign.general import simple_cms_attribute

    made = cms.CMSAttributes([simple_cms_attribute("signature_time_stamp_token", token)]).dump()
    assert timestamp_attribute(token.dump()) == made == signer["unsigned_attrs"].untag().dump()
    info = tsp.TSTInfo.load(token["content"]["encap_content_info"]["content"].parsed.dump())
    imprint = info["message_imprint"]
    assert imprint["hash_algorithm"]["algorithm"].native == "sha256"
    assert imprint["hashed_message"].native == hashlib.sha256(signer["signature"].native).digest()

    tsa = tsa_trust(settings)
    assert verify_pdf(sealed, office.keys.ca(), tsa).ok
    stranger = TsaKeys(tmp_path / "another-tsa", sandbox=True).ca()  # a TSA the deployment does not trust
    wrong = verify_pdf(sealed, office.keys.ca(), stranger)
    assert not wrong.ok and "timestamp" in wrong.message

    plain = DocumentOffice(office.store.db, office.blobs, office.keys, RENDERER)  # no TSA: a B-B seal
    unstamped = plain.pdf(plain.issue(request(DocumentKind.FREEZE_RULING, "wf-documents-test/b-b")).document_id)
    assert verify_pdf(unstamped, office.keys.ca()).ok, "the seal itself is sound"
    missing = verify_pdf(unstamped, office.keys.ca(), tsa)
    assert not missing.ok and missing.message == "no signature timestamp"

    # Which seals need one: those made from the cut-over on (OM_DOCUMENT_TIMESTAMPS_FROM). One made before is
    # valid at B-B, and says it predates timestamps; at or after the cut-over it is refused; a timestamp a seal
    # does carry must hold whenever it was made.
    assert missing.signed_at is not None
    before = verify_pdf(unstamped, office.keys.ca(), tsa, missing.signed_at + timedelta(seconds=1))
    assert before.ok and before.before_timestamps and "B-B" in before.message and "启用时间戳之前" in before.message
    after = verify_pdf(unstamped, office.keys.ca(), tsa, missing.signed_at)
    assert not after.ok and not after.before_timestamps and after.message == "no signature timestamp"
    assert not verify_pdf(sealed, office.keys.ca(), stranger, missing.signed_at + timedelta(days=1)).ok
    # The judge's document page checks it so (web/services/documents.check_seal).
    from web.services.documents import check_seal

    trusted = {"document_pki_dir": office.keys.ca_path.parent, "tsa_certificate_file": settings.tsa_certificate_path}
    page = settings.model_copy(update=trusted)
    old = page.model_copy(update={"document_timestamps_from": missing.signed_at + timedelta(seconds=1)})
    assert asyncio.run(check_seal(old, unstamped)).model_dump(include={"ok", "before_timestamps"}) == {
        "ok": True,
        "before_timestamps": True,
    }
    assert not asyncio.run(check_seal(page, unstamped)).ok, "sealed after the default cut-over: refused"


def test_with_the_tsa_down_no_document_is_issued_and_a_retry_issues_it(
    office: DocumentOffice, settings: Settings
) -> None:
    """A seal needs its timestamp: while the TSA does not answer, sealing fails and nothing is issued (the
    activity retries; the failure is no OneMatterError, so it is retried); the retry, the TSA back, issues the
    step's one document under the number its first try took."""
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    from documents.timestamps import TsaClient
    from simulators.server import bind_loopback

    closed = bind_loopback()  # bound, never listening: connections are refused
    down = f"http://127.0.0.1:{closed.getsockname()[1]}/tsa/v1/timestamp"
    unreachable = DocumentOffice(office.store.db, office.blobs, office.keys, RENDERER, timestamper=TsaClient(down))
    step = request(DocumentKind.ASSISTANCE_NOTICE, "wf-documents-test/tsa-down", **assistance_fields())
    with pytest.raises(TimestampRequestError):
        unreachable.issue(step)
    closed.close()
    assert office.store.listing(workflow_id="wf-documents-test") == [], "nothing issued without its timestamp"
    issued = office.issue(step)
    assert issued.number == "（2026）浙0102执123号之一"
    assert verify_pdf(office.pdf(issued.document_id), office.keys.ca(), tsa_trust(settings)).ok


def test_a_timestamp_query_is_pyhankos_and_an_answer_to_another_query_is_refused(
    settings: Settings, simulator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The TSA client writes pyHanko's own query from its pieces (documents/timestamps.py ``QueryTemplate``)
    and takes a token only as the answer to that query: granted, echoing its nonce, over its digest. A
    replayed or misrouted answer — right TSA, another query — is refused. The client keeps the environment's
    proxy for the TSA's URL (a court's network may need one). If a pyHanko upgrade changes the query's shape
    the template is not made and this fails."""
    import httpcore
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    import documents.timestamps as timestamps

    client = tsa_client(settings)
    assert client.query is not None
    digest, other = hashlib.sha256(b"a seal's signature value").digest(), hashlib.sha256(b"another").digest()
    nonce, pyhankos = client.request_cms(digest, "sha256")
    assert client.query.query(digest, nonce.to_bytes(8, "big")) == pyhankos.dump()
    token = asyncio.run(client.async_timestamp(digest, "sha256"))
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest

    fixed = bytes.fromhex("0102030405060708")
    monkeypatch.setattr(timestamps, "new_nonce", lambda: fixed)
    replayed = client._exchange(pyhankos.dump())  # the TSA's answer to pyHanko's query: its own nonce
    misrouted = client._exchange(client.query.query(other, fixed))  # this nonce, another digest
    monkeypatch.setattr(client, "_exchange", lambda query: replayed)
    with pytest.raises(TimestampRequestError, match="nonce"):
        asyncio.run(client.async_timestamp(digest, "sha256"))
    monkeypatch.setattr(client, "_exchange", lambda query: misrouted)
    with pytest.raises(TimestampRequestError, match="another digest"):
        asyncio.run(client.async_timestamp(digest, "sha256"))

    monkeypatch.setenv("HTTP_PROXY", "http://proxy.court.example:3128")
    proxied = timestamps.TsaClient("http://tsa.example/tsa/v1/timestamp")
    assert isinstance(proxied._transport._pool, httpcore.HTTPProxy)  # type: ignore[attr-defined]
    assert not isinstance(client._transport._pool, httpcore.HTTPProxy)  # type: ignore[attr-defined]


def test_the_seal_is_pyhankos_container_with_this_documents_digest_and_signature(office: DocumentOffice) -> None:
    """The seal's CMS is made once per court (documents/seal.py ``TemplateSigner``): for any digest it is
    pyHanko's own container but for the signature, which is a valid ECDSA signature by the court's key over
    the signed attributes carrying that digest. If a pyHanko upgrade changes the container's shape the
    template is not made (sealing falls back to pyHanko's slower path) and this fails."""
    signer = office.seal_for(COURT).signer
    assert signer.template is not None
    digest = hashlib.sha256(b"a document").digest()
    ours = cms.ContentInfo.load(asyncio.run(signer.async_sign(digest, "sha256", use_pades=True)).dump())
    theirs = cms.ContentInfo.load(signer.pyhanko_container(digest))
    ours_info, theirs_info = ours["content"]["signer_infos"][0], theirs["content"]["signer_infos"][0]
    assert ours_info["signed_attrs"].dump() == theirs_info["signed_attrs"].dump()
    assert ours_info["signed_attrs"][1]["values"][0].native == digest  # the message digest attribute
    for name in ("version", "digest_algorithms", "encap_content_info", "certificates"):
        assert ours["content"][name].dump() == theirs["content"][name].dump()
    for name in ("version", "sid", "digest_algorithm", "signature_algorithm"):
        assert ours_info[name].dump() == theirs_info[name].dump()
    signed = ours_info["signed_attrs"].untag().dump()
    court_key = office.keys.credentials(COURT).certificate.public_key()
    assert isinstance(court_key, ec.EllipticCurvePublicKey)
    court_key.verify(ours_info["signature"].native, signed, ec.ECDSA(hashes.SHA256()))


def test_the_simulated_tsa_makes_pyhankos_token_from_bytes_it_keeps(tmp_path: Path) -> None:
    """The simulators' TSA (simulators/tsa.py ``TokenTemplate``) answers with pyHanko's own token but for the
    request's TSTInfo, its digest, the signing time and the signature, which pyHanko verifies: over this
    imprint, echoing the nonce, by the TSA the root certifies. Between requests it keeps bytes only — no
    parsed asn1crypto structure, whose re-encoding on every dump made its CPU a timestamp grow several-fold.
    The TSTInfo is written from bytes too (``TstInfoTemplate``), but for a negative nonce (asn1crypto's way).
    If a pyHanko or asn1crypto upgrade changes either shape, its template is not made and this fails."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko.sign.validation.status import TimestampSignatureStatus
    from pyhanko_certvalidator import ValidationContext

    from documents.pki import TsaKeys

    tsa = SimulatedTsa(tmp_path / "tsa")
    imprint = hashlib.sha256(b"a seal's signature value").digest()
    query = tsp.TimeStampReq(
        {"version": 1, "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": imprint}}
    )
    for nonce in (7, 2**62 + 1, -5):
        query["nonce"] = nonce
        answer = tsp.TimeStampResp.load(asyncio.run(tsa.answer(query.dump())))
        assert answer["status"]["status"].native == "granted"
        token = answer["time_stamp_token"]["content"]
        info = token["encap_content_info"]["content"].parsed
        assert info["nonce"].native == nonce and info["message_imprint"]["hashed_message"].native == imprint
        ca = TsaKeys(tmp_path / "tsa", sandbox=True).ca().public_bytes(serialization.Encoding.DER)
        root = ValidationContext(trust_roots=[asn1_x509.Certificate.load(ca)])
        status = TimestampSignatureStatus(**asyncio.run(validate_tst_signed_data(token, root, lambda _: imprint)))
        assert status.intact and status.valid and status.trusted, status
    assert tsa.template is not None and tsa.tst_template is not None
    kept = [v for v in vars(tsa.template).values() if not isinstance(v, ec.EllipticCurvePrivateKey)]
    assert all(isinstance(v, bytes) or all(isinstance(part, bytes) for part in v) for v in kept)
    assert (
        asyncio.run(tsa.answer(b"not a request")) == tsp.TimeStampResp.load(asyncio.run(tsa.answer(b"\x30\x00"))).dump()
    ), "a body that is not a request: rejection / badDataFormat"


def _alike(sealed: bytes) -> bytes:
    """A sealed PDF but for what differs between two seals of one document: the signature (ECDSA is
    randomised), the times, the random name of the seal's imported page and the file's second ID."""
    for pattern, same in (
        (rb"/Contents <[0-9a-fA-F]+>", b"/Contents <>"),
        # pyHanko writes the info dictionary's dates with the colon escaped (``D\072…``), the signature's not.
        (rb"D(?::|\\072)\d{14}[^)]*\)", b"D:)"),
        (rb"/Import[0-9a-f]{32}", b"/Import"),
        (rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?", b"T"),
        (rb"/ID ?\[ ?<[0-9a-f]+> ?<[0-9a-f]+> ?\]", b"/ID"),
    ):
        sealed = re.sub(pattern, same, sealed)
    return sealed


def test_a_court_seal_seals_its_hundredth_document_as_its_first(tmp_path: Path) -> None:
    """A court's seal is made once per process and seals every document, several threads at once (the
    TSA's round trip is outside its lock): each sealed PDF is the first one's but for the signature, the
    times and random names. Its appearance imports the seal's page once — the page's resources kept between
    documents listed every earlier import again, each seal 47 bytes larger than the last, without end."""
    keys = CourtKeys(tmp_path / "pki", sandbox=True)
    seal = CourtSeal(keys.credentials(COURT), RENDERER.render_seal(COURT))
    pdf = RENDERER.render(DocumentKind.ASSISTANCE_NOTICE, COURT, CASE, "n", ISSUED, assistance_fields())
    first = seal.seal(pdf)
    with ThreadPoolExecutor(4) as threads:
        later = list(threads.map(lambda _: seal.seal(pdf), range(8)))
    assert {_alike(sealed) for sealed in later} == {_alike(first)}
    assert len(re.findall(rb"/Import[0-9a-f]{32}", later[-1])) == 2, "the page as a resource, and drawn once"
    assert all(verify_pdf(sealed, keys.ca()).ok for sealed in later)


def test_a_step_takes_one_number_and_numbers_follow_the_case(office: DocumentOffice) -> None:
    first = office.issue(request(DocumentKind.FREEZE_RULING, "wf-documents-test/freeze"))
    again = office.issue(request(DocumentKind.FREEZE_RULING, "wf-documents-test/freeze"))
    second = office.issue(request(DocumentKind.ASSISTANCE_NOTICE, "wf-documents-test/notice", **assistance_fields()))
    assert again == first
    assert first.number == "（2026）浙0102执123号之一" and second.number == "（2026）浙0102执123号之二"
    listed = office.store.listing(workflow_id="wf-documents-test")
    assert [d.title for d, _ in listed] == ["执行裁定书（冻结）", "协助执行通知书"]
    # Completed once: completing it again (a retry racing the first try) gives the first's number and hash.
    assert office.store.complete(first.document_id, "另一号", "0" * 64, first.issued_at) == first

    # Served (送达): the first receipt per recipient counts, another recipient's is added, none for no document.
    at = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)

    def served(recipient: str, when: datetime) -> list[tuple[str, datetime]]:
        records = office.record_service(
            second.document_id, recipient, ServiceMethod.ELECTRONIC, when, f"system:{recipient}", with_receipt=False
        )
        return [(r.recipient, r.served_at) for r in records]

    assert served("bank-icbc", at) == [("bank-icbc", at)]
    assert served("bank-icbc", at + timedelta(hours=1)) == [("bank-icbc", at)]
    assert served("bank-ccb", at + timedelta(hours=2)) == [("bank-icbc", at), ("bank-ccb", at + timedelta(hours=2))]
    listed = office.store.listing(workflow_id="wf-documents-test")
    assert [[r.recipient for r in records] for _, records in listed] == [[], ["bank-icbc", "bank-ccb"]]
    with pytest.raises(NotFound):
        office.record_service("doc-none", "bank-icbc", ServiceMethod.ELECTRONIC, at, "system", with_receipt=False)


def test_retries_of_a_step_racing_each_other_take_one_number(office: DocumentOffice) -> None:
    """Tries of the same steps from many threads at once: one document a step, the case's numbers 1..n with
    none skipped (a try that finds its step's key taken gives its number back), each try the step's one."""
    from store.documents import Draft

    draft = Draft(
        "wf-documents-test", None, CASE, COURT, DocumentKind.FREEZE_RULING, "执行裁定书（冻结）", "1", False, None
    )
    keys = [f"wf-documents-test/race-{i % 10}" for i in range(80)]
    with ThreadPoolExecutor(8) as threads:
        taken = list(threads.map(lambda key: (key, office.store.reserve(key, draft)), keys))
    by_key: dict[str, set[tuple[str, int]]] = {}
    for key, reservation in taken:
        by_key.setdefault(key, set()).add((reservation.document_id, reservation.ordinal))
    assert all(len(found) == 1 for found in by_key.values()), "one document a step"
    assert sorted(ordinal for ((_, ordinal),) in by_key.values()) == list(range(1, 11))


def test_a_missing_field_takes_no_number(office: DocumentOffice) -> None:
    with pytest.raises(MissingDocumentField):
        office.issue(request(DocumentKind.FREEZE_RULING, "wf-documents-test/bad", applicant_name="李四"))
    ok = office.issue(request(DocumentKind.FREEZE_RULING, "wf-documents-test/good"))
    assert ok.number.endswith("之一")


def test_the_president_signs_where_the_law_needs_it_and_a_correction_refers_to_its_document(
    office: DocumentOffice,
) -> None:
    from domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="DOCUMENT_PRESIDENT_REQUIRED"):
        office.issue(request(DocumentKind.DISHONEST_DECISION, "wf-documents-test/dishonest"))
    decision = office.issue(request(DocumentKind.DISHONEST_DECISION, "wf-documents-test/dishonest"), "王院长")
    assert decision.president
    with pytest.raises(ValidationFailed, match="DOCUMENT_CORRECTION_TARGET"):
        office.issue(request(DocumentKind.CORRECTION, "wf-documents-test/fix"))
    fix = office.issue(
        request(DocumentKind.CORRECTION, "wf-documents-test/fix").model_copy(update={"refers_to": decision.document_id})
    )
    assert fix.refers_to == decision.document_id
    assert office.store.get(decision.document_id) == decision  # the sealed original is never changed


def test_the_content_is_kept_only_encrypted(office: DocumentOffice, tmp_path: Path) -> None:
    issued = office.issue(request(DocumentKind.ASSISTANCE_NOTICE, "wf-documents-test/enc", **assistance_fields()))
    stored = office.blobs.path(issued.sha256).read_bytes()
    assert b"%PDF" not in stored and b"330106198503120319" not in stored
    assert office.blobs.path(issued.sha256).stat().st_mode & 0o777 == 0o600, "the owner's only"
    assert not list(office.blobs.root.rglob(".tmp-*")), "no temporary file left"
    db_file = (tmp_path / "web.db").read_bytes()
    assert "张三".encode() not in db_file and b"330106198503120319" not in db_file


def test_verify_document_checks_the_seal_and_the_register(
    office: DocumentOffice, tmp_path: Path, settings: Settings
) -> None:
    import os
    import sys

    issued = office.issue(request(DocumentKind.ASSISTANCE_NOTICE, "wf-documents-test/cli", **assistance_fields()))
    path = tmp_path / "notice.pdf"
    path.write_bytes(office.pdf(issued.document_id))
    env = {**os.environ, "OM_DATABASE_URL": office.store.db.url, "OM_VAR_DIR": str(tmp_path)}
    ca, tsa = str(office.keys.ca_path), str(settings.tsa_certificate_path)

    def verify(*extra: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "audit", "verify-document", str(path), "--ca", ca, "--tsa", tsa, *extra]
        return subprocess.run(argv, capture_output=True, text=True, env=env)

    ok = verify()
    assert ok.returncode == 0, ok.stderr
    assert issued.sha256 in ok.stdout and issued.number in ok.stdout and COURT in ok.stdout
    assert "timestamped" in ok.stdout, ok.stdout
    # This machine's own sandbox TSA (under OM_VAR_DIR) never stamped it: the timestamp is checked, not read.
    other_tsa = subprocess.run(
        [sys.executable, "-m", "audit", "verify-document", str(path), "--ca", ca],
        capture_output=True,
        text=True,
        env=env,
    )
    assert other_tsa.returncode == 1 and "timestamp" in other_tsa.stderr, other_tsa.stderr

    unknown = office.renderer.render(DocumentKind.ASSISTANCE_NOTICE, COURT, CASE, "n", ISSUED, assistance_fields())
    path.write_bytes(office.seal_for(COURT).seal(unknown))  # sealed, but never issued through the register
    assert verify().returncode == 1

    # A document of the register sealed without a timestamp (B-B): valid, said so, when sealed before the
    # cut-over; refused when sealed after it (the default cut-over is past).
    plain = DocumentOffice(office.store.db, office.blobs, office.keys, RENDERER)  # no TSA
    unstamped = plain.issue(request(DocumentKind.FREEZE_RULING, "wf-documents-test/cli-b-b"))
    path.write_bytes(plain.pdf(unstamped.document_id))
    env["OM_DOCUMENT_TIMESTAMPS_FROM"] = "2999-01-01T00:00:00+00:00"
    old = verify()
    assert old.returncode == 0 and "sealed before timestamps were introduced" in old.stdout, old.stderr
    del env["OM_DOCUMENT_TIMESTAMPS_FROM"]
    new = verify()
    assert new.returncode == 1 and "no signature timestamp" in new.stderr, new.stdout

    sealed = office.pdf(issued.document_id)
    at = sealed.index(b"stream", 2000) + 20
    path.write_bytes(sealed[:at] + bytes([sealed[at] ^ 0x01]) + sealed[at + 1 :])
    broken = verify()
    assert broken.returncode == 1 and "changed after sealing" in broken.stderr


def test_the_seal_writes_the_metadata_pyhanko_would(tmp_path: Path) -> None:
    """The sealing update edits Typst's XMP in place (documents/seal.py ``_IncrementalWriter``): the same
    metadata as pyHanko's own parse-and-rewrite — every property equal but the modification date, which
    both set to the sealing time, in the XMP and the info dictionary alike (PDF/A keeps the two equal)."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata import xmp_xml
    from pyhanko.pdf_utils.metadata.info import view_from_info_dict

    from documents.seal import _IncrementalWriter

    pdf = RENDERER.render(DocumentKind.ASSISTANCE_NOTICE, COURT, CASE, "n", ISSUED, assistance_fields())

    def metadata(writer: IncrementalPdfFileWriter) -> tuple[dict[Any, Any], dict[str, Any]]:
        writer._update_meta()
        xmp = xmp_xml.parse_xmp(io.BytesIO(writer.root["/Metadata"].data))
        fields = {key: value for structure in xmp for key, value in structure}
        assert writer._info is not None
        info = writer._info.get_object()
        return fields, {key: info[key] for key in info}

    ours_xmp, ours_info = metadata(_IncrementalWriter(io.BytesIO(pdf), strict=False))
    theirs_xmp, theirs_info = metadata(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False))
    assert ours_xmp.keys() == theirs_xmp.keys() and ours_info.keys() == theirs_info.keys()
    date = xmp_xml.model.XMP_MODDATE
    assert {k: v for k, v in ours_xmp.items() if k != date} == {k: v for k, v in theirs_xmp.items() if k != date}
    assert {k: v for k, v in ours_info.items() if k != "/ModDate"} == {
        k: v for k, v in theirs_info.items() if k != "/ModDate"
    }
    sealed_at = view_from_info_dict(ours_info).last_modified  # type: ignore[arg-type]
    theirs_at = view_from_info_dict(theirs_info).last_modified  # type: ignore[arg-type]
    assert isinstance(sealed_at, datetime) and isinstance(theirs_at, datetime)
    assert sealed_at.isoformat() == ours_xmp[date].value
    assert abs((sealed_at - theirs_at).total_seconds()) < 60
    assert ours_xmp[xmp_xml.model.PDF_PRODUCER].value.startswith("pyHanko")


def test_the_update_written_as_bytes_seals_as_pyhankos_path_does(tmp_path: Path) -> None:
    """A Typst document's seal is written as bytes (documents/seal_update.py); pyHanko's own path seals any
    other PDF. The two make the same seal: one signature over the whole file that pdfsig and pyHanko
    verify, in a field of the same name, place and flags on the last page, the same appearance, the same
    catalog entries and metadata. The same input still gives the same bytes before the seal."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    keys = CourtKeys(tmp_path / "pki", sandbox=True)
    seal = CourtSeal(keys.credentials(COURT), RENDERER.render_seal(COURT))
    pdf = RENDERER.render(DocumentKind.ASSISTANCE_NOTICE, COURT, CASE, "n", ISSUED, assistance_fields())
    assert pdf == RENDERER.render(DocumentKind.ASSISTANCE_NOTICE, COURT, CASE, "n", ISSUED, assistance_fields())
    ours, theirs = seal.seal(pdf), asyncio.run(seal._seal(pdf))
    for sealed in (ours, theirs):
        assert sealed.startswith(pdf) and verify_pdf(sealed, keys.ca()).ok
        path = tmp_path / "sealed.pdf"
        path.write_bytes(sealed)
        report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
        assert "Signature is Valid" in report and "Total document signed" in report, report

    def described(sealed: bytes) -> dict[str, object]:
        reader = PdfFileReader(io.BytesIO(sealed))
        (signature,) = reader.embedded_signatures
        field = signature.sig_field
        appearance = field["/AP"]["/N"]
        page = reader.root["/Pages"]["/Kids"][-1]
        catalog = {k: v for k, v in reader.root.items() if k not in ("/AcroForm", "/Metadata")}
        return {
            "field": (field["/T"], field["/FT"], field["/F"], list(field["/Rect"])),
            "on_the_last_page": field["/P"] == page,
            "annotations": [a.get_object()["/T"] for a in page["/Annots"]],
            "sig": {k: signature.sig_object[k] for k in ("/Filter", "/SubFilter", "/Name", "/Reason")},
            "appearance": re.sub(rb"/Import[0-9a-f]{32}", b"/Import", appearance.data),
            "box": list(appearance["/BBox"]),
            "fonts": sorted(
                font.get_object()["/BaseFont"]
                for form in appearance["/Resources"]["/XObject"].values()
                for font in form.get_object()["/Resources"]["/Font"].values()
            ),
            "catalog": repr(catalog),
            "sig_flags": reader.root["/AcroForm"]["/SigFlags"],
            "info": sorted(k for k in reader.trailer["/Info"] if k != "/ModDate"),
            "covered": signature.evaluate_signature_coverage().name,
        }

    assert described(ours) == described(theirs)
    # A PDF not of Typst's shape (here: updated once already) is sealed by pyHanko's path.
    from pyhanko.pdf_utils.generic import NameObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    updated, writer = io.BytesIO(), IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/PageMode"] = NameObject("/UseNone")
    writer.update_root()
    writer.write(updated)
    other = updated.getvalue()
    assert seal_update.plan(other) is None and verify_pdf(seal.seal(other), keys.ca()).ok
