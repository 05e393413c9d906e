"""What the worker and the web both write (数据存储): one database, one migration chain.

- ``db``      engine, sessions, the declarative base, Alembic upgrade to head (``migrations/``);
- ``inbox``   the agency task inbox projection (written by the ``project_task`` activity and the web);
- ``archive`` audit trails kept past Temporal's retention (written by the ``archive_audit_trail``
  activity and the web; ``audit.archive`` reads and writes trails through it).

The web's own tables (users, tokens) live in ``web.db`` on the same base and migrations. Nothing here
imports the web, workflows or activities.
"""
