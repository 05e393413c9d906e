"""The signature on an agency webhook's events (issue 12 item 5), shared by the sender (the web) and a
receiver (the sandbox's simulated agencies): ``X-OM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>" under the webhook's secret>``. The time in the signed text lets a receiver refuse replays."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-OM-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, at: int) -> str:
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def verify(
    secret: str, body: bytes, header: str, tolerance_seconds: int = TOLERANCE_SECONDS, now: float | None = None
) -> bool:
    """The signature matches the body under ``secret`` and is recent."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        at = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - at) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, body, at), header)
