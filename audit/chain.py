"""The hash chain (哈希链) over a trail's events.

Each event's ``hash`` is SHA-256 over the previous hash and the canonical JSON of the event (keys
sorted, no spaces, UTF-8; without its ``prev_hash`` and ``hash``). The first ``prev_hash`` is the
genesis: SHA-256 of a fixed prefix and the canonical header. Pure: the verifier uses it offline.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from audit.trail import AuditEvent, AuditTrail, ChainInfo, Source, TrailHeader

GENESIS_PREFIX = b"one-matter-audit/1 genesis\n"


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def genesis_hash(header: Mapping[str, Any]) -> str:
    return hashlib.sha256(GENESIS_PREFIX + canonical(header)).hexdigest()


def event_hash(prev: str, event: Mapping[str, Any]) -> str:
    body = {k: v for k, v in event.items() if k not in ("prev_hash", "hash")}
    return hashlib.sha256(prev.encode() + b"\n" + canonical(body)).hexdigest()


def seal(header: TrailHeader, events: Sequence[AuditEvent], source: Source = "live") -> AuditTrail:
    """Numbers the events and links them into the hash chain."""
    genesis = genesis_hash(header.model_dump(mode="json"))
    prev = genesis
    sealed: list[AuditEvent] = []
    for i, ev in enumerate(events):
        ev = ev.model_copy(update={"index": i, "prev_hash": prev, "hash": ""})
        digest = event_hash(prev, ev.model_dump(mode="json"))
        sealed.append(ev.model_copy(update={"hash": digest}))
        prev = digest
    return AuditTrail(header=header, events=sealed, chain=ChainInfo(genesis=genesis, head=prev), source=source)
