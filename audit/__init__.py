"""The audit trail (审计轨迹): who did what, when and why, in terms of the case.

One module per job, imported one by one (this package imports nothing, so the offline verifier loads
only what it needs):

- ``redact``  masking of personal data, by the keys the models mark (``domain.personal``);
- ``trail``   the trail's models;
- ``chain``   the hash chain over its events;
- ``export``  the signed export and the signing key;
- ``verify``  offline verification of an export (no FastAPI, SQLAlchemy or Temporal);
- ``derive``  the trail derived from a workflow's Temporal history;
- ``archive`` trails kept past Temporal's retention (table ``store.audit_archive``);
- ``__main__`` the verifier's command line: ``python -m audit verify FILE``.
"""
