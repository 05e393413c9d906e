"""What the JSON API (web/api) and the UI (web/ui) both call: one module per concept.

Services take plain arguments — the acting user, ids, validated pydantic models and the resources they
need (the Temporal client, the web's database, settings) — and return pydantic models. They raise the
typed errors of ``domain.errors`` (and ``web.errors``), each with a machine-readable code; they know
nothing of requests, responses or templates, so a rule lives here once, whichever door it is reached by.

| module | concept |
|---|---|
| ``scenarios`` | the scenarios a judge may start, and starting one |
| ``workflows`` | cases: the list, one case, a judge's decision, cancelling a case |
| ``tasks`` | agency tasks: inboxes, one task, the agency's and the judge's actions, attachments |
| ``users`` | logging in and out, user administration |
| ``partners`` | partners' asynchronous answers (callbacks) |
| ``payouts`` | payee lists of a mass payout and its reconciliation report |
| ``audit`` | a case's audit trail, its signed export and the signing key (over the ``audit`` package) |
| ``access`` | the role rules the services check themselves, whichever door a call came through |
| ``audit`` | a case's audit trail, its signed export and signing key, the archive of closed cases |
"""
