"""Alembic environment for the shared database. ``store.db.upgrade_to_head`` passes a connection in
``config.attributes``; without one (the ``alembic`` CLI) it connects to ``OM_DATABASE_URL``.

The revisions are written by hand; ``target_metadata`` holds the store's own tables (the web's users and
tokens join it when ``web.db`` is imported, which this package may not do)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

# Imported for their tables, which join Base.metadata.
import store.asset_disposals
import store.audit_archive
import store.case_pages
import store.cases
import store.login_throttle
import store.parties
import store.started
import store.task_notes
import store.tasks  # noqa: F401
from store.db import Base, make_engine

target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    from config.settings import get_settings

    engine = make_engine(get_settings().web_database_url)
    try:
        with engine.begin() as conn:
            _migrate(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
_run()
