"""What a real bank or registry does before it freezes, deducts or seizes: it acts only on the court's
sealed 协助执行通知书 for that account or asset and that amount (查扣冻规定 Art. 1; 网络查冻规定 Arts 4, 10).

The simulated partners check the document sent with the request (``adapters.sandbox.wire.SealedDocument``):
the PDF's hash is the one named; its seal is one PAdES signature over the whole file by a court
certificate the courts' CA issued; the keywords under the seal name this partner, the act, the asset and
the amount asked. Each failure is a refusal with its own code; nothing is done.

A court seals every notice with the same certificate, so a partner validates a certificate's chain once
(pyHanko and its path validation, ``documents.seal.verify_pdf``) and remembers it by fingerprint, as a bank
keeps the courts' certificates it has checked — with the container's form: every byte of the CMS that is the
same for each notice (certificates, algorithms, identifiers, the TSA's too). Every later notice under that
certificate in that form is still checked for itself (:func:`court_signature`): the signature covers the whole
file, its digest is this file's, the seal's value verifies under the remembered certificate's key, its
timestamp, if any, is over that value and signed by the TSA's key, and the certificate is within its validity.
So a byte changed anywhere in the container either breaks a signature or changes the form.
Anything else — another certificate, a layout or algorithm this path does not read, any failed check — goes
the full way, whose verdict (and its message) decides.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import io
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pybase64
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.concurrency import run_in_threadpool

from adapters.sandbox.wire import NoticeOnFile, SealedDocument
from simulators.errors import SimulatorError

DOCUMENT_REQUIRED = "DOCUMENT_REQUIRED"  # no notice sent
DOCUMENT_SEAL_INVALID = "DOCUMENT_SEAL_INVALID"  # not sealed, changed, or not by a court the CA certified
DOCUMENT_MISMATCH = "DOCUMENT_MISMATCH"  # sealed, but for another partner, act, asset or amount

# The signature dictionary's byte range: the file from 0 to the /Contents hole, and from its end on.
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_REMEMBERED_CERTIFICATES = 1024  # courts' certificates a partner keeps; past it, it forgets them all


@dataclass(frozen=True)
class FiledNotice:
    """A notice a partner acted on, kept with the measure: what a later act that names it (``NoticeOnFile``) is
    checked against — the 冻结、扣划 notice a freeze was registered on orders the deduction up to its amount."""

    sha256: str
    act: str
    amount_fen: int | None


@dataclass(frozen=True)
class CourtSignature:
    """A PAdES signature read from a sealed PDF: the signer's certificate; the container's form — every byte of
    it that is the same for each notice a court seals (the certificates, algorithms, identifiers; the TSA's
    too); and whether the parts that differ hold: the seal's value over the whole file under that
    certificate's key, and the timestamp's value over its ``TSTInfo``, which is over the seal's value."""

    certificate_der: bytes
    form: bytes  # SHA-256 of the container's fixed parts
    sound: bool

    @property
    def known_as(self) -> tuple[bytes, bytes]:
        """What a partner remembers once pyHanko validated such a seal: this certificate in this form."""
        return hashlib.sha256(self.certificate_der).digest(), self.form


