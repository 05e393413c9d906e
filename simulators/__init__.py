"""Sandbox partner systems (协助执行单位): banks, a payment platform, the real-estate and vehicle registries, the
auction platforms, the national dishonest list, a case-account bank, the SMS gateway; and sandbox agents that
work the simulated agencies' inboxes.

One FastAPI app (``simulators.app.create_app``) hosts every simulated partner under ``/partners/{partner_id}/``
and speaks sandbox-v1 (docs/partner-protocol.md). Each keeps its state in SQLite on the locked base
(``sqlite.py``), whose one store of idempotent answers (``LockedSqlite.once``) gives a repeat the first answer
and keeps no partial write of a refusal. Run: ``python -m simulators``.
"""
