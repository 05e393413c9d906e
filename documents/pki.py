"""The courts' signing keys and certificates (电子印章证书).

Production: ``OM_DOCUMENT_PKI_DIR`` names a directory holding ``ca.pem`` (the root that relying parties —
banks, registries, anyone verifying — trust) and, per court, ``courts/<court>/cert.pem`` and
``courts/<court>/key.pem``; the processes refuse to start without it (config/settings.py), and a court without
its certificate cannot issue a document.

Sandbox: a CA and a certificate per court are made on first use under ``var/document-pki/`` (like the dev
codec key): ECDSA P-256, the CA's certificate is what the simulated banks verify against. Files are
written whole to a private temporary name and linked into place, so racing processes agree on one.

The time-stamping authority (时间戳服务机构) is another signer with another root: :class:`TsaKeys` makes the
sandbox's in ``var/document-pki/tsa/`` the same way (the simulated TSA signs with it; verifiers trust its
``ca.pem``). Production's TSA is a third party: only its certificate is configured (config/settings.py).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SANDBOX_CA_NAME = "One-Matter 沙箱 电子印章 CA"
SANDBOX_TSA_NAME = "One-Matter 沙箱 时间戳服务"
_VALID = timedelta(days=3650)


@dataclass(frozen=True)
class CourtCredentials:
    court: str
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    ca: x509.Certificate


class MissingCourtCertificate(RuntimeError):
    pass


class CourtKeys:
    """Where courts' credentials come from; ``sandbox`` makes what is missing."""

    CA_NAME = SANDBOX_CA_NAME
    PURPOSE: x509.ExtendedKeyUsage | None = None  # a court's seal: any use its key usage allows

    def __init__(self, directory: Path, sandbox: bool) -> None:
        self.directory = directory
        self.sandbox = sandbox
        self._cache: dict[str, CourtCredentials] = {}

    @property
    def ca_path(self) -> Path:
        return self.directory / "ca.pem"

    def ca(self) -> x509.Certificate:
        if not self.ca_path.is_file():
            if not self.sandbox:
                raise MissingCourtCertificate(f"no CA certificate at {self.ca_path}")
            self._make_ca()
        return x509.load_pem_x509_certificate(self.ca_path.read_bytes())

    def credentials(self, court: str) -> CourtCredentials:
        found = self._cache.get(court)
        if found is not None:
            return found
        folder = self._court_dir(court)
        if not (folder / "cert.pem").is_file():
            if not self.sandbox:
                raise MissingCourtCertificate(f"{court} has no certificate in {folder}")
            self._make_court(court)
        key = serialization.load_pem_private_key((folder / "key.pem").read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise MissingCourtCertificate(f"{court}: the seal key must be an EC key")
        creds = CourtCredentials(
            court=court,
            certificate=x509.load_pem_x509_certificate((folder / "cert.pem").read_bytes()),
            key=key,
            ca=self.ca(),
        )
        self._cache[court] = creds
        return creds

    def _court_dir(self, court: str) -> Path:
        # The court's name may be any text; its folder is named by a digest so no name escapes the tree.
        return self.directory / "courts" / hashlib.sha256(court.encode()).hexdigest()[:24]

    def _make_ca(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.CA_NAME)])
        cert = _certificate(name, name, key, key, ca=True)
        if _write_once(self.directory / "ca-key.pem", _key_pem(key), private=True):
            _write_once(self.ca_path, cert.public_bytes(serialization.Encoding.PEM))
            return
        for _ in range(100):  # another process made the key a moment ago; its certificate follows
            if self.ca_path.is_file():
                return
            time.sleep(0.05)
        raise MissingCourtCertificate(f"the sandbox CA key exists without its certificate ({self.ca_path})")

    def _make_court(self, court: str) -> None:
        self.ca()
        ca_key = serialization.load_pem_private_key((self.directory / "ca-key.pem").read_bytes(), password=None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        ca = x509.load_pem_x509_certificate(self.ca_path.read_bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, court),
                x509.NameAttribute(NameOID.COMMON_NAME, court),
            ]
        )
        cert = _certificate(subject, ca.subject, key, ca_key, ca=False, purpose=self.PURPOSE)
        # Key and certificate made in a private folder renamed into place: a racing process's pair wins
        # whole, or ours does — never its key with our certificate.
        folder = self._court_dir(court)
        staging = folder.with_name(f".{folder.name}.{os.getpid()}.{secrets.token_hex(4)}")
        staging.mkdir(parents=True, mode=0o700)
        _write_once(staging / "key.pem", _key_pem(key), private=True)
        _write_once(staging / "cert.pem", cert.public_bytes(serialization.Encoding.PEM))
        try:
            staging.rename(folder)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)


class TsaKeys(CourtKeys):
    """The sandbox time-stamping authority's root and its one signing certificate, whose extended key usage is
    time stamping alone, marked critical (RFC 3161 §2.3: verifiers refuse a token signed under any other)."""

    CA_NAME = "One-Matter 沙箱 时间戳 CA"
    PURPOSE = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])

    def signer(self) -> CourtCredentials:
        """The TSA's certificate and key, made on first use."""
        return self.credentials(SANDBOX_TSA_NAME)


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    ca: bool,
    purpose: x509.ExtendedKeyUsage | None = None,
) -> x509.Certificate:
    now = datetime.now(UTC) - timedelta(days=1)
    usage = (
        x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        if ca
        else x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALID)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if purpose is not None:
        builder = builder.add_extension(purpose, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_once(path: Path, data: bytes, private: bool = False) -> bool:
    """Writes ``path`` unless it exists; True if this call wrote it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
