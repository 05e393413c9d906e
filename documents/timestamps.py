"""The time on the court's seal (PAdES B-T): an RFC 3161 signature timestamp (签名时间戳) from a
time-stamping authority (TSA), over the seal's signature value.

Without it the signing time is the court's own claim; with it a third party attests the seal existed at
that moment, so the seal stays provable after the court's certificate expires or is revoked. pyHanko
requests the token while it signs and puts it in the signature's unsigned attribute
``signature-time-stamp-token`` (documents/seal.py); verification checks it against the TSA's certificate.

One round trip per document, over a kept connection (one per sealing thread). A timestamp is no effect — a
retry asks for another and nothing outside changes — so it needs no idempotency key. When the TSA does not
answer, sealing fails and no document is issued: the issuing activity retries (docs/operations.md).

Sandbox: the simulators' TSA (simulators/tsa.py), its key and certificate made on first run like the
courts' (documents/pki.py ``TsaKeys``). Production: the TSA's URL and certificate from configuration.
"""

from __future__ import annotations

import functools
import threading
import warnings
from http.client import HTTPConnection, HTTPException, HTTPSConnection, RemoteDisconnected
from urllib.parse import urlsplit

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
    """pyHanko's timestamper over a kept HTTP connection per sealing thread (its own opens a connection per
    request). The standard library's client: httpx's layers cost three times its CPU for one small POST."""

    def __init__(self, url: str, timeout_seconds: float = 5.0) -> None:
        super().__init__(include_nonce=True)  # the nonce ties the answer to this request
        self.url = url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL for the time-stamping authority: {url}")
        connection = HTTPSConnection if parts.scheme == "https" else HTTPConnection  # https: certificates checked
        self._connect = functools.partial(connection, parts.hostname, parts.port, timeout=timeout_seconds)
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = set_tsp_headers({})
        self._kept = threading.local()  # an http.client connection serves one thread

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        # Blocking on purpose: pyHanko runs a loop of its own for one signature, in the sealing thread, with
        # nothing else on it; handing the call to yet another thread (as pyHanko's client does) buys nothing.
        status, kind, body = self._post(req.dump())
        if status != 200 or kind != REPLY_TYPE:
            raise TimestampRequestError(f"the time-stamping authority answered {status}, not a timestamp")
        return tsp.TimeStampResp.load(body)

    def _post(self, body: bytes) -> tuple[int, str | None, bytes]:
        while True:
            kept: HTTPConnection | None = getattr(self._kept, "connection", None)
            connection = kept or self._connect()
            self._kept.connection = connection
            try:
                connection.request("POST", self._target, body=body, headers=self._headers)
                answer = connection.getresponse()
                return answer.status, answer.getheader("content-type"), answer.read()
            except (OSError, HTTPException) as exc:
                connection.close()
                self._kept.connection = None
                # A kept connection the TSA closed while idle: once more on a new one (a timestamp is no
                # effect: asking again changes nothing). Anything else: no timestamp, nothing issued.
                if kept is None or not isinstance(exc, _CLOSED_WHILE_IDLE):
                    raise TimestampRequestError(f"the time-stamping authority did not answer: {exc!r}") from exc


_CLOSED_WHILE_IDLE = (RemoteDisconnected, ConnectionResetError, BrokenPipeError)


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
