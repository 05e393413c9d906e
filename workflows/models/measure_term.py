"""What a measure-term watch (续行) takes, including what one run carries to the next."""

from __future__ import annotations

from pydantic import BaseModel

from domain.legal_time import LegalClock, LegalDuration
from domain.measures import Measure
from workflows.common import (
    TimelineEntry,
)


class MeasureTermInput(BaseModel):
    measure: Measure
    case_number: str
    court: str
    clock: LegalClock
    renewal_lead: LegalDuration
    measure_timeout_seconds: float = 20.0
    timeline: list[TimelineEntry] = []  # carried across continue-as-new
