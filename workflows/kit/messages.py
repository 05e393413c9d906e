"""The names workflows and the web exchange messages by — one place, so the web never spells one.

Scenario workflows answer ``STATUS_QUERY`` and take the judge's decisions through ``DECIDE_UPDATE``;
agency tasks (协助事项) are child workflows of type ``AGENCY_TASK_WORKFLOW`` worked through the task
updates below.
"""

from __future__ import annotations

STATUS_QUERY = "status"
DECIDE_UPDATE = "decide"
PARTNER_ANSWER_UPDATE = "partner-answer"  # an asynchronous partner's answer, relayed by the web
# A judge's request to cancel the case, sent (judge's identity in its header, reason in its encrypted
# payload) just before Temporal's own cancellation, whose record carries only the web's identity. No
# handler: it is there to be recorded in history, where the audit trail reads who cancelled and why.
CANCEL_REQUEST_SIGNAL = "om-cancel-requested"

AGENCY_TASK_WORKFLOW = "AgencyTask"
TASK_VIEW_QUERY = "task"
CANCEL_TASK_SIGNAL = "cancel-task"  # the parent workflow no longer needs the task

# The agency's and the judge's updates on a task.
CLAIM_TASK, COMPLETE_TASK, REJECT_TASK = "claim", "complete", "reject"
REASSIGN_TASK, EXTEND_TASK, CANCEL_TASK = "reassign", "extend", "cancel"
RECOMPUTE_TASK_DEADLINE = "recompute-deadline"
RELEASE_TASK = "release"  # the clerk who claimed a task hands it back to the agency's pool
