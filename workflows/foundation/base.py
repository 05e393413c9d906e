"""The base of every scenario's workflow class: the plumbing each one used to copy by hand — the judge's
``decide`` Update and its validator, the status query, setting the status and closing.

Temporal's samples keep a workflow's handlers on the class that owns its state; so does this: the base is
a class the scenario's workflow class derives from, and the scenario's class keeps its ``run``, its own
handlers and its state. What differs between scenarios is a hook the class overrides:

- ``request()``      — what the status names the case by (``case_number``, ``court``); by default
  ``self.inp.request``.
- ``summary()``      — what the case page shows beside the status.
- ``law_check()``    — what only this scenario finds unlawful in a decision (refused in the validator);
  ``validate()`` for a check beyond the desk's and the law's (who may give a second approval …).
- ``take()``         — what taking a decision does beyond the desk's record (by default nothing).
- ``indexes()``      — whether a status goes to the search index (by default every one).
- ``outcome()``      — the scenario's result at its end, and what its end records.
- ``report_end()``   — what the matter tells its case when it ends (``workflows.foundation.case_effects``).

Handler names are the foundation's message names, as before, so recorded histories replay unchanged.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel
from temporalio import workflow

from workflows.foundation.archive import archive_audit_trail
from workflows.foundation.decisions import DecisionDesk, DecisionSpec
from workflows.foundation.messages import DECIDE_UPDATE, STATUS_QUERY
from workflows.foundation.models import DecisionInput, DecisionOutcome, ScenarioStatus
from workflows.foundation.patches import RunPatches
from workflows.foundation.status import publish_status
from workflows.foundation.timeline import Timeline
from workflows.foundation.words import Words

ResultT = TypeVar("ResultT", bound=BaseModel)


class CaseNamed(Protocol):
    """What a scenario's request names its case by."""

    @property
    def case_number(self) -> str: ...

    @property
    def court(self) -> str: ...


class ScenarioWorkflow(ABC, Generic[ResultT]):
    """Derive a scenario's ``@workflow.defn`` class from it; call ``super().__init__`` with the scenario's
    decisions, words and first status."""

    scenario: ClassVar[str]  # the scenario's name, as the status query reports it
    inp: Any  # the workflow's input, once ``run`` has started

    def __init__(self, decisions: Iterable[DecisionSpec], words: Words, status: str) -> None:
        self.timeline = Timeline()
        self.patches = RunPatches()  # a scenario whose input carries a patch level sets ``applied`` from it
        self.desk = DecisionDesk(decisions, words, self.timeline, self.patches)
        self.status = status
        self.inp = None
        self.result: ResultT | None = None

    # --- hooks: what a scenario says for itself ----------------------------------------------------------

    def request(self) -> CaseNamed:
        assert self.inp is not None, "status asked before the run started"
        request: CaseNamed = self.inp.request
        return request

    def summary(self) -> dict[str, Any]:
        return {}

    def law_check(self, name: str, payload: Any) -> str | None:
        """A problem only this scenario sees in ``payload`` (a price below the legal floor …), or None."""
        return None

    def validate(self, decision: DecisionInput) -> None:
        """Refuses a decision that may not be taken now (in the Update's validator: no trace in history)."""
        self.desk.validate(decision, self.law_check)

    def take(self, decision: DecisionInput) -> DecisionOutcome:
        """Takes the decision; a scenario whose decisions change state beyond the desk overrides this."""
        return self.desk.accept(decision)

    def indexes(self, status: str) -> bool:
        """Whether ``status`` goes to the search index judges filter by (asked before it is set)."""
        return True

    @abstractmethod
    def outcome(self, status: str) -> ResultT:
        """The result the workflow returns when it ends with ``status`` (every scenario says its own: a class
        without it cannot be instantiated, so Temporal fails its first task rather than its last)."""

    async def report_end(self, status: str, result: ResultT) -> None:
        """Tells the matter's case (执行案件) it ended (``CaseReporter.ended``), before the audit trail is
        archived; a scenario that reports to its case overrides it."""

    # --- the plumbing -----------------------------------------------------------------------------------

    @workflow.update(name=DECIDE_UPDATE)
    async def decide(self, decision: DecisionInput) -> DecisionOutcome:
        return self.take(decision)

    # Temporal calls the validator it was given, not an override: it hands over to ``validate``.
    @decide.validator
    def _validate_decision(self, decision: DecisionInput) -> None:
        self.validate(decision)

    @workflow.query(name=STATUS_QUERY)
    def get_status(self) -> ScenarioStatus:
        request = self.request()
        return ScenarioStatus(
            scenario=self.scenario,
            case_number=request.case_number,
            court=request.court,
            status=self.status,
            summary=self.summary(),
            pending_decisions=self.desk.pending(),
            timeline=self.timeline.entries,
            incidents=self.timeline.incidents,
            result=self.result.model_dump(mode="json") if self.result is not None else None,
        )

    def _set_status(self, status: str) -> None:
        if self.indexes(status):
            publish_status(status)
        self.status = status

    async def _close(self, status: str) -> ResultT:
        """Ends the procedure: the status set, no decision left open, the result built (and what the scenario
        records at its end), then the audit trail archived."""
        self._set_status(status)
        self.desk.withdraw()
        self.result = self.outcome(status)
        await self.report_end(status, self.result)
        await archive_audit_trail()
        return self.result
