"""The database the worker and the web share: the declarative base, the engine, sessions, and the
Alembic upgrade to head (one migration chain, ``store/migrations``, for every table in it — the inbox
projection and the audit archive, which both processes write, and the web's own users and tokens).

SQLite under var/ by default; PostgreSQL in production through ``postgresql+psycopg://`` (psycopg is a
dependency of the project). Calls are synchronous and tiny; the API
runs them in a worker thread via :meth:`Database.run` so the event loop never blocks on disk.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from alembic import command
from alembic.config import Config
from sqlalchemy import DateTime, Dialect, Engine, MetaData, Row, Select, create_engine, event, make_url, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from store.sealing import Sealer

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant will do; it only has to be the same for every process upgrading one database.
_PG_MIGRATION_LOCK = 0x4F4D5745  # "OMWE"

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Always an aware UTC datetime in Python. SQLite keeps no zone, so we store naive UTC there and
    put the zone back on reading; PostgreSQL's timestamptz round-trips as is."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def private_file(path: Path) -> None:
    """Creates ``path`` readable by its owner only (0600), or makes it so: the database holds users'
    password hashes and the inbox. SQLite gives its -wal and -shm files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Never open an existing database file here: closing any descriptor of a file drops every POSIX
    # lock this process holds on it, including SQLite's own (another engine on the same file would
    # then fail with "disk I/O error"). chmod touches no lock.
    if not path.exists():
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass  # another process made it a moment ago; chmod below
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if p.exists():
            os.chmod(p, 0o600)


def _is_sqlite_memory(url: str) -> bool:
    u = make_url(url)
    return u.get_backend_name() == "sqlite" and u.database in (None, "", ":memory:")


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if _is_sqlite_memory(url):
        # One shared connection, or each thread would see its own empty database.
        return create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    private_file(Path(u.database or ""))
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        # WAL lets readers (token checks) proceed while a login writes; foreign keys are off by default.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


def alembic_config() -> Config:
    """Programmatic config (no alembic.ini): the connection is handed over in ``attributes``, so a URL
    with a ``%`` in its password never passes through configparser interpolation."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@contextmanager
def _sqlite_migration_lock(engine: Engine) -> Iterator[None]:
    """Web and worker both migrate on start; on SQLite a file lock makes the second wait for the first."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    with os.fdopen(os.open(f"{database}.migrate.lock", os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade_engine(engine: Engine) -> None:
    with _sqlite_migration_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several web replicas may start together; one migrates, the others wait and find nothing to do.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def upgrade_to_head(url: str) -> None:
    """Brings the database at ``url`` to the newest schema; safe to call on every start."""
    engine = make_engine(url)
    try:
        upgrade_engine(engine)
    finally:
        engine.dispose()


class Database:
    """Engine and sessions for one process. Use :meth:`run` from async code. ``sealer`` encrypts the
    columns that hold personal data (store/sealing.py); without one they cannot be written."""

    def __init__(self, url: str, sealer: Sealer | None = None) -> None:
        self.url = url
        self.sealer = sealer
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._local_reads = make_url(url).get_backend_name() == "sqlite"

    def upgrade(self) -> None:
        upgrade_engine(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back otherwise."""
        with self._sessions() as s, s.begin():
            yield s

    def rows(
        self, statement: Select[*tuple[Any, ...]], params: dict[str, Any] | None = None
    ) -> Sequence[Row[*tuple[Any, ...]]]:
        """The rows of one select of columns, run by the Core: the ORM's loading of plain column rows was
        a third of an inbox page's cost. ``params`` bind a statement built once with ``bindparam`` (on a
        hot path, building the statement costs more than running it)."""
        with self.engine.connect() as conn:
            return conn.execute(statement, params).all()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await anyio.to_thread.run_sync(fn, *args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """A short read on a hot path (who a token is, an agency's inbox page). On a SQLite file in WAL
        mode a reader never waits for a writer, and the hand-over to a thread costs more than the read:
        the event loop then queues for the interpreter lock behind the thread building rows (the inbox
        bench served 57 pages/s that way, 87 inline). A server database is read in a thread, as
        :meth:`run` does."""
        if self._local_reads:
            return fn(*args)
        return await self.run(fn, *args)

    def dispose(self) -> None:
        self.engine.dispose()
