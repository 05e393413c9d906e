"""The contract every scenario in ``workflows.registry.SCENARIOS`` keeps, checked without running it:
its words are complete in both languages, every agency task result type it asks for is known, every
activity its workflows call is registered on the worker, and every workflow type has a recorded
history (which test_replay.py replays). A new scenario that forgets one of these fails here, naming
what it forgot."""

from __future__ import annotations

import ast
import enum
import inspect
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, get_args, get_origin, get_type_hints

import pytest
from pydantic import BaseModel
from temporalio import activity

from domain.task_results import RESULT_MODELS
from workflows.agency_task.words import WORDS as AGENCY_TASK_WORDS
from workflows.foundation.child_matters import WORKFLOW_TYPES
from workflows.foundation.decisions import DecisionSpec
from workflows.foundation.scenario import Scenario
from workflows.foundation.words import Word, Words
from workflows.registry import SCENARIOS, all_activity_groups, all_workflows

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
# Calls whose first argument is a status the workflow takes on.
STATUS_SETTERS = {"_set_status", "_close", "_finish", "set_status", "_end"}


def scenario_modules(scenario: Scenario) -> list[ModuleType]:
    """The scenario folder's modules that hold workflow code (workflow.py and its procedure modules)."""
    names = {wf.__module__ for wf in scenario.workflows if wf.__module__.startswith(scenario.package)}
    folder = Path(sys.modules[scenario.package].__file__ or "").parent
    for path in folder.glob("*.py"):
        names.add(f"{scenario.package}.{path.stem}" if path.stem != "__init__" else scenario.package)
    return [sys.modules[n] for n in sorted(names) if n in sys.modules]


