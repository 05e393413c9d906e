"""What a scenario is, for the registry, the worker and the web: its name and words, its workflows,
the activity groups they call, its request model and how its workflow input is built from the judge's
request plus deployment configuration."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from pydantic import BaseModel, ValidationError

from activities.resources import ActivityGroup
from domain.calendar import CalendarData
from domain.errors import ValidationFailed
from domain.legal_time import TimeScale
from domain.partners import PartnerRef
from workflows.foundation.case_link import CaseFacts, RegisteredMeasure, RegisterKind
from workflows.foundation.words import Words


class ScenarioContext(BaseModel):
    """Deployment configuration a workflow needs, passed in at start (and so recorded in history)."""

    workflow_id: str
    partners: list[PartnerRef]
    time_scale: TimeScale
    callback_base_url: str
    # The holiday calendar as it stood at the start: the run counts its legal periods on it without an
    # activity before its first step (workflows/foundation/clock.py). None: fetched by an activity.
    calendar: CalendarData | None = None


def built_on_first_access(package: str, build: Callable[[], Scenario]) -> Callable[[str], Scenario]:
    """A scenario package's module ``__getattr__`` (PEP 562): its ``SCENARIO`` is built by ``build`` when first
    read, not at import. Under the full guard the sandbox executes the package's ``__init__`` afresh before
    every run of one of its workflows, with all it imports; a run needs neither the scenario entry nor the
    package's other workflow modules (docs/adding-a-scenario.md)."""

    def __getattr__(name: str) -> Scenario:
        if name != "SCENARIO":
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        scenario = build()
        vars(sys.modules[package])["SCENARIO"] = scenario  # later reads find it without this function
        return scenario

    return __getattr__


def wrap_request(input_model: type[BaseModel]) -> Callable[[Any, ScenarioContext], BaseModel]:
    """The usual workflow input: the judge's request plus the deployment context."""
    return lambda request, ctx: input_model(request=request, context=ctx)


# A request field the case fills (picked from its register) and no form shows: Field(json_schema_extra=...).
FROM_CASE = "x-from-case"


def case_defaults(facts: CaseFacts) -> dict[str, Any]:
    """What every matter started from the case takes from it (the judge types none of it): the case, its
    number and court, the first applicant and debtor, and what is still owed. A scenario's pre-fill adds
    its own names for these (``owed_fen``, ``person`` …) and picks other matters' objects from the register."""
    return {
        "case": facts.ref,
        "case_number": facts.ref.case_number,
        "court": facts.court,
        "debtor": facts.debtors[0] if facts.debtors else None,
        "applicant": facts.applicants[0] if facts.applicants else None,
        # The balance already holds the costs and the fee (owed − recovered): none is added on top.
        "amount_owed_fen": facts.balance_fen,
        "filed_on": facts.filed_on,
        "case_account": facts.case_account,
    }


def in_force(facts: CaseFacts, *kinds: RegisterKind) -> list[RegisteredMeasure]:
    """The case's register rows of these kinds still in force: what a matter picks another matter's
    object from (no workflow id or measure number is typed)."""
    return [m for m in facts.measures if m.register_kind in kinds and m.state == "in-force"]


# A scenario's own pre-fill: from the case's facts and the values so far (the defaults and the judge's own
# fields), what else its request takes from the case. It fills gaps; it does not override the judge.
PreFill = Callable[[CaseFacts, dict[str, Any]], dict[str, Any]]


def _debtor(facts: CaseFacts, index: int) -> Any:
    if not 0 <= index < len(facts.debtors):
        raise ValidationFailed(
            "NO_SUCH_DEBTOR", f"debtor: 本案没有第 {index + 1} 个被执行人 (the case has {len(facts.debtors)})", "debtor"
        )
    return facts.debtors[index]


def _amend(schema: dict[str, Any], path: list[str], words: dict[str, Any]) -> None:
    """Adds ``words`` to the field at ``path``; an object on the way that is a shared ``$defs`` model is
    copied in place first, so no other field using that model changes."""
    node = schema
    for i, part in enumerate(path):
        props = node.get("properties", {})
        if part not in props:
            return
        field_schema = props[part]
        ref = field_schema.get("$ref") or next((a["$ref"] for a in field_schema.get("allOf", []) if "$ref" in a), None)
        if ref is not None:
            inline = {k: v for k, v in field_schema.items() if k not in ("$ref", "allOf")}
            field_schema = copy.deepcopy(schema["$defs"][ref.rsplit("/", 1)[1]]) | inline
        else:
            field_schema = dict(field_schema)
        if i == len(path) - 1:
            field_schema.update(words)
        props[part] = field_schema
        node = field_schema


