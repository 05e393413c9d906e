"""Time-stamping authority simulator (时间戳服务, RFC 3161 over HTTP): what puts the time on every court seal
(documents/timestamps.py).

- ``POST /tsa/v1/timestamp`` with an ``application/timestamp-query`` body (a DER ``TimeStampReq``):
  ``application/timestamp-reply`` (a DER ``TimeStampResp``) granting a token over the request's message
  imprint, signed with the TSA's key, carrying its certificate and the request's nonce; a body that is not a
  request is answered ``rejection``/``badDataFormat``, as RFC 3161 §2.4.2 says.

The token is a CMS signed-data over the ``TSTInfo``, made by pyHanko's general-purpose signer (CAdES
attributes: the signing certificate's hash, as RFC 3161 §2.4.2 and RFC 5816 ask), not by hand; its content
(the imprint, time, serial, nonce, TSA name) is built with asn1crypto. The key and the certificate, under a
root of their own, are made on first run (documents/pki.py ``TsaKeys``) in the directory given; verifiers
trust its ``ca.pem``. A timestamp changes nothing: no state, no idempotency.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.pki import TsaKeys

if TYPE_CHECKING:
    from documents.seal import TemplateSigner

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
# The sandbox TSA's policy (RFC 3161 §2.4.2 ``policy``): an OID under the UUID arc (X.667), ours alone.
SANDBOX_POLICY = "2.25.207422542342215946393406355389476592193"


class SimulatedTsa:
    """The TSA's signer, its credentials read (or made) on the first request."""

    def __init__(self, directory: Path) -> None:
        self.keys = TsaKeys(directory, sandbox=True)

    @cached_property
    def name(self) -> asn1_x509.Name:
        certificate = self.keys.signer().certificate
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)).subject

    @cached_property
    def signer(self) -> TemplateSigner:
        """pyHanko's signer under the TSA's key (the courts' signer class: for anything but a PDF seal it is
        pyHanko's own). Loaded on the first request, as the partners' seal checks load pyHanko."""
        from documents.seal import TemplateSigner

        return TemplateSigner(self.keys.signer())

    async def answer(self, body: bytes) -> tsp.TimeStampResp:
        try:
            request = tsp.TimeStampReq.load(body)
            _ = request.native  # parses the whole request: a malformed one fails here, not half-way through
        except (ValueError, TypeError):
            return tsp.TimeStampResp(
                {"status": {"status": "rejection", "fail_info": tsp.PKIFailureInfo({"bad_data_format"})}}
            )
        info = {
            "version": "v1",
            "policy": SANDBOX_POLICY,
            "message_imprint": request["message_imprint"],
            "serial_number": secrets.randbits(63),
            "gen_time": datetime.now(UTC),
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self.name),
        }
        if request["nonce"].native is not None:
            info["nonce"] = request["nonce"]
        content = cms.EncapsulatedContentInfo(
            {"content_type": "tst_info", "content": cms.ParsableOctetString(tsp.TSTInfo(info).dump())}
        )
        token = await self.signer.async_sign_general_data(content, "sha256", detached=False, use_cades=True)
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})


def build_tsa_router(directory: Path) -> APIRouter:
    tsa = SimulatedTsa(directory)
    router = APIRouter(tags=["time-stamping authority"])

    @router.post("/tsa/v1/timestamp", response_class=Response)
    async def timestamp(request: Request) -> Response:
        """An RFC 3161 timestamp over the request's message imprint."""
        if request.headers.get("content-type") != QUERY_TYPE:
            return Response(status_code=415, content=f"expected {QUERY_TYPE}")
        answer = await tsa.answer(await request.body())
        return Response(answer.dump(), media_type=REPLY_TYPE)

    return router
