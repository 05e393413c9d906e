"""Refusal-to-execute referral (拒执移送), granule by granule (拒执解释 2024, DOMAIN.md §9).

The executing court collects the evidence of a refusal from the departments that hold it, one agency
task per evidence granule; the judge refers the case to the police with a letter (移送函) listing that
evidence; the police accept it and decide whether to file within the catalogue's period (Huzhou: 5
working days, yellow and red on the task); once filed they investigate and recover what was illegally
disposed of for the executing court (Art. 12); the procuratorate reviews and prosecutes, proposing what
happens to the case assets (Art. 13). Where the police or the procuratorate decline, the applicant may
prosecute privately (自诉, Art. 14) — the judge records it and the criminal division dockets it — after,
if the catalogue has it, asking the procuratorate to supervise the refusal to file. From the referral on,
the judge may send requests for assistance in verification (协助查证), each an agency task with its own
deadline. What the person performs is recorded at any step: in full before the referral it ends the
matter; later it is what the prosecutors weigh (Art. 11). The checklist of granules, their states and
deadlines is the case's summary.

Every step's granule — department, deadline, unit, marks — comes from the catalogue the case started
with (``domain.refusal_granules``), carried in the input.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from enum import StrEnum
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.documents import DocumentKind
    from domain.refusal import heavier_punishment, private_prosecution_problem
    from domain.refusal_granules import Granule, Phase
    from domain.tasks import TaskSpec, TaskState
    from workflows.foundation.base import ScenarioWorkflow
    from workflows.foundation.case_effects import CaseReporter
    from workflows.foundation.clock import CaseClock, load_calendar
    from workflows.foundation.decisions import DecisionSpec
    from workflows.foundation.issuing import DocumentIssuer, IssuedRef
    from workflows.foundation.models import DecisionInput, DecisionOutcome
    from workflows.foundation.task_models import TaskOutcome
    from workflows.foundation.tasks import run_agency_task, task_id
    from workflows.refusal_referral.models import (
        CLOSE,
        DEBTOR_PERFORMED,
        NAME,
        NOT_REFER,
        PRIVATE_PROSECUTION,
        REFER,
        REQUEST_VERIFICATION,
        SEEK_SUPERVISION,
        ChecklistItem,
        EvidenceEntry,
        Performance,
        PrivateProsecution,
        ReferralLetter,
        ReferralOrder,
        RefusalReferralInput,
        RefusalReferralResult,
        VerificationRequest,
    )
    from workflows.refusal_referral.words import WORDS


class Status(StrEnum):
    COLLECTING_EVIDENCE = "collecting_evidence"
    AWAITING_REFERRAL = "awaiting_referral"
    AWAITING_POLICE = "awaiting_police"
    POLICE_DECLINED = "police_declined"
    AWAITING_SUPERVISION = "awaiting_supervision"
    INVESTIGATING = "investigating"
    INVESTIGATION_DROPPED = "investigation_dropped"
    AWAITING_PROSECUTION = "awaiting_prosecution"
    PROSECUTION_DECLINED = "prosecution_declined"
    AWAITING_DOCKET = "awaiting_docket"
    # Ends.
    PERFORMED = "performed_in_full"  # before the referral
    NOT_REFERRED = "not_referred"
    PROSECUTED = "prosecuted"
    PRIVATE_PROSECUTION_DOCKETED = "private_prosecution_docketed"
    PRIVATE_PROSECUTION_REFUSED = "private_prosecution_refused"
    CLOSED = "closed"


DECISIONS = (
    DecisionSpec(REFER, payload=ReferralOrder),
    DecisionSpec(NOT_REFER, reason_required=True),
    DecisionSpec(DEBTOR_PERFORMED, payload=Performance, reason_required=True),
    DecisionSpec(REQUEST_VERIFICATION, payload=VerificationRequest),
    DecisionSpec(SEEK_SUPERVISION, reason_required=True),
    DecisionSpec(PRIVATE_PROSECUTION, payload=PrivateProsecution),
    DecisionSpec(CLOSE, reason_required=True),
)
# Histories recorded before the referral issued its sealed 移送函 replay without it.
DOCUMENTS_PATCH = "refusal-referral-documents"
# A granule's states on the checklist: not yet reached, its task's states, the court's own step done.
ITEM_STATES = ("not_started", "open", "completed", "rejected", "cancelled", "skipped", "done")
# What the judge's checklist shows of each granule (the result keeps every field).
CHECKLIST_COLUMNS = {"granule", "title", "agency", "state", "due_at", "provisional", "answer", "source"}
# Decisions that stay on offer while the procedure goes on: taking one does not end a step.
STANDING = (DEBTOR_PERFORMED, REQUEST_VERIFICATION)


@workflow.defn(name="RefusalReferral")
class RefusalReferral(ScenarioWorkflow[RefusalReferralResult]):
    scenario = NAME

    def __init__(self) -> None:
        super().__init__(DECISIONS, WORDS, Status.COLLECTING_EVIDENCE.value)
        self.inp: RefusalReferralInput | None = None
        self.checklist: dict[str, ChecklistItem] = {}
        self.letter: ReferralLetter | None = None
        self.performed_fen = 0
        self.performed_in_full = False
        self.referred = False
        self.verification_requests: list[VerificationRequest] = []
        self.ending: str | None = None
        self.letter_document: IssuedRef | None = None  # the sealed 移送函 the police receive with their task

    @workflow.run
    async def run(self, inp: RefusalReferralInput) -> RefusalReferralResult:
        self.inp, cat = inp, inp.catalogue
        self.clock = CaseClock(inp.context.time_scale)
        for g in cat.granules:
            if g.phase is not Phase.VERIFICATION:  # a template: one item per request instead
                self.checklist[g.key] = self._item(g, g.key)
        self.desk.offer(DEBTOR_PERFORMED)
        self.timeline.record(
            "case_opened",
            catalogue=cat.id,
            version=cat.version,
            granules=len(cat.granules),
            grounds=[g.value for g in inp.request.refusal_grounds],
        )
        # Before the status: the phase's first step follows the status in the same task, as it did.
        await load_calendar(inp.context.calendar)
        self._set_status(Status.COLLECTING_EVIDENCE)
        evidence = await self._run_phase(Phase.EVIDENCE)
        if self.performed_in_full:
            return await self._close(Status.PERFORMED)

        self._set_status(Status.AWAITING_REFERRAL)
        referral = cat.one(Phase.REFERRAL)
        await self._start_court_step(referral)
        decision = await self._decide(REFER, NOT_REFER)
        if decision is None:
            return await self._close(Status.PERFORMED)
        if decision.decision == NOT_REFER:
            return await self._close(Status.NOT_REFERRED)
        self.letter = self._letter(ReferralOrder.model_validate(decision.payload), evidence)
        self.checklist[referral.key].state = "done"
        self.checklist[referral.key].answer = self.letter.letter_ref
        self.referred = True
        self.letter_document = await self._issue_letter(cat.one(Phase.FILING))
        self.timeline.record(
            "referral_sent", letter_ref=self.letter.letter_ref, evidence=[e.granule for e in self.letter.evidence]
        )
        self.desk.offer(REQUEST_VERIFICATION)
        verifications = asyncio.create_task(self._verifications())
        end = await self._criminal_procedure()
        self.ending = end.value
        self.desk.withdraw()
        await verifications
        return await self._close(end)

    # --- the criminal procedure after the referral -----------------------------------------------------

    async def _criminal_procedure(self) -> Status:
        assert self.inp is not None
        cat = self.inp.catalogue
        self._set_status(Status.AWAITING_POLICE)
        filing = await self._single(Phase.FILING)
        filed = _ok(filing, "filed")
        if not filed:
            self._set_status(Status.POLICE_DECLINED)
            options = [PRIVATE_PROSECUTION, CLOSE] + ([SEEK_SUPERVISION] if cat.has(Phase.SUPERVISION) else [])
            choice = await self._decide(*options)
            assert choice is not None
            if choice.decision == SEEK_SUPERVISION:
                self._set_status(Status.AWAITING_SUPERVISION)
                filed = _ok(await self._single(Phase.SUPERVISION), "police_ordered_to_file")
                if filed:
                    self.timeline.record("filed_on_supervision")
                else:
                    self._set_status(Status.POLICE_DECLINED)
                    choice = await self._decide(PRIVATE_PROSECUTION, CLOSE)
                    assert choice is not None
            if not filed:
                return await self._private_prosecution(choice)

        self._set_status(Status.INVESTIGATING)
        investigation = await self._run_phase(Phase.INVESTIGATION)
        # The police end an investigation (撤销案件) by rejecting its task, with their grounds.
        if any(o.state is not TaskState.COMPLETED for o in investigation.values()):
            self._set_status(Status.INVESTIGATION_DROPPED)
            choice = await self._decide(PRIVATE_PROSECUTION, CLOSE)
            assert choice is not None
            return await self._private_prosecution(choice)

        self._set_status(Status.AWAITING_PROSECUTION)
        if _ok(await self._single(Phase.PROSECUTION), "prosecuted"):
            return Status.PROSECUTED
        self._set_status(Status.PROSECUTION_DECLINED)
        choice = await self._decide(PRIVATE_PROSECUTION, CLOSE)
        assert choice is not None
        return await self._private_prosecution(choice)

    async def _private_prosecution(self, choice: DecisionInput) -> Status:
        """Art. 14: the applicant, having complained in vain, prosecutes privately; the criminal division
        dockets it or not. Or the judge closes the referral."""
        if choice.decision == CLOSE:
            return Status.CLOSED
        complaint = PrivateProsecution.model_validate(choice.payload)
        self._set_status(Status.AWAITING_DOCKET)
        docket = await self._single(Phase.PRIVATE_PROSECUTION, complaint_ref=complaint.complaint_ref)
        return Status.PRIVATE_PROSECUTION_DOCKETED if _ok(docket, "docketed") else Status.PRIVATE_PROSECUTION_REFUSED

    # --- granules as agency tasks ------------------------------------------------------------------------

    async def _run_phase(self, phase: Phase) -> dict[str, TaskOutcome]:
        """Every granule of the phase at once, one agency task each; their outcomes by granule."""
        assert self.inp is not None
        granules = self.inp.catalogue.phase(phase)
        outcomes = await asyncio.gather(
            *(self._granule_task(g, g.key, g.department) for g in await self._due(granules))
        )
        return {g.key: o for g, o in zip(granules, outcomes, strict=True)}

    async def _single(self, phase: Phase, **context: Any) -> TaskOutcome:
        assert self.inp is not None
        granule = self.inp.catalogue.one(phase)
        await self._due([granule])
        return await self._granule_task(granule, granule.key, granule.department, **context)

    async def _due(self, granules: list[Granule], keys: list[str] | None = None) -> list[Granule]:
        """Puts each granule's deadline on the checklist, counted from now (its task counts from its own
        first run, the same day at real speed)."""
        deadlines = await self.clock.deadlines([g.deadline.duration() for g in granules])
        for key, d in zip(keys or [g.key for g in granules], deadlines, strict=True):
            self.checklist[key].due_at, self.checklist[key].provisional = d.due_at, d.provisional
        return granules

    async def _start_court_step(self, granule: Granule) -> None:
        """A step the court takes itself (the referral letter): on the checklist with its deadline."""
        await self._due([granule])
        self.checklist[granule.key].state = "open"

    async def _granule_task(self, granule: Granule, key: str, department: str, **extra: Any) -> TaskOutcome:
        assert self.inp is not None
        req, cat = self.inp.request, self.inp.catalogue
        item = self.checklist[key]
        step = key.replace("#", "-")
        spec = TaskSpec(
            task_type=f"{NAME}.{granule.phase.value}",
            agency=item.agency,
            case_number=req.case_number,
            court=req.court,
            title=granule.title,
            instructions=f"{granule.needs} ({granule.source.cite()})",
            result_type=granule.result_type,
            rule=granule.due_rule(),
            context={
                "granule": granule.key,
                "department": cat.departments[department].name,
                "name": req.person.name,  # keys the audit trail masks (domain.personal)
                "id_number": req.person.id_number,
                "grounds": [g.value for g in req.refusal_grounds],
                "conduct": req.conduct,
                "letter_ref": self.letter.letter_ref if self.letter else None,
                **({"document": self.letter_document.model_dump(mode="json")} if self.letter_document else {}),
                "performed_fen": self.performed_fen,
                **extra,
            },
        )
        item.task_id, item.state = task_id(step), "open"
        outcome = await run_agency_task(step, spec, self.clock.clock, self.timeline, self._cancel_reason, granule=key)
        item.state, item.answer = outcome.state.value, _gist(outcome)
        return outcome

    def _cancel_reason(self) -> str | None:
        if self.performed_in_full and not self.referred:
            return "负有执行义务的人已全部履行 / performed in full before the referral"
        if self.ending is not None:
            return f"移送程序已结束 / the referral ended: {self.ending}"
        return None

    async def _verifications(self) -> None:
        """Requests for assistance in verification (协助查证) as the judge sends them, each its own task,
        until the referral ends (open ones are then cancelled)."""
        assert self.inp is not None
        template = self.inp.catalogue.one(Phase.VERIFICATION)
        started: list[asyncio.Task[TaskOutcome]] = []
        while True:
            await workflow.wait_condition(
                lambda: len(self.verification_requests) > len(started) or self.ending is not None
            )
            while len(started) < len(self.verification_requests):
                n = len(started) + 1
                request = self.verification_requests[n - 1]
                key = f"{template.key}#{n}"
                self.checklist[key] = self._item(template, key, request.department)
                await self._due([template], [key])
                started.append(
                    asyncio.create_task(self._granule_task(template, key, request.department, matter=request.matter))
                )
            if self.ending is not None:
                break
        await asyncio.gather(*started)

    # --- the judge ---------------------------------------------------------------------------------------

    async def _decide(self, *names: str) -> DecisionInput | None:
        """Offers ``names`` and waits for one; None if the person performed in full before the referral."""
        self.desk.offer(*names)
        await workflow.wait_condition(
            lambda: self.desk.taken is not None or (self.performed_in_full and not self.referred)
        )
        taken, self.desk.taken = self.desk.taken, None
        self.desk.withdraw(*names)
        return taken

    def take(self, decision: DecisionInput) -> DecisionOutcome:
        outcome = self.desk.accept(decision)
        if decision.decision in STANDING:
            self.desk.taken = None  # the step waiting on the desk is not ended by these
        if decision.decision == DEBTOR_PERFORMED:
            performance = Performance.model_validate(decision.payload)
            self.performed_fen += performance.performed_fen
            self.performed_in_full = self.performed_in_full or performance.in_full
            if self.performed_in_full:
                self.desk.withdraw(DEBTOR_PERFORMED)
        elif decision.decision == REQUEST_VERIFICATION:
            self.verification_requests.append(VerificationRequest.model_validate(decision.payload))
        return outcome

    def law_check(self, name: str, payload: Any) -> str | None:
        assert self.inp is not None
        if name == REFER and not any(
            i.phase is Phase.EVIDENCE and i.state == "completed" and i.answer == "found"
            for i in self.checklist.values()
        ):
            return "referral: no evidence granule shows the refusal yet; a referral carries its evidence"
        if isinstance(payload, VerificationRequest) and payload.department not in self.inp.catalogue.departments:
            known = ", ".join(self.inp.catalogue.departments)
            return f"department: {payload.department!r} is not in the catalogue (known: {known})"
        if isinstance(payload, PrivateProsecution):
            return private_prosecution_problem(payload.complaint_declined_by, payload.declined_by)
        if isinstance(payload, Performance):
            total, owed = self.performed_fen + payload.performed_fen, self.inp.request.owed_fen
            if total > owed:
                return "performed_fen: more than is owed in all"
            if payload.in_full and total < owed:
                return f"in_full: {total} of {owed} fen performed in all; in full means all of it"
        return None

    # --- what the judge sees -----------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        assert self.inp is not None
        req, cat = self.inp.request, self.inp.catalogue
        return {
            "catalogue": f"{cat.id} ({cat.version})",
            "person": req.person.masked_id,
            "owed_fen": req.owed_fen,
            "performed_fen": self.performed_fen,
            "letter_ref": self.letter.letter_ref if self.letter else None,
            "checklist": [i.model_dump(mode="json", include=CHECKLIST_COLUMNS) for i in self.checklist.values()],
            "by_department": self._by_department(),
        }

    def _by_department(self) -> list[dict[str, Any]]:
        """For the command centre: one row per department (its name from the catalogue), its granules
        counted by state."""
        assert self.inp is not None
        counts: dict[str, Counter[str]] = {}
        for item in self.checklist.values():
            counts.setdefault(item.department, Counter())[item.state] += 1
        names = self.inp.catalogue.departments
        return [{"department": names[d].name, "key": d, **{s: c[s] for s in ITEM_STATES}} for d, c in counts.items()]

    def _item(self, granule: Granule, key: str, department: str | None = None) -> ChecklistItem:
        assert self.inp is not None
        dept = department or granule.department
        return ChecklistItem(
            granule=key,
            phase=granule.phase,
            department=dept,
            agency=self.inp.catalogue.agency_for(dept, self.inp.request.agencies),
            title=granule.title,
            source=granule.source.cite(),
        )

    async def _issue_letter(self, filing: Granule) -> IssuedRef | None:
        """The 移送函 (拒执解释 Art. 14(2) practice): sealed, addressed to the police the filing task goes to,
        who receive it with that task."""
        assert self.inp is not None and self.letter is not None
        req, cat = self.inp.request, self.inp.catalogue
        police = self.checklist[filing.key].agency
        fields = {
            "police": cat.departments[filing.department].name,
            "debtor_name": req.person.name,
            "debtor_id": req.person.id_number,
            "facts": req.conduct,
            "evidence_count": len(self.letter.evidence),
            "letter_reference": self.letter.letter_ref,
        }
        issuer = DocumentIssuer(self.timeline, req.court, req.case_number, req.case)
        return await issuer.issue(
            "referral-letter",
            DocumentKind.REFUSAL_REFERRAL_LETTER,
            fields,
            patch=DOCUMENTS_PATCH,
            addressed_to=(police,),
        )

    def _letter(self, order: ReferralOrder, evidence: dict[str, TaskOutcome]) -> ReferralLetter:
        assert self.inp is not None
        req = self.inp.request
        entries = [
            EvidenceEntry(
                granule=key,
                task_id=o.task_id,
                summary=str(o.result.get("summary", "")),
                document_refs=list(o.result.get("document_refs", [])),
                amount_fen=int(o.result.get("amount_fen", 0)),
            )
            for key, o in evidence.items()
            if o.state is TaskState.COMPLETED and o.result and o.result.get("found")
        ]
        return ReferralLetter(
            letter_ref=order.letter_ref,
            court=req.court,
            case_number=req.case_number,
            issued_at=self.clock.now(),
            duty_holder=req.duty_holder,
            person_masked_id=req.person.masked_id,
            owed_fen=req.owed_fen - self.performed_fen,
            grounds=req.refusal_grounds,
            articles=sorted({g.article for g in req.refusal_grounds}),
            especially_serious=any(g.especially_serious for g in req.refusal_grounds),
            heavier_punishment=heavier_punishment(req.maintenance_or_wages),
            statement=order.statement,
            evidence=entries,
        )

    # --- status and end ----------------------------------------------------------------------------------

    async def report_end(self, status: str, result: RefusalReferralResult) -> None:
        if self.inp is not None:
            await CaseReporter(self.inp.request.case, NAME, self.timeline).ended(
                Status(status).value, {"performed_fen": self.performed_fen}
            )

    def outcome(self, status: str) -> RefusalReferralResult:
        for item in self.checklist.values():
            if item.state in ("not_started", "open") and item.task_id is None:
                item.state = "skipped"
        self.timeline.record(Status(status).value, performed_fen=self.performed_fen)
        return RefusalReferralResult(
            status=Status(status).value,
            letter=self.letter,
            checklist=list(self.checklist.values()),
            performed_fen=self.performed_fen,
        )


_GIST = {
    "found": ("found", "not_found"),
    "filed": ("filed", "not_filed"),
    "police_ordered_to_file": ("ordered_to_file", "not_ordered"),
    "prosecuted": ("prosecuted", "not_prosecuted"),
    "docketed": ("docketed", "not_docketed"),
    "verified": ("verified", "not_verified"),
}


def _gist(outcome: TaskOutcome) -> str | None:
    """The answer in one word for the checklist (its words: ``enums``)."""
    if outcome.state is not TaskState.COMPLETED or not outcome.result:
        return None
    for field, (yes, no) in _GIST.items():
        if field in outcome.result:
            return yes if outcome.result[field] else no
    return None


def _ok(outcome: TaskOutcome, field: str) -> bool:
    return outcome.state is TaskState.COMPLETED and bool(outcome.result and outcome.result.get(field))
