"""A 限消 order started from its case: the judge enters why, what is restricted, whom it binds and who
is told; the debtor comes from the case."""

from __future__ import annotations

OWN_FIELDS = (
    "trigger",
    "applicant_requested",
    "items",
    "bound_persons",
    "airlines",
    "railways",
    "hotels",
    "real_estate_registry",
    "vehicle_registry",
    "education_bureau",
    "financial_regulator",
    "order_number",
)
