"""The agency task's models live in the foundation (``workflows.foundation.task_models``): the foundation
assigns tasks and every scenario reads their outcomes, and the foundation imports no scenario. Re-exported
here for the web and tests."""

from workflows.foundation.task_models import (
    AgencyTaskInput,
    Completion,
    Extension,
    Reasoned,
    Reassignment,
    TaskOutcome,
)

__all__ = ["AgencyTaskInput", "Completion", "Extension", "Reasoned", "Reassignment", "TaskOutcome"]
