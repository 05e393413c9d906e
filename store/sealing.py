"""Columns sealed at rest (静态加密): personal data the shared database keeps — an inbox task's full view
(names, plates, VINs an agency needs to act) — is stored AES-256-GCM encrypted under the payload codec's
keys, so a copy of the database file or a backup shows none of it.

A sealed value is text: ``om1:<key id>:<base64(nonce + ciphertext)>``. The row's key (a task id) is
bound as associated data, so a sealed value copied into another row does not open there. Keys rotate as
they do for payloads: the active one seals, every configured one opens.

Values written before sealing existed are plain JSON; :meth:`Sealer.open` still reads them (they are
sealed the next time their row is written).
"""

from __future__ import annotations

import base64
import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "om1:"
_NONCE = 12


class KeyRing(Protocol):
    """What ``config.settings.CodecKeys`` offers (sealing reads no settings itself)."""

    active: str

    def key_bytes(self) -> dict[str, bytes]: ...


class SealError(Exception):
    """A sealed value that does not open: an unknown key id, another row's value, or altered bytes."""


class Sealer:
    def __init__(self, keys: dict[str, bytes], active: str) -> None:
        if active not in keys:
            raise ValueError(f"active key id {active!r} is not among the configured keys")
        self._ciphers = {kid: AESGCM(key) for kid, key in keys.items()}
        self._active = active

    @classmethod
    def for_keys(cls, keys: KeyRing) -> Sealer:
        return cls(keys.key_bytes(), keys.active)

    def seal(self, text: str, row_key: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._ciphers[self._active].encrypt(nonce, text.encode(), self._aad(self._active, row_key))
        return f"{PREFIX}{self._active}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, value: str, row_key: str) -> str:
        if not is_sealed(value):
            return value  # written before sealing existed
        kid, _, body = value[len(PREFIX) :].partition(":")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise SealError(f"sealed with an unknown key id {kid!r}")
        raw = base64.b64decode(body)
        try:
            return cipher.decrypt(raw[:_NONCE], raw[_NONCE:], self._aad(kid, row_key)).decode()
        except InvalidTag:
            raise SealError("the value does not open under its row's key") from None

    @staticmethod
    def _aad(kid: str, row_key: str) -> bytes:
        return f"{kid}\x00{row_key}".encode()


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)