class DocumentCheck:
    """The courts' CA a partner trusts, loaded once, and the court certificates it has validated under it."""

    def __init__(self, ca_file: Path) -> None:
        self.ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
        # (certificate fingerprint, container form) → a court certificate pyHanko validated in that form
        self._trusted: dict[tuple[bytes, bytes], x509.Certificate] = {}
        self._lock = threading.Lock()
        self.full_checks = 0  # documents that went pyHanko's whole way (tests count them)

    async def require(
        self,
        document: SealedDocument | None,
        *,
        partner_id: str,
        acts: tuple[str, ...],
        references: tuple[str, ...],
        amount_fen: int | None,
    ) -> FiledNotice:
        """Refuses unless ``document`` is a valid sealed notice to ``partner_id`` to do one of ``acts`` on one of
        ``references`` (the account, or the measure it is frozen under) for ``amount_fen``; else the notice as
        the partner files it with the measure. Under a remembered
        certificate it runs on the event loop (~1.5 ms: a hand-off to a thread cost more); pyHanko's whole
        way runs in the threadpool."""
        if document is None:
            raise SimulatorError(422, DOCUMENT_REQUIRED, "缺少加盖法院电子印章的协助执行通知书 (document)")
        try:  # pybase64: ~5 µs a notice where the standard library's validating decode took ~190
            pdf = pybase64.b64decode(document.pdf_base64, validate=True)
        except (binascii.Error, ValueError):
            raise SimulatorError(422, DOCUMENT_SEAL_INVALID, "协助执行通知书不是有效的 base64 PDF") from None
        if hashlib.sha256(pdf).hexdigest() != document.sha256:
            raise SimulatorError(422, DOCUMENT_SEAL_INVALID, "协助执行通知书的 SHA-256 与所附文件不符")
        signature = court_signature(pdf)
        if not self._remembered(signature):
            problem = await run_in_threadpool(self._full_check, pdf, signature)
            if problem is not None:
                raise SimulatorError(422, DOCUMENT_SEAL_INVALID, f"协助执行通知书的电子印章无效: {problem}")
        said = keywords(pdf)
        problems = []
        if said.get("recipient_id") != partner_id:
            problems.append("收件单位")
        if said.get("act") not in acts:
            problems.append("协助事项")
        if said.get("asset_reference") not in references:
            problems.append("账户或财产")
        if amount_fen is not None and said.get("amount_fen") != str(amount_fen):
            problems.append("金额")
        if problems:
            raise SimulatorError(422, DOCUMENT_MISMATCH, f"协助执行通知书与本次请求不符: {'、'.join(problems)}")
        return FiledNotice(sha256=document.sha256, act=said["act"], amount_fen=amount_fen)

    @staticmethod
    def require_on_file(named: NoticeOnFile, filed: FiledNotice | None, *, act: str, amount_fen: int) -> None:
        """Refuses unless ``named`` is the notice on file for the measure (``filed``: the one its freeze was
        registered on), ordering ``act`` for at least ``amount_fen``."""
        if filed is None or filed.sha256 != named.sha256:
            raise SimulatorError(
                422, DOCUMENT_MISMATCH, "所称协助执行通知书不是本单位办理该冻结所依据的通知书, 请附送扣划的通知书"
            )
        if filed.act != act:
            raise SimulatorError(422, DOCUMENT_REQUIRED, "该冻结的协助执行通知书未载明扣划, 请附送扣划的协助执行通知书")
        if filed.amount_fen is not None and amount_fen > filed.amount_fen:
            raise SimulatorError(422, DOCUMENT_MISMATCH, "协助执行通知书与本次请求不符: 金额")

    def _remembered(self, signature: CourtSignature | None) -> bool:
        """Whether ``signature`` holds under a certificate validated before, within its validity now."""
        if signature is None or not signature.sound:
            return False
        known = self._trusted.get(signature.known_as)
        return known is not None and known.not_valid_before_utc <= datetime.now(UTC) <= known.not_valid_after_utc

    def _full_check(self, pdf: bytes, signature: CourtSignature | None) -> str | None:
        """pyHanko's verdict on ``pdf``'s seal: None when it holds, else why not. A certificate it validates
        is remembered when this path read the same signature as sound."""
        from documents.seal import verify_pdf  # pyHanko: loaded when a partner first checks a seal

        with self._lock:
            self.full_checks += 1
        verdict = verify_pdf(pdf, self.ca)
        if not verdict.ok:
            return verdict.message
        if signature is not None and signature.sound:  # the chain pyHanko validated is this certificate's
            with self._lock:
                if len(self._trusted) >= _REMEMBERED_CERTIFICATES:
                    self._trusted.clear()
                self._trusted[signature.known_as] = x509.load_der_x509_certificate(signature.certificate_der)
        return None


