"""Time-stamping authority simulator (时间戳服务, RFC 3161 over HTTP): what puts the time on every court seal
(documents/timestamps.py).

- ``POST /tsa/v1/timestamp`` with an ``application/timestamp-query`` body (a DER ``TimeStampReq``):
  ``application/timestamp-reply`` (a DER ``TimeStampResp``) granting a token over the request's message
  imprint, signed with the TSA's key, carrying its certificate and the request's nonce; a body that is not a
  request is answered ``rejection``/``badDataFormat``, as RFC 3161 §2.4.2 says.

The token is a CMS signed-data over the ``TSTInfo`` (built with asn1crypto: the imprint, time, serial, nonce,
TSA name), shaped as pyHanko's general-purpose signer makes it (CAdES attributes: the signing certificate's
hash, as RFC 3161 §2.4.2 and RFC 5816 ask). pyHanko makes one token on the first request; the TSA keeps its
fixed parts as bytes (:class:`TokenTemplate`, checked byte for byte against pyHanko's) and each answer is
those bytes around the request's ``TSTInfo``, its digest, the signing time and an ECDSA signature. Letting
pyHanko build every token cost ~15 ms of CPU (asn1crypto builds and re-encodes the nested structure, and never
forgets a built structure is "mutated": every later ``dump`` of it re-encodes the whole tree, which is what
made the TSA's CPU a timestamp jump several-fold in some bench runs); the template ~2 ms, and the TSA holds
no parsed structure between requests. The key and the certificate, under a root of their own, are made on
first run (documents/pki.py ``TsaKeys``) in the directory given; verifiers trust its ``ca.pem``. A timestamp
changes nothing: no state, no idempotency.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.der import der
from documents.pki import TsaKeys

if TYPE_CHECKING:
    from documents.seal import CredentialsSigner

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
# The sandbox TSA's policy (RFC 3161 §2.4.2 ``policy``): an OID under the UUID arc (X.667), ours alone.
SANDBOX_POLICY = "2.25.207422542342215946393406355389476592193"
GRANTED = tsp.PKIStatusInfo({"status": "granted"}).dump()
# RFC 3161 §2.4.2: a body that is not a request. (asn1crypto will not encode a response without a token.)
REJECTED = der(0x30, tsp.PKIStatusInfo({"status": "rejection", "fail_info": {"bad_data_format"}}).dump())
# The signed attributes pyHanko's CAdES signer puts on a token, in the order it lists them.
TOKEN_ATTRIBUTES = ("content_type", "signing_time", "message_digest", "signing_certificate_v2")


class SimulatedTsa:
    """The TSA's signer, its credentials read (or made) on the first request."""

    def __init__(self, directory: Path) -> None:
        self.keys = TsaKeys(directory, sandbox=True)

    @cached_property
    def name(self) -> asn1_x509.Name:
        certificate = self.keys.signer().certificate
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)).subject

    @cached_property
    def signer(self) -> CredentialsSigner:
        """pyHanko's signer under the TSA's key, as the courts' (without their PDF seal's template). Loaded on
        the first request, as the partners' seal checks load pyHanko."""
        from documents.seal import CredentialsSigner

        return CredentialsSigner(self.keys.signer())

    @cached_property
    def template(self) -> TokenTemplate | None:
        """The token's fixed parts, from one token pyHanko makes now; None (pyHanko signs every token) if a
        pyHanko upgrade changes its shape."""
        return TokenTemplate.build(self.signer, self.keys.signer().key, self.tst_info(_PLACEHOLDER, None))

    @cached_property
    def tst_template(self) -> TstInfoTemplate | None:
        """The ``TSTInfo``'s fixed parts; None (asn1crypto builds each) if they do not give asn1crypto's bytes."""
        return TstInfoTemplate.build(self.name)

    def tst_info(self, imprint: tsp.MessageImprint, nonce: int | None) -> bytes:
        """The ``TSTInfo`` (DER) over ``imprint``, now."""
        serial, now = secrets.randbits(63), datetime.now(UTC)
        if self.tst_template is not None and (nonce is None or nonce >= 0):
            return self.tst_template.tst_info(imprint.dump(), serial, now, nonce)
        return asn1_tst_info(self.name, imprint, serial, now, nonce)

    async def answer(self, body: bytes) -> bytes:
        """The DER ``TimeStampResp`` to the DER ``TimeStampReq`` ``body``."""
        try:
            request = tsp.TimeStampReq.load(body)
            nonce = request.native["nonce"]  # parses the whole request: a malformed one fails here, not half-way
        except (ValueError, TypeError):
            return REJECTED
        tst = self.tst_info(request["message_imprint"], nonce)
        if self.template is not None:
            return self.template.response(tst, datetime.now(UTC))
        content = cms.EncapsulatedContentInfo({"content_type": "tst_info", "content": cms.ParsableOctetString(tst)})
        token = await self.signer.async_sign_general_data(content, "sha256", detached=False, use_cades=True)
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()


