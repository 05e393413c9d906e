"""``make bench``: every benchmark, each against its baseline. Results: docs/performance.md.

``python -m bench [name ...]`` runs only the named ones (asset_inquiry, case, documents, inbox, layers, mass_payout,
parties, payee_upload, ui).
``python -m bench chaos [--quick]`` is the chaos run (bench/chaos.py): not part of ``make bench``.
"""

import asyncio
import importlib
import os
import sys

from runtime.logging import configure_logging

# The parts a bench runs in its own process (the web's filing service, an in-process worker) log as the stack's
# processes do (OM_LOG_LEVEL=WARNING, bench/harness.py): an info line for each of 10,000 filed cases is noise.
configure_logging(os.environ.get("OM_LOG_LEVEL", "WARNING"), component="bench")

BENCHMARKS = ("asset_inquiry", "case", "documents", "inbox", "layers", "mass_payout", "parties", "payee_upload", "ui")


async def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError:
            print(f"{name}: not available")
            continue
        await module.run()
        print()


if sys.argv[1:2] == ["chaos"]:
    from bench.chaos import main as chaos

    sys.exit(chaos(sys.argv[2:]))
asyncio.run(main(sys.argv[1:]))
