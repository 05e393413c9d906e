"""Offline verification of an audit export (审计导出校验)::

    python -m audit verify FILE [--public-key KEY | --public-key-file PATH]
    python -m audit verify-document FILE [--ca CA.pem] [--audit EXPORT.json]   (audit/documents.py)

Checks the hash chain event by event (naming the first altered event by index and action), then the
Ed25519 signature. Without a pinned key the key embedded in the file is used and its fingerprint is
printed: compare it with ``key_id`` from ``GET /api/audit/public-key`` (or pin that key). Exit code 0
when the file is intact and signed, 1 when it is not, 2 when it cannot be read. Needs no network and
nothing from the server but, optionally, its public key; loads neither FastAPI, SQLAlchemy nor Temporal
(``make verify-audit FILE=...`` runs it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from audit import documents
from audit.verify import verify_export


def _pinned(args: argparse.Namespace) -> str | None:
    if args.public_key:
        return str(args.public_key)
    if args.public_key_file:
        text = Path(args.public_key_file).read_text().strip()
        if text.startswith("{"):  # the JSON of GET /api/audit/public-key, saved as is
            return str(json.loads(text)["public_key"])
        return text
    return None


def verify(args: argparse.Namespace) -> int:
    try:
        doc = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"FAILED: cannot read {args.file} as JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(doc, dict):
        print("FAILED: not an audit export", file=sys.stderr)
        return 1
    try:
        pinned = _pinned(args)
    except (OSError, KeyError, json.JSONDecodeError) as exc:
        print(f"FAILED: cannot read the pinned public key: {exc}", file=sys.stderr)
        return 2
    verdict = verify_export(doc, pinned)
    if not verdict.ok:
        print(f"FAILED: {verdict.message}", file=sys.stderr)
        return 1
    header = doc["header"]
    print(verdict.message)
    print(f"workflow {header.get('workflow_id')}  case {header.get('case_number')}  status {header.get('status')}")
    if pinned is None:
        print(f"key not pinned: compare key_id {verdict.key_id} with GET /api/audit/public-key")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m audit", description="Verify One-Matter audit exports.")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="check an export's hash chain and signature")
    v.add_argument("file")
    pin = v.add_mutually_exclusive_group()
    pin.add_argument("--public-key", help="the server's Ed25519 public key (base64), to pin")
    pin.add_argument("--public-key-file", help="a file with that key, or the JSON of GET /api/audit/public-key")
    documents.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "verify-document":
        return documents.verify_document(args)
    return verify(args)


if __name__ == "__main__":
    sys.exit(main())
