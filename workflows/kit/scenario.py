"""What a scenario is, for the registry, the worker and the web: its name and words, its workflows,
the activity groups they call, its request model and how its workflow input is built from the judge's
request plus deployment configuration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from pydantic import BaseModel

from activities.resources import ActivityGroup
from domain.legal_time import TimeScale
from domain.partners import PartnerRef
from workflows.kit.words import Words


class ScenarioContext(BaseModel):
    """Deployment configuration a workflow needs, passed in at start (and so recorded in history)."""

    workflow_id: str
    partners: list[PartnerRef]
    time_scale: TimeScale
    callback_base_url: str


def wrap_request(input_model: type[BaseModel]) -> Callable[[Any, ScenarioContext], BaseModel]:
    """The usual workflow input: the judge's request plus the deployment context."""
    return lambda request, ctx: input_model(request=request, context=ctx)


@dataclass(frozen=True)
class Scenario:
    """One scenario folder's entry in the registry.

    ``package`` is the folder's module (``__name__`` in its ``__init__``): the worker passes its
    ``models`` and ``words`` through the sandbox (built once, not per run). ``activities`` are the
    activity groups its workflows call (classes with ``from_resources`` and ``all``) beyond the kit's;
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
    # Result models of the agency tasks only this scenario assigns (shared ones: domain.task_results).
    task_results: dict[str, type[BaseModel]] = field(default_factory=dict)
    case_number: Callable[[Any], str] = field(default=attrgetter("case_number"))
    court: Callable[[Any], str] = field(default=attrgetter("court"))

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
        return self.request_model.model_json_schema()
