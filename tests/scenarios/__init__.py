"""Scenarios built only for tests (``property_lead``, the one docs/adding-a-scenario.md builds; the legal-period
probe), and each real scenario's tests in a folder named after it: its workflow on the real stack, its rules and
its pages in a real browser together."""
