"""Scenarios (执行场景) a judge can start, and starting one.

Both come from ``workflows.registry.SCENARIOS``: a new scenario appears here without any change to the
web.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.tasks import calendar_for
from config.settings import Settings
from domain.actors import Actor
from domain.case_number import packaged_court_codes
from domain.delegation import COURT_KIND, agency_problem, receiving_court_problem
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.partners import Agency, PartnerEndpoint
from runtime.logging import get_logger
from runtime.temporal import scenario_search_attributes
from security.identity import acting_as
from store import asset_disposals
from store.db import Database
from store.started import StartedStore
from web.services import parties, party_collection
from web.services.access import STARTERS, require_role
from workflows.foundation.scenario import Scenario, ScenarioContext
from workflows.registry import SCENARIOS

log = get_logger(__name__)

INITIAL_STATUS = "running"


class ScenarioInfo(BaseModel):
    name: str
    title: str
    title_en: str
    input_schema: dict[str, Any]


class StartedWorkflow(BaseModel):
    workflow_id: str


class InvalidStartRequest(ValidationFailed):
    """The start request failed the scenario's model. ``errors`` are pydantic's, without input values or
    context objects (they may be personal data), for the caller to list field by field."""

    def __init__(self, errors: Sequence[Any]) -> None:
        super().__init__("VALIDATION_FAILED", "the start request is not valid")
        self.errors = list(errors)


# The limits a rule names (``gt``: 0, ``max_length``: 200): the model's constants, never what was typed, kept
# so the form can say "须大于 0" beside the field.
_LIMIT_KEYS = ("gt", "ge", "lt", "le", "min_length", "max_length")


def _limits_kept(exc: ValidationError) -> list[Any]:
    bare = exc.errors(include_url=False, include_context=False, include_input=False)
    full = exc.errors(include_url=False, include_input=False)
    for err, with_ctx in zip(bare, full, strict=True):
        limits = {k: v for k, v in (with_ctx.get("ctx") or {}).items() if k in _LIMIT_KEYS}
        if limits:
            err["ctx"] = limits
    return bare


def invalid_start(exc: ValidationError) -> InvalidStartRequest:
    """A request the scenario's model refused, field by field (a matter from its case too: ``from_case``
    keeps pydantic's error as the cause of its ValidationFailed)."""
    return InvalidStartRequest(_limits_kept(exc))


def scenario_or_404(name: str) -> Scenario:
    scenario = SCENARIOS.get(name)
    if scenario is None:
        known = ", ".join(sorted(SCENARIOS))
        raise NotFound("UNKNOWN_SCENARIO", f"no scenario named {name!r} (known: {known})", "name")
    return scenario


def list_scenarios() -> list[ScenarioInfo]:
    """Every registered scenario with its titles and the JSON schema of its start request."""
    return [
        ScenarioInfo(name=s.name, title=s.title, title_en=s.title_en, input_schema=s.input_schema())
        for s in SCENARIOS.values()
    ]


def workflow_id_for(name: str, actor: Actor, idempotency_key: str | None) -> str:
    """Random, or — with an idempotency key — derived from (user, key): a double-click or a retried POST
    names the same workflow, and Temporal starts it once."""
    if idempotency_key is None:
        return f"{name}-{uuid.uuid4().hex[:16]}"
    digest = hashlib.sha256(f"{actor.user_id}\x00{idempotency_key}".encode()).hexdigest()
    return f"{name}-{digest[:16]}"


REQUEST_DIGEST_MEMO = "om-request-sha256"


def request_digest(req: BaseModel) -> str:
    return hashlib.sha256(req.model_dump_json().encode()).hexdigest()


async def _same_request_or_409(client: Client, workflow_id: str, digest: str) -> None:
    """An Idempotency-Key names one request: the same key with another body is a client error (409), not
    a silent answer with the first request's workflow."""
    desc = await client.get_workflow_handle(workflow_id).describe()
    recorded = await desc.memo_value(REQUEST_DIGEST_MEMO, default=None, type_hint=str)
    if recorded is not None and recorded != digest:
        raise Conflict(
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was used for a different request / 该幂等键已用于另一请求",
            "Idempotency-Key",
        )