def court_signature(pdf: bytes) -> CourtSignature | None:
    """The one PAdES signature of ``pdf`` if it covers the whole file but its /Contents hole and is ECDSA over
    SHA-256 (as the courts' seals are), its signature timestamp, if any, likewise; None for any other form (no,
    or more than one, byte range; another algorithm or layout; anything but zeros after the container; a
    container not in DER).

    The container is read as DER spans (:class:`_Der`: every length definite and shortest, every constructed
    element exactly its children); building asn1crypto's objects for every notice cost ~0.7 ms of the ~1 ms
    this took. Only the certificate a signer names is looked up with asn1crypto, once for each (certificates,
    signer identifier), both parts of the form."""
    ranges = _BYTE_RANGE.findall(pdf)
    if len(ranges) != 1:
        return None
    start, end, length = (int(n) for n in ranges[0])
    if not (0 < start < end and end + length == len(pdf) and pdf[start : start + 1] == b"<" and pdf[end - 1] == 0x3E):
        return None
    try:
        der = _Der(binascii.unhexlify(pdf[start + 1 : end - 1]))
        seal = _signed_data(der, der.top(), _DATA)
        certificate = _signer_certificate(der.raw(seal.certificates), der.raw(seal.sid))
        digest = hashlib.sha256(memoryview(pdf)[:start])
        digest.update(memoryview(pdf)[end:])
        sound = _signed_over(der, seal, certificate, digest.digest(), _DATA)
        fixed = seal.fixed
        if seal.unsigned is not None:  # B-T: its timestamp's value over its TSTInfo, which is over the seal's
            attribute = der.only(seal.unsigned, 0x30)
            kind, values = der.children(attribute, (0x06, 0x31))
            if der.contents(kind) != _SIGNATURE_TIME_STAMP_TOKEN:
                return None
            stamp = _signed_data(der, der.only(values, 0x30), _TST_INFO)
            fixed += der.raw(kind) + stamp.fixed
            tst_info = der.contents(stamp.content)
            fields = der.tagged(der.top(stamp.content))  # TSTInfo: version, policy, message imprint, …
            if [tag for tag, _ in fields[:3]] != [0x02, 0x06, 0x30]:
                return None
            (_, version), _policy, (_, imprint) = fields[:3]
            algorithm, hashed = der.children(imprint, (0x30, 0x04))
            sound = (
                sound
                and der.contents(version) == b"\x01"
                and der.raw(algorithm) in _SHA256
                and der.contents(hashed) == hashlib.sha256(der.contents(seal.signature)).digest()
                and _signed_over(
                    der,
                    stamp,
                    _signer_certificate(der.raw(stamp.certificates), der.raw(stamp.sid)),
                    hashlib.sha256(tst_info).digest(),
                    _TST_INFO,
                )
            )
        form = hashlib.sha256(fixed).digest()
    except _UnreadableContainer:
        return None
    return CourtSignature(certificate, form, sound)


# Anything this path cannot read goes pyHanko's whole way, whose verdict (never an exception) decides.
_UnreadableContainer = (ValueError, KeyError, TypeError, StopIteration, IndexError, AttributeError, OverflowError)

# The DER contents of the object identifiers read; the encodings of SHA-256 and ECDSA with SHA-256 accepted.
_SIGNED_DATA = bytes.fromhex("2a864886f70d010702")
_DATA = bytes.fromhex("2a864886f70d010701")
_TST_INFO = bytes.fromhex("2a864886f70d0109100104")
_SIGNATURE_TIME_STAMP_TOKEN = bytes.fromhex("2a864886f70d010910020e")
_CONTENT_TYPE = bytes.fromhex("2a864886f70d010903")
_MESSAGE_DIGEST = bytes.fromhex("2a864886f70d010904")
_SIGNING_CERTIFICATE_V2 = bytes.fromhex("2a864886f70d010910022f")  # ESS signing-certificate-v2 (RFC 5035)
_SHA256 = (bytes.fromhex("300d06096086480165030402010500"), bytes.fromhex("300b0609608648016503040201"))
_ECDSA_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")

