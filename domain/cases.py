"""Case identifiers shared by every scenario request."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

# 案号, e.g. (2026)浙0102执1234号. Backslashes and double quotes are refused: Temporal's visibility
# queries cannot match them, so such a case could never be found again by its number.
CaseNumber = Annotated[
    str, Field(min_length=3, max_length=64, pattern=r'^[^\\"]+$', description="案号, e.g. (2026)浙0102执1234号")
]
CourtName = Annotated[str, Field(min_length=2, max_length=100, pattern=r'^[^\\"]+$', description="法院")]

# The grounds for a decision or an action (理由): required where the law or the audit needs one.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
