"""The court's seal on a document (电子签章): a PAdES signature (B-B) made with pyHanko under the court's
key and certificate, whose appearance is the court's red round seal, put over the court's name and date
at the bottom of the last page.

An electronic signature is reliable when only the signer controls its data and any later change to the
signature or the content can be detected (电子签名法 Art. 13); such a seal equals a physical one (Art. 14).
Verification (:func:`verify_pdf`) checks the signature covers the whole file, is intact, and chains to the
trusted CA; poppler's ``pdfsig`` shows the same with no project code.

With a time-stamping authority (documents/timestamps.py) the seal is PAdES B-T: pyHanko asks the TSA for an
RFC 3161 token over the signature value and keeps it as the unsigned attribute ``signature-time-stamp-token``;
:func:`verify_pdf` then also checks that token (intact, over this signature, by a certificate the TSA's root
issued). Without one the signing time is the signer's claim (B-B): valid for a seal made before timestamps
were required (``Settings.document_timestamps_from``), refused after.
"""

from __future__ import annotations

import asyncio
import binascii
import functools
import hashlib
import io
import re
import threading
import uuid
import warnings
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, TypeVar
from xml.sax.saxutils import escape

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pyHanko imports DSA, which cryptography warns is deprecated
    from pyhanko.pdf_utils.content import ImportedPdfPage, PdfResources
    from pyhanko.pdf_utils.generic import DictionaryObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.metadata import xmp_xml
    from pyhanko.pdf_utils.metadata.info import update_info_dict
    from pyhanko.pdf_utils.metadata.model import VENDOR
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.stamp import StaticStampStyle
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

from documents import seal_update
from documents.der import der
from documents.pki import CourtCredentials

T = TypeVar("T")
A = TypeVar("A")
FIELD_NAME = "CourtSeal"
SIGNATURE_BYTES = 8192  # an ECDSA signature with its certificate and the CA's is about 2 KB
# Where base.typ's seal block puts the court's name and date on the last page (PDF points, A4, from the
# bottom left): the seal is laid over them. The two are kept together.
SEAL_BOX = (377, 68, 496, 187)


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class CourtSeal:
    """Seals one court's documents; built once per court and process (the appearance is rendered once).

    A document Typst rendered is sealed by an update written as bytes (documents/seal_update.py: the
    same seal as pyHanko's, tests/documents/test_documents.py holds them to it); any other PDF by
    pyHanko's own signer, step by step (:meth:`_seal`)."""

    def __init__(self, creds: CourtCredentials, seal_pdf: bytes, timestamper: TimeStamper | None = None) -> None:
        self.signer = TemplateSigner(creds)
        style = StaticStampStyle(border_width=0, background=_SealPage(seal_pdf), background_opacity=1)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            name=creds.court,
            reason="人民法院电子印章",
        )
        self._signer = signers.PdfSigner(
            meta,
            signer=self.signer,
            timestamper=timestamper,  # PAdES B-T: one round trip to the TSA per document
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=-1, box=SEAL_BOX),
        )
        self._timestamper = timestamper
        self._lock = threading.Lock()
        with self._lock:
            self._appearance = seal_update.Appearance.make(style, SEAL_BOX)

    def seal(self, pdf: bytes) -> bytes:
        return run_coroutine(self._seal_fast(pdf))

    async def _seal_fast(self, pdf: bytes) -> bytes:
        """The update written as bytes (documents/seal_update.py) for a PDF of Typst's shape; the rest
        (:meth:`_seal`) is pyHanko's. Shares nothing between documents but what never changes: no lock."""
        shape = seal_update.plan(pdf)
        now = datetime.now(UTC).replace(microsecond=0)
        xmp = _edited_xmp(shape.metadata[2], now) if shape is not None else None
        if shape is None or xmp is None:
            return await self._seal(pdf)
        meta = self._signer.signature_meta
        update = seal_update.write(
            pdf,
            shape,
            self._appearance,
            xmp,
            now,
            field_name=FIELD_NAME,
            box=SEAL_BOX,
            name=str(meta.name),
            reason=str(meta.reason),
            signature_bytes=SIGNATURE_BYTES,
        )
        head, tail = update.covered()
        digest = hashlib.sha256(head)
        digest.update(tail)
        container = await self.signer.seal_container(digest.digest(), self._timestamper)
        if container is None:  # no template: pyHanko's container
            settings = PdfCMSSignedAttributes(signing_time=now)
            signed = await self.signer.async_sign(
                digest.digest(),
                TemplateSigner.DIGEST,
                use_pades=True,
                timestamper=self._timestamper,
                signed_attr_settings=settings,
            )
            container = signed.dump()
        return update.signed(container)

    async def _seal(self, pdf: bytes) -> bytes:
        """pyHanko's ``sign_pdf``, step by step, so the lock covers only what the court's seal shares between
        documents (its appearance, imported from one parsed PDF): the signature and its timestamp — a round
        trip to the TSA — are made outside it, while another thread prepares its document."""
        writer = _IncrementalWriter(io.BytesIO(pdf), strict=False)
        with self._lock:
            session = self._signer.init_signing_session(writer)
            checked = await session.perform_presign_validation(writer)
            # Room for the CMS reserved up front: left to itself pyHanko signs once more to measure it.
            document = session.prepare_tbs_document(validation_info=checked, bytes_reserved=SIGNATURE_BYTES)
        out = io.BytesIO()
        digest, _ = document.digest_tbs_document(output=out)
        attrs = PdfCMSSignedAttributes(
            signing_time=session.system_time,
            adobe_revinfo_attr=None if checked is None else checked.adobe_revinfo_attr,
            cades_signed_attrs=self._signer.signature_meta.cades_signed_attr_spec,
        )
        signed = await document.perform_signature(document_digest=digest.document_digest, pdf_cms_signed_attrs=attrs)
        await signed.post_signature_processing(out)
        return out.getvalue()


