"""Case identifiers shared by every scenario request."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from domain.plain_text import FORBIDDEN_CLASS, SOME_TEXT

# 案号, e.g. (2026)浙0102执1234号. Backslashes and double quotes are refused: Temporal's visibility
# queries cannot match them, so such a case could never be found again by its number. Control and
# bidi-override characters forge what people read; emoji and pictographs are no part of a 案号.
_NOT_IN_A_CASE_NUMBER = (
    r'\\"\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2600-\u27bf\ufe0f\U0001f000-\U0001faff'
)
CaseNumber = Annotated[
    str,
    Field(
        min_length=3,
        max_length=64,
        pattern=f"^[^{_NOT_IN_A_CASE_NUMBER}]+$",
        description="案号, e.g. (2026)浙0102执1234号",
    ),
]
# A court's name: no backslash or double quote (visibility queries, as above), no control characters.
CourtName = Annotated[
    str, Field(min_length=2, max_length=100, pattern=rf'^[^\\"{FORBIDDEN_CLASS}]+$', description="法院")
]

# The grounds for a decision or an action (理由): required where the law or the audit needs one.
# Stripped first, so white space alone is none: the schema says so (SOME_TEXT), the check stays pydantic's.
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    Field(json_schema_extra={"pattern": SOME_TEXT}),
]