Span = tuple[int, int, int]  # a DER element: where its header starts, where its contents start and end


class _Der:
    """A DER encoding read as spans: each element's tag is checked, its length must be definite, in its
    shortest form and within its parent; children must fill their parent exactly."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def top(self, within: Span | None = None) -> Span:
        """The one SEQUENCE that is the whole of ``within``'s contents (of the data: followed only by zeros)."""
        start, end = (0, len(self.data)) if within is None else within[1:]
        tag, span = self.element(start, end)
        if tag != 0x30 or (self.data[span[2] : end].strip(b"\0") if within is None else span[2] != end):
            raise ValueError("not one SEQUENCE")
        return span

    def tagged(self, parent: Span) -> list[tuple[int, Span]]:
        out, at = [], parent[1]
        while at < parent[2]:
            tag, span = self.element(at, parent[2])
            out.append((tag, span))
            at = span[2]
        return out

    def children(self, parent: Span, tags: tuple[int, ...]) -> list[Span]:
        elements = self.tagged(parent)
        if tuple(tag for tag, _ in elements) != tags:
            raise ValueError("other elements than expected")
        return [span for _, span in elements]

    def only(self, parent: Span, tag: int) -> Span:
        ((found, span),) = self.tagged(parent)
        if found != tag:
            raise ValueError("another element")
        return span

    def raw(self, span: Span) -> bytes:
        return self.data[span[0] : span[2]]

    def contents(self, span: Span) -> bytes:
        return self.data[span[1] : span[2]]

    def element(self, at: int, end: int) -> tuple[int, Span]:
        """The tag and span of the element at ``at``, which must end by ``end``."""
        data = self.data
        if at + 2 > end or data[at] & 0x1F == 0x1F:
            raise ValueError("truncated, or a tag number above 30")
        tag, size, first = data[at], data[at + 1], at + 2
        if size & 0x80:
            count = size & 0x7F
            if not 1 <= count <= 4 or first + count > end:
                raise ValueError("an indefinite or over-long length")
            size = int.from_bytes(data[first : first + count], "big")
            if size < 0x80 or data[first] == 0:
                raise ValueError("a length not in its shortest form")
            first += count
        if first + size > end:
            raise ValueError("an element longer than its parent")
        return tag, (at, first, first + size)


@dataclass(frozen=True)
class _SignedData:
    """A CMS ContentInfo holding SignedData with one signer, ECDSA over SHA-256, as spans; ``fixed``: the
    bytes of every part the same for each notice under a certificate (all but the encapsulated content,
    the signed attributes, the signature and the unsigned attributes — for a timestamp, its unsigned
    attributes too); ``content``: the encapsulated content (a TSTInfo's OCTET STRING), else the empty
    encapsulated content info of a detached signature."""

    fixed: bytes
    certificates: Span
    sid: Span
    signed_attrs: Span
    signature: Span
    unsigned: Span | None
    content: Span


