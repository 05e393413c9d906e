"""Every module imports on its own. A circle of imports only shows when a module of the circle is the
first one imported: the app may work because the registry happens to import another module of the
circle first, while a worker, a script or a test importing that one module alone fails.

Each module is imported in a child forked from one fresh interpreter that has loaded third-party
libraries only — every one the project's sources import, found by reading them, so a child pays for the
project's own modules and nothing else (no project module is ever loaded before the one under test, and each
child is thrown away after its import); the children run in a few parallel batches."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = (
    "domain",
    "config",
    "security",
    "runtime",
    "net",
    "documents",
    "adapters",
    "store",
    "audit",
    "activities",
    "workflows",
    "workers",
    "simulators",
    "web",
    "launcher",
    "bench",
)
BATCHES = 3

# Run in the fresh interpreter: preload what project modules use from outside the project, then fork once per
# module. argv: the project's packages, the libraries to preload, then the modules to import; prints
# "module\terror" per failure.
CHILD = r"""
import importlib, os, sys, traceback
for lib in ["temporalio.workflow", "jinja2", *sys.argv[2].split(",")]:
    try:
        importlib.import_module(lib)
    except Exception:
        pass
assert not [m for m in sys.modules if m.split(".")[0] in set(sys.argv[1].split(","))], "project preloaded"
for name in sys.argv[3:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            code = 0
        except BaseException:
            os.write(write, traceback.format_exc().encode())
            code = 1
        os.close(write)
        os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        lines = b"".join(chunks).decode(errors="replace").strip().splitlines() or ["(no traceback)"]
        detail = lines[-1]
        print(f"{name}\t{detail}", flush=True)
"""


def project_modules() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO).with_suffix("")
            if "migrations" in rel.parts and rel.parts[-1] != "__init__":
                continue  # Alembic's revision scripts are loaded by Alembic, not imported
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            if rel.name == "__main__":
                continue  # runs the program when imported
            found.append(".".join(parts))
    return found


def libraries() -> list[str]:
    """Every module outside the project (and outside the standard library) that a project source imports."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module)
    outside = {m for m in found if m.split(".")[0] not in PACKAGES and m.split(".")[0] not in sys.stdlib_module_names}
    return sorted(outside)


def failures(modules: list[str]) -> list[str]:
    batches = [modules[i::BATCHES] for i in range(BATCHES)]
    preload = ",".join(libraries())
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, ",".join(PACKAGES), preload, *batch],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for batch in batches
    ]
    out: list[str] = []
    for proc in procs:
        # ~40 s of two cores on an idle machine; generous, as eight test runs may share them.
        stdout, _ = proc.communicate(timeout=900)
        out.extend(line for line in stdout.splitlines() if line.strip())
    return out


def test_every_module_imports_alone() -> None:
    modules = project_modules()
    assert len(modules) > 200, "the walk found too few modules"
    bad = failures(modules)
    assert not bad, "imported alone, these fail:\n" + "\n".join(bad)


def test_the_check_sees_a_circle(tmp_path: Path) -> None:
    """Two modules importing names from each other: whichever is imported first fails."""
    pkg = tmp_path / "circle"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from circle.b import B\nA = 1\n")
    (pkg / "b.py").write_text("from circle.a import A\nB = 2\n")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "circle", "", "circle.a", "circle.b"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    failed = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert failed == ["circle.a", "circle.b"]
