"""What a refusal-to-execute referral (拒执移送) takes, decides and returns; the results its agency tasks
report; the checklist of granules the judge sees."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, JsonValue, field_validator, model_validator

from domain.cases import CaseNumber, CourtName
from domain.money import Fen, PositiveFen
from domain.parties import Party
from domain.refusal import DutyHolder, Ground, grounds_problem
from domain.refusal_granules import DEFAULT_CATALOGUE, Catalogue, Phase, catalogue, catalogue_ids
from workflows.foundation.case_link import CaseRef
from workflows.foundation.scenario import ScenarioContext

NAME = "refusal-referral"

# The judge's decisions.
REFER = "refer-to-police"  # 移送公安机关
NOT_REFER = "close-without-referral"  # 不予移送
DEBTOR_PERFORMED = "debtor-performed"  # 负有执行义务的人已履行 (Art. 11), at any step
REQUEST_VERIFICATION = "request-verification"  # 协助查证, any number, once referred
SEEK_SUPERVISION = "seek-supervision"  # 申请检察院立案监督, when the police decline
PRIVATE_PROSECUTION = "private-prosecution"  # 申请执行人自诉 (Art. 14), when police or procuratorate decline
CLOSE = "close-referral"  # 结束移送程序, when police or procuratorate decline

# Result types of this scenario's agency tasks (domain.refusal_granules.RESULT_TYPES).
EVIDENCE, FILING, SUPERVISION = "refusal-evidence", "police-filing-decision", "filing-supervision"
PROSECUTION, DOCKET, VERIFICATION = "prosecution-decision", "private-prosecution-docket", "verification-answer"


def _offer_catalogues(schema: dict[str, JsonValue]) -> None:
    offered: list[JsonValue] = [c for c in sorted(catalogue_ids())]
    schema["enum"] = offered


def _offer_departments(schema: dict[str, JsonValue]) -> None:
    """指定单位 per department: the form shows one choice of agency per department of the packaged
    catalogues, left empty for the catalogue's own default (``x-agency-default``), instead of a JSON field."""
    departments: dict[str, JsonValue] = {}
    for catalogue_id in sorted(catalogue_ids()):
        for key, dept in catalogue(catalogue_id).departments.items():
            departments.setdefault(
                key,
                {
                    "type": "string",
                    "title": dept.name_en,
                    "description": f"{dept.name}; 协助单位编号",
                    "x-agency-default": dept.agency,
                },
            )
    schema["properties"] = departments


class RefusalReferralRequest(BaseModel):
    """拒执移送 — the executing court's case against a person who can perform and refuses."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    person: Party = Field(description="负有执行义务的人 (被执行人、协助执行义务人、担保人等)")
    duty_holder: DutyHolder = Field(default=DutyHolder.DEBTOR, description="拒执解释 Art. 1")
    owed_fen: PositiveFen = Field(description="尚未履行的金额 (fen)")
    refusal_grounds: list[Ground] = Field(min_length=1, max_length=16, description="拒执解释 Arts. 3, 4, 6")
    conduct: str = Field(min_length=4, max_length=2000, description="拒不执行的具体行为")
    sanctioned: bool = Field(default=False, description="已采取罚款、拘留等强制措施 (Art. 3(4)–(7))")
    maintenance_or_wages: bool = Field(default=False, description="涉及赡养费、抚养费、医疗费、劳动报酬 (Art. 10)")
    catalogue: str = Field(
        default=DEFAULT_CATALOGUE,
        max_length=64,
        description="任务颗粒清单",
        # The form offers the packaged catalogues (a court's own list, once added, shows up here).
        json_schema_extra=_offer_catalogues,
    )
    agencies: dict[str, str] = Field(
        default_factory=dict,
        description="department → agency id, overriding the catalogue's defaults",
        json_schema_extra=_offer_departments,
    )

    @field_validator("catalogue")
    @classmethod
    def _known_catalogue(cls, value: str) -> str:
        if value not in catalogue_ids():
            raise ValueError(f"no granule catalogue {value!r} (known: {', '.join(sorted(catalogue_ids()))})")
        return value

    @model_validator(mode="after")
    def _grounds(self) -> RefusalReferralRequest:
        problem = grounds_problem(self.refusal_grounds, self.sanctioned)
        if problem:
            raise ValueError(problem)
        unknown = sorted(set(self.agencies) - set(catalogue(self.catalogue).departments))
        if unknown:
            raise ValueError(f"agencies: departments not in catalogue {self.catalogue}: {unknown}")
        return self


class RefusalReferralInput(BaseModel):
    request: RefusalReferralRequest
    context: ScenarioContext
    catalogue: Catalogue = Field(description="the granule catalogue in force at start (recorded in history)")


# --- what the agencies report ----------------------------------------------------------------------


class EvidenceReport(BaseModel):
    """A department's evidence (or an investigation's findings): what it found and the documents."""

    found: bool = Field(description="the records show the conduct (or the facts were established)")
    summary: str = Field(min_length=1, max_length=1000, description="what the records show")
    document_refs: list[str] = Field(default_factory=list, max_length=50, description="文书或调取凭证编号")
    amount_fen: Fen = Field(default=0, description="amount traced or recovered (fen)")


class PoliceFilingDecision(BaseModel):
    """公安机关: the acceptance (受案) and the filing decision (立案 / 不予立案)."""

    filed: bool
    decision_ref: str = Field(min_length=1, max_length=100, description="立案决定书或不予立案通知书文号")
    reason: str = Field(default="", max_length=1000, description="不予立案的理由")

    @model_validator(mode="after")
    def _reason(self) -> PoliceFilingDecision:
        if not self.filed and not self.reason.strip():
            raise ValueError("reason: a refusal to file states its grounds")
        return self


class FilingSupervision(BaseModel):
    """人民检察院 立案监督: whether the police must file after all."""

    police_ordered_to_file: bool
    reference: str = Field(min_length=1, max_length=100, description="通知立案书或审查意见文号")
    reason: str = Field(default="", max_length=1000)


class ProsecutionDecision(BaseModel):
    """人民检察院 审查起诉: prosecute, with a proposal for the case assets (Art. 13), or not (Art. 11)."""

    prosecuted: bool
    decision_ref: str = Field(min_length=1, max_length=100, description="起诉书或不起诉决定书文号")
    asset_proposal: str = Field(default="", max_length=1000, description="对涉案财产的处理意见 (Art. 13)")
    reason: str = Field(default="", max_length=1000, description="不起诉的理由")

    @model_validator(mode="after")
    def _complete(self) -> ProsecutionDecision:
        if self.prosecuted and not self.asset_proposal.strip():
            raise ValueError("asset_proposal: a prosecution proposes what happens to the case assets (Art. 13)")
        if not self.prosecuted and not self.reason.strip():
            raise ValueError("reason: a decision not to prosecute states its grounds")
        return self


class PrivateProsecutionDocket(BaseModel):
    """刑事审判庭: the applicant's private prosecution (自诉) docketed or not (Art. 14)."""

    docketed: bool
    docket_ref: str = Field(min_length=1, max_length=100, description="立案案号或不予受理裁定文号")
    reason: str = Field(default="", max_length=1000)


