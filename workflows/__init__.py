"""Scenario workflows, one module each, registered in ``workflows.registry``.

Workflow modules import only ``temporalio``, pydantic models and ``domain`` — no I/O, no settings — and
stay small: the sandbox re-imports them for every run.
"""
