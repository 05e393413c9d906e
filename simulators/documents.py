"""What a real bank or registry does before it freezes, deducts or seizes: it acts only on the court's
sealed 协助执行通知书 for that account or asset and that amount (查扣冻规定 Art. 1; 网络查冻规定 Arts 4, 10).

The simulated partners check the document sent with the request (``adapters.sandbox.wire.SealedDocument``):
the PDF's hash is the one named; its seal is one PAdES signature over the whole file by a court
certificate the courts' CA issued; the keywords under the seal name this partner, the act, the asset and
the amount asked. Each failure is a refusal with its own code; nothing is done.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from pathlib import Path

from cryptography import x509

from adapters.sandbox.wire import SealedDocument
from simulators.errors import SimulatorError

DOCUMENT_REQUIRED = "DOCUMENT_REQUIRED"  # no notice sent
DOCUMENT_SEAL_INVALID = "DOCUMENT_SEAL_INVALID"  # not sealed, changed, or not by a court the CA certified
DOCUMENT_MISMATCH = "DOCUMENT_MISMATCH"  # sealed, but for another partner, act, asset or amount


class DocumentCheck:
    """The courts' CA a partner trusts, loaded once."""

    def __init__(self, ca_file: Path) -> None:
        self.ca = x509.load_pem_x509_certificate(ca_file.read_bytes())

    def require(
        self,
        document: SealedDocument | None,
        *,
        partner_id: str,
        act: str,
        references: tuple[str, ...],
        amount_fen: int | None,
    ) -> None:
        """Refuses unless ``document`` is a valid sealed notice to ``partner_id`` to ``act`` on one of
        ``references`` (the account, or the measure it is frozen under) for ``amount_fen``."""
        if document is None:
            raise SimulatorError(422, DOCUMENT_REQUIRED, "缺少加盖法院电子印章的协助执行通知书 (document)")
        try:
            pdf = base64.b64decode(document.pdf_base64, validate=True)
        except (binascii.Error, ValueError):
            raise SimulatorError(422, DOCUMENT_SEAL_INVALID, "协助执行通知书不是有效的 base64 PDF") from None
        from documents.seal import verify_pdf  # pyHanko: loaded when a partner first checks a seal

        if hashlib.sha256(pdf).hexdigest() != document.sha256:
            raise SimulatorError(422, DOCUMENT_SEAL_INVALID, "协助执行通知书的 SHA-256 与所附文件不符")
        verdict = verify_pdf(pdf, self.ca)
        if not verdict.ok:
            raise SimulatorError(422, DOCUMENT_SEAL_INVALID, f"协助执行通知书的电子印章无效: {verdict.message}")
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


def keywords(pdf: bytes) -> dict[str, str]:
    """The ``name=value`` keywords of the PDF's document information (covered by the seal)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    info = PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view.get("/Info")
    raw = str(info.get_object().get("/Keywords", "")) if info is not None else ""
    out: dict[str, str] = {}
    for part in raw.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out
