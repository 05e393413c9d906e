"""``python -m simulators --host 127.0.0.1 --port 8100 --state-dir var/simulators [--partners-file F.json]
[--no-demo-data]``: the partner simulators under uvicorn.

Partners: the ``--partners-file`` (a JSON list of PartnerEndpoint), else ``OM_PARTNERS_FILE`` so the
simulators serve exactly the partners the rest of the stack calls, else the sandbox partners.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import uvicorn

from config.settings import Settings, sandbox_partners
from domain.partners import PartnerEndpoint
from runtime.logging import configure_logging
from simulators.app import create_app
from simulators.models import SimulatorConfig
from simulators.server import HTTP_PARSER


def load_partners(path: Path) -> list[PartnerEndpoint]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise SystemExit(f"{path}: expected a JSON list of partner endpoints")
    return [PartnerEndpoint.model_validate(p) for p in raw]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators", description="One-Matter partner simulators")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--state-dir", type=Path, default=Path("var/simulators"))
    parser.add_argument("--partners-file", type=Path, default=None, help="JSON list of PartnerEndpoint")
    parser.add_argument("--no-demo-data", action="store_true", help="do not seed the demo debtors")
    parser.add_argument("--random-seed", type=int, default=None, help="fix the fault dice")
    parser.add_argument(
        "--document-ca",
        type=Path,
        default=None,
        help="the courts' CA certificate (PEM): banks and registries then refuse a freeze, seizure or deduction "
        "without a sealed 协助执行通知书 (the sandbox's is var/document-pki/ca.pem)",
    )
    parser.add_argument(
        "--tsa-dir",
        type=Path,
        default=None,
        help="the time-stamping authority's key and certificate, made on first run (default <state-dir>/tsa; "
        "the sandbox's is var/document-pki/tsa, whose ca.pem the stack trusts for documents' timestamps)",
    )
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)

    partners_file: Path | None = args.partners_file or Settings().partners_file
    if partners_file is not None:
        partners = load_partners(partners_file)
    else:
        partners = sandbox_partners(f"http://{args.host}:{args.port}")
    if args.document_ca is not None and not args.document_ca.exists() and Settings().sandbox:
        from documents.pki import CourtKeys

        CourtKeys(args.document_ca.parent, sandbox=True).ca()  # the sandbox CA, made by whoever needs it first
    config = SimulatorConfig(
        state_dir=args.state_dir,
        partners=partners,
        seed_demo_data=not args.no_demo_data,
        random_seed=args.random_seed,
        document_ca=args.document_ca,
        tsa_dir=args.tsa_dir,
    )
    configure_logging(args.log_level.upper(), component="simulators")
    uvicorn.run(
        create_app(config),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        http=HTTP_PARSER,
    )


if __name__ == "__main__":
    main()
