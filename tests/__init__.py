"""The tests, against a real Temporal dev server and the simulators, laid out like the code: ``scenarios/<scenario>/``
(a scenario's workflow, rules and browser tests together), ``structure/``, ``web/``, ``security/``, ``domain/``,
``documents/``, ``partners/``, ``platform/``. Shared fixtures are in ``conftest.py`` (the stack, the web, the
browser), shared helpers in ``helpers.py``, ``browser.py`` and ``case_probe.py``; ``histories/`` the recorded
histories ``structure/test_replay.py`` replays."""
