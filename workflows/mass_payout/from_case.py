"""A mass payout started from its case: the judge uploads the payee list and names the bank; the case
account is the case's."""

from __future__ import annotations

OWN_FIELDS = ("payee_list", "case_account", "bank", "correction_agency")