def _signed_data(der: _Der, content_info: Span, content_type: bytes) -> _SignedData:
    kind, explicit = der.children(content_info, (0x06, 0xA0))
    if der.contents(kind) != _SIGNED_DATA:
        raise ValueError("not signed data")
    elements = der.tagged(der.only(explicit, 0x30))
    tags = [tag for tag, _ in elements]
    if tags not in ([0x02, 0x31, 0x30, 0xA0, 0x31], [0x02, 0x31, 0x30, 0xA0, 0xA1, 0x31]):
        raise ValueError("not SignedData with certificates and a set of signers")
    spans = [span for _, span in elements]
    version, algorithms, encapsulated, certificates, *crls, signers = spans
    if content_type == _TST_INFO:  # the token carries its TSTInfo
        encapsulated_type, wrapped = der.children(encapsulated, (0x06, 0xA0))
        content = der.only(wrapped, 0x04)
    else:  # the seal is detached: the PDF is the content
        (encapsulated_type,) = der.children(encapsulated, (0x06,))
        content = encapsulated
    if der.contents(encapsulated_type) != content_type:
        raise ValueError("another content type")
    signer = der.tagged(der.only(signers, 0x30))
    tags = [tag for tag, _ in signer]
    if tags not in ([0x02, 0x30, 0x30, 0xA0, 0x30, 0x04], [0x02, 0x30, 0x30, 0xA0, 0x30, 0x04, 0xA1]):
        raise ValueError("not a SignerInfo with signed attributes, by issuer and serial number")
    signer_version, sid, digest_algorithm, signed_attrs, signature_algorithm, signature, *unsigned = (
        span for _, span in signer
    )
    if der.raw(digest_algorithm) not in _SHA256 or der.raw(signature_algorithm) != _ECDSA_SHA256:
        raise ValueError("not ECDSA over SHA-256")
    fixed = [kind, version, algorithms, encapsulated_type, certificates, *crls, signer_version, sid, digest_algorithm]
    fixed.append(signature_algorithm)
    if content_type == _TST_INFO:
        fixed += unsigned
    return _SignedData(
        fixed=b"".join(der.raw(span) for span in fixed),
        certificates=certificates,
        sid=sid,
        signed_attrs=signed_attrs,
        signature=signature,
        unsigned=unsigned[0] if unsigned and content_type != _TST_INFO else None,
        content=content,
    )


@functools.lru_cache(maxsize=64)
def _signer_certificate(certificates: bytes, sid: bytes) -> bytes:
    """The DER of the certificate that ``sid`` (an IssuerAndSerialNumber) names among ``certificates`` (a
    SignedData's [0] set of them): the same two parts in every notice of a court, so looked up once."""
    from asn1crypto import cms
    from asn1crypto import x509 as asn1_x509

    named = cms.IssuerAndSerialNumber.load(sid)
    der = _Der(certificates)
    _, every = der.element(0, len(certificates))
    for tag, span in der.tagged(every):
        if tag == 0x30:  # a certificate (the other choices are attribute certificates and the like)
            candidate = asn1_x509.Certificate.load(der.raw(span))
            if (
                candidate.serial_number == named["serial_number"].native
                and candidate.issuer.dump() == named["issuer"].dump()
            ):
                return der.raw(span)
    raise ValueError("the signer's certificate is not in the container")


@functools.lru_cache(maxsize=64)
def _public_key(certificate_der: bytes) -> ec.EllipticCurvePublicKey:
    key = x509.load_der_x509_certificate(certificate_der).public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an EC key")
    return key