class _IncrementalWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, preparing the update once per write, and the XMP metadata edited in
    place rather than parsed and written anew.

    Its ``write`` prepares the document — the XMP metadata parsed, given the modification date, serialised
    again — and then calls the base writer's ``write``, which prepares it all over again: a sixth of a
    seal's CPU for the same bytes (the second pass only restates the modification time the first one
    wrote). And of what remains, pyHanko's round trip of the XMP through its own model was half of
    writing the update, to change two values: the modification date, and pyHanko named as the producer
    (the info dictionary says the same, as PDF/A requires). When Typst's XMP has the shape that edit
    expects (:func:`_edited_xmp`), the same two values are written into it; otherwise pyHanko's path."""

    _writing = False
    _prepared = False

    def write(self, stream: BinaryIO) -> None:
        self._writing, self._prepared = True, False
        try:
            super().write(stream)
        finally:
            self._writing, self._prepared = False, False

    def _prep_dom_for_writing(self) -> None:
        if self._prepared:
            return
        super()._prep_dom_for_writing()
        self._prepared = self._writing

    def _update_meta(self) -> None:
        metadata = self.root["/Metadata"] if "/Metadata" in self.root else None
        info_ref = self._info
        info = info_ref.get_object() if info_ref is not None else None
        if (
            not isinstance(metadata, xmp_xml.MetadataStream)
            or info_ref is None
            or not isinstance(info, DictionaryObject)
        ):
            return super()._update_meta()
        if "/Producer" in info:
            return super()._update_meta()
        now = datetime.now(UTC).replace(microsecond=0)  # one time for both, as pyHanko's two "now"s may not be
        edited = _edited_xmp(metadata.data, now)
        if edited is None:
            return super()._update_meta()
        self._meta.last_modified = now
        if update_info_dict(self._meta, info, only_update_existing=True):
            self.mark_update(info_ref)
        metadata._xmp, metadata._data, metadata._encoded_data = None, edited, None
        self.update_container(metadata)
        self.update_root()


_MODIFY_DATE = re.compile(rb"<xmp:ModifyDate>[^<]*</xmp:ModifyDate>")


def _edited_xmp(xmp: bytes, now: datetime) -> bytes | None:
    """Typst's XMP with ``xmp:ModifyDate`` set to ``now`` and ``pdf:Producer`` added, as pyHanko's update
    sets them (tests/documents/test_documents.py holds the two to the same metadata); None when the XMP is
    not of that shape: no single modification date as an element, the pdf namespace not declared on its
    description, or a producer named already."""
    if len(_MODIFY_DATE.findall(xmp)) != 1 or b"pdf:Producer" in xmp or _PDF_NAMESPACE not in xmp:
        return None
    producer = escape(VENDOR).encode()
    date = f"<xmp:ModifyDate>{now.isoformat()}</xmp:ModifyDate><pdf:Producer>{producer.decode()}</pdf:Producer>"
    return _MODIFY_DATE.sub(date.encode(), xmp, count=1)


_PDF_NAMESPACE = b'xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'


class CredentialsSigner(signers.SimpleSigner):
    """pyHanko's signer under a court's (or the TSA's) key and certificate, its CA's certificate embedded."""

    def __init__(self, creds: CourtCredentials) -> None:
        key_der = creds.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        super().__init__(
            signing_cert=_asn1_cert(creds.certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(creds.ca)]),
        )


