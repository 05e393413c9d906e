"""What the worker and the web both write (数据存储): one database, one migration chain (``migrations/``).

- ``db``             engine, sessions, the declarative base, Alembic upgrade to head;
- ``inbox``          the agency-task inbox projection; ``agency_desk`` clerks' notes and agency webhooks;
- ``archive``        audit trails kept past Temporal's retention;
- ``cases``          the register of enforcement cases and the courts' case-number sequences;
- ``case_pages``     the case pages the web built, shared by its processes;
- ``parties``        the party index (keyed hashes, never a number in clear); ``sealing`` columns sealed at rest;
- ``documents``      issued documents and their numbers; ``asset_disposals`` one asset, one disposal;
- ``login_throttle`` failed logins, shared by every web process.

The web's own tables (users, tokens) live in ``web.db`` on the same base and migrations. Nothing here
imports the web, workflows or activities.
"""
