"""Text people read: what no text value we take may contain (issue 11 item 9, issue 23 item 8).

C0 controls but tab, newline and carriage return; DEL and C1; bidi embeddings, overrides and isolates (the
"Trojan source" characters): no text field of ours needs them, and they forge what people read. The web's
guard refuses them in every body and query string (web/guard.py); the API's schema says so on every
string it documents (web/contract.py), so a caller can know the rule before it is refused.

Written as ``\\uXXXX`` escapes, which Python's ``re``, pydantic's Rust regex and ECMA 262 (JSON Schema's
``pattern``) all read alike.
"""

from __future__ import annotations

import re

FORBIDDEN_CLASS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069"
FORBIDDEN_CHARS = re.compile(f"[{FORBIDDEN_CLASS}]")
# The JSON Schema ``pattern`` of a plain text value.
PLAIN_TEXT = f"^[^{FORBIDDEN_CLASS}]*$"
# Plain text with something in it besides white space (a value the model strips, then needs).
SOME_TEXT = f"^[^{FORBIDDEN_CLASS}]*[^\\s{FORBIDDEN_CLASS}][^{FORBIDDEN_CLASS}]*$"
