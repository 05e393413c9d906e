"""AES-256-GCM PayloadCodec: every payload Temporal stores (inputs, results, signals, updates, queries,
failure messages, headers) is ciphertext; the key id travels in metadata so keys rotate without downtime.

A payload that arrives unencrypted was not written by a holder of the keys: with ``require_encryption``
(the default; only tests turn it off) it is not decoded but replaced by a payload of the ``REFUSED``
encoding, which the data converter turns into a non-retryable ``PLAINTEXT_PAYLOAD`` error wherever it is
read (security/converter.py). Raising here instead would fail the whole workflow task over and over — a
forged signal could jam a case; this way an Update is rejected before acceptance, a signal is dropped
and a start fails without running.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
REFUSED = b"binary/om-refused-plaintext"
KEY_ID_METADATA = "encryption-key-id"
_NONCE_BYTES = 12


class UnknownKeyError(Exception):
    pass


class AesGcmCodec(PayloadCodec):
    def __init__(self, keys: dict[str, bytes], active_key_id: str, require_encryption: bool = True) -> None:
        if active_key_id not in keys:
            raise ValueError(f"active key id {active_key_id!r} is not among the configured keys")
        for kid, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"codec key {kid!r} must be 32 bytes (AES-256)")
        self._ciphers = {kid: AESGCM(key) for kid, key in keys.items()}
        self._active = active_key_id
        self.require_encryption = require_encryption

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(_NONCE_BYTES)
        kid = self._active.encode()
        # The key id is bound as associated data, so ciphertext cannot be re-labelled with another key.
        sealed = self._ciphers[self._active].encrypt(nonce, payload.SerializeToString(), kid)
        return Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: kid}, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            if self.require_encryption:
                return Payload(metadata={"encoding": REFUSED})
            return payload
        kid = payload.metadata.get(KEY_ID_METADATA, b"").decode()
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise UnknownKeyError(f"payload encrypted with unknown key id {kid!r}")
        nonce, sealed = payload.data[:_NONCE_BYTES], payload.data[_NONCE_BYTES:]
        return Payload.FromString(cipher.decrypt(nonce, sealed, kid.encode()))
