"""The procedures (执行程序), one folder per scenario, registered in ``workflows.registry``.

- ``<scenario>/`` — ``workflow.py`` the procedure (a class on the foundation's ``ScenarioWorkflow``), ``models.py``
  what it takes, returns and decides, ``words.py`` its zh/en words, ``__init__.py`` its ``SCENARIO``;
- ``foundation/`` — what every scenario shares: the workflow base, message names, timeline, decision desk, legal
  clock, agency tasks and their models, retries, the case link (``case_link``, ``case_effects``), issuing
  documents, ``child_matters`` (how one scenario starts another's matter without importing it);
- ``agency_task/`` — the agency-task child workflow (协助事项) every scenario assigns;
- ``case/`` — the enforcement case (执行案件), the entity workflow its matters report to;
- ``personal_data.py`` — which models carry personal data, for the audit trail's masking;
- ``registry.py`` — one line per scenario; the worker and the web are built from it.

Workflow code imports ``temporalio``, pydantic models, ``domain`` and the foundation — no I/O, no settings. A scenario
imports no other scenario (``tests/structure/test_layers.py``): what they share is in the foundation or ``domain``.
"""
