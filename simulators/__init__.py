"""Sandbox partner systems (协助执行单位): banks, a payment platform, the real-estate and vehicle registries.

One FastAPI app (``simulators.app.create_app``) hosts every simulated partner under
``/partners/{partner_id}/`` and speaks sandbox-v1 (docs/partner-protocol.md). Each partner keeps its own
SQLite file, so ledgers and stored idempotent answers survive a restart. Run: ``python -m simulators``.
"""