@dataclass(frozen=True)
class Scenario:
    """One scenario folder's entry in the registry.

    ``package`` is the folder's module (``__name__`` in its ``__init__``): the worker passes its
    ``models`` and ``words`` through the sandbox (built once, not per run). ``activities`` are the
    activity groups its workflows call (classes with ``from_resources`` and ``all``) beyond the foundation's;
    the worker registers exactly these. A scenario's requests have ``case_number`` and ``court`` fields (the
    defaults read them)."""

    name: str
    package: str
    words: Words
    workflow: type
    request_model: type[BaseModel]
    build_input: Callable[[Any, ScenarioContext], BaseModel]
    activities: tuple[type[ActivityGroup], ...]
    extra_workflows: tuple[type, ...] = field(default=())
    # Other scenarios this one starts as children (by their names; the starts go by workflow type name with the
    # models of ``child_matters``, so the scenario never imports them): the worker runs their workflows too.
    starts: tuple[str, ...] = ()
    # Result models of the agency tasks only this scenario assigns (shared ones: domain.task_results).
    task_results: dict[str, type[BaseModel]] = field(default_factory=dict)
    case_number: Callable[[Any], str] = field(default=attrgetter("case_number"))
    court: Callable[[Any], str] = field(default=attrgetter("court"))
    # Started from a case (执行案件): the request fields the judge enters (the case's start form shows
    # these), and what the scenario takes from the case beyond ``case_defaults`` (its ``from_case.py``).
    own_fields: tuple[str, ...] = ()
    prefill: PreFill | None = None
    # What the start form from the case offers from its register: a dotted field path → JSON-schema words
    # for it (``enum`` of what the register holds, a ``default``), so the judge picks rather than types.
    picks: Callable[[CaseFacts], dict[str, dict[str, Any]]] | None = None
    # One asset, one disposal: the key of the asset a request disposes of (domain.assets.disposal_key), so
    # the web refuses a start while another matter holds it; None for scenarios that dispose of nothing.
    disposes_of: Callable[[Any], str] | None = None
    # The request field that names that asset: what the refusal names (ASSET_UNDER_DISPOSAL).
    disposes_of_field: str = "property"
    # The request fields that name an agency, with the kind of agency the step needs (``court`` for a
    # receiving court, checked against the court codes too): the web refuses a start naming anything else.
    agency_fields: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.words.title.zh

    @property
    def title_en(self) -> str:
        return self.words.title.en

    @property
    def workflows(self) -> tuple[type, ...]:
        return (self.workflow, *self.extra_workflows)

    @property
    def passthrough_modules(self) -> tuple[str, ...]:
        """Modules of this scenario without workflow code: shared with the sandbox, not re-imported."""
        return (f"{self.package}.models", f"{self.package}.words")

    def input_schema(self) -> dict[str, Any]:
        """The standalone start form's schema. ``case`` is not on it, nor a field marked ``FROM_CASE``: a
        matter joins its case, and picks from its register, only when started from the case (``from_case``),
        never by a reference typed into a form."""
        schema = self.request_model.model_json_schema()
        schema.get("properties", {}).pop("case", None)
        for model in (schema, *schema.get("$defs", {}).values()):
            props = model.get("properties", {})
            for name in [n for n, p in props.items() if p.get(FROM_CASE)]:
                del props[name]
        return schema

    def case_schema(self, picks: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """The start form of a matter started from its case: only the matter's own fields (``own_fields``);
        everything else comes from the case (``from_case``). ``picks`` (this scenario's ``picks`` of the
        case's facts) turn a field into a choice among what the case's register holds."""
        schema = self.input_schema()
        props = schema.get("properties", {})
        schema["properties"] = {k: v for k, v in props.items() if k in self.own_fields}
        schema["required"] = [k for k in schema.get("required", []) if k in self.own_fields]
        for path, words in (picks or {}).items():
            _amend(schema, path.split("."), words)
        return schema

    def from_case(self, facts: CaseFacts, fields: dict[str, Any]) -> BaseModel:
        """The request of a matter started from the case: parties, 案号, court and amounts from the case,
        the matter's own ``fields`` from the judge. ``debtor`` may name one of the case's debtors by its
        position (the form picks it; nobody types an ID number again). A field that is not the matter's own
        is refused (it comes from the case), as is a request the model refuses — naming the field and the rule."""
        known = self.request_model.model_fields
        picks = {"debtor"} if "debtor" in known and isinstance(fields.get("debtor"), int) else set()
        foreign = sorted(set(fields) - set(self.own_fields) - picks)
        if foreign:
            raise ValidationFailed(
                "NOT_OWN_FIELD",
                f"{foreign[0]}: 由案件带入, 不在本事项填写 (comes from the case; this matter's own fields: "
                f"{', '.join(self.own_fields) or 'none'})",
                field=foreign[0],
            )
        values = {k: v for k, v in case_defaults(facts).items() if k in known and v is not None and v != ""}
        values.update(fields)
        if picks:
            values["debtor"] = _debtor(facts, fields["debtor"])
        if self.prefill is not None:
            values.update(self.prefill(facts, values))
        try:
            return self.request_model.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "request"
            raise ValidationFailed("INVALID_REQUEST", f"{where}: {first['msg']}", field=where) from exc
