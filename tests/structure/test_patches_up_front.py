"""A run decides every patch in its first workflow task (workflows/foundation/patches.py): a patch the disposal
consults but does not list would again be decided wherever replay first reaches it — a task early after a
local activity, and the query fails or the new rule is dropped."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import workflows
from workflows.real_estate_disposal.workflow import PATCHES, RealEstateDisposal

ROOT = Path(workflows.__file__).parent
PATCH_CONSTANT = re.compile(r'^([A-Z_]*PATCH) = "([a-z0-9-]+)"', re.MULTILINE)
# Read from the run's patch level alone (RunPatches.known): no marker is consulted or recorded, so replay has
# nothing to decide for it, up front or anywhere.
LEVEL_ONLY = re.compile(r"\.known\(([A-Z_]+)\)")
CONSULTED = re.compile(r"patched\(([A-Z_]+)\)")


def patch_ids(*folders: str) -> set[str]:
    sources = [path.read_text() for f in folders for path in (ROOT / f).glob("*.py")]
    consulted = {name for text in sources for name in CONSULTED.findall(text)}
    level_only = {name for text in sources for name in LEVEL_ONLY.findall(text)} - consulted
    return {pid for text in sources for name, pid in PATCH_CONSTANT.findall(text) if name not in level_only}


def test_the_disposal_decides_every_patch_it_may_consult_up_front():
    assert patch_ids("real_estate_disposal", "foundation") <= set(PATCHES)
    assert "om-deciders-not-the-starter" not in patch_ids("foundation"), "a level-only patch is not consulted"
    # …as the first statement of the run, before any command the run gives.
    run = ast.parse(textwrap.dedent(inspect.getsource(RealEstateDisposal.run))).body[0]
    assert isinstance(run, ast.AsyncFunctionDef)
    first = run.body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Call)
    assert ast.unparse(first.value) == "decide_up_front(*PATCHES)"
