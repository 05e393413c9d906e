"""The web (FastAPI): the JSON API and the server-rendered UI for judges (法官), filing clerks, agencies
(协助执行单位), parties, auditors (审计) and administrators. The only place that establishes who acts: it
starts workflows and sends decisions and partner callbacks to Temporal as the signed, authenticated user.

- ``api/`` JSON routes; ``ui/`` pages (``ui/i18n.py`` the chrome's words); ``services/`` what both call,
  one module per concept and no HTTP in it (``workflow_*`` for the scenario workflows: views, list, one
  case's page, the Update gateway, cancel);
- ``guard.py`` / ``limits.py`` what every request passes (authentication gate, throttle, headers, sizes);
- ``accounts.py``, ``db.py``, ``security.py`` users, tokens and passwords; ``admin.py`` the operator's
  commands (``python -m web.admin create-user``, ``create-agency``, ``create-token``);
- ``app.py`` the application, ``metrics.py``, ``request_log.py``, ``codec.py`` (the codec server).
"""
