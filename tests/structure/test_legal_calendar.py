"""Every workflow counts its legal periods on its own copy of the holiday calendar, loaded before its first
wait (workflows/foundation/clock.py): no local activity in a new run, so replay never runs a task ahead of
the live run (the query-replay flake), and no activity between a step's status and its deadline.

A new scenario that forgot ``await load_calendar()`` would fetch the calendar at its first deadline — an
activity, so a workflow task, between the status it had just set and the decision it then offers."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import workflows
from workflows.registry import all_workflows

ROOT = Path(workflows.__file__).parent
# Workflows that count no legal period where a status shows: the asset inquiry and the payout count none;
# a measure's term counts one only after its release call, an activity anyway, and fetches the calendar then.
COUNTS_NO_PERIOD_AT_A_STEP = {"AssetInquiry", "MassPayout", "MeasureTermWatch"}


def _run(cls: type) -> ast.AsyncFunctionDef:
    run = ast.parse(textwrap.dedent(inspect.getsource(cls.run))).body[0]  # type: ignore[attr-defined]
    assert isinstance(run, ast.AsyncFunctionDef)
    return run


def _first_wait(run: ast.AsyncFunctionDef) -> str:
    """The first top-level statement of ``run`` that awaits anything, as source."""
    for statement in run.body:
        if any(isinstance(node, ast.Await) for node in ast.walk(statement)):
            return ast.unparse(statement)
    return ""


def test_every_workflow_loads_its_calendar_before_its_first_wait():
    names = {cls.__name__ for cls in all_workflows()}
    assert COUNTS_NO_PERIOD_AT_A_STEP <= names, "an exemption names a workflow that no longer exists"
    missing = {
        cls.__name__: _first_wait(_run(cls))
        for cls in all_workflows()
        if cls.__name__ not in COUNTS_NO_PERIOD_AT_A_STEP
        and not re.fullmatch(r"await load_calendar\((inp\.calendar|inp\.context\.calendar)?\)", _first_wait(_run(cls)))
    }
    assert not missing, f"first wait is not `await load_calendar()`: {missing}"


def test_only_runs_recorded_before_ask_the_local_activity():
    calls = {
        str(path.relative_to(ROOT)): path.read_text().count("execute_local_activity")
        for path in ROOT.rglob("*.py")
        if "execute_local_activity" in path.read_text()
    }
    assert calls == {"foundation/clock.py": 1}