def _signed_over(
    der: _Der, signed: _SignedData, certificate_der: bytes, content_digest: bytes, content_type: bytes
) -> bool:
    """Whether ``signed``'s signer signed ``content_digest`` of content of ``content_type`` under
    ``certificate_der``'s key, naming that certificate (ESS signing-certificate-v2); each of those attributes
    once, with one value."""
    attributes: dict[bytes, Span] = {}
    for attribute in der.tagged(signed.signed_attrs):
        if attribute[0] != 0x30:
            raise ValueError("not an attribute")
        kind, values = der.children(attribute[1], (0x06, 0x31))
        if der.contents(kind) in attributes:
            raise ValueError("an attribute twice")
        attributes[der.contents(kind)] = values
    typed = der.only(attributes[_CONTENT_TYPE], 0x06)
    digest = der.only(attributes[_MESSAGE_DIGEST], 0x04)
    (tag, certs), *_policies = der.tagged(der.only(attributes[_SIGNING_CERTIFICATE_V2], 0x30))
    if tag != 0x30:
        raise ValueError("no certificates named")
    named = der.tagged(der.only(certs, 0x30))  # ESSCertIDv2: [hash algorithm, default SHA-256], hash, [issuer]
    if named and named[0][0] == 0x30:
        if der.raw(named[0][1]) not in _SHA256:
            return False
        named = named[1:]
    if not named or named[0][0] != 0x04:
        raise ValueError("no certificate hash")
    if not (
        der.contents(typed) == content_type
        and der.contents(digest) == content_digest
        and der.contents(named[0][1]) == hashlib.sha256(certificate_der).digest()
    ):
        return False
    attrs = der.raw(signed.signed_attrs)
    try:  # the value signs the DER of the signed attributes as a SET OF (RFC 5652 §5.4), not as [0]
        _public_key(certificate_der).verify(
            der.contents(signed.signature), b"\x31" + attrs[1:], ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        return False
    return True


def keywords(pdf: bytes) -> dict[str, str]:
    """The ``name=value`` keywords of the PDF's document information (covered by the seal): read from the
    last cross-reference section when the file is of the plain shape :func:`_info_keywords` reads (the text
    made from the string's bytes by pyHanko's own decoding), else by pyHanko's reader, which parses every
    revision's cross-reference table (~0.5 ms a notice)."""
    raw = _info_keywords(pdf)
    if raw is None:
        from pyhanko.pdf_utils.reader import PdfFileReader

        info = PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view.get("/Info")
        raw = str(info.get_object().get("/Keywords", "")) if info is not None else ""
    out: dict[str, str] = {}
    for part in raw.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out


# The last revision of a PDF, read as pyHanko's reader reads it, for one plain shape only (else None, and
# pyHanko's reader decides): the file starts with its header and ends in the lines ``startxref``, ``N``,
# ``%%EOF``; at N stands a classic cross-reference section, then its trailer, then that ``startxref``; the
# trailer names /Info by reference, has no /Encrypt or /XRefStm, and its /Prev, if any, points at a
# cross-reference section; the last section lists /Info's object in use, and at its offset stands
# ``num gen obj << … >> endobj``. Dictionaries hold names, numbers, references, strings (literal without
# escapes or parentheses, or hex) and arrays of strings, each key once; anything else — a stream, an escape,
# a comment, a name with #, the object only in an earlier revision — is left to pyHanko. The earlier
# revisions, which pyHanko parses too, are not read again: keywords are read only once the seal holds, over
# the whole file.
_WS = rb"[\t\n\x0c\r ]"
_EOL = rb"(?:\r\n|\r|\n)"
_DELIMITED = rb"(?=[\t\n\x0c\r ()<>\[\]{}/%])"
_STRING = rb"\([^()\\]*\)|<[0-9A-Fa-f]*>"
_HEADER = re.compile(rb"%PDF-\d\.\d")
_STARTXREF_AT_END = re.compile(_EOL + rb"startxref" + _EOL + rb"(\d+)" + _EOL + rb"%%EOF" + _EOL + rb"?\Z")
_XREF_HEAD = re.compile(rb"xref" + _EOL)
_XREF_SUBSECTION = re.compile(rb"(\d+) (\d+) ?" + _EOL)
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([fn])(?: \r| \n|\r\n)")
_TRAILER_HEAD = re.compile(rb"trailer" + _WS + rb"*<<")
_DICT_END = re.compile(_WS + rb"*>>")
_KEY = re.compile(_WS + rb"*/([A-Za-z0-9_.+\-]+)" + _DELIMITED)
_VALUE = re.compile(
    rb"%s*(?:(?P<ref>(\d+)%s+(\d+)%s+R)%s|(?P<string>%s)|(?P<other>(?:/[A-Za-z0-9_.+\-]+|[+-]?\d+(?:\.\d*)?"
    rb"|\[(?:%s*(?:%s))*%s*\])%s))" % (_WS, _WS, _WS, _DELIMITED, _STRING, _WS, _STRING, _WS, _DELIMITED)
)
_OBJECT_HEAD = re.compile(rb"(\d+)%s+(\d+)%s+obj%s*<<" % (_WS, _WS, _WS))
_OBJECT_END = re.compile(_WS + rb"*endobj")


def _info_keywords(pdf: bytes) -> str | None:
    """The /Keywords text of the last revision's document information, or None when the file is not of the
    plain shape described above (then pyHanko's reader decides)."""
    tail = _STARTXREF_AT_END.search(pdf, max(0, len(pdf) - 64))
    if tail is None or _HEADER.match(pdf) is None:
        return None
    section = _XREF_HEAD.match(pdf, int(tail.group(1)))
    if section is None:
        return None
    listed: dict[int, tuple[int, int, bytes]] = {}  # number → (offset, generation, n|f)
    at = section.end()
    while (head := _XREF_SUBSECTION.match(pdf, at)) is not None:
        first, count = int(head.group(1)), int(head.group(2))
        at = head.end()
        for number in range(first, first + count):
            entry = _XREF_ENTRY.match(pdf, at)
            if entry is None or number in listed:
                return None
            listed[number] = (int(entry.group(1)), int(entry.group(2)), entry.group(3))
            at = entry.end()
    trailer_head = _TRAILER_HEAD.match(pdf, at)
    if trailer_head is None:
        return None
    trailer = _dictionary(pdf, trailer_head.end())
    if trailer is None or pdf[trailer[1] : tail.start()].strip(b"\t\n\x0c\r "):
        return None
    entries = trailer[0]
    info, size, previous = entries.get(b"Info"), entries.get(b"Size"), entries.get(b"Prev")
    if b"Encrypt" in entries or b"XRefStm" in entries or info is None or size is None or info[0] != "ref":
        return None
    if previous is not None and not (previous[1].isdigit() and _XREF_HEAD.match(pdf, int(previous[1]))):
        return None
    number, generation = info[1]
    where = listed.get(number)
    if where is None or where[1] != generation or where[2] != b"n" or number >= int(size[1]):
        return None
    head = _OBJECT_HEAD.match(pdf, where[0])
    if head is None or (int(head.group(1)), int(head.group(2))) != (number, generation):
        return None
    body = _dictionary(pdf, head.end())
    if body is None or _OBJECT_END.match(pdf, body[1]) is None:
        return None
    value = body[0].get(b"Keywords")
    if value is None:
        return ""
    if value[0] != "string":
        return None
    from pyhanko.pdf_utils.generic import pdf_string

    token: bytes = value[1]
    if token.startswith(b"("):
        raw = token[1:-1]
    else:
        digits = token[1:-1]
        raw = binascii.unhexlify(digits + b"0" * (len(digits) % 2))  # pyHanko pads an odd digit so
    return str(pdf_string(raw))


def _dictionary(pdf: bytes, at: int) -> tuple[dict[bytes, tuple[str, Any]], int] | None:
    """The plain dictionary whose entries start at ``at`` (after ``<<``): its entries, each (kind, value), and
    the offset after its ``>>``; None for anything else."""
    entries: dict[bytes, tuple[str, Any]] = {}
    while (end := _DICT_END.match(pdf, at)) is None:
        key = _KEY.match(pdf, at)
        if key is None or key.group(1) in entries:
            return None
        value = _VALUE.match(pdf, key.end())
        if value is None:
            return None
        if value.group("ref") is not None:
            entries[key.group(1)] = ("ref", (int(value.group(2)), int(value.group(3))))
        elif value.group("string") is not None:
            entries[key.group(1)] = ("string", value.group("string"))
        else:
            entries[key.group(1)] = ("other", value.group("other"))
        at = value.end()
    return entries, end.end()
