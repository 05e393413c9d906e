"""The time on the court's seal (PAdES B-T): an RFC 3161 signature timestamp (签名时间戳) from a
time-stamping authority (TSA), over the seal's signature value.

Without it the signing time is the court's own claim; with it a third party attests the seal existed at
that moment, so the seal stays provable after the court's certificate expires or is revoked. pyHanko
requests the token while it signs and puts it in the signature's unsigned attribute
``signature-time-stamp-token`` (documents/seal.py); verification checks it against the TSA's certificate.

One round trip per document, over a kept connection; the query is written from pyHanko's own, the answer read
as pyHanko reads it (:class:`TsaClient`). A timestamp is no effect — a
retry asks for another and nothing outside changes — so it needs no idempotency key. When the TSA does not
answer, sealing fails and no document is issued: the issuing activity retries (docs/operations.md).

Sandbox: the simulators' TSA (simulators/tsa.py), its key and certificate made on first run like the
courts' (documents/pki.py ``TsaKeys``). Production: the TSA's URL and certificate from configuration.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from asn1crypto import cms, tsp
from cryptography import x509

from config.settings import Settings
from documents.pki import TsaKeys

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pyHanko imports DSA, which cryptography warns is deprecated
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError, handle_tsp_response, set_tsp_headers

REPLY_TYPE = "application/timestamp-reply"
DIGEST = "sha256"


class TsaClient(TimeStamper):
    """pyHanko's timestamper over httpx's kept connections (pyHanko's own opens a connection per request).

    The client's headers, timeout and transport for the TSA's URL — the environment's proxy for it, as a
    court's network may need one — are settled once; each query is handed to that transport, as the partners'
    requests are (adapters/base.py): the client's send path around it (auth flows, redirects, the cookie jar,
    event hooks) does nothing for a timestamp (docs/performance.md "doc-path"). httpx's pool is shared by the sealing
    threads and drops a connection the TSA closed while idle before using it again.

    A SHA-256 query is pyHanko's own, written from its pieces (:class:`QueryTemplate`), and the answer is
    checked as pyHanko checks it (granted, this query's nonce) and for this query's imprint; building and
    re-encoding asn1crypto's structures for it cost more than the round trip's HTTP. Any other query is
    pyHanko's whole way."""

    def __init__(self, url: str, timeout_seconds: float = 5.0) -> None:
        super().__init__(include_nonce=True)  # the nonce ties the answer to this request
        self.url = url
        self._http = httpx.Client(timeout=timeout_seconds, headers=set_tsp_headers({}))  # safe across threads
        self._url = httpx.URL(url)
        self._transport = self._http._transport_for_url(self._url)
        self._extensions: dict[str, Any] = {"timeout": self._http.timeout.as_dict()}
        self.query = QueryTemplate.build(self)

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        if self.query is None or md_algorithm.lower() != DIGEST:
            return await super().async_timestamp(message_digest, md_algorithm)
        nonce = new_nonce()
        answer = tsp.TimeStampResp.load(self._exchange(self.query.query(message_digest, nonce)))
        # The token's bytes as the TSA sent them, taken before anything inside it is parsed for the checks.
        token = answer["time_stamp_token"].dump()
        info = handle_tsp_response(answer, None)["content"]["encap_content_info"]["content"].parsed  # granted
        if info["nonce"].native != int.from_bytes(nonce, "big"):
            raise TimestampRequestError("the time-stamping authority's answer is not to this query (its nonce)")
        if info["message_imprint"]["hashed_message"].native != message_digest:
            raise TimestampRequestError("the time-stamping authority stamped another digest than the one asked")
        return cms.ContentInfo.load(token)

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(self._exchange(req.dump()))

    def _exchange(self, query: bytes) -> bytes:
        # Blocking on purpose: pyHanko runs a loop of its own for one signature, in the sealing thread, with
        # nothing else on it; handing the call to yet another thread (as pyHanko's client does) buys nothing.
        request = httpx.Request(
            "POST", self._url, headers=self._http.headers, content=query, extensions=self._extensions
        )
        try:
            answer = self._transport.handle_request(request)
            try:
                answer.read()
            finally:
                answer.close()
        except httpx.HTTPError as exc:
            raise TimestampRequestError(f"the time-stamping authority did not answer: {exc!r}") from exc
        if answer.status_code != 200 or answer.headers.get("content-type") != REPLY_TYPE:
            raise TimestampRequestError(f"the time-stamping authority answered {answer.status_code}, not a timestamp")
        return answer.content


def new_nonce() -> bytes:
    """A query's nonce as pyHanko makes one: eight random bytes, the first 1 (positive, of fixed width)."""
    return b"\x01" + os.urandom(7)


@dataclass(frozen=True)
class QueryTemplate:
    """pyHanko's RFC 3161 query for a SHA-256 digest, in the pieces around the digest and the nonce.

    Made from a query pyHanko builds and kept only if a second one, for another digest and nonce, is these
    pieces around them byte for byte (tests/documents/test_documents.py holds it to that); else None, and
    every query is pyHanko's."""

    head: bytes
    middle: bytes
    tail: bytes

    PLACEHOLDER = bytes(range(32))  # one SHA-256's length; the check uses its reverse

    @classmethod
    def build(cls, stamper: TimeStamper) -> QueryTemplate | None:
        nonce, first = stamper.request_cms(cls.PLACEHOLDER, DIGEST)
        if not isinstance(nonce, int) or nonce >> 56 != 1:
            return None  # not pyHanko's eight-byte nonce
        der = first.dump()
        mark = nonce.to_bytes(8, "big")
        if der.count(cls.PLACEHOLDER) != 1 or der.count(mark) != 1:
            return None
        at, then = der.index(cls.PLACEHOLDER), der.index(mark)
        if then < at:
            return None
        template = cls(der[:at], der[at + len(cls.PLACEHOLDER) : then], der[then + len(mark) :])
        other, second = stamper.request_cms(cls.PLACEHOLDER[::-1], DIGEST)
        if not isinstance(other, int) or other >> 56 != 1:
            return None
        return template if template.query(cls.PLACEHOLDER[::-1], other.to_bytes(8, "big")) == second.dump() else None

    def query(self, digest: bytes, nonce: bytes) -> bytes:
        if len(digest) != len(self.PLACEHOLDER) or len(nonce) != 8:
            raise ValueError("a SHA-256 digest is 32 bytes, the nonce 8")
        return self.head + digest + self.middle + nonce + self.tail


def tsa_url(settings: Settings) -> str:
    """Where documents get their timestamps: as configured, or the sandbox simulators' TSA."""
    if settings.tsa_url:
        return settings.tsa_url
    if not settings.sandbox:
        raise RuntimeError("OM_TSA_URL (the time-stamping authority) is required in production")
    return f"{settings.simulator_base_url}/tsa/v1/timestamp"


def tsa_client(settings: Settings) -> TsaClient:
    return TsaClient(tsa_url(settings), settings.tsa_timeout_seconds)


def tsa_trust(settings: Settings) -> x509.Certificate:
    """The certificate a document's timestamp must chain to: the configured TSA's (its root or its own), or
    in the sandbox its TSA's root, made now if no process has made it yet."""
    path = settings.tsa_certificate_path
    if settings.sandbox and settings.tsa_certificate_file is None and not path.is_file():
        TsaKeys(path.parent, sandbox=True).ca()
    return x509.load_pem_x509_certificate(path.read_bytes())
