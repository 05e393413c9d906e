"""A content-addressed, write-once, encrypted file store for what is too big for Temporal history.

A blob is named by the SHA-256 of its plaintext and kept under ``<var>/blobs/ab/cd/<sha256>``, sealed
with AES-256-GCM under the payload codec's keys (the key id travels in the file, so keys rotate as they
do for payloads). The name is bound to the ciphertext as associated data and the hash is checked again
after decryption, so a swapped, truncated or altered file is refused rather than read.

Large record lists (a payee list of up to a million rows) are stored as chunks plus a manifest listing the
chunks' hashes; the manifest's hash names the list. A reader of rows [offset, offset+limit) decrypts the
manifest and only the chunks it needs — and every one of them is verified, Merkle-style. A list too big
to hold (a million payees) is written a chunk at a time by a ``RecordsWriter``: its chunks wait in a
private staging directory and enter the store, followed by the manifest, only on ``commit``; a list that
is abandoned (a bad row, an error, a crash) leaves nothing in the store.

Shared by the web (uploads, reports) and the workers (payments, reconciliation): in production both
mount the same volume at ``OM_VAR_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, Field

from config.settings import CodecKeys, Settings

MAGIC = b"OMB1"
_NONCE = 12
_TAG = 16  # AES-GCM's tag, after the ciphertext
PIECE_BYTES = 1 << 20
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_REF_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
RECORDS_FORMAT = "records/1"
STAGING = "staging"  # under the root: chunks of record lists being written
STALE_STAGING_SECONDS = 24 * 3600  # a staging directory this old belongs to a writer that died
_TAG = 16


class BlobError(Exception):
    pass


class BlobNotFound(BlobError):
    pass


class BlobCorrupt(BlobError):
    """The file does not decrypt under its name, or its content does not hash to it."""


class RecordsManifest(BaseModel):
    """The index of a chunked record list; its own hash names the list."""

    format: str = RECORDS_FORMAT
    count: int = Field(ge=0)
    chunk_rows: int = Field(gt=0)
    chunks: list[str]
    meta: dict[str, Any] = Field(default_factory=dict)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_digest(digest: str) -> str:
    if not _DIGEST.match(digest):
        raise BlobNotFound("not a SHA-256 hex digest")
    return digest


class BlobStore:
    def __init__(self, root: Path, keys: CodecKeys, cache_chunks: int = 16) -> None:
        self.root = root
        self._root = str(root)
        key_bytes = keys.key_bytes()
        if keys.active not in key_bytes:
            raise ValueError(f"active key id {keys.active!r} is not among the configured keys")
        self._ciphers = {kid: AESGCM(k) for kid, k in key_bytes.items()}
        self._keys = dict(key_bytes)  # every configured key opens; the active one seals
        self._active_key = key_bytes[keys.active]
        self._active = keys.active
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._cache_size = cache_chunks

    @classmethod
    def for_settings(cls, settings: Settings) -> BlobStore:
        return cls(settings.var_dir / "blobs", settings.codec_keys)

    # --- bytes ----------------------------------------------------------------------------------------

    def path(self, digest: str) -> Path:
        return Path(self._file(digest))

    def _file(self, digest: str) -> str:
        """The blob's file, as a string: a sealed document's ``put`` is on the hot path of every notice, where
        pathlib's joins and checks cost more than encrypting it (docs/performance.md "doc-path")."""
        check_digest(digest)
        return f"{self._root}/{digest[:2]}/{digest[2:4]}/{digest}"

    def exists(self, digest: str) -> bool:
        return os.path.isfile(self._file(digest))

    def put(self, data: bytes) -> str:
        """Stores ``data`` once; storing the same bytes again is a no-op returning the same name."""
        digest = sha256_hex(data)
        file = self._file(digest)
        if os.path.isfile(file):
            return digest
        _write_atomically(file, self._seal(digest, data))
        return digest

    def _seal(self, digest: str, data: bytes) -> bytes:
        kid = self._active.encode()
        nonce = os.urandom(_NONCE)
        sealed = self._ciphers[self._active].encrypt(nonce, data, MAGIC + kid + digest.encode())
        return MAGIC + bytes([len(kid)]) + kid + nonce + sealed

    def put_pieces(self, read: Callable[[], Iterable[bytes]]) -> str:
        """``put`` for a blob too big to hold (a million-row error report): each call of ``read`` gives its
        bytes in pieces from the start; it is read twice, once to name it and once to seal it. The file is
        the one ``put`` writes for the same bytes (AES-GCM's tag after the ciphertext), so ``get`` reads it."""
        named = hashlib.sha256()
        for piece in read():
            named.update(piece)
        digest = named.hexdigest()
        path = self.path(digest)
        if path.is_file():
            return digest
        kid = self._active.encode()
        nonce = os.urandom(_NONCE)
        encryptor = Cipher(algorithms.AES(self._active_key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(MAGIC + kid + digest.encode())
        again = hashlib.sha256()

        def sealed() -> Iterable[bytes]:
            yield MAGIC + bytes([len(kid)]) + kid + nonce
            for piece in read():
                again.update(piece)
                yield encryptor.update(piece)
            yield encryptor.finalize() + encryptor.tag

        def unchanged() -> bool:
            return again.hexdigest() == digest

        _write_atomically(path, sealed(), unchanged)
        return digest

    def get(self, digest: str) -> bytes:
        path = self.path(digest)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {digest[:12]}…") from None
        if raw[:4] != MAGIC or len(raw) < 5:
            raise BlobCorrupt(f"blob {digest[:12]}… has no valid header")
        kid_len = raw[4]
        kid = raw[5 : 5 + kid_len]
        body = raw[5 + kid_len :]
        cipher = self._ciphers.get(kid.decode(errors="replace"))
        if cipher is None:
            raise BlobCorrupt(f"blob {digest[:12]}… is sealed with an unknown key id {kid.decode(errors='replace')!r}")
        try:
            data = cipher.decrypt(body[:_NONCE], body[_NONCE:], MAGIC + kid + digest.encode())
        except InvalidTag:
            raise BlobCorrupt(f"blob {digest[:12]}… does not decrypt under its name") from None
        if sha256_hex(data) != digest:
            raise BlobCorrupt(f"blob {digest[:12]}… does not hash to its name")
        return data

    def get_pieces(self, digest: str, size: int = PIECE_BYTES) -> Iterator[bytes]:
        """``get`` for a blob too big to hold (a million-row error report): its bytes in pieces of ``size``.
        The file is read through and checked (its tag, its name) before this returns, so no piece of a
        blob leaves before the whole of it is known to be what was stored; the pieces are read again."""
        for _ in self._decrypted(digest, size):
            pass
        return self._decrypted(digest, size)

    def _decrypted(self, digest: str, size: int) -> Iterator[bytes]:
        path = self.path(digest)
        try:
            f = path.open("rb")
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {digest[:12]}…") from None
        with f:
            header = f.read(5)
            if header[:4] != MAGIC or len(header) < 5:
                raise BlobCorrupt(f"blob {digest[:12]}… has no valid header")
            kid = f.read(header[4])
            kid_text = kid.decode(errors="replace")
            key = self._keys.get(kid_text)
            if key is None:
                raise BlobCorrupt(f"blob {digest[:12]}… is sealed with an unknown key id {kid_text!r}")
            nonce = f.read(_NONCE)
            body_end = path.stat().st_size - _TAG
            if body_end < f.tell():
                raise BlobCorrupt(f"blob {digest[:12]}… is cut short")
            f.seek(body_end)
            tag = f.read(_TAG)
            f.seek(5 + len(kid) + _NONCE)
            decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
            decryptor.authenticate_additional_data(MAGIC + kid + digest.encode())
            named = hashlib.sha256()
            left = body_end - f.tell()
            while left > 0:
                piece = decryptor.update(f.read(min(size, left)))
                left -= size
                named.update(piece)
                yield piece
            try:
                decryptor.finalize()
            except InvalidTag:
                raise BlobCorrupt(f"blob {digest[:12]}… does not decrypt under its name") from None
            if named.hexdigest() != digest:
                raise BlobCorrupt(f"blob {digest[:12]}… does not hash to its name")

    def put_json(self, value: Any) -> str:
        return self.put(_dumps(value))

    def get_json(self, digest: str) -> Any:
        return json.loads(self.get(digest))

    # --- named references (e.g. an upload's error report, by the upload's hash) -------------------------

    def set_ref(self, namespace: str, name: str, digest: str) -> None:
        """Points ``namespace/name`` at a blob. Refs hold only a hash, never content."""
        check_digest(digest)
        _write_atomically(self._ref_path(namespace, name), digest.encode())

    def get_ref(self, namespace: str, name: str) -> str | None:
        try:
            digest = self._ref_path(namespace, name).read_text().strip()
        except FileNotFoundError:
            return None
        return check_digest(digest)

    def _ref_path(self, namespace: str, name: str) -> Path:
        if not _REF_NAME.match(namespace) or not _REF_NAME.match(name):
            raise BlobNotFound("invalid reference name")
        return self.root / "refs" / namespace / name

    # --- chunked record lists -------------------------------------------------------------------------

    def put_records(
        self, records: Sequence[Sequence[Any]], chunk_rows: int = 2000, meta: dict[str, Any] | None = None
    ) -> str:
        """Stores a list of JSON-able rows as verified chunks; returns the manifest's hash."""
        chunks = [self.put(_dumps(list(records[i : i + chunk_rows]))) for i in range(0, len(records), chunk_rows)]
        manifest = RecordsManifest(count=len(records), chunk_rows=chunk_rows, chunks=chunks, meta=meta or {})
        return self.put(manifest.model_dump_json().encode())

    def records_writer(self, chunk_rows: int = 2000) -> RecordsWriter:
        """A record list written a chunk at a time; see ``RecordsWriter``. Sweeps away what writers that
        died (a killed web process) left in staging."""
        staging = self.root / STAGING
        if staging.is_dir():
            cutoff = time.time() - STALE_STAGING_SECONDS
            for old in staging.iterdir():
                try:
                    if old.stat().st_mtime < cutoff:
                        shutil.rmtree(old, ignore_errors=True)
                except FileNotFoundError:
                    pass
        return RecordsWriter(self, chunk_rows)

    def manifest(self, digest: str) -> RecordsManifest:
        cached = self._cached(("m", digest))
        if cached is None:
            try:
                cached = RecordsManifest.model_validate_json(self.get(digest))
            except ValueError as exc:
                raise BlobCorrupt(f"blob {digest[:12]}… is not a record list") from exc
            if cached.format != RECORDS_FORMAT:
                raise BlobCorrupt(f"blob {digest[:12]}… has format {cached.format!r}")
            self._remember(("m", digest), cached)
        manifest: RecordsManifest = cached
        return manifest

    def read_records(self, digest: str, offset: int = 0, limit: int | None = None) -> list[list[Any]]:
        """Rows ``[offset, offset + limit)`` of a record list (all of them without ``limit``)."""
        m = self.manifest(digest)
        end = m.count if limit is None else min(m.count, offset + limit)
        rows: list[list[Any]] = []
        if offset >= end:
            return rows
        for index in range(offset // m.chunk_rows, (end - 1) // m.chunk_rows + 1):
            chunk = self._chunk(m.chunks[index])
            base = index * m.chunk_rows
            rows.extend(chunk[max(offset - base, 0) : end - base])
        return rows

    def _chunk(self, digest: str) -> list[list[Any]]:
        cached = self._cached(("c", digest))
        if cached is None:
            cached = json.loads(self.get(digest))
            self._remember(("c", digest), cached)
        chunk: list[list[Any]] = cached
        return chunk

    def _cached(self, key: tuple[str, str]) -> Any:
        with self._lock:
            value = self._cache.get(key[0] + key[1])
            if value is not None:
                self._cache.move_to_end(key[0] + key[1])
            return value

    def _remember(self, key: tuple[str, str], value: Any) -> None:
        with self._lock:
            self._cache[key[0] + key[1]] = value
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


class RecordsWriter:
    """Writes a record list a chunk at a time, for lists too big to hold. ``append`` rows; ``commit``
    moves the sealed chunks into the store, then writes the manifest and returns its hash — the same
    name and the same chunks ``put_records`` gives the same rows. Until then the chunks sit in a staging
    directory of their own, where no reader looks; ``discard`` (or leaving the ``with`` block without a
    commit, by an error or not) deletes them. Staged chunks are never moved over an existing blob: a
    chunk another list shares is left as it is, and discarding takes nothing from that list."""

    def __init__(self, store: BlobStore, chunk_rows: int = 2000) -> None:
        if chunk_rows <= 0:
            raise ValueError("chunk_rows must be positive")
        self._store = store
        self.chunk_rows = chunk_rows
        self._staging = store.root / STAGING / uuid.uuid4().hex
        self._rows: list[Sequence[Any]] = []
        self._chunks: list[str] = []
        self.count = 0
        self._done = False

    def __enter__(self) -> RecordsWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.discard()

    def append(self, record: Sequence[Any]) -> None:
        if self._done:
            raise BlobError("this record list is already committed or discarded")
        self._rows.append(record)
        self.count += 1
        if len(self._rows) >= self.chunk_rows:
            self._flush()

    def _flush(self) -> None:
        data = _dumps([list(r) for r in self._rows])
        self._rows = []
        digest = sha256_hex(data)
        self._chunks.append(digest)
        staged = self._staging / digest
        if not staged.is_file() and not self._store.exists(digest):
            _write_atomically(staged, self._store._seal(digest, data))

    def commit(self, meta: dict[str, Any] | None = None) -> str:
        """Puts the list in the store (chunks first, manifest last: a reader never finds a manifest whose
        chunks are missing) and returns its name."""
        if self._done:
            raise BlobError("this record list is already committed or discarded")
        if self._rows:
            self._flush()
        for digest in dict.fromkeys(self._chunks):
            staged = self._staging / digest
            if not staged.is_file():
                continue  # the store had it already
            target = self._store.path(digest)
            if target.is_file():
                staged.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
        manifest = RecordsManifest(count=self.count, chunk_rows=self.chunk_rows, chunks=self._chunks, meta=meta or {})
        digest = self._store.put(manifest.model_dump_json().encode())
        self.discard()
        return digest

    def discard(self) -> None:
        """Forgets the rows and deletes the staged chunks (after a commit: only the empty staging)."""
        self._done = True
        self._rows = []
        shutil.rmtree(self._staging, ignore_errors=True)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _write_atomically(path: Path | str, data: bytes | Iterable[bytes], check: Callable[[], bool] | None = None) -> None:
    """Written to a temporary file (the owner's only, as the blob will be), flushed to disk, then renamed: a
    reader never sees half a file. ``check``, when given, is asked after writing and before renaming; False
    abandons the file. By the os module's calls: tempfile's and pathlib's layers around the same system calls
    cost a fifth of a sealed document's store (docs/performance.md "doc-path")."""
    directory = os.path.dirname(path)
    tmp = os.path.join(directory, f".tmp-{os.urandom(8).hex()}")
    try:
        fd = os.open(tmp, _NEW_FILE, 0o600)
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
        fd = os.open(tmp, _NEW_FILE, 0o600)
    try:
        try:
            for piece in (data,) if isinstance(data, bytes) else data:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if check is not None and not check():
            raise BlobError("the content changed while it was being stored")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# As tempfile.mkstemp opens its files: a new one only, never through a symbolic link.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
