"""What the JSON API (web/api) and the UI (web/ui) both call: one module per concept.

Services take plain arguments — the acting user, ids, validated pydantic models and the resources they
need (the Temporal client, the web's database, settings) — and return pydantic models. They raise the
typed errors of ``domain.errors`` (and ``web.errors``), each with a machine-readable code; they know
nothing of requests, responses or templates, so a rule lives here once, whichever door it is reached by.

Grouped by who they serve (each module's docstring says its concept):

- cases and scenarios: ``scenarios`` (starting one), ``cases`` (enforcement cases: filing, register, one case),
  ``attach_cases``, ``workflows`` with ``workflow_views`` / ``workflow_list`` / ``workflow_detail`` /
  ``workflow_updates`` / ``workflow_cancel``, ``case_search``, ``parties`` (search by party), ``register``
  (whose workflows the web shows), ``incidents``, ``documents``, ``audit``;
- agencies' work: ``tasks`` (agency tasks, 协助事项), ``task_notes`` (notes and follow-up dates), ``webhooks``,
  ``directory``, ``partners`` (partners' asynchronous answers);
- views and queues: ``queues`` (待办), ``dashboard``, ``case_dashboard``, ``command_views``;
- parties' side: ``party_accounts``, ``party_space``, ``party_requests``, ``party_applications``,
  ``party_agents``, ``party_payments``, ``party_notices``, ``party_judge``;
- ``payouts`` (payee lists and reconciliation), ``users`` (login, tokens, administration), ``access`` (role rules).
"""
