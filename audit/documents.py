"""Verifying a court document (文书核验)::

    python -m audit verify-document FILE [--ca CA.pem] [--tsa TSA.pem] [--audit EXPORT.json]

Checks that the PDF carries the court's seal — one PAdES signature, intact, over the whole file, by a
certificate the CA issued (this deployment's CA unless ``--ca`` names another), with an RFC 3161 signature
timestamp over it by the time-stamping authority (this deployment's unless ``--tsa`` names its certificate
or root; PAdES B-T; a seal made before timestamps were required, ``OM_DOCUMENT_TIMESTAMPS_FROM``, is valid
without one, at B-B, and said so) — and that its SHA-256 is
one the audit chain recorded: in a signed audit export given with ``--audit`` (the export is verified too),
else in the court's document register of the shared database when this machine has it. Exit code 0 when
the document is sealed and recorded, 1 when it is not, 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any


def recorded_in_export(doc: dict[str, Any], digest: str) -> dict[str, Any] | None:
    """The event of the chain that issued the document with this hash, if any."""
    needle = f"sha256={digest}"
    for event in doc.get("events", []):
        if isinstance(event, dict) and needle in (event.get("reference") or ""):
            return event
    return None


def verify_document(args: argparse.Namespace) -> int:
    from cryptography import x509

    from config.settings import Settings
    from documents.seal import verify_pdf
    from documents.timestamps import tsa_trust

    try:
        pdf = Path(args.file).read_bytes()
        ca_path = Path(args.ca) if args.ca else Settings().document_pki_path / "ca.pem"
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
        tsa = x509.load_pem_x509_certificate(Path(args.tsa).read_bytes()) if args.tsa else tsa_trust(Settings())
    except (OSError, ValueError) as exc:
        print(f"FAILED: cannot read {exc}", file=sys.stderr)
        return 2
    digest = hashlib.sha256(pdf).hexdigest()
    verdict = verify_pdf(pdf, ca, tsa, Settings().document_timestamps_from)
    print(f"document sha256 {digest}")
    if not verdict.ok:
        print(f"FAILED: {verdict.message}", file=sys.stderr)
        return 1
    before = "无, 盖章于启用时间戳之前 / none, sealed before timestamps were introduced (PAdES B-B)"
    stamp = before if verdict.before_timestamps else verdict.timestamped_at
    print(f"seal: {verdict.message}; signed at {verdict.signed_at}; timestamp {stamp}")
    if args.audit:
        from audit.verify import verify_export

        try:
            export = json.loads(Path(args.audit).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            print(f"FAILED: cannot read the audit export: {exc}", file=sys.stderr)
            return 2
        chain = verify_export(export, None)
        if not chain.ok:
            print(f"FAILED: the audit export does not verify: {chain.message}", file=sys.stderr)
            return 1
        event = recorded_in_export(export, digest)
        if event is None:
            print("FAILED: the audit chain does not record this document's SHA-256", file=sys.stderr)
            return 1
        print(f"audit chain: event {event.get('index')} ({event.get('action')}, {event.get('at')}) records it")
        return 0
    from store.db import Database
    from store.documents import DocumentStore

    settings = Settings()
    issued = DocumentStore(Database(settings.web_database_url)).by_hash(digest)
    if issued is None:
        print("FAILED: the court's document register has no document with this SHA-256", file=sys.stderr)
        return 1
    print(f"register: {issued.title} {issued.number}, {issued.court}, issued {issued.issued_at.isoformat()}")
    return 0


def add_parser(sub: Any) -> None:
    v = sub.add_parser("verify-document", help="check a court document's seal and its hash in the audit chain")
    v.add_argument("file")
    v.add_argument("--ca", help="the CA certificate (PEM) the courts' seals chain to; default: this deployment's")
    v.add_argument(
        "--tsa",
        help="the TSA's certificate or root (PEM) the timestamp chains to; default: this deployment's",
    )
    v.add_argument("--audit", help="a signed audit export (JSON) of the workflow that issued the document")