class TemplateSigner(CredentialsSigner):
    """pyHanko's signer with its CMS container made once per court instead of once per document.

    Under PAdES without a timestamp the signed attributes are the content type, the digest of the document
    and the hash of the signing certificate; the certificates and algorithms around them never change. So
    the container pyHanko builds for a placeholder digest is kept, and each document gets it with its own
    digest put in and its own ECDSA signature over the result. pyHanko's assembly with asn1crypto re-encodes
    the nested structure several times over (each level re-serialises what is below it): about 20 ms of
    CPU a seal, more than the rest of sealing together.

    Checked when the template is made, else pyHanko's own path is kept (``template`` is None): a second
    placeholder digest must change nothing but itself, and the container rebuilt from the template's
    pieces must be byte for byte pyHanko's (tests/documents/test_documents.py holds both to it, and
    ``template`` to being made). A timestamp (B-T) is over the signature value, outside the signed
    attributes: pyHanko's timestamper fetches it, and its unsigned attribute goes last in the SignerInfo,
    written as pyHanko's provider writes it (setting it on a parsed container instead makes asn1crypto
    rebuild the whole tree: seconds of CPU). Any other request (CAdES attributes, another digest) goes to
    pyHanko unchanged."""

    DIGEST = "sha256"

    def __init__(self, creds: CourtCredentials) -> None:
        super().__init__(creds)
        self._key = creds.key  # pyHanko re-reads its DER for every signature
        self.template: _CmsTemplate | None = _CmsTemplate.build(self)

    async def async_sign(
        self,
        data_digest: bytes,
        digest_algorithm: str,
        dry_run: bool = False,
        use_pades: bool = False,
        timestamper: TimeStamper | None = None,
        signed_attr_settings: PdfCMSSignedAttributes | None = None,
        is_pdf_sig: bool = True,
        encap_content_info: cms.EncapsulatedContentInfo | None = None,
    ) -> cms.ContentInfo:
        settings = signed_attr_settings
        plain = settings is None or (settings.cades_signed_attrs is None and settings.adobe_revinfo_attr is None)
        if (
            self.template is None
            or not (use_pades and plain and is_pdf_sig and not dry_run)
            or encap_content_info is not None
            or digest_algorithm.lower() != self.DIGEST
        ):
            return await super().async_sign(
                data_digest,
                digest_algorithm,
                dry_run=dry_run,
                use_pades=use_pades,
                timestamper=timestamper,
                signed_attr_settings=signed_attr_settings,
                is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info,
            )
        container = await self.seal_container(data_digest, timestamper)
        assert container is not None
        return cms.ContentInfo.load(container)

    async def seal_container(self, data_digest: bytes, timestamper: TimeStamper | None) -> bytes | None:
        """The container for a PDF seal over ``data_digest`` (SHA-256), as bytes; None without a template.
        The timestamp is pyHanko's (its request, the answer's status and nonce checked), over the SHA-256
        of the signature value; its unsigned attribute is written here (:func:`timestamp_attribute`)."""
        if self.template is None:
            return None
        attrs = self.template.signed_attrs(data_digest)
        signature = self._key.sign(attrs, ec.ECDSA(hashes.SHA256()))
        unsigned = b""
        if timestamper is not None:
            token = await timestamper.async_timestamp(hashlib.sha256(signature).digest(), self.DIGEST)
            unsigned = timestamp_attribute(token.dump())
        return self.template.container(attrs, signature, unsigned)

    def pyhanko_container(self, digest: bytes, signed_at: datetime | None = None) -> bytes:
        """The container as pyHanko alone makes it for a PDF seal at ``signed_at`` (the template is made
        from it and checked against it)."""
        settings = PdfCMSSignedAttributes(signing_time=signed_at or datetime.now(UTC))
        signing = super().async_sign(digest, self.DIGEST, use_pades=True, signed_attr_settings=settings)
        return run_coroutine(signing).dump()


