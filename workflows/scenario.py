"""Transitional: ``workflows.kit.scenario`` under its old import path. Delete when unused."""

from __future__ import annotations

from workflows.kit.scenario import Scenario, ScenarioContext, wrap_request

__all__ = ["Scenario", "ScenarioContext", "wrap_request"]