def calls(module: ModuleType) -> Iterator[ast.Call]:
    tree = ast.parse(inspect.getsource(module))
    yield from (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def call_name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def constant(node: ast.AST, module: ModuleType) -> Any:
    """A literal, or a module-level name bound to one (``APPROVE``, ``Status.DONE``)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return getattr(module, node.id, None)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return getattr(getattr(module, node.value.id, None), node.attr, None)
    return None


def statuses(scenario: Scenario) -> set[str]:
    found: set[str] = set()
    for module in scenario_modules(scenario):
        for call in calls(module):
            if call_name(call) in STATUS_SETTERS and call.args:
                value = constant(call.args[0], module)
                if isinstance(value, str):
                    found.add(str(value))
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value.__name__ == "Status":
                found.update(str(m.value) for m in value)
    return found


def decisions(scenario: Scenario) -> list[DecisionSpec]:
    specs: list[DecisionSpec] = []
    for module in scenario_modules(scenario):
        for value in vars(module).values():
            items = value.values() if isinstance(value, dict) else value if isinstance(value, tuple | list) else [value]
            specs.extend(v for v in items if isinstance(v, DecisionSpec))
    return specs


def fields(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> Iterator[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield name
        stack: list[Any] = [info.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                yield from fields(tp, seen)
            elif get_origin(tp) is not None:
                stack.extend(get_args(tp))


def all_word_pairs(words: Words) -> Iterator[tuple[str, Word]]:
    yield "title", words.title
    for kind in (
        "statuses",
        "decisions",
        "actions",
        "fields",
        "help",
        "summary",
        "columns",
        "tasks",
        "enums",
        "effects",
    ):
        for key, word in getattr(words, kind).items():
            yield f"{kind}.{key}", word


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=lambda s: s.name)
def test_every_word_is_said_in_both_languages(scenario: Scenario) -> None:
    missing = [key for key, word in all_word_pairs(scenario.words) if not word.zh.strip() or not word.en.strip()]
    assert not missing, f"{scenario.name}: words without zh or en: {missing}"


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=lambda s: s.name)
def test_every_status_has_words(scenario: Scenario) -> None:
    found = statuses(scenario)
    assert found, f"{scenario.name}: no status found in its workflow code"
    missing = sorted(found - set(scenario.words.statuses))
    assert not missing, f"{scenario.name}: statuses without words in words.py: {missing}"


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=lambda s: s.name)
def test_every_decision_and_its_form_has_words(scenario: Scenario) -> None:
    specs = decisions(scenario)
    assert specs, f"{scenario.name}: no DecisionSpec found"
    missing = sorted({s.name for s in specs} - set(scenario.words.decisions))
    assert not missing, f"{scenario.name}: decisions without words: {missing}"
    # Each decision's panel says what it does before the judge takes it.
    unexplained = sorted({s.name for s in specs} - set(scenario.words.effects))
    assert not unexplained, f"{scenario.name}: decisions without their effect in words.py (effects=): {unexplained}"
    unlabelled = sorted({f for s in specs for f in fields(s.payload)} - set(scenario.words.fields))
    assert not unlabelled, f"{scenario.name}: decision form fields without words: {unlabelled}"


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=lambda s: s.name)
def test_every_start_form_field_has_words(scenario: Scenario) -> None:
    unlabelled = sorted(set(fields(scenario.request_model)) - set(scenario.words.fields))
    assert not unlabelled, f"{scenario.name}: start form fields without words: {unlabelled}"


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=lambda s: s.name)
def test_every_task_result_type_is_known(scenario: Scenario) -> None:
    asked: set[str] = set()
    for module in scenario_modules(scenario):
        for call in calls(module):
            for kw in call.keywords:
                if kw.arg == "result_type":
                    value = constant(kw.value, module)
                    if isinstance(value, str):
                        asked.add(value)
    unknown = sorted(asked - set(RESULT_MODELS))
    assert not unknown, f"{scenario.name}: task result types not in domain.task_results: {unknown}"


# Words every scenario shares: an agency task's own, which also say what agencies report and a task's outcome.
SHARED_KEYS = set(AGENCY_TASK_WORDS.fields) | set(AGENCY_TASK_WORDS.columns) | set(AGENCY_TASK_WORDS.summary)


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=lambda s: s.name)
def test_every_result_key_has_words(scenario: Scenario) -> None:
    """The case page shows the result, nested, column by column: no key shows raw (``class_key``)."""
    result_model = get_type_hints(scenario.workflow.run)["return"]  # type: ignore[attr-defined]
    words = scenario.words
    known = set(words.fields) | set(words.columns) | set(words.summary) | SHARED_KEYS
    unlabelled = sorted(set(fields(result_model)) - known)
    assert not unlabelled, f"{scenario.name}: result keys without words: {unlabelled}"


def test_every_field_an_agency_reports_has_words() -> None:
    """An agency's result form and the judge's view of it label every field (``odometer_km`` never shows)."""
    pairs = all_word_pairs(AGENCY_TASK_WORDS)
    untranslated = [key for key, word in pairs if not word.zh.strip() or not word.en.strip()]
    assert not untranslated, f"agency task words without zh or en: {untranslated}"
    unlabelled = {name: sorted(set(fields(model)) - SHARED_KEYS) for name, model in RESULT_MODELS.items()}
    scenario_keys = {k for s in SCENARIOS.values() for k in s.words.fields}
    unlabelled = {name: [f for f in keys if f not in scenario_keys] for name, keys in unlabelled.items()}
    assert not {n: k for n, k in unlabelled.items() if k}, f"task result fields without words: {unlabelled}"


def registered_activity_names() -> set[str]:
    names: set[str] = set()
    for group in all_activity_groups():
        for _, member in inspect.getmembers(group, inspect.isfunction):
            defn = activity._Definition.from_callable(member)
            if defn is not None and defn.name:
                names.add(defn.name)
    return names


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=lambda s: s.name)
def test_every_activity_a_workflow_calls_is_registered(scenario: Scenario) -> None:
    registered = registered_activity_names()
    called: set[str] = set()
    modules = [*scenario_modules(scenario), *(sys.modules[wf.__module__] for wf in scenario.workflows)]
    modules += [m for name, m in sys.modules.items() if name.startswith("workflows.foundation.")]
    for module in modules:
        for call in calls(module):
            if not call_name(call).startswith(("execute_activity", "start_activity", "execute_local_activity")):
                continue
            if not call.args:
                continue
            target = call.args[0]
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                group = getattr(module, target.value.id, None)
                method = getattr(group, target.attr, None)
                defn = activity._Definition.from_callable(method) if method else None
                assert defn is not None, f"{module.__name__}: {target.value.id}.{target.attr} is not an activity"
                called.add(str(defn.name))
            else:
                value = constant(target, module)
                if isinstance(value, str):
                    called.add(value)
    missing = sorted(called - registered)
    assert not missing, f"{scenario.name}: activities called but not registered on the worker: {missing}"


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=lambda s: s.name)
def test_a_scenario_starts_another_by_the_type_the_registry_runs(scenario: Scenario) -> None:
    """A scenario starts another's matter by its workflow type name (``child_matters``), never importing it:
    the name must be the registered scenario's and the type the one its workflow defines."""
    for name in scenario.starts:
        assert name in SCENARIOS, f"{scenario.name} starts {name}, which is not in the registry"
        defined = getattr(SCENARIOS[name].workflow, "__temporal_workflow_definition").name
        assert WORKFLOW_TYPES.get(name) == defined, f"{scenario.name} starts {name} as {WORKFLOW_TYPES.get(name)}"
        assert SCENARIOS[name].workflow in all_workflows({scenario.name: scenario})


def test_every_workflow_type_has_a_recorded_history() -> None:
    recorded = set()
    for path in HISTORIES.glob("*.json"):
        if path.name.endswith("-keys.json"):
            continue
        first = json.loads(path.read_text())["history"]["events"][0]
        recorded.add(first["workflowExecutionStartedEventAttributes"]["workflowType"]["name"])
    names = {getattr(wf, "__temporal_workflow_definition").name for wf in all_workflows()}
    missing = sorted(names - recorded)
    assert not missing, f"workflow types without a recorded history in tests/histories: {missing}"


def test_every_workflow_class_says_each_hook_the_foundation_leaves_open() -> None:
    """A scenario class that leaves an abstract hook (``outcome``) unsaid cannot be made by the worker: every
    run of it would fail in its first task. Said here, before a run."""
    unsaid = {
        wf.__name__: sorted(getattr(wf, "__abstractmethods__", ())) for wf in all_workflows() if inspect.isabstract(wf)
    }
    assert not unsaid, f"workflow classes with hooks left abstract: {unsaid}"
