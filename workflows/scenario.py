"""What a scenario is, for the registry and the web: its name, titles, workflow, request model and how
its workflow input is built from the judge's request plus deployment configuration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from pydantic import BaseModel

from domain.legal_time import TimeScale
from domain.partners import PartnerRef


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
    """A scenario's requests have ``case_number`` and ``court`` fields (the defaults read them)."""

    name: str
    title: str  # Chinese first
    title_en: str
    workflow: type
    request_model: type[BaseModel]
    build_input: Callable[[Any, ScenarioContext], BaseModel]
    case_number: Callable[[Any], str] = field(default=attrgetter("case_number"))
    court: Callable[[Any], str] = field(default=attrgetter("court"))
    extra_workflows: tuple[type, ...] = field(default=())

    def input_schema(self) -> dict[str, Any]:
        return self.request_model.model_json_schema()
