"""The agency task's models live in the kit (``workflows.kit.task_models``): the kit assigns tasks and every
scenario reads their outcomes, and the kit imports no scenario. Re-exported here for the web and tests."""

from workflows.kit.task_models import (
    AgencyTaskInput,
    Completion,
    Extension,
    Reasoned,
    Reassignment,
    TaskOutcome,
)

__all__ = ["AgencyTaskInput", "Completion", "Extension", "Reasoned", "Reassignment", "TaskOutcome"]
