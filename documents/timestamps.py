"""The time on the court's seal (PAdES B-T): an RFC 3161 signature timestamp (签名时间戳) from a
time-stamping authority (TSA), over the seal's signature value.

Without it the signing time is the court's own claim; with it a third party attests the seal existed at
that moment, so the seal stays provable after the court's certificate expires or is revoked. pyHanko
requests the token while it signs and puts it in the signature's unsigned attribute
``signature-time-stamp-token`` (documents/seal.py); verification checks it against the TSA's certificate.

One round trip per document, over a kept connection. A timestamp is no effect — a
retry asks for another and nothing outside changes — so it needs no idempotency key. When the TSA does not
answer, sealing fails and no document is issued: the issuing activity retries (docs/operations.md).

Sandbox: the simulators' TSA (simulators/tsa.py), its key and certificate made on first run like the
courts' (documents/pki.py ``TsaKeys``). Production: the TSA's URL and certificate from configuration.
"""

from __future__ import annotations

import warnings

import httpx
from asn1crypto import tsp
from cryptography import x509

from config.settings import Settings
from documents.pki import TsaKeys

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pyHanko imports DSA, which cryptography warns is deprecated
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers

REPLY_TYPE = "application/timestamp-reply"


class TsaClient(TimeStamper):
    """pyHanko's timestamper over httpx's kept connections (pyHanko's own opens a connection per request).

    The request is built once per call and sent by the client (its proxies from the environment, as a court's
    network may need one); httpx's pool is shared by the sealing threads and drops a connection the TSA closed
    while idle before using it again."""

    def __init__(self, url: str, timeout_seconds: float = 5.0) -> None:
        super().__init__(include_nonce=True)  # the nonce ties the answer to this request
        self.url = url
        self._http = httpx.Client(timeout=timeout_seconds, headers=set_tsp_headers({}))  # safe across threads

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        # Blocking on purpose: pyHanko runs a loop of its own for one signature, in the sealing thread, with
        # nothing else on it; handing the call to yet another thread (as pyHanko's client does) buys nothing.
        try:
            answer = self._http.send(self._http.build_request("POST", self.url, content=req.dump()))
        except httpx.HTTPError as exc:
            raise TimestampRequestError(f"the time-stamping authority did not answer: {exc!r}") from exc
        if answer.status_code != 200 or answer.headers.get("content-type") != REPLY_TYPE:
            raise TimestampRequestError(f"the time-stamping authority answered {answer.status_code}, not a timestamp")
        return tsp.TimeStampResp.load(answer.content)


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
