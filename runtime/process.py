"""Ending a process whose work is done."""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import NoReturn


def exit_without_teardown(code: int = 0) -> NoReturn:
    """Ends the process once it has stopped cleanly and said so: the logs and standard streams are flushed,
    then the interpreter's teardown is skipped. That teardown frees every object of every module imported —
    for a worker ~280,000 of them and the SDK's Rust runtime, ~1 s of CPU — memory the kernel reclaims at
    exit anyway; on a loaded machine it outlasted the launcher's stop window and the worker was killed."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or a pipe nobody reads any more
            pass
    os._exit(code)


def freeze_startup_objects() -> None:
    """Keeps what a long-lived process built before serving — its modules, the SDK, pydantic's schemas, the
    PDF and crypto libraries: ~260,000 objects in a worker — out of the collector's full passes. Each full
    pass over them costs ~0.15 s of CPU (a worker ran one every ~30 asset inquiries, ~5 ms an inquiry,
    docs/performance.md "worker-loop"), and the event loop waits through it. Call it once, when the process
    is ready to serve; never in tests, which build many apps and workers in one interpreter."""
    gc.collect()
    gc.freeze()
