"""An application for enforcement (申请执行书) received by the court: by when it must be docketed or refused.

The court dockets or refuses within 7 days of receipt (执行工作规定 Art 16; 审限规定 Art 6); an application
submitted online counts from the next day (在线诉讼规则 Art 9), which is the ordinary rule anyway (the start
day is not counted, CPL Art 85), and a last day on a rest day rolls forward. If not decided in time, the
court dockets first (登记立案规定 Art 8). DOMAIN §17.3.
"""

from __future__ import annotations

from datetime import datetime

from domain.calendar import Deadline, HolidayCalendar
from domain.legal_params import P, params_at
from domain.legal_time import CHINA_TZ


def docketing_due(received_at: datetime, calendar: HolidayCalendar | None = None) -> Deadline:
    """The end of the period to docket or refuse an application received at ``received_at``."""
    local = received_at.astimezone(CHINA_TZ)
    params = params_at(local.date())
    deadline = (calendar or HolidayCalendar.load()).due(local, params.duration(P.CASE_DOCKET_WITHIN))
    return deadline.model_copy(update={"basis": f"{params.cite(P.CASE_DOCKET_WITHIN)}: {deadline.basis}"})
