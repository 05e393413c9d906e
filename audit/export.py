"""The signed export (审计导出): the sealed trail as one self-contained JSON file, signed by the
server's Ed25519 key over ``{format, genesis, head, events (count)}``. The public key travels in the
file and is served at ``GET /api/audit/public-key`` so a verifier can pin it; ``python -m audit verify
FILE`` checks all of it offline (``audit.verify``).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.trail import AuditTrail
from audit.verify import check_chain, key_id, signed_message
from config.settings import Settings
from domain.errors import Conflict

SIGNING_KEY_FILE = "audit-signing-key.pem"


def _parse_private_key(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the audit signing key is not an Ed25519 key")
        return key
    seed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(seed) != 32:
        raise ValueError("the audit signing key must be 32 bytes (urlsafe base64) or a PEM Ed25519 key")
    return Ed25519PrivateKey.from_private_bytes(seed)


def load_signing_key(settings: Settings) -> Ed25519PrivateKey:
    """From ``OM_AUDIT_SIGNING_KEY``; in the sandbox, var/audit-signing-key.pem (created on first use)."""
    if settings.audit_signing_key:
        return _parse_private_key(settings.audit_signing_key)
    if not settings.sandbox:
        raise RuntimeError("OM_AUDIT_SIGNING_KEY is required in the production profile")
    path = settings.var_dir / SIGNING_KEY_FILE
    if not path.exists():
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; use theirs
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
    return _parse_private_key(path.read_text())


def public_key_b64(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def build_export(trail: AuditTrail, key: Ed25519PrivateKey, temporal_ui_url: str | None = None) -> dict[str, Any]:
    """The signed, self-contained export. Refuses a trail whose own chain does not hold (e.g. an
    archive row edited in the database): signing it would launder the edit."""
    doc: dict[str, Any] = trail.model_dump(mode="json")
    problem = check_chain(doc)
    if problem is not None:
        raise Conflict("AUDIT_CHAIN_BROKEN", f"the stored trail fails its own hash chain: {problem.message}")
    public = public_key_b64(key.public_key())
    doc["generated_at"] = datetime.now(UTC).isoformat()
    if temporal_ui_url:
        doc["temporal_ui_url"] = temporal_ui_url
    doc["signature"] = {
        "algorithm": "ed25519",
        "public_key": public,
        "key_id": key_id(public),
        "signed": "canonical JSON of {format, genesis, head, events (count)}",
        "value": base64.b64encode(key.sign(signed_message(doc))).decode(),
    }
    return doc


def export_bytes(doc: Mapping[str, Any]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode()