def context_for(settings: Settings, partners: Sequence[PartnerEndpoint], workflow_id: str) -> ScenarioContext:
    """The deployment's part of a workflow's input: its partners, time scale and callback address."""
    return ScenarioContext(
        workflow_id=workflow_id,
        partners=[p.ref() for p in partners],
        time_scale=settings.time_scale(),
        callback_base_url=settings.public_base_url,
        calendar=calendar_for(settings.var_dir),
    )


def check_agencies(scenario: Scenario, req: BaseModel, agencies: Sequence[Agency], court: str) -> None:
    """Every agency the request names is configured and of the kind its step needs; a receiving court is
    another people's court with a court code (domain.delegation). Raises ValidationFailed naming the field."""
    by_id = {a.id: a for a in agencies}
    for field_name, kind in scenario.agency_fields.items():
        agency_id = str(getattr(req, field_name))
        problem = (
            receiving_court_problem(field_name, agency_id, by_id, packaged_court_codes(), court)
            if kind == COURT_KIND
            else agency_problem(field_name, agency_id, by_id, kind)
        )
        if problem is not None:
            raise ValidationFailed(problem.code, problem.message, problem.field)


async def start(
    client: Client,
    settings: Settings,
    partners: Sequence[PartnerEndpoint],
    actor: Actor,
    name: str,
    body: dict[str, Any],
    idempotency_key: str | None = None,
    *,
    db: Database,
) -> StartedWorkflow:
    """A judge starts one scenario workflow (立案后启动) of their own court. Nothing starts unless the whole
    body is valid. The case belongs to the court it names, so a judge may name only their own."""
    require_role(actor, *STARTERS)
    scenario = scenario_or_404(name)
    try:
        req = scenario.request_model.model_validate(body)
    except ValidationError as exc:
        raise invalid_start(exc) from None
    req = await party_collection.checked(db, settings, req)  # an agent paid: special authority, four eyes

    wid = workflow_id_for(name, actor, idempotency_key)
    inp = scenario.build_input(req, context_for(settings, partners, wid))
    case_number, court = scenario.case_number(req), scenario.court(req)
    if not actor.in_court(court):
        raise Forbidden("COURT_FORBIDDEN", "a judge starts cases of their own court only / 只能在本院立案", "court")
    check_agencies(scenario, req, settings.agencies(), court)
    if scenario.disposes_of is not None:
        held = await db.read(asset_disposals.holder, db, scenario.disposes_of(req))
        if held is not None:
            raise Conflict("ASSET_UNDER_DISPOSAL", held.refusal(court), scenario.disposes_of_field)
    # Search by party (blind index) and the register of what the web started (lists, counts and pages
    # come from it, web/services/register.py): recorded before the start, so no started case is missing.
    await parties.index_case(db, settings.party_index_keys, wid, name, court, req)
    await db.run(StartedStore(db).record, wid, "scenario", court, actor.user_id, name, case_number)
    # Only keyed starts may meet an existing workflow: a random id never collides, a keyed one means
    # "the same start again" — join it while it runs, and never start it a second time after it ends.
    conflict, reuse = (
        (WorkflowIDConflictPolicy.USE_EXISTING, WorkflowIDReusePolicy.REJECT_DUPLICATE)
        if idempotency_key
        else (WorkflowIDConflictPolicy.FAIL, WorkflowIDReusePolicy.ALLOW_DUPLICATE)
    )
    try:
        with acting_as(actor):
            await client.start_workflow(
                scenario.workflow.run,  # type: ignore[attr-defined]
                inp,
                id=wid,
                task_queue=settings.task_queue,
                search_attributes=scenario_search_attributes(
                    case_number, name, INITIAL_STATUS, court, started_by=actor.user_id
                ),
                id_conflict_policy=conflict,
                id_reuse_policy=reuse,
                # What the key stands for: a repeat must carry the same request (encrypted like any memo).
                memo={REQUEST_DIGEST_MEMO: request_digest(req)} if idempotency_key else None,
            )
    except WorkflowAlreadyStartedError:
        if not idempotency_key:
            raise
        # The keyed workflow already ran to its end: the earlier start is the answer, not a second one.
        log.info("keyed start repeated after the workflow closed", workflow_id=wid)
    if idempotency_key:
        await _same_request_or_409(client, wid, request_digest(req))
    log.info("workflow started", scenario=name, workflow_id=wid, case_number=case_number)
    return StartedWorkflow(workflow_id=wid)
