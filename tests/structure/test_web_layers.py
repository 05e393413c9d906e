"""The web's layers, read from the source (``ast``, nothing imported): the UI and the JSON API both stand
on web/services; the UI never reaches into the API; nothing in web/ borrows another module's private
names; services know nothing of HTTP; message names to workflows come from the workflows, never typed
into the web."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
# What an HTTP request, response or template is made of: services take plain arguments instead.
HTTP_PACKAGES = ("fastapi", "starlette", "jinja2")
# Client calls that name a signal, update or query of a workflow.
MESSAGE_CALLS = {"signal", "execute_update", "start_update", "query", "signal_with_start"}


def modules(folder: Path) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(folder.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield str(path.relative_to(WEB.parent)), ast.parse(path.read_text(encoding="utf-8"), str(path))


def imports(tree: ast.Module) -> Iterator[tuple[str, list[str], int]]:
    """(module, imported names, line) of every import; ``import a.b`` is module ``a.b`` with no names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, [a.name for a in node.names], node.lineno


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_ui_never_imports_the_api() -> None:
    found = [
        f"{path}:{line} imports {module}"
        for path, tree in modules(WEB / "ui")
        for module, names, line in imports(tree)
        if _under(module, "web.api") or (module == "web" and "api" in names)
    ]
    assert found == []


def test_no_private_name_is_imported_from_another_module() -> None:
    found = [
        f"{path}:{line} imports {name} from {module}"
        for path, tree in modules(WEB)
        for module, names, line in imports(tree)
        for name in names
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
    ]
    private_modules = [
        f"{path}:{line} imports {module}"
        for path, tree in modules(WEB)
        for module, _, line in imports(tree)
        if any(part.startswith("_") and not part.startswith("__") for part in module.split("."))
    ]
    assert found + private_modules == []


def test_services_know_nothing_of_http_or_of_the_layers_above() -> None:
    found = [
        f"{path}:{line} imports {module}"
        for path, tree in modules(WEB / "services")
        for module, _, line in imports(tree)
        if any(_under(module, p) for p in (*HTTP_PACKAGES, "web.api", "web.ui", "web.deps"))
    ]
    assert found == []


def test_routes_and_pages_call_services_not_each_other() -> None:
    """Every API module and UI page reaches the rules through web.services (a guard against logic
    growing back into a route)."""
    callers = [*modules(WEB / "api"), *modules(WEB / "ui")]
    pages = [
        path
        for path, tree in callers
        if Path(path).name.startswith(("pages_", "workflows", "scenarios", "tasks", "users", "partners", "auth"))
    ]
    assert pages, "no route modules found: has web/ moved?"
    missing = [
        path
        for path, tree in callers
        if path in pages and not any(_under(m, "web.services") for m, _, _ in imports(tree))
    ]
    assert missing == []


def _literal_message_names(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MESSAGE_CALLS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def test_signal_update_and_query_names_come_from_the_workflows() -> None:
    found = [
        f"{path}:{line} sends {name!r} by its literal name"
        for path, tree in modules(WEB)
        for line, name in _literal_message_names(tree)
    ]
    defined = [
        f"{path}:{node.lineno} defines {target.id}"
        for path, tree in modules(WEB)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.endswith(("_SIGNAL", "_UPDATE", "_QUERY"))
    ]
    assert found + defined == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("from web.api.workflows import get_workflow\n", True),
        ("from web.services.workflows import get_workflow\n", False),
    ],
)
def test_the_ui_rule_catches_an_api_import(source: str, caught: bool) -> None:
    tree = ast.parse(source)
    assert any(_under(m, "web.api") for m, _, _ in imports(tree)) is caught


def test_the_private_name_rule_catches_one() -> None:
    tree = ast.parse("from web.api.auth import _login\nfrom __future__ import annotations\n")
    names = [n for _, ns, _ in imports(tree) for n in ns if n.startswith("_") and not n.endswith("__")]
    assert names == ["_login"]
    tree = ast.parse("await handle.signal('om-cancel-requested', {})\n")
    assert [n for _, n in _literal_message_names(tree)] == ["om-cancel-requested"]
