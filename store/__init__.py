"""What the worker and the web keep at rest (数据存储): one database, one migration chain (``migrations/``),
and the encrypted blob files beside it.

- ``db``             engine, sessions, the declarative base, Alembic upgrade to head;
- ``tasks``          the agency tasks' projection (an agency's work queue, 待办); ``task_notes`` clerks' notes on
  a task and the webhooks that tell an agency about its tasks;
- ``audit_archive``  audit trails kept past Temporal's retention;
- ``blobs``          the content-addressed, encrypted file store (uploads, payee lists, documents' PDFs);
- ``cases``          the register of enforcement cases and the courts' case-number sequences;
- ``case_pages``     the case pages the web built, shared by its processes;
- ``parties``        the party index (keyed hashes, never a number in clear); ``sealing`` columns sealed at rest;
- ``documents``      issued documents and their numbers; ``asset_disposals`` one asset, one disposal;
- ``login_throttle`` failed logins, shared by every web process.

The web's own tables (users, tokens) live in ``web.db`` on the same base and migrations. Nothing here
imports the web, workflows or activities.
"""