@dataclass(frozen=True)
class _CmsTemplate:
    """A PAdES CMS container in pieces: everything but the signed attributes' digest and the signature.

    ContentInfo { signedData, [0] SignedData { version, digests, content, [0] certificates,
    SignerInfos { SignerInfo { version, sid, digest, [0] signedAttrs, algorithm, signature, [1]
    unsignedAttrs } } } } — the signature (and its timestamp) is last at every level, so the container is the
    fixed prefixes wrapped around it."""

    content_type: bytes  # ContentInfo's first field (the OID of signedData)
    signed_data_head: bytes  # SignedData's fields before its SignerInfos
    signer_head: bytes  # SignerInfo's fields before its signed attributes
    attrs: bytes  # the signed attributes as signed (a SET), with the placeholder digest
    digest_at: int  # where the digest sits in ``attrs``
    algorithm: bytes  # SignerInfo's signature algorithm

    PLACEHOLDER = bytes(range(32))  # one SHA-256's length; the second check uses its reverse

    @classmethod
    def build(cls, signer: TemplateSigner) -> _CmsTemplate | None:
        first = signer.pyhanko_container(cls.PLACEHOLDER)
        template = cls.parse(first)
        if template is None:
            return None
        other = cls.PLACEHOLDER[::-1]  # and another time: neither may change anything but the digest
        second = _signer_info(signer.pyhanko_container(other, datetime.now(UTC) + timedelta(days=400)))
        same_but_digest = template.signed_attrs(other) == second["signed_attrs"].untag().dump()
        rebuilt = template.container(template.attrs, _signer_info(first)["signature"].native)
        return template if same_but_digest and rebuilt == first else None

    @classmethod
    def parse(cls, der: bytes) -> _CmsTemplate | None:
        info = cms.ContentInfo.load(der)
        data = info["content"]
        signers_ = data["signer_infos"]
        if len(signers_) != 1 or data["crls"].native is not None:
            return None
        signer = signers_[0]
        if signer["unsigned_attrs"].native is not None:
            return None
        attrs = signer["signed_attrs"].untag().dump()
        if attrs.count(cls.PLACEHOLDER) != 1:
            return None
        head = ("version", "digest_algorithms", "encap_content_info", "certificates")
        return cls(
            content_type=info["content_type"].dump(),
            signed_data_head=b"".join(data[field].dump() for field in head),
            signer_head=b"".join(signer[field].dump() for field in ("version", "sid", "digest_algorithm")),
            attrs=attrs,
            digest_at=attrs.index(cls.PLACEHOLDER),
            algorithm=signer["signature_algorithm"].dump(),
        )

    def signed_attrs(self, digest: bytes) -> bytes:
        if len(digest) != len(self.PLACEHOLDER):
            raise ValueError("a SHA-256 digest is 32 bytes")
        return self.attrs[: self.digest_at] + digest + self.attrs[self.digest_at + len(digest) :]

    def container(self, attrs: bytes, signature: bytes, unsigned: bytes = b"") -> bytes:
        """``unsigned``: the unsigned attributes as pyHanko made them (a SET), or nothing."""
        signed_attrs = b"\xa0" + attrs[1:]  # [0] IMPLICIT in place of the SET's tag; same length
        unsigned_attrs = b"\xa1" + unsigned[1:] if unsigned else b""  # [1] IMPLICIT, likewise
        signer = der(0x30, self.signer_head + signed_attrs + self.algorithm + der(0x04, signature) + unsigned_attrs)
        signed_data = der(0x30, self.signed_data_head + der(0x31, signer))
        return der(0x30, self.content_type + der(0xA0, signed_data))


_TIMESTAMP_TOKEN = cms.CMSAttributeType("signature_time_stamp_token").dump()


def timestamp_attribute(token: bytes) -> bytes:
    """The unsigned attributes (a SET) holding one ``signature-time-stamp-token``, as pyHanko's provider
    makes them: building them with asn1crypto cost more than the rest of the container."""
    return der(0x31, der(0x30, _TIMESTAMP_TOKEN + der(0x31, token)))


def _signer_info(container: bytes) -> cms.SignerInfo:
    return cms.ContentInfo.load(container)["content"]["signer_infos"][0]


class _SealPage(ImportedPdfPage):
    """pyHanko's imported page, from the seal's PDF parsed once: the reader caches the objects it has
    read, so each document copies them instead of parsing the seal (fonts and all) again. Used only under
    its CourtSeal's lock, one document at a time."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__(file_name=None, page_ix=0)
        self._reader = PdfFileReader(io.BytesIO(pdf))

    def render(self) -> bytes:
        # Resources of this document's own: the page is reused for every seal and the stamp imports all its
        # resources, so kept ones would list every earlier document's import again (each seal 47 bytes
        # larger than the one before, naming objects of other files, without end).
        self._resources = PdfResources()
        xobj = self._ensure_writer.import_page_as_xobject(self._reader, page_ix=0)
        name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name + b" Do"


@dataclass(frozen=True)
class SealVerdict:
    ok: bool
    message: str
    signer: str | None = None
    signed_at: datetime | None = None
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    timestamped_at: datetime | None = None  # the TSA's time (B-T), when a timestamp was checked and holds
    # Valid at B-B: no timestamp, sealed before timestamps were required (``timestamps_from``)
    before_timestamps: bool = False


def outside_event_loop(fn: Callable[[A], T], arg: A) -> T:
    """pyHanko's synchronous API runs an event loop of its own, which cannot start inside a running one:
    called from async code (better: from a thread, as the activities do), it runs in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(arg)
    with ThreadPoolExecutor(1) as one:
        return one.submit(fn, arg).result()


