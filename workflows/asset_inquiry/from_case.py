"""An asset inquiry started from its case: against the case's debtor (the first, or the one the form
picks) for the case's balance; the judge enters nothing (``{}``)."""

from __future__ import annotations

OWN_FIELDS: tuple[str, ...] = ()
