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

import base64
import binascii
import hashlib
import io
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.concurrency import run_in_threadpool

from adapters.sandbox.wire import SealedDocument
from simulators.errors import SimulatorError

DOCUMENT_REQUIRED = "DOCUMENT_REQUIRED"  # no notice sent
DOCUMENT_SEAL_INVALID = "DOCUMENT_SEAL_INVALID"  # not sealed, changed, or not by a court the CA certified
DOCUMENT_MISMATCH = "DOCUMENT_MISMATCH"  # sealed, but for another partner, act, asset or amount

# The signature dictionary's byte range: the file from 0 to the /Contents hole, and from its end on.
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"  # ESS signing-certificate-v2 (RFC 5035), under the seal
_REMEMBERED_CERTIFICATES = 1024  # courts' certificates a partner keeps; past it, it forgets them all


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
        act: str,
        references: tuple[str, ...],
        amount_fen: int | None,
    ) -> None:
        """Refuses unless ``document`` is a valid sealed notice to ``partner_id`` to ``act`` on one of
        ``references`` (the account, or the measure it is frozen under) for ``amount_fen``. Under a remembered
        certificate it runs on the event loop (~1.5 ms: a hand-off to a thread cost more); pyHanko's whole
        way runs in the threadpool."""
        if document is None:
            raise SimulatorError(422, DOCUMENT_REQUIRED, "缺少加盖法院电子印章的协助执行通知书 (document)")
        try:
            pdf = base64.b64decode(document.pdf_base64, validate=True)
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
        if said.get("act") != act:
            problems.append("协助事项")
        if said.get("asset_reference") not in references:
            problems.append("账户或财产")
        if amount_fen is not None and said.get("amount_fen") != str(amount_fen):
            problems.append("金额")
        if problems:
            raise SimulatorError(422, DOCUMENT_MISMATCH, f"协助执行通知书与本次请求不符: {'、'.join(problems)}")

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
    or more than one, byte range; another algorithm; anything but zeros after the container; an unreadable
    container)."""
    from asn1crypto import cms, tsp  # tsp: names the ESS signing-certificate-v2 attribute for cms
    from asn1crypto.core import Void

    ranges = _BYTE_RANGE.findall(pdf)
    if len(ranges) != 1:
        return None
    start, end, length = (int(n) for n in ranges[0])
    if not (0 < start < end and end + length == len(pdf) and pdf[start : start + 1] == b"<" and pdf[end - 1] == 0x3E):
        return None
    try:
        data = binascii.unhexlify(pdf[start + 1 : end - 1])
        content = cms.ContentInfo.load(data)
        if data[len(content.dump()) :].strip(b"\0"):
            return None
        signed = content["content"]
        (signer,) = signed["signer_infos"]
        # The parts the same for every notice under a certificate (asn1crypto dumps them as received).
        fixed = [
            content["content_type"], signed["version"], signed["digest_algorithms"], signed["encap_content_info"],
            signed["certificates"], signed["crls"], signer["version"], signer["sid"], signer["digest_algorithm"],
            signer["signature_algorithm"],
        ]  # fmt: skip
        if content["content_type"].native != "signed_data":
            return None
        certificate = _signer_certificate(signed, signer)
        digest = hashlib.sha256(memoryview(pdf)[:start])
        digest.update(memoryview(pdf)[end:])
        sound = _signed_over(signer, certificate, digest.digest(), "data")
        tokens = signer["unsigned_attrs"]
        if not isinstance(tokens, Void):  # B-T: its timestamp's value over its TSTInfo, which is over the seal's
            ((stamp,),) = (a["values"] for a in tokens if a["type"].native == "signature_time_stamp_token")
            stamped = stamp["content"]
            (stamper,) = stamped["signer_infos"]
            fixed += [
                tokens[0]["type"], stamp["content_type"], stamped["version"], stamped["digest_algorithms"],
                stamped["encap_content_info"]["content_type"], stamped["certificates"], stamped["crls"],
                stamper["version"], stamper["sid"], stamper["digest_algorithm"], stamper["signature_algorithm"],
                stamper["unsigned_attrs"],
            ]  # fmt: skip
            if len(tokens) != 1:
                return None
            tst_info = stamped["encap_content_info"]["content"].contents
            imprint = tsp.TSTInfo.load(tst_info)["message_imprint"]
            sound = (
                sound
                and imprint["hash_algorithm"]["algorithm"].native == "sha256"
                and imprint["hashed_message"].native == hashlib.sha256(signer["signature"].native).digest()
                and _signed_over(
                    stamper, _signer_certificate(stamped, stamper), hashlib.sha256(tst_info).digest(), "tst_info"
                )
            )
        form = hashlib.sha256(b"".join(part.dump() for part in fixed)).digest()
    except _UnreadableContainer:
        return None
    return CourtSignature(certificate, form, sound)


# Anything this path cannot read goes pyHanko's whole way, whose verdict (never an exception) decides.
_UnreadableContainer = (ValueError, KeyError, TypeError, StopIteration, IndexError, AttributeError, OverflowError)


def _signer_certificate(signed: Any, signer: Any) -> bytes:
    """The DER of the certificate ``signer`` (a CMS SignerInfo) names among ``signed``'s."""
    sid = signer["sid"].chosen
    return next(
        c.chosen.dump()
        for c in signed["certificates"]
        if c.name == "certificate"
        and c.chosen.serial_number == sid["serial_number"].native
        and c.chosen.issuer.dump() == sid["issuer"].dump()
    )


def _signed_over(signer: Any, certificate_der: bytes, content_digest: bytes, content_type: str) -> bool:
    """Whether ``signer`` (a CMS SignerInfo, ECDSA over SHA-256) signed ``content_digest`` of content of
    ``content_type`` under ``certificate_der``'s key, naming that certificate (ESS signing-certificate-v2)."""
    from asn1crypto import tsp

    if (
        signer["digest_algorithm"]["algorithm"].native != "sha256"
        or signer["signature_algorithm"].signature_algo != "ecdsa"
        or signer["signature_algorithm"].hash_algo != "sha256"
    ):
        raise ValueError("not ECDSA over SHA-256")
    attrs_der = signer["signed_attrs"].dump()
    attributes = {a["type"].dotted: a["values"] for a in signer["signed_attrs"]}
    (named,) = tsp.SigningCertificateV2.load(attributes[_SIGNING_CERTIFICATE_V2][0].dump())["certs"]
    if not (
        attributes["1.2.840.113549.1.9.3"][0].native == content_type
        and attributes["1.2.840.113549.1.9.4"][0].native == content_digest
        and named["hash_algorithm"]["algorithm"].native == "sha256"
        and named["cert_hash"].native == hashlib.sha256(certificate_der).digest()
    ):
        return False
    key = x509.load_der_x509_certificate(certificate_der).public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an EC key")
    try:  # the value signs the DER of the signed attributes as a SET OF (RFC 5652 §5.4), not as [0]
        key.verify(signer["signature"].native, b"\x31" + attrs_der[1:], ec.ECDSA(hashes.SHA256()))
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
