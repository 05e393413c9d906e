"""What the Chinese UI says, checked without a browser or a stack: the refusal referral's 指定单位 are chosen
from the directory by name (no JSON field), every refusal the UI can show has words in both languages, and
every decision says what it does before the judge takes it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from domain.actors import Actor, Role
from domain.errors import Conflict, ValidationFailed
from domain.refusal_granules import DEFAULT_CATALOGUE, catalogue
from web.services.directory import Directory, directory
from web.ui.display import Display
from web.ui.forms import FormBuilder, flatten, parse
from web.ui.i18n import MESSAGES, Translator
from web.ui.render import refusal_fields, said
from workflows.foundation.models import TimelineEntry
from workflows.registry import SCENARIOS


def sandbox_directory(tmp_path: Path) -> Directory:
    return Directory(directory(Settings(var_dir=tmp_path)))


def test_the_referrals_designated_units_are_chosen_by_name(tmp_path: Path) -> None:
    t = Translator("zh")
    scenario = SCENARIOS["refusal-referral"]
    builder = FormBuilder(scenario.input_schema(), t, scenario.name, sandbox_directory(tmp_path))
    fields = {f.name: f for f in flatten(builder.fields())}
    assert fields["f.agencies"].kind == "object"  # not a JSON text box
    assert not [f.name for f in fields.values() if f.kind == "json"]
    departments = catalogue(DEFAULT_CATALOGUE).departments
    police = fields["f.agencies.police"]
    assert police.kind == "enum" and police.label == departments["police"].name
    value, shown = police.options[0]
    assert value == "" and "湖州" in shown  # empty keeps the catalogue's default, said by its name
    assert all(name and not name.isascii() for _, name in police.options)
    # Only what the judge changed is sent: the rest stays with the catalogue.
    form = {"f.agencies.police": police.options[1][0], "f.agencies.bank": ""}
    parsed = parse([fields["f.agencies"]], form, t)
    assert parsed.data == {"agencies": {"police": police.options[1][0]}}, parsed


# --- every refusal the UI can show has words -------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
# Where a refusal shown on a case page, its timeline or a decision's form comes from: a partner (the
# simulators stand for them), an adapter, an activity, or a workflow's validator.
REFUSING_PACKAGES = ("simulators", "adapters", "activities", "workflows")
# The calls whose first string argument (or ``type=``/``code=``) is a refusal code.
REFUSING_CALLS = {
    "SimulatorError",
    "PartnerError",
    "PartnerRefusal",
    "PartnerUnavailable",
    "PartnerProtocolError",
    "ApplicationError",
    "Incident",
    "refuse",
    "refusal_from",
}
# The web's own refusals — its services, routes and pages, and the domain's checks, documents and audit it
# runs — are our errors (OneMatterError and its subclasses, found by class wherever they are defined) with
# a code; the partners' packages raise them too (a matter refused before it starts).
ERROR_PACKAGES = ("web", "domain", "documents", "audit", "store", "security", *REFUSING_PACKAGES)
# A code the web makes up from another's answer rather than raising by name (workflow_updates.py).
DERIVED_CODES = {"DECISION_REFUSED"}
CODE = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")
FAILED_SUFFIXES = ("_refused", "_failed", "_rejected")


def call_name(call: ast.Call) -> str:
    fn = call.func
    return fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""


@cache
def nodes(package: str) -> tuple[ast.AST, ...]:
    """Every node of a package's modules, parsed once for all the scans."""
    return tuple(
        node
        for path in sorted((REPO / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    )


def parsed(packages: tuple[str, ...]) -> Iterator[ast.AST]:
    for package in packages:
        yield from nodes(package)


def source_calls(packages: tuple[str, ...] = REFUSING_PACKAGES) -> Iterator[ast.Call]:
    yield from (node for node in parsed(packages) if isinstance(node, ast.Call))


def error_classes() -> set[str]:
    """OneMatterError and every class derived from it, by name (``InvalidStartRequest``, ``GatewayTimeout``)."""
    bases = {
        node.name: {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
        for node in parsed(ERROR_PACKAGES)
        if isinstance(node, ast.ClassDef)
    }
    found = {"OneMatterError"}
    while grown := {name for name, of in bases.items() if of & found} - found:
        found |= grown
    return found


def _is_super_init(call: ast.Call) -> bool:
    fn = call.func
    return (
        isinstance(fn, ast.Attribute)
        and fn.attr == "__init__"
        and isinstance(fn.value, ast.Call)
        and call_name(fn.value) == "super"
    )


@cache
def web_error_codes() -> frozenset[str]:
    """The codes our errors are raised with (the first argument or ``code=``; a subclass's own code passed
    to ``super().__init__``), and ``ErrorDetail(code=…)``."""
    classes = error_classes()
    calls = [c for c in source_calls(ERROR_PACKAGES) if call_name(c) in classes | {"ErrorDetail"}]
    for node in parsed(ERROR_PACKAGES):
        if isinstance(node, ast.ClassDef) and node.name in classes:
            calls += [c for c in ast.walk(node) if isinstance(c, ast.Call) and _is_super_init(c)]
    found = set(DERIVED_CODES)
    for call in calls:
        args = [*call.args[:1], *(k.value for k in call.keywords if k.arg == "code")]
        found.update(
            a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str) and CODE.match(a.value)
        )
    return frozenset(found)


def refusal_codes() -> set[str]:
    found: set[str] = set()
    for call in source_calls():
        if call_name(call) not in REFUSING_CALLS:
            continue
        args = [*call.args, *(k.value for k in call.keywords if k.arg in ("type", "code"))]
        found.update(
            a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str) and CODE.match(a.value)
        )
        if call_name(call) == "refusal_from" and len(call.args) > 1:
            second = call.args[1]
            if isinstance(second, ast.Constant) and isinstance(second.value, str):
                found.add(second.value)
    return found


def codeless_failures() -> set[str]:
    """Timeline steps recorded as refused or failed without a code: they are explained by their action."""
    found: set[str] = set()
    for call in source_calls():
        if call_name(call) != "record" or not call.args:
            continue
        action = call.args[0]
        if (
            isinstance(action, ast.Constant)
            and isinstance(action.value, str)
            and action.value.endswith(FAILED_SUFFIXES)
            and not any(k.arg == "code" for k in call.keywords)
        ):
            found.add(action.value)
    return found


def test_the_scan_finds_the_refusals_it_should() -> None:
    """The scan itself works: codes from a simulator, an adapter, an activity and a validator."""
    codes = refusal_codes()
    assert {"ASSET_NOT_FOUND", "BATCH_ID_MISMATCH", "PAYEE_LIST_MISMATCH", "WRONG_STATE"} <= codes
    assert {"renewal_refused", "online_inquiry_failed"} <= codeless_failures()
    # The web's own: a service, a route's guard, a page, a subclass's constructor, the domain's check.
    web = web_error_codes()
    assert {"TASK_CLOSED", "AMOUNT_OVER_BALANCE", "UNAUTHENTICATED", "DECISION_NOT_PENDING"} <= web
    assert {"VALIDATION_FAILED", "DOCUMENT_FIELD_MISSING", "FINE_OUT_OF_RANGE", "UNKNOWN_AGENCY"} <= web


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_refusal_code_has_words(lang: str) -> None:
    said = MESSAGES[lang]  # the language's own words: the translator would fall back to Chinese
    missing = sorted(c for c in refusal_codes() if not said.get(f"refusal.{c}"))
    assert not missing, f"refusal codes without words in {lang} (web/ui/i18n.py refusal.*): {missing}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_error_the_web_raises_has_words(lang: str) -> None:
    """A page shows the code's words wherever the message is not the reader's alone (the web's messages are
    mostly an API caller's English, or both languages): without words it would say "未被接受 (代码 X)"."""
    said = MESSAGES[lang]
    missing = sorted(c for c in web_error_codes() if not said.get(f"refusal.{c}"))
    assert not missing, f"error codes raised without words in {lang} (web/ui/refusal_words.py): {missing}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_refusal_without_a_code_is_explained(lang: str) -> None:
    said = MESSAGES[lang]
    missing = sorted(a for a in codeless_failures() if not said.get(f"failure.{a}"))
    assert not missing, f"failed steps recorded without a code and without words (failure.*): {missing}"


def step(action: str, role: str = "system", reason: str | None = None, **detail: Any) -> TimelineEntry:
    return TimelineEntry(
        at=datetime.now(UTC), actor=Actor(user_id=role, role=Role(role)), action=action, reason=reason, detail=detail
    )


def test_a_failure_shows_its_words_never_an_exception(tmp_path: Path) -> None:
    display = Display(Translator("zh"), "periodic-reinquiry", sandbox_directory(tmp_path))
    failed = display.failure(step("reinquiry_failed", reason="Child Workflow execution failed", round=2))
    assert failed is not None
    assert failed["why"] == "本轮查询未能完成 (系统问题)" and failed["kind"] == "system"
    lapsed = display.failure(step("renewal_refused", step="renew-1"))
    assert lapsed is not None and "续行" in lapsed["why"]
    coded = display.failure(step("measure_refused", partner="bank-icbc", code="ACCOUNT_CLOSED"))
    assert coded is not None and coded["why"] == "该账户已销户" and coded["who"] != "bank-icbc"


def test_a_refusal_in_english_shows_its_words_in_chinese() -> None:
    zh, en = Translator("zh"), Translator("en")
    english = Conflict("WRONG_STATE", "decision: 'approve' is not pending (pending: )")
    assert said(english, zh) == "这项决定现在不能作出: 案件已有变化, 请刷新页面"
    assert said(english, en) == english.message
    chinese = Conflict("EXTENSION_REFUSED", "审限已经院长批准延长一次; 再延长须报请高级人民法院批准")
    assert said(chinese, zh) == chinese.message  # the rule's own words, with its particulars
    unknown = Conflict("SOMETHING_NEW", "an English message")
    assert said(unknown, zh) == "未被接受 (代码 SOMETHING_NEW)"
    by_field, general = refusal_fields(Conflict("INVALID_SELECTION", "payload.selection: names assets not in"), zh)
    assert by_field == {"f.payload.selection": "所选财产不在查询报告中"} and general == []
    # The web's own refusals: an API caller's English or "中文 / English" show the code's words, which say
    # the field and what to do; a Chinese rule's text keeps its particulars but not the field's key.
    closed = Conflict("TASK_CLOSED", "the task is no longer open")
    assert said(closed, zh) == MESSAGES["zh"]["refusal.TASK_CLOSED"] and "刷新" in said(closed, zh)
    both = ValidationFailed("AMOUNT_OVER_BALANCE", "amount_fen: 不能超过未执行到位的 12.00 元 / over the balance")
    assert said(both, zh).startswith("「金额」超过") and said(both, en).startswith("“Amount” exceeds")
    rule = "罚款金额个人为十万元以下 (民事诉讼法第一百一十八条)"
    assert said(ValidationFailed("FINE_OUT_OF_RANGE", f"sanction.amount_fen: {rule}"), zh) == rule
    by_field, general = refusal_fields(ValidationFailed("INVALID_AMOUNT", "amount: 请填写金额 / an amount"), zh)
    assert by_field == {"f.amount": MESSAGES["zh"]["refusal.INVALID_AMOUNT"]} and general == []
