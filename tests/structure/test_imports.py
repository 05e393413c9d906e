"""Every module imports on its own. A circle of imports only shows when a module of the circle is the
first one imported: the app may work because the registry happens to import another module of the
circle first, while a worker, a script or a test importing that one module alone fails. Likewise a module that
reads ``package.sub`` after importing only ``package`` works only while something else has imported ``sub``.

One fresh interpreter loads the third-party libraries — every one the project's sources import, found by
reading them — and then walks the project's modules, lowest packages first. For each module it forks a child
that imports that module *as if alone*: every project module the parent has loaded is taken out of
``sys.modules`` and off its package's attributes, and comes back only when the child's imports ask for it,
together with everything its own import (checked earlier, the same way) loaded — the state a fresh
interpreter would be in after importing it; a module not yet checked is not handed back but executed anew.
So a child executes the module under test (and anything not checked before it) and nothing else; then the
parent imports the module too and moves on. Each project module's code thus runs about twice in all, rather
than once for every module that imports it (was ~104 s of CPU, one fresh import per module).

What this does not see, said plainly: a module whose import works only because of a side effect of another
module's import — a registration into a shared table, a change to some library's global state — when
the module under test does not import that other module. Nothing in the project registers by import
(the scenario registry lists its scenarios)."""

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

# Run in the fresh interpreter. argv: the project's packages, the libraries to preload, then the modules to
# check, lowest first; prints "module\terror" per failure.
CHILD = r"""
import importlib, importlib.abc, importlib.util, os, sys, traceback

packages = set(sys.argv[1].split(","))
for lib in filter(None, sys.argv[2].split(",")):
    try:
        importlib.import_module(lib)
    except Exception:
        pass
ours = lambda name: name.split(".")[0] in packages
assert not [m for m in sys.modules if ours(m)], "project preloaded"
closure = {}  # a checked module -> every project module its import (as if alone) loaded, in order


hidden, specs = {}, {}  # in a child: the project modules the parent had loaded, and their specs


def revealable(name):
    return name in closure and all(m in closure and m in hidden for m in closure[name])


class Reveal(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    # In a child: hands back a checked module, and what its own import loaded, as a fresh import would.
    def find_spec(self, name, path, target=None):
        return importlib.util.spec_from_loader(name, self) if revealable(name) else None

    def create_module(self, spec):
        return hidden[spec.name]

    def exec_module(self, module):
        module.__spec__ = specs[module.__name__]
        for name in closure[module.__name__]:
            sys.modules.setdefault(name, hidden[name])
        for name in closure[module.__name__]:
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:
                setattr(sys.modules[parent], child, sys.modules[name])


def check(name):
    # Runs in the forked child: hide what the parent loaded, then import the module as if alone.
    hidden.update((m, sys.modules.pop(m)) for m in [m for m in sys.modules if ours(m)])
    specs.update((m, module.__spec__) for m, module in hidden.items())
    for m, module in hidden.items():
        parent, _, child = m.rpartition(".")
        if parent in hidden and getattr(hidden[parent], child, None) is module:
            delattr(hidden[parent], child)
    sys.meta_path.insert(0, Reveal())
    importlib.import_module(name)
    return [m for m in sys.modules if ours(m)]


def completion_order(names):
    # In a throwaway child: import every module, noting each when its import completes — what a module
    # imports completes before it does, so checking in this order finds a module's imports checked.
    done = []

    class Note(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            spec = importlib.machinery.PathFinder.find_spec(name, path) if ours(name) else None
            if spec is not None and spec.loader is not None:
                run = spec.loader.exec_module

                def exec_module(module, run=run):
                    run(module)
                    done.append(module.__name__)

                spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Note())
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException:
            pass
    wanted = set(names)
    return [m for m in done if m in wanted] + [m for m in names if m not in done]


def in_child(work):
    # work() in a forked child; returns (exit status, what it wrote or its traceback)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            os.write(write, work().encode())
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
    return status, b"".join(chunks).decode(errors="replace")


status, order = in_child(lambda: "\n".join(completion_order(sys.argv[3:])))
assert status == 0, order
for name in order.splitlines():
    status, text = in_child(lambda: "\n".join(check(name)))
    if status != 0:
        lines = text.strip().splitlines() or ["(no traceback)"]
        print(f"{name}\t{lines[-1]}", flush=True)
        continue
    closure[name] = text.splitlines()
    try:
        importlib.import_module(name)  # the parent too, so the next children find it checked and loaded
    except Exception:
        pass
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
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            ",".join(PACKAGES),
            ",".join(["temporalio.workflow", "jinja2", *libraries()]),
            *modules,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [line for line in result.stdout.splitlines() if line.strip()]


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


def test_the_check_sees_a_submodule_only_another_module_imported(tmp_path: Path) -> None:
    """``import pkg`` then ``pkg.a.X`` works only after something else imported ``pkg.a``: the check, which
    has imported ``pkg.a`` and ``pkg.b`` before ``pkg.c``, still finds that ``pkg.c`` fails alone."""
    pkg = tmp_path / "lazy"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("X = 1\n")
    (pkg / "b.py").write_text("import lazy.a\nY = lazy.a.X\n")
    (pkg / "c.py").write_text("import lazy\nZ = lazy.a.X\n")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "lazy", "", "lazy.a", "lazy.b", "lazy.c"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["lazy.c"], result.stdout + result.stderr
