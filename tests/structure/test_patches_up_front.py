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
PATCH_CONSTANT = re.compile(r'^[A-Z_]*PATCH = "([a-z0-9-]+)"', re.MULTILINE)


def patch_ids(*folders: str) -> set[str]:
    return {m for f in folders for path in (ROOT / f).glob("*.py") for m in PATCH_CONSTANT.findall(path.read_text())}


def test_the_disposal_decides_every_patch_it_may_consult_up_front():
    assert patch_ids("real_estate_disposal", "foundation") <= set(PATCHES)
    # …as the first statement of the run, before any command the run gives.
    run = ast.parse(textwrap.dedent(inspect.getsource(RealEstateDisposal.run))).body[0]
    assert isinstance(run, ast.AsyncFunctionDef)
    first = run.body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Call)
    assert ast.unparse(first.value) == "decide_up_front(*PATCHES)"
