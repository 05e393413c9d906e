"""The audit export verifier under its older name: ``python -m web.audit_cli verify FILE`` runs
``python -m audit verify FILE`` (``audit/__main__.py``), which is where it lives."""

from __future__ import annotations

import sys

from audit.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
