"""What a measure-term watch (续行) carries, and the judge's decisions on an asset inquiry (网络查控). What the
inquiry itself takes and returns is in ``workflows.foundation.child_matters``: other scenarios start it too."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.full_performance import PROMPT_LIFT_WITHIN
from domain.legal_time import LegalClock, LegalDuration
from domain.measures import Measure
from domain.parties import Party
from domain.personal import AccountNumber
from workflows.foundation.case_link import CaseRef
from workflows.foundation.child_matters import ASSET_INQUIRY, ASSET_INQUIRY_TYPE
from workflows.foundation.decisions import DECIDERS_PATCH, STARTER_NOT_NAMED_PATCH
from workflows.foundation.models import TimelineEntry

NAME = ASSET_INQUIRY
WORKFLOW_TYPE = ASSET_INQUIRY_TYPE  # the Temporal workflow type; partner callbacks reach only these
# The judge's decisions on the report.
APPROVE, REJECT = "approve-control", "reject-control"
RELEASE = "release-measure"  # on a measure-term watch

ANSWER_IN_HAND_PATCH = "inquiry-answer-in-hand"
# Histories from before an inquiry took the case's full performance: they waited for the judge regardless.
PERFORMED_PATCH = "inquiry-ends-on-full-performance"
# Runs from level 3 on: when the judge orders the deduction with the freeze, one 冻结、扣划 notice per account
# orders both, and the deduction names it (民诉法解释 Art. 484). Known by level only (``RunPatches.known``):
# a run started before keeps its two notices, with no marker either way.
ONE_NOTICE_PATCH = "inquiry-freeze-and-deduct-on-one-notice"
# Runs from level 3 on issue the control ruling (执行裁定书) the judge's approval makes, and their notices cite
# its number (before, they cited the step's reference). Known by level only, as above.
CONTROL_RULING_PATCH = "inquiry-control-ruling"
# A measure-term watch started with ``release_documents`` releases on a 解除 ruling and notice; one started
# without keeps releasing on the step's reference. Decided by the input, so no marker either way.
RELEASE_RULING_PATCH = "measure-release-ruling"
# By patch level, the patches an inquiry started at that level takes as applied without a marker
# (``workflows.foundation.patches.RunPatches``). A new patch goes into a new level, never into an old one: runs
# started at the old level were recorded without it and must keep deciding it by its marker.
APPLIED_PATCHES: dict[int, frozenset[str]] = {
    0: frozenset(),
    1: frozenset({PERFORMED_PATCH, ANSWER_IN_HAND_PATCH, DECIDERS_PATCH}),
    2: frozenset({PERFORMED_PATCH, ANSWER_IN_HAND_PATCH, DECIDERS_PATCH, STARTER_NOT_NAMED_PATCH}),
    3: frozenset(
        {
            PERFORMED_PATCH,
            ANSWER_IN_HAND_PATCH,
            DECIDERS_PATCH,
            STARTER_NOT_NAMED_PATCH,
            ONE_NOTICE_PATCH,
            CONTROL_RULING_PATCH,
        }
    ),
}
PATCH_LEVEL = max(APPLIED_PATCHES)  # what an inquiry started by this code carries


class ReleaseDocuments(BaseModel):
    """What a watch's 解除 ruling and notice name (查扣冻规定 Art. 28): the parties, the title, the asset, and the
    control ruling that placed the measure. Set by inquiries that issue their control ruling (patch level 3)."""

    debtor: Party
    applicant: Party | None = None
    title_document: str = ""
    asset_reference: AccountNumber
    asset: str = Field(description="the asset as the ruling names it: 在中国工商银行的存款")
    ruling_number: str = Field(default="", description="the control ruling's number")


class MeasureTermInput(BaseModel):
    """One run of a measure-term watch, including what it carries to the next (continue-as-new)."""

    measure: Measure
    case_number: str
    court: str
    clock: LegalClock
    renewal_lead: LegalDuration
    # Set when the inquiry belongs to a case: the watch reports the measure's renewal, release or lapse
    # as the inquiry's (``matter_workflow_id``) and releases it on the case's full performance.
    case: CaseRef | None = None
    matter_workflow_id: str | None = None
    prompt_lift_within: LegalDuration = PROMPT_LIFT_WITHIN
    measure_timeout_seconds: float = 20.0
    timeline: list[TimelineEntry] = []
    # None for a watch started before: it releases with the step's reference only, issuing no document.
    release_documents: ReleaseDocuments | None = None