class VerificationAnswer(BaseModel):
    """协助查证: the department's written answer."""

    verified: bool = Field(description="the fact asked about is confirmed")
    answer: str = Field(min_length=1, max_length=1000)
    document_refs: list[str] = Field(default_factory=list, max_length=50)


TASK_RESULTS: dict[str, type[BaseModel]] = {
    EVIDENCE: EvidenceReport,
    FILING: PoliceFilingDecision,
    SUPERVISION: FilingSupervision,
    PROSECUTION: ProsecutionDecision,
    DOCKET: PrivateProsecutionDocket,
    VERIFICATION: VerificationAnswer,
}


# --- the judge's decisions ---------------------------------------------------------------------------


class ReferralOrder(BaseModel):
    """The referral letter's own parts (移送函); the evidence list is drawn from the granules."""

    letter_ref: str = Field(min_length=3, max_length=100, description="移送函文号")
    statement: str = Field(min_length=4, max_length=2000, description="移送理由及事实概要")


class Performance(BaseModel):
    """What the person has performed (Art. 11: before prosecution → may not be prosecuted)."""

    performed_fen: PositiveFen = Field(description="已履行金额 (fen)")
    in_full: bool = Field(default=False, description="全部履行")


class VerificationRequest(BaseModel):
    """A request for assistance in verification (协助查证) to one department of the catalogue."""

    department: str = Field(min_length=1, max_length=64, description="责任部门 (catalogue department key)")
    matter: str = Field(min_length=4, max_length=1000, description="需查证的事项")


class PrivateProsecution(BaseModel):
    """The applicant's private prosecution (自诉), recorded by the judge."""

    complaint_ref: str = Field(min_length=1, max_length=100, description="自诉状收件编号")
    declined_by: str = Field(default="", max_length=200, description="不予追究的机关及文书")
    # 拒执解释 Art. 14(2): the applicant complained to the police or the procuratorate, which declined to
    # pursue. Optional in the model (runs recorded before it replay), required by the decision's law check.
    complaint_declined_by: Literal["police", "procuratorate"] | None = Field(
        default=None, description="申请执行人的控告被哪一机关决定不予追究: police | procuratorate"
    )


# --- what the judge sees and what the case returns ---------------------------------------------------


class ChecklistItem(BaseModel):
    """One granule on the judge's checklist: its state and deadline."""

    granule: str
    phase: Phase
    department: str
    agency: str
    title: str
    task_id: str | None = None
    state: str = "not_started"  # not_started, open, completed, rejected, cancelled, skipped, done
    due_at: datetime | None = None
    provisional: bool = False
    answer: str | None = None  # the gist: found / filed / prosecuted …
    source: str = ""


class EvidenceEntry(BaseModel):
    granule: str
    task_id: str
    summary: str
    document_refs: list[str]
    amount_fen: Fen


class ReferralLetter(BaseModel):
    """移送函: what the court sends the police. The person's identity travels in the task (encrypted in
    history); the letter shows it masked."""

    letter_ref: str
    court: str
    case_number: str
    issued_at: datetime
    duty_holder: DutyHolder
    person_masked_id: str
    owed_fen: Fen
    grounds: list[Ground]
    articles: list[str]
    especially_serious: bool
    heavier_punishment: bool
    statement: str
    evidence: list[EvidenceEntry]


class RefusalReferralResult(BaseModel):
    status: str
    letter: ReferralLetter | None
    checklist: list[ChecklistItem]
    performed_fen: Fen


# Read the packaged catalogues when this module is imported (worker and web start), so validating a
# request inside a workflow never touches a file.
catalogue_ids()
