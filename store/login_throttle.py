"""Failed logins (登录失败计数), shared by every web process and replica (issue 23, item 3).

A key is ``user:<name>`` or ``addr:<ip>``, stored as its SHA-256 (the table never names a user or an
address). ``free`` failures pass; each further one blocks for ``base`` seconds doubled per excess failure,
up to ``cap``. A key is forgotten ``forget`` seconds after its last failure once its block has ended. Times
are the wall clock's epoch seconds: the processes sharing the table share no monotonic clock.

The count is one ``UPDATE … SET failures = failures + 1`` per key, so two processes counting the same
key at once both count (the row is locked by the first until it commits).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Float, Integer, String, case, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.db import Base, Database


class LoginFailure(Base):
    __tablename__ = "login_failures"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    blocked_until: Mapped[float] = mapped_column(Float)
    last_failure: Mapped[float] = mapped_column(Float, index=True)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class LoginThrottle:
    """See the module docstring. A successful login forgets the user's key (not the address's: logging
    into one's own account must not reset the count of guesses at others)."""

    free_per_user: int = 5
    free_per_address: int = 20
    base: float = 1.0
    cap: float = 900.0
    forget: float = 900.0
    clock: Callable[[], float] = time.time

    def retry_after(self, db: Database, username: str, address: str) -> float:
        """Seconds until a login may be tried; 0 when it may be tried now."""
        now = self.clock()
        keys = [_hash(k) for k in self._keys(username, address)]
        rows = db.rows(select(LoginFailure.blocked_until).where(LoginFailure.key_hash.in_(keys)))
        return max([0.0, *(row.blocked_until - now for row in rows)])

    def failed(self, db: Database, username: str, address: str) -> None:
        now = self.clock()
        frees = (self.free_per_user, self.free_per_address)
        with db.session() as s:
            for key, free in zip(self._keys(username, address), frees, strict=True):
                self._count(s, _hash(key), free, now)
            # Forgotten keys go, so a spray of names leaves no lasting rows.
            s.execute(
                delete(LoginFailure).where(
                    LoginFailure.last_failure < now - self.forget, LoginFailure.blocked_until <= now
                )
            )

    def succeeded(self, db: Database, username: str) -> None:
        with db.session() as s:
            s.execute(delete(LoginFailure).where(LoginFailure.key_hash == _hash(self._keys(username, "")[0])))

    def _count(self, s: Session, key_hash: str, free: int, now: float) -> None:
        row = LoginFailure.__table__
        stale = (row.c.last_failure < now - self.forget) & (row.c.blocked_until <= now)

        bumped = s.execute(
            update(LoginFailure)
            .where(LoginFailure.key_hash == key_hash)
            .values(failures=case((stale, 1), else_=LoginFailure.failures + 1), last_failure=now)
        )
        if bumped.rowcount == 0:  # type: ignore[attr-defined]
            try:
                with s.begin_nested():
                    s.execute(
                        insert(LoginFailure).values(key_hash=key_hash, failures=1, blocked_until=0.0, last_failure=now)
                    )
            except IntegrityError:  # another process counted this key's first failure a moment ago
                s.execute(
                    update(LoginFailure)
                    .where(LoginFailure.key_hash == key_hash)
                    .values(failures=LoginFailure.failures + 1, last_failure=now)
                )
        failures = s.scalar(select(LoginFailure.failures).where(LoginFailure.key_hash == key_hash)) or 0
        excess = failures - free
        if excess > 0:
            s.execute(
                update(LoginFailure)
                .where(LoginFailure.key_hash == key_hash)
                .values(blocked_until=now + min(self.cap, self.base * 2 ** min(excess - 1, 30)))
            )

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{username.lower()}", f"addr:{address}"
