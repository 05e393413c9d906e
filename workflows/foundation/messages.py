"""The names workflows and the web exchange messages by — one place, so the web never spells one.

Scenario workflows answer ``STATUS_QUERY`` and take the judge's decisions through ``DECIDE_UPDATE``;
agency tasks (协助事项) are child workflows of type ``AGENCY_TASK_WORKFLOW`` worked through the task
updates below.
"""

from __future__ import annotations

STATUS_QUERY = "status"
DECIDE_UPDATE = "decide"
# An asynchronous partner's answer, relayed by the web. A signal: Temporal takes any number of them and
# keeps each once accepted, where Updates are capped at 10 in flight per workflow and aborted when the
# worker holding the workflow dies (the chaos run lost callbacks both ways). The workflow checks each one
# in its handler and drops what is not due (a duplicate, a late answer, another partner's).
PARTNER_ANSWER_SIGNAL = "partner-answered"
# The relay before that signal; its handler stays so histories that used it replay. The web sends none.
PARTNER_ANSWER_UPDATE = "partner-answer"
# A judge's request to cancel the case, sent (judge's identity in its header, reason in its encrypted
# payload) just before Temporal's own cancellation, whose record carries only the web's identity. No
# handler: it is there to be recorded in history, where the audit trail reads who cancelled and why.
CANCEL_REQUEST_SIGNAL = "om-cancel-requested"

# Decisions one matter asks of another (the settlement, on full performance, asks the consumption order to
# lift and the dishonest list to remove its entry): each scenario's models name them from here.
LIFT_RESTRICTION = "lift-order"
REMOVE_LISTING = "remove-entry"

AGENCY_TASK_WORKFLOW = "AgencyTask"
TASK_VIEW_QUERY = "task"
CANCEL_TASK_SIGNAL = "cancel-task"  # the parent workflow no longer needs the task

# The agency's and the judge's updates on a task.
CLAIM_TASK, COMPLETE_TASK, REJECT_TASK = "claim", "complete", "reject"
REASSIGN_TASK, EXTEND_TASK, CANCEL_TASK = "reassign", "extend", "cancel"
RECOMPUTE_TASK_DEADLINE = "recompute-deadline"
RELEASE_TASK = "release"  # the clerk who claimed a task hands it back to the agency's pool
