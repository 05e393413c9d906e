"""Imports point down (DESIGN.md: web → workflows → activities → adapters → domain), run in no circle, and
keep scenarios apart: read with ``ast`` from the source, so a module that is never imported in a test is held
to it too. ``importlib.import_module("…")`` and ``__import__("…")`` with a literal name count as imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# What each package below the web may import from the project (itself always). The web and the launcher
# (`make run`, which starts the web) sit on top and may import any of them.
# The ground every process stands on (what ``core/`` held): configuration, trust (signed actors, the payload
# codec), the runtime (Temporal client, logs, traces), outbound network and the court's documents. They may
# use each other and the domain; the circle check below keeps their modules out of circles.
GROUND = {"config", "security", "runtime", "net", "documents"}
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    **{ground: (GROUND - {ground}) | {"domain"} for ground in GROUND},
    "adapters": {*GROUND, "domain"},
    "store": {*GROUND, "domain"},
    "audit": {"store", *GROUND, "domain"},
    "activities": {"audit", "store", "adapters", *GROUND, "domain"},
    "workflows": {"activities", *GROUND, "domain"},
    "workers": {"workflows", "activities", "audit", "store", "adapters", *GROUND, "domain"},
    "simulators": {"adapters", *GROUND, "domain"},
}
PROJECT = {*ALLOWED, "web", "launcher", "bench", "tests"}
CODE = sorted(PROJECT - {"tests"})

# Inside workflows/: what every scenario may share. The foundation (message names, timeline, decision desk, task
# assignment, the base of every workflow class), the agency-task child workflow every scenario assigns, the
# case (执行案件) a matter speaks to, and the personal-data catalogue. A scenario speaks to another only
# through these; the foundation speaks to none.
SHARED = {"foundation", "agency_task", "case", "personal_data", "registry"}


def _module_of(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _literal_import(node: ast.Call) -> str | None:
    """The module a call imports by a literal name: ``importlib.import_module("a.b")``, ``__import__("a")``."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Lines under ``if TYPE_CHECKING:``: never run, so no circle and no dependency at run time."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def module_imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in ``path``, relative ones resolved, ``TYPE_CHECKING`` ones left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _type_checking_lines(tree)
    here = _module_of(path).split(".") if path.is_relative_to(REPO) else [path.stem]
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base:
                yield node.lineno, base
        elif isinstance(node, ast.Call) and (name := _literal_import(node)):
            yield node.lineno, name


def project_imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import of a project package in ``path``."""
    found: list[tuple[int, str]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and (literal := _literal_import(node)):
            names = [literal]
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
    module.write_text(
        "import os\nfrom web.db import Database\nimport store.db, audit\nfrom . import x\n"
        "import importlib\nimportlib.import_module('web.app')\n__import__('config')\n"
    )
    assert project_imports(module) == [(2, "web"), (3, "store"), (3, "audit"), (6, "web"), (7, "config")]


# --- circles between packages -------------------------------------------------------------------------------


def _unit(module: str) -> str:
    """The package a module counts under for circles: its top two names (``adapters.auction.protocol`` →
    ``adapters.auction``; ``workflows.foundation.tasks`` → ``workflows.foundation``; ``adapters.interfaces`` itself)."""
    return ".".join(module.split(".")[:2])


def package_graph() -> dict[str, dict[str, str]]:
    """unit → {unit it imports: where (the first such import)}, for every project module but the tests."""
    graph: dict[str, dict[str, str]] = {}
    for top in CODE:
        for path in sorted((REPO / top).rglob("*.py")):
            source = _unit(_module_of(path))
            edges = graph.setdefault(source, {})
            for line, module in module_imports(path):
                if module.split(".")[0] not in PROJECT:
                    continue
                target = _unit(module)
                if target != source:
                    edges.setdefault(target, f"{path.relative_to(REPO).as_posix()}:{line}")
    return graph


def circles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_circle_between_packages() -> None:
    graph = package_graph()
    bad = []
    for group in circles(graph):
        edges = [f"  {a} → {b} ({graph[a][b]})" for a in group for b in group if b in graph.get(a, {})]
        bad.append(" ↔ ".join(group) + "\n" + "\n".join(edges))
    assert not bad, "\n".join(bad)


def test_the_circle_check_sees_a_circle() -> None:
    graph = {"a.x": {"a.y": "a/x.py:1"}, "a.y": {"a.z": "a/y.py:1"}, "a.z": {"a.x": "a/z.py:1"}, "b": {"a.x": ""}}
    assert circles(graph) == [["a.x", "a.y", "a.z"]]


# --- inside workflows/ ----------------------------------------------------------------------------------------


def workflow_violations(root: Path = REPO) -> list[str]:
    out = []
    for path in sorted((root / "workflows").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        parts = path.relative_to(root / "workflows").with_suffix("").parts
        source = parts[0]
        for line, module in module_imports(path):
            names = module.split(".")
            if names[0] != "workflows" or len(names) < 2 or names[1] == source:
                continue
            target = names[1]
            if source in ("foundation", "agency_task") and target != "foundation":
                out.append(f"{rel}:{line} {source} imports {module}: it serves every scenario and knows none")
            elif source not in SHARED and target not in SHARED:
                out.append(f"{rel}:{line} scenario {source} imports scenario {target} ({module})")
    return out


def test_scenarios_speak_to_each_other_only_through_the_kit_or_the_case() -> None:
    bad = workflow_violations()
    assert not bad, "\n".join(bad)


def test_the_workflow_rule_sees_a_scenario_reaching_into_another(tmp_path: Path) -> None:
    (tmp_path / "workflows" / "settlement").mkdir(parents=True)
    (tmp_path / "workflows" / "foundation").mkdir()
    (tmp_path / "workflows" / "settlement" / "words.py").write_text(
        "from workflows.foundation.words import Word\nfrom workflows.dishonest_list.words import WORDS\n"
    )
    (tmp_path / "workflows" / "foundation" / "tasks.py").write_text("import workflows.agency_task.workflow\n")
    assert workflow_violations(tmp_path) == [
        "workflows/foundation/tasks.py:1 foundation imports workflows.agency_task.workflow: it serves every scenario "
        "and knows none",
        "workflows/settlement/words.py:2 scenario settlement imports scenario dishonest_list "
        "(workflows.dishonest_list.words)",
    ]
