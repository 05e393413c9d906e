"""Offline verification of a signed audit export (审计导出校验): the hash chain event by event, naming
the first altered event by index and action, then the Ed25519 signature.

Needs no network, no database and no Temporal: it imports the chain rules and ``cryptography`` only
(a test holds it to that), so an auditor can run it anywhere.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit.chain import canonical, event_hash, genesis_hash
from audit.trail import FORMAT


def key_id(public_b64: str) -> str:
    """A short fingerprint people can compare: SHA-256 of the raw public key, first 16 hex digits."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def signed_message(doc: Mapping[str, Any]) -> bytes:
    """What the server signs: the format, the chain's genesis and head, and the number of events."""
    chain = doc["chain"]
    return canonical(
        {
            "format": doc["header"]["format"],
            "genesis": chain["genesis"],
            "head": chain["head"],
            "events": len(doc["events"]),
        }
    )


@dataclass(frozen=True)
class Problem:
    message: str
    index: int | None = None
    action: str | None = None


def check_chain(doc: Mapping[str, Any]) -> Problem | None:
    """The first place where the file's content and its hash chain disagree, or None."""
    try:
        header, events, chain = doc["header"], doc["events"], doc["chain"]
    except (KeyError, TypeError):
        return Problem("not an audit export: header, events or chain missing")
    if not isinstance(events, list) or not isinstance(header, dict) or not isinstance(chain, dict):
        return Problem("not an audit export: malformed header, events or chain")
    if header.get("format") != FORMAT:
        return Problem(f"unknown format {header.get('format')!r} (expected {FORMAT})")
    if genesis_hash(header) != chain.get("genesis"):
        return Problem("the header (workflow, case, status) has been altered: it no longer matches the chain's genesis")
    prev = chain["genesis"]
    for position, ev in enumerate(events):
        if not isinstance(ev, dict):
            return Problem(f"event {position} is not an object", position)
        action = str(ev.get("action"))
        if ev.get("index") != position:
            return Problem(
                f"event {position} ({action}) is out of place: it says index {ev.get('index')}", position, action
            )
        if ev.get("prev_hash") != prev:
            return Problem(
                f"event {position} ({action}) does not follow event {position - 1}: "
                "an event was removed, inserted or reordered",
                position,
                action,
            )
        digest = event_hash(prev, ev)
        if digest != ev.get("hash"):
            return Problem(
                f"event {position} ({action}) has been altered: its content does not match its hash", position, action
            )
        prev = digest
    if prev != chain.get("head"):
        return Problem("the chain's head does not match the last event: events were removed from the end")
    return None


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    key_id: str | None = None
    events: int = 0
    problem: Problem | None = None


def verify_export(doc: Mapping[str, Any], pinned_public_key: str | None = None) -> Verdict:
    """Checks the hash chain, then the signature (against ``pinned_public_key`` if given, else the
    key in the file — whose fingerprint the verifier should compare with the court's published one)."""
    problem = check_chain(doc)
    if problem is not None:
        return Verdict(False, problem.message, problem=problem)
    sig = doc.get("signature")
    if not isinstance(sig, dict) or sig.get("algorithm") != "ed25519":
        return Verdict(False, "no Ed25519 signature in the file")
    embedded = str(sig.get("public_key", ""))
    if pinned_public_key is not None and pinned_public_key.strip() != embedded:
        return Verdict(False, "bad signature: the file is signed with a different key than the pinned one")
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(embedded))
        public.verify(base64.b64decode(str(sig.get("value", ""))), signed_message(doc))
    except (InvalidSignature, ValueError):
        return Verdict(False, "bad signature: the chain's head, genesis or event count is not what the server signed")
    kid = key_id(embedded)
    n = len(doc["events"])
    return Verdict(True, f"OK: {n} events, hash chain intact, signed by key {kid}", key_id=kid, events=n)
