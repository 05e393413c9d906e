"""Ending a process whose work is done."""

from __future__ import annotations

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
