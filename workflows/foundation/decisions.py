"""The judge's decision desk: which decisions a workflow offers now, who may take them, what each
carries, whether it must state its grounds — one implementation for every scenario.

A workflow declares its decisions once (``DecisionSpec``), offers some of them at a step and waits;
its ``decide`` Update delegates to ``validate`` (in the validator, so a refusal leaves no trace in
history) and ``accept``. ``accept`` adds a decider not yet named to the ``OmDeciders`` search attribute
(经办人), so a judge's or approver's "my cases" finds the cases they decided as well as those they started
(a run whose patch level says so leaves out the starter, found by ``OmStartedBy`` already).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from temporalio import workflow

from domain.actors import Actor, Role
from runtime.temporal import DECIDED_BY, STARTED_BY
from workflows.foundation.models import DecisionInput, DecisionOutcome, PendingDecision
from workflows.foundation.patches import RunPatches
from workflows.foundation.timeline import Timeline, refusal_from, refuse, require_role
from workflows.foundation.words import Words


class NoPayload(BaseModel):
    """A decision that carries nothing but its reason."""

    model_config = ConfigDict(extra="forbid")


# Histories recorded before deciders were listed hold no such upsert: replaying them must not emit one.
DECIDERS_PATCH = "om-deciders-search-attribute"
# "My cases" asks for cases a user started or decided (OmStartedBy or OmDeciders), so a starter who decides is
# found already: naming them again costs an upsert — an event, a visibility write — and finds nothing more.
# Taken only where the starter's patch level holds it (``RunPatches.known``): behind a marker it would cost
# more than it saves, and histories that named the starter replay with their upsert.
STARTER_NOT_NAMED_PATCH = "om-deciders-not-the-starter"


def note_decider(actor: Actor, patches: RunPatches) -> None:
    """Names ``actor`` in ``OmDeciders`` unless already there: one upsert per user and workflow, not per
    decision. The list lives in the search attributes themselves (``workflow.info()`` follows every
    upsert and continue-as-new carries them over), so it needs no state of its own."""
    attributes = workflow.info().typed_search_attributes
    deciders = attributes.get(DECIDED_BY) or []
    if actor.user_id in deciders or not patches.patched(DECIDERS_PATCH):
        return
    if patches.known(STARTER_NOT_NAMED_PATCH) and actor.user_id == attributes.get(STARTED_BY):
        return
    workflow.upsert_search_attributes([DECIDED_BY.value_set([*deciders, actor.user_id])])


@dataclass(frozen=True)
class DecisionSpec:
    name: str
    payload: type[BaseModel] = NoPayload
    reason_required: bool = False
    roles: tuple[Role, ...] = field(default=(Role.JUDGE,))


@cache
def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema a pending decision's form is drawn from: built once per model, not on every
    status query (pydantic builds it afresh each call). Callers must not mutate it."""
    return model.model_json_schema()


# A check only the scenario knows (a price below the legal floor …): the problem, or None.
LawCheck = Callable[[str, BaseModel], str | None]


class DecisionDesk:
    def __init__(
        self, specs: Iterable[DecisionSpec], words: Words, timeline: Timeline, patches: RunPatches | None = None
    ) -> None:
        self.specs = {s.name: s for s in specs}
        self.patches = patches or RunPatches()
        self.words = words
        self.timeline = timeline
        self.awaiting: dict[str, datetime] = {}
        self.taken: DecisionInput | None = None

    # --- the workflow's side ------------------------------------------------------------------------

    def offer(self, *names: str) -> None:
        """From now on these decisions may be taken (and show as pending)."""
        for name in names:
            self.awaiting.setdefault(name, workflow.now())

    def withdraw(self, *names: str) -> None:
        for name in names or tuple(self.awaiting):
            self.awaiting.pop(name, None)

    async def wait(
        self, *names: str, timeout: timedelta | None = None, until: Callable[[], bool] | None = None
    ) -> DecisionInput | None:
        """Offers ``names`` and waits for one of them; None when ``timeout`` passes first, or when
        ``until`` holds (something else decided the step, e.g. the case's full performance). The offer
        ends either way."""
        self.offer(*names)
        if timeout is None or timeout > timedelta(0):
            try:
                await workflow.wait_condition(
                    lambda: self.taken is not None or (until is not None and until()), timeout=timeout
                )
            except TimeoutError:
                pass
        taken, self.taken = self.taken, None
        self.withdraw(*names)
        return taken

    def payload(self, decision: DecisionInput) -> Any:
        """The decision's payload as its model (already validated when it was accepted)."""
        return self.specs[decision.decision].payload.model_validate(decision.payload)

    def pending(self) -> list[PendingDecision]:
        return [
            PendingDecision(
                name=name,
                title=self._title(name),
                input_schema=input_schema(self.specs[name].payload),
                since=since,
                roles=[role.value for role in self.specs[name].roles],
            )
            for name, since in self.awaiting.items()
        ]

    # --- the Update's side --------------------------------------------------------------------------

    def validate(self, decision: DecisionInput, law: LawCheck | None = None) -> BaseModel:
        """Refuses (without a trace in history) what may not be decided now: the wrong role, a
        decision not offered or already taken, a missing reason, an invalid payload, or what
        ``law`` finds unlawful. Returns the payload as its model."""
        spec = self.specs.get(decision.decision)
        if spec is None:
            raise refuse("UNKNOWN_DECISION", f"decision: unknown decision {decision.decision!r}")
        require_role(*spec.roles)
        if decision.decision not in self.awaiting or self.taken is not None:
            pending = ", ".join(self.awaiting) or "none"
            raise refuse("WRONG_STATE", f"decision: {decision.decision!r} is not pending (pending: {pending})")
        if spec.reason_required and not decision.reason.strip():
            raise refuse("REASON_REQUIRED", "reason: this decision must state its grounds")
        try:
            payload = spec.payload.model_validate(decision.payload)
        except ValidationError as exc:
            raise refusal_from(exc, "INVALID_DECISION", "payload.") from None
        problem = law(decision.decision, payload) if law else None
        if problem:
            raise refuse("UNLAWFUL_DECISION", problem)
        return payload

    def accept(self, decision: DecisionInput, action: str = "decision", **detail: Any) -> DecisionOutcome:
        """Takes the decision (the waiting step resumes) and records who took it, when and why."""
        self.taken = decision
        entry = self.timeline.record(
            action, reason=decision.reason or None, decision=decision.decision, payload=decision.payload, **detail
        )
        note_decider(entry.actor, self.patches)
        return DecisionOutcome(decision=decision.decision, accepted_at=entry.at, by=entry.actor)

    def _title(self, name: str) -> str:
        word = self.words.decisions.get(name)
        return word.zh if word else name
