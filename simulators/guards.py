"""What every simulated partner checks before it acts, in one place: the caller's bearer token (compared
in constant time) and the ``Idempotency-Key`` of a mutating call (present, and not over the length a
real partner's key column would hold)."""

from __future__ import annotations

import hmac

from adapters.sandbox.wire import IDEMPOTENCY_HEADER
from simulators.errors import SimulatorError

REPLAYED_HEADER = "Idempotent-Replayed"  # on an answer given again for a repeated key
MAX_KEY_LENGTH = 255


def expected_authorization(token: str | None) -> str:
    """The ``Authorization`` header a partner configured with ``token`` expects ("" = no token needed)."""
    return f"Bearer {token}" if token else ""


def require_bearer(given: str | None, expected: str) -> None:
    """Refuses (401) unless ``given`` is exactly ``expected``; ``expected`` empty admits anyone. The
    comparison takes the same time wherever the first wrong character is, so a token cannot be guessed
    one character at a time."""
    if expected and not hmac.compare_digest((given or "").encode(), expected.encode()):
        raise SimulatorError(401, "UNAUTHORIZED", "a valid bearer token for this partner is required")


def idempotency_key(raw: str | None) -> str:
    """The key of a mutating call, or a 400 (never stored: the call did not happen)."""
    key = (raw or "").strip()
    if not key:
        raise SimulatorError(400, "IDEMPOTENCY_KEY_REQUIRED", f"mutating calls need an {IDEMPOTENCY_HEADER} header")
    if len(key) > MAX_KEY_LENGTH:
        raise SimulatorError(400, "IDEMPOTENCY_KEY_INVALID", f"{IDEMPOTENCY_HEADER} is over {MAX_KEY_LENGTH} chars")
    return key
