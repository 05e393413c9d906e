"""The court's seal on a document (电子签章): a PAdES signature (B-B) made with pyHanko under the court's
key and certificate, whose appearance is the court's red round seal, put over the court's name and date
at the bottom of the last page.

An electronic signature is reliable when only the signer controls its data and any later change to the
signature or the content can be detected (电子签名法 Art. 13); such a seal equals a physical one (Art. 14).
Verification (:func:`verify_pdf`) checks the signature covers the whole file, is intact, and chains to the
trusted CA; poppler's ``pdfsig`` shows the same with no project code.

No timestamp authority: the signing time is the signer's claim (B-B). A B-T level needs an RFC 3161 TSA
the court trusts; pyHanko's ``timestamper`` takes one when there is (docs/documents.md).
"""

from __future__ import annotations

import asyncio
import binascii
import functools
import io
import threading
import uuid
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pyHanko imports DSA, which cryptography warns is deprecated
    from pyhanko.pdf_utils.content import ImportedPdfPage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.stamp import StaticStampStyle
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

from documents.pki import CourtCredentials

T = TypeVar("T")
FIELD_NAME = "CourtSeal"
SIGNATURE_BYTES = 8192  # an ECDSA signature with its certificate and the CA's is about 2 KB
# Where base.typ's seal block puts the court's name and date on the last page (PDF points, A4, from the
# bottom left): the seal is laid over them. The two are kept together.
SEAL_BOX = (377, 68, 496, 187)


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class CourtSeal:
    """Seals one court's documents; built once per court and process (the appearance is rendered once)."""

    def __init__(self, creds: CourtCredentials, seal_pdf: bytes) -> None:
        key_der = creds.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        signer = signers.SimpleSigner(
            signing_cert=_asn1_cert(creds.certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(creds.ca)]),
        )
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
            signer=signer,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=-1, box=SEAL_BOX),
        )
        self._lock = threading.Lock()

    def seal(self, pdf: bytes) -> bytes:
        return outside_event_loop(self._seal, pdf)

    def _seal(self, pdf: bytes) -> bytes:
        out = io.BytesIO()
        with self._lock:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            # Room for the CMS reserved up front: left to itself pyHanko signs once more to measure it.
            self._signer.sign_pdf(writer, output=out, bytes_reserved=SIGNATURE_BYTES)
        return out.getvalue()


class _SealPage(ImportedPdfPage):
    """pyHanko's imported page, read from the seal's bytes in memory instead of a file each time."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__(file_name=None, page_ix=0)
        self._pdf = pdf

    def render(self) -> bytes:
        xobj = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._pdf)), page_ix=0)
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


def outside_event_loop(fn: Callable[[bytes], T], pdf: bytes) -> T:
    """pyHanko's synchronous API runs an event loop of its own, which cannot start inside a running one:
    called from async code (better: from a thread, as the activities do), it runs in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(pdf)
    with ThreadPoolExecutor(1) as one:
        return one.submit(fn, pdf).result()


def verify_pdf(pdf: bytes, trusted_ca: x509.Certificate) -> SealVerdict:
    """Whether ``pdf`` carries exactly one court seal, intact, over the whole file, by a certificate the
    CA issued. Never raises on a bad file: the verdict says why."""
    return outside_event_loop(functools.partial(_verify, trusted_ca=trusted_ca), pdf)


def _verify(pdf: bytes, trusted_ca: x509.Certificate) -> SealVerdict:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:
        return SealVerdict(False, f"not a readable PDF: {exc}")
    if len(sigs) != 1:
        return SealVerdict(False, f"expected one court seal, found {len(sigs)} signatures")
    sig = sigs[0]
    try:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[_asn1_cert(trusted_ca)]))
    except Exception as exc:
        return SealVerdict(False, f"the signature cannot be validated: {exc}")
    signer = status.signing_cert.subject.native.get("common_name") if status.signing_cert else None
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    verdict = SealVerdict(
        ok=bool(status.intact and status.valid and status.trusted and whole),
        message="",
        signer=signer,
        signed_at=status.signer_reported_dt,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        whole_file=whole,
    )
    if not verdict.intact:
        why = "the document was changed after sealing (digest mismatch)"
    elif not verdict.trusted:
        why = "the seal's certificate does not chain to the trusted CA"
    elif not whole:
        why = "content was added after the seal"
    else:
        why = f"sealed by {signer}, intact"
    return SealVerdict(**{**verdict.__dict__, "message": why})
