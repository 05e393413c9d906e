"""DER by hand, for the CMS containers assembled from fixed parts (documents/seal.py, simulators/tsa.py):
asn1crypto's own encoding of a structure built for each document costs more than the signing."""

from __future__ import annotations


def der(tag: int, body: bytes) -> bytes:
    """One DER element: tag, definite length, body."""
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body
