"""Ports in the domain's terms: above ``adapters/`` nothing imports a protocol's folder (its wire models or
its adapters), and the ports import nothing but the domain — so a new protocol is one folder under
``adapters/`` and one line in ``adapters/registry.py`` (docs/partner-protocol.md)."""

from __future__ import annotations

from pathlib import Path

from tests.structure.test_layers import REPO, module_imports

PROTOCOL_FOLDERS = ("adapters.sandbox", "adapters.iso20022")
ABOVE_ADAPTERS = ("activities", "workflows", "workers", "web", "launcher", "bench", "store", "audit", "domain")


def _imports_of(package: str) -> list[tuple[str, str]]:
    return [
        (f"{path.relative_to(REPO).as_posix()}:{line}", target)
        for path in sorted((REPO / package).rglob("*.py"))
        for line, target in module_imports(path)
    ]


def _names(target: str, prefixes: tuple[str, ...]) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def test_nothing_above_the_adapters_imports_a_protocol() -> None:
    bad = [
        f"{where} imports {target}"
        for package in ABOVE_ADAPTERS
        if (REPO / package).is_dir()
        for where, target in _imports_of(package)
        if _names(target, PROTOCOL_FOLDERS)
    ]
    assert not bad, "\n".join(bad)


def test_the_ports_speak_only_the_domain() -> None:
    path = REPO / "adapters" / "interfaces.py"
    project = {"adapters", "core", "store", "activities", "workflows", "web", "simulators"}
    bad = [target for _, target in module_imports(path) if target.split(".")[0] in project]
    assert not bad, bad


def test_the_rule_sees_a_wire_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from adapters.sandbox.wire import InquiryCallback\nimport adapters.iso20022.messages\n")
    found = [t for _, t in module_imports(module)]
    assert [t for t in found if _names(t, PROTOCOL_FOLDERS)] == ["adapters.sandbox.wire", "adapters.iso20022.messages"]
