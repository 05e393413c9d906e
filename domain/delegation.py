"""Who may receive a step: an agency of the kind the step needs, and a receiving court (受托法院) that is a
people's court. Item delegation (事项委托, 委托执行规定 Art. 2; DOMAIN §10) asks another court to act, through
the command centre's platform (Art. 4): a police force, a car station or a name nobody answers to cannot
accept it, and a court does not delegate to itself. Pure rules over the directory's entries and the court
codes (``domain/court_codes.json``)."""

from __future__ import annotations

from collections.abc import Mapping

from domain.errors import ErrorDetail
from domain.partners import Agency

COURT_KIND = "court"  # the directory's kind of another court's enforcement bureau


def court_of(agency: Agency, codes: Mapping[str, str]) -> str | None:
    """The court an agency of kind ``court`` is, by the court's full name leading its name (as the
    directory names it: "杭州市拱墅区人民法院 (受托法院)"); None when no court with a code is named."""
    if agency.kind != COURT_KIND:
        return None
    return next((court for court in sorted(codes, key=len, reverse=True) if agency.name.startswith(court)), None)


def agency_problem(field: str, agency_id: str, agencies: Mapping[str, Agency], kind: str) -> ErrorDetail | None:
    """A step goes only to a configured agency of the kind it needs."""
    agency = agencies.get(agency_id)
    if agency is None:
        message = f"未配置的协助单位 {agency_id!r} / no agency {agency_id!r} is configured here"
        return ErrorDetail(code="UNKNOWN_AGENCY", message=message, field=field)
    if agency.kind != kind:
        message = (
            f"{agency.name} 是 {agency.kind or '未分类'}, 此步骤需要 {kind} / "
            f"this step needs a {kind}, not a {agency.kind or 'unclassified agency'}"
        )
        return ErrorDetail(code="AGENCY_OF_ANOTHER_KIND", message=message, field=field)
    return None


def receiving_court_problem(
    field: str, agency_id: str, agencies: Mapping[str, Agency], codes: Mapping[str, str], requesting_court: str
) -> ErrorDetail | None:
    """委托执行规定 Art. 2: the receiving court is a people's court — configured as a court, named as a court
    that has a court code — and another court than the one delegating."""
    problem = agency_problem(field, agency_id, agencies, COURT_KIND)
    if problem:
        return problem
    court = court_of(agencies[agency_id], codes)
    if court is None:
        message = (
            f"{agencies[agency_id].name} 不是有法院代字的人民法院 (委托执行规定 第二条) / "
            "the receiving court names no court with a court code"
        )
        return ErrorDetail(code="RECEIVING_COURT_NOT_A_COURT", message=message, field=field)
    if court == requesting_court:
        message = "受托法院不得为本院 (委托执行规定 第二条) / a court does not delegate to itself"
        return ErrorDetail(code="RECEIVING_COURT_NOT_A_COURT", message=message, field=field)
    return None
