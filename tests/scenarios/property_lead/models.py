"""What a property-lead check (财产线索核查) takes, returns and decides."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.cases import CaseNumber, CourtName
from domain.money import Fen
from workflows.foundation.case_link import CaseRef
from workflows.foundation.scenario import ScenarioContext

NAME = "property-lead"
LEAD_CHECK = "property-lead-check"  # the agency task's result type
CONTROL, NO_ACTION = "control-asset", "no-action"  # the judge's decisions on a lead that holds


class PropertyLeadRequest(BaseModel):
    """The applicant's specific lead (具体财产线索), entered by the judge."""

    case_number: CaseNumber
    court: CourtName
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    lead: str = Field(min_length=4, max_length=500, description="what and where the asset is")
    agency: str = Field(default="realestate-registry", description="who can verify the lead")
    urgent: bool = Field(default=False, description="urgent: checked in 3 days instead of 7")


class PropertyLeadInput(BaseModel):
    request: PropertyLeadRequest
    context: ScenarioContext


class LeadCheck(BaseModel):
    """The verifying agency's answer."""

    found: bool
    description: str = Field(default="", max_length=500)
    estimated_value_fen: Fen = 0


class ControlAsset(BaseModel):
    """The judge orders the asset controlled (through the asset inquiry's measures)."""

    note: str = Field(default="", max_length=500)


class PropertyLeadResult(BaseModel):
    status: str
    found: bool
    due_by: str
    provisional: bool