_PLACEHOLDER = tsp.MessageImprint({"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": bytes(32)})


def asn1_tst_info(
    name: asn1_x509.Name, imprint: tsp.MessageImprint, serial: int, at: datetime, nonce: int | None
) -> bytes:
    """The ``TSTInfo`` (DER) as asn1crypto builds it (~80 µs)."""
    info = {
        "version": "v1",
        "policy": SANDBOX_POLICY,
        "message_imprint": imprint,
        "serial_number": serial,
        "gen_time": at,
        "tsa": asn1_x509.GeneralName(name="directory_name", value=name),
    }
    if nonce is not None:
        info["nonce"] = nonce
    return tsp.TSTInfo(info).dump()


@dataclass(frozen=True)
class TstInfoTemplate:
    """A ``TSTInfo`` as asn1crypto encodes it, in pieces: SEQUENCE { version, policy, the request's message
    imprint as received, serial number, generation time, [nonce], [0] the TSA's name } (~10 µs, not ~80)."""

    head: bytes  # version and policy
    tsa: bytes  # [0] EXPLICIT GeneralName: the TSA's directory name

    @classmethod
    def build(cls, name: asn1_x509.Name) -> TstInfoTemplate | None:
        """The template, if it gives asn1crypto's bytes for times with and without a fraction of a second and
        with and without a nonce."""
        template = cls(
            head=der(0x02, b"\x01") + tsp.TSTInfo({"policy": SANDBOX_POLICY})["policy"].dump(),
            tsa=der(0xA0, asn1_x509.GeneralName(name="directory_name", value=name).dump()),
        )
        samples = (
            (datetime(2026, 3, 2, 8, 0, 1, 250000, UTC), 2**62 + 5),
            (datetime(2049, 12, 31, 23, 59, 59, 0, UTC), None),
        )
        serial = secrets.randbits(63)
        for at, nonce in samples:
            if template.tst_info(_PLACEHOLDER.dump(), serial, at, nonce) != asn1_tst_info(
                name, _PLACEHOLDER, serial, at, nonce
            ):
                return None
        return template

    def tst_info(self, imprint: bytes, serial: int, at: datetime, nonce: int | None) -> bytes:
        """The ``TSTInfo`` over ``imprint`` (a DER MessageImprint); ``nonce``, if any, not negative."""
        fraction = f".{at.microsecond:06d}".rstrip("0") if at.microsecond else ""
        gen_time = at.astimezone(UTC).strftime("%Y%m%d%H%M%S").encode() + fraction.encode() + b"Z"
        fields = self.head + imprint + der(0x02, _unsigned(serial)) + der(0x18, gen_time)
        if nonce is not None:
            fields += der(0x02, _unsigned(nonce))
        return der(0x30, fields + self.tsa)


