"""Where the registered scenarios carry personal data (个人信息), for whoever must mask it (the audit
trail, in the worker's archive activity and in the web): every workflow and activity group (the models
in their methods' signatures, and those their modules import, such as decision payloads and partner
answers), every scenario's request model, and the catalogue of agency task results.
``audit.redact.Redactor.for_models`` walks these, and every model reachable from them, for fields
marked with ``domain.personal``."""

from __future__ import annotations

from domain.task_results import RESULT_MODELS
from workflows.foundation.scenario import Scenario
from workflows.registry import SCENARIOS, all_activity_groups, all_workflows


def personal_data_models(scenarios: dict[str, Scenario] = SCENARIOS) -> list[object]:
    return [
        *all_workflows(scenarios),
        *all_activity_groups(scenarios),
        *(s.request_model for s in scenarios.values()),
        *RESULT_MODELS.values(),
    ]