_thread = threading.local()


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """pyHanko's signing steps are coroutines. Run on this thread's own event loop, kept for the next seal
    (a worker seals on the few threads of its activity pool): ``asyncio.run``'s loop made and closed for
    each seal was a fifth of a seal's CPU. From async code, a loop in a helper thread, as
    :func:`outside_event_loop`."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop = getattr(_thread, "loop", None)
        if loop is None:
            loop = _thread.loop = asyncio.new_event_loop()
        return loop.run_until_complete(coro)
    return outside_event_loop(asyncio.run, coro)


def verify_pdf(
    pdf: bytes,
    trusted_ca: x509.Certificate,
    tsa_trust: x509.Certificate | None = None,
    timestamps_from: datetime | None = None,
) -> SealVerdict:
    """Whether ``pdf`` carries exactly one court seal, intact, over the whole file, by a certificate the
    CA issued — and, given the TSA's certificate, a signature timestamp over it that this TSA signed (B-T).

    ``timestamps_from``: when timestamps became required. A seal signed before it (the signing time in the
    signature dictionary, which the signature covers) and carrying no timestamp is valid at B-B, marked
    ``before_timestamps``; a timestamp it does carry must still hold. None: every seal needs one.
    Never raises on a bad file: the verdict says why."""
    check = functools.partial(_verify, trusted_ca=trusted_ca, tsa_trust=tsa_trust, timestamps_from=timestamps_from)
    return outside_event_loop(check, pdf)


def _verify(
    pdf: bytes, trusted_ca: x509.Certificate, tsa_trust: x509.Certificate | None, timestamps_from: datetime | None
) -> SealVerdict:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:
        return SealVerdict(False, f"not a readable PDF: {exc}")
    if len(sigs) != 1:
        return SealVerdict(False, f"expected one court seal, found {len(sigs)} signatures")
    sig = sigs[0]
    try:
        courts = ValidationContext(trust_roots=[_asn1_cert(trusted_ca)])
        tsa = ValidationContext(trust_roots=[_asn1_cert(tsa_trust)]) if tsa_trust is not None else None
        status = validate_pdf_signature(sig, courts, ts_validation_context=tsa)
    except Exception as exc:
        return SealVerdict(False, f"the signature cannot be validated: {exc}")
    signer = status.signing_cert.subject.native.get("common_name") if status.signing_cert else None
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    stamp = status.timestamp_validity
    stamped = stamp is not None and stamp.intact and stamp.valid and stamp.trusted
    verdict = SealVerdict(
        ok=bool(status.intact and status.valid and status.trusted and whole),
        message="",
        signer=signer,
        signed_at=status.signer_reported_dt,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        whole_file=whole,
        timestamped_at=stamp.timestamp if stamp is not None and stamped else None,
    )
    if not verdict.intact:
        why = "the document was changed after sealing (digest mismatch)"
    elif not verdict.trusted:
        why = "the seal's certificate does not chain to the trusted CA"
    elif not whole:
        why = "content was added after the seal"
    elif tsa_trust is not None and stamp is None and _sealed_before(verdict.signed_at, timestamps_from):
        why = (
            f"sealed by {signer}, intact; 无时间戳: 盖章于启用时间戳之前 / "
            "no timestamp: sealed before timestamps were required (PAdES B-B)"
        )
        return SealVerdict(**{**verdict.__dict__, "message": why, "before_timestamps": True})
    elif tsa_trust is not None and not stamped:
        why = "no signature timestamp" if stamp is None else "the signature timestamp is not valid or not by the TSA"
        return SealVerdict(**{**verdict.__dict__, "ok": False, "message": why})
    else:
        why = f"sealed by {signer}, intact" + (
            f", timestamped {verdict.timestamped_at:%Y-%m-%d %H:%M:%S %Z}" if stamped else ""
        )
    return SealVerdict(**{**verdict.__dict__, "message": why})


def _sealed_before(signed_at: datetime | None, timestamps_from: datetime | None) -> bool:
    return signed_at is not None and timestamps_from is not None and signed_at < timestamps_from
