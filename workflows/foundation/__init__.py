"""The foundation every scenario workflow is built on (the "kit" until issue 21 named it): what all of them
share, so a scenario folder holds only its procedure, its models and its words. ``scenario.py`` is the
registry's contract (``Scenario``); the rest is what a procedure stands on.

- ``base``      — ``ScenarioWorkflow``: the base of every scenario's workflow class (the ``decide`` Update
  and its validator, the status query, ``_set_status``, ``_close``); the scenario's class keeps its
  ``run``, its own handlers and its state and overrides ``summary``/``outcome`` (and, if it has them,
  ``law_check``/``take``/``indexes``).
- ``messages``  — names of queries, updates and signals (the web uses these; it never spells one), and
  the decisions one matter asks of another (``LIFT_RESTRICTION``, ``REMOVE_LISTING``).
- ``models``    — ``ScenarioStatus``, ``DecisionInput``/``DecisionOutcome``, ``PendingDecision``,
  ``TimelineEntry``, ``Incident``.
- ``timeline``  — ``Timeline`` (who, when, what, why; ``incident`` for a step that failed for good),
  ``acting_user``, ``require_role``, ``refuse`` / ``refusal_from`` (validator refusals with a code),
  ``failure_code``.
- ``decisions`` — ``DecisionDesk``: declare ``DecisionSpec(name, payload model, reason_required,
  roles)`` once; ``await desk.wait(*names, timeout=…)`` at a step; the ``decide`` Update calls
  ``desk.validate(decision, law_check)`` in its validator and ``desk.accept(decision)`` in its handler;
  the status query shows ``desk.pending()``.
- ``clock``     — ``CaseClock``: legal now, ``deadline()`` / ``deadlines()`` (each a ``Deadline`` with
  its provisional flag), ``sleep_until()``, ``real_until()``; ``await load_calendar()`` before the run's
  first wait (the run's copy of the holiday calendar the deadlines are counted on).
- ``tasks``     — ``run_agency_task(step, spec, clock, timeline, cancel_when=…)`` and
  ``start_agency_task``: one child workflow per task, id ``<workflow id>:task:<step>``.
- ``task_models`` — what an agency task takes and ends with (``AgencyTaskInput``, ``TaskOutcome``) and its
  Update payloads: the foundation, every scenario, the agency-task workflow and the web share them.
- ``retries``   — every retry policy (``PARTNER``, ``QUICK``, ``INQUIRY``, ``FAN_OUT``, ``ARCHIVE``);
  deterministic errors are never retried.
- ``status``    — ``publish_status`` (the search attribute judges filter by).
- ``archive``   — ``archive_audit_trail()``, every scenario's last step.
- ``scenario``  — ``Scenario`` (the registry entry) and ``ScenarioContext``.
- ``child_matters`` — what one scenario starts of another without importing it: the asset inquiry's and the
  consumption restriction's inputs (and the inquiry's result), their workflow type names, the signal a
  dishonest-list entry sends its restriction order; ``Scenario.starts`` names them for the worker.
- ``words``     — ``Words`` / ``Word``: a scenario's zh and en words; ``PARTY_FIELDS``/``PARTY_ENUMS``, what
  every scenario naming a party says of it; ``RESTRICTED_ITEM_ENUMS``, the nine restricted consumptions.
- ``case_link``  — the one contract between a matter and its case (执行案件): references, effects, notices, facts;
  ``case_effects`` — ``CaseReporter`` / ``CaseNotices``, a matter reporting to its case and hearing it;
  ``next_steps`` — the case's next steps from its facts.
- ``issuing``   — ``DocumentIssuer`` and ``PresidentSignature``: a scenario issues its documents (法律文书);
  ``documents/`` the templates every scenario may issue (base, correction, service receipt, seal).

Nothing here defines a workflow (the base has handlers, no ``@workflow.defn``; it keeps no state of its own
between instances): the worker passes the foundation through its sandbox (imported once).
"""
