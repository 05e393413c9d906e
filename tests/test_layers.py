"""Imports point down (DESIGN.md: web → workflows → activities → adapters → domain): read with ``ast``
from the source, so a module that is never imported in a test is held to it too."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# What each package below the web may import from the project (itself always). The web and the launcher
# (`make run`, which starts the web) sit on top and may import any of them.
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "core": {"domain"},
    "adapters": {"core", "domain"},
    "store": {"core", "domain"},
    "audit": {"store", "core", "domain"},
    "activities": {"audit", "store", "adapters", "core", "domain"},
    "workflows": {"activities", "core", "domain"},
    "workers": {"workflows", "activities", "audit", "store", "adapters", "core", "domain"},
    "simulators": {"adapters", "core", "domain"},
}
PROJECT = {*ALLOWED, "web", "launcher", "bench", "tests"}
# The `make run` launcher used to live in core/ and starts the web; it is moving out (issue 10, item 6).
LEGACY_WEB_IMPORTERS = {"core/stack.py"}


def project_imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import of a project package in ``path``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.extend((node.lineno, n.split(".")[0]) for n in names if n.split(".")[0] in PROJECT)
    return found


def violations(rule: dict[str, set[str]]) -> list[str]:
    out = []
    for package, allowed in rule.items():
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            for line, target in project_imports(path):
                if target == package or target in allowed:
                    continue
                if target == "web" and rel in LEGACY_WEB_IMPORTERS:
                    continue
                out.append(f"{rel}:{line} imports {target}")
    return out


def test_nothing_below_the_web_imports_the_web() -> None:
    bad = [v for v in violations({p: set(ALLOWED) - {p} for p in ALLOWED}) if v.endswith("imports web")]
    assert not bad, "\n".join(bad)


def test_each_layer_imports_only_the_layers_below_it() -> None:
    bad = violations(ALLOWED)
    assert not bad, "\n".join(bad)


def test_the_rule_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom web.db import Database\nimport store.db, audit\nfrom . import x\n")
    assert project_imports(module) == [(2, "web"), (3, "store"), (3, "audit")]