def _unsigned(n: int) -> bytes:
    """A non-negative INTEGER's DER contents: big-endian, shortest, with a leading zero byte where the top bit
    is set."""
    return n.to_bytes(n.bit_length() // 8 + 1, "big")


@dataclass(frozen=True)
class TokenTemplate:
    """A time-stamp token as pyHanko makes it, in pieces: everything but the ``TSTInfo``, the signed attributes
    that depend on it or on the moment (message digest, signing time), and the signature.

    ContentInfo { signedData, [0] SignedData { version, digestAlgorithms, EncapsulatedContentInfo { tstInfo,
    [0] OCTET STRING TSTInfo }, [0] certificates, SignerInfos { SignerInfo { version, sid, digestAlgorithm,
    [0] signedAttrs, signatureAlgorithm, signature } } } }; the signed attributes are a DER SET, sorted by
    their encodings."""

    key: ec.EllipticCurvePrivateKey
    content_type: bytes  # ContentInfo's first field (the OID of signedData)
    signed_data_head: bytes  # SignedData's version and digest algorithms
    tst_info_type: bytes  # the OID of TSTInfo, EncapsulatedContentInfo's first field
    certificates: bytes  # SignedData's [0] certificates
    signer_head: bytes  # SignerInfo's version, sid and digest algorithm
    algorithm: bytes  # SignerInfo's signature algorithm
    fixed_attrs: tuple[bytes, ...]  # the content type and signing-certificate-v2 attributes
    signing_time_type: bytes  # the OIDs of the two attributes made for each token
    message_digest_type: bytes

    @classmethod
    def build(cls, signer: CredentialsSigner, key: ec.EllipticCurvePrivateKey, tst: bytes) -> TokenTemplate | None:
        from documents.seal import outside_event_loop

        content = cms.EncapsulatedContentInfo({"content_type": "tst_info", "content": cms.ParsableOctetString(tst)})
        signing = signer.async_sign_general_data(content, "sha256", detached=False, use_cades=True)
        theirs = tsp.TimeStampResp(
            {"status": {"status": "granted"}, "time_stamp_token": outside_event_loop(asyncio.run, signing)}
        ).dump()
        token = tsp.TimeStampResp.load(theirs)["time_stamp_token"]
        data = token["content"]
        if len(data["signer_infos"]) != 1 or data["crls"].native is not None:
            return None
        info = data["signer_infos"][0]
        attrs = {attr["type"].native: attr for attr in info["signed_attrs"]}
        if tuple(attrs) != TOKEN_ATTRIBUTES or info["unsigned_attrs"].native is not None:
            return None
        template = cls(
            key=key,
            content_type=token["content_type"].dump(),
            signed_data_head=data["version"].dump() + data["digest_algorithms"].dump(),
            tst_info_type=data["encap_content_info"]["content_type"].dump(),
            certificates=data["certificates"].dump(),
            signer_head=b"".join(info[field].dump() for field in ("version", "sid", "digest_algorithm")),
            algorithm=info["signature_algorithm"].dump(),
            fixed_attrs=(attrs["content_type"].dump(), attrs["signing_certificate_v2"].dump()),
            signing_time_type=attrs["signing_time"]["type"].dump(),
            message_digest_type=attrs["message_digest"]["type"].dump(),
        )
        signed_at = attrs["signing_time"]["values"][0].native
        rebuilt = template.response(tst, signed_at, info["signature"].native)
        return template if rebuilt == theirs else None

    def response(self, tst: bytes, at: datetime, signature: bytes | None = None) -> bytes:
        """The granted ``TimeStampResp`` carrying the token over ``tst`` signed at ``at``; ``signature``: the
        signature to put in (the template's check), else one made now."""
        if not 1950 <= at.year < 2050:  # CMS signing time is a UTCTime until 2050 (RFC 5652 §11.3)
            raise ValueError("the token template writes signing times from 1950 to 2049")
        signing_time = der(0x17, at.astimezone(UTC).strftime("%y%m%d%H%M%SZ").encode())
        made = (
            der(0x30, self.signing_time_type + der(0x31, signing_time)),
            der(0x30, self.message_digest_type + der(0x31, der(0x04, hashlib.sha256(tst).digest()))),
        )
        attrs = der(0x31, b"".join(sorted((*self.fixed_attrs, *made))))
        if signature is None:
            signature = self.key.sign(attrs, ec.ECDSA(hashes.SHA256()))
        signer = der(0x30, self.signer_head + b"\xa0" + attrs[1:] + self.algorithm + der(0x04, signature))
        encapsulated = der(0x30, self.tst_info_type + der(0xA0, der(0x04, tst)))
        signed_data = der(0x30, self.signed_data_head + encapsulated + self.certificates + der(0x31, signer))
        return der(0x30, GRANTED + der(0x30, self.content_type + der(0xA0, signed_data)))


def build_tsa_router(directory: Path) -> APIRouter:
    tsa = SimulatedTsa(directory)
    router = APIRouter(tags=["time-stamping authority"])

    @router.post("/tsa/v1/timestamp", response_class=Response)
    async def timestamp(request: Request) -> Response:
        """An RFC 3161 timestamp over the request's message imprint."""
        if request.headers.get("content-type") != QUERY_TYPE:
            return Response(status_code=415, content=f"expected {QUERY_TYPE}")
        return Response(await tsa.answer(await request.body()), media_type=REPLY_TYPE)

    return router
