"""Patch decisions taken in a run's first workflow task, not wherever the code first consults them.

Why: ``workflow.patched(id)`` on replay is True only from the workflow task whose commands hold the marker
(Core notifies the SDK task by task, and the SDK memoizes the first answer for the whole run). When the
code reaches a ``patched`` call in an earlier task on replay than it did live, the answer is False, the
old branch runs, and the marker found later fails the replay ("Non-deprecated patch marker encountered …
but there is no corresponding change command"), or — in a live task replayed after an eviction — the new
rule is silently dropped (a disposal paid out without its 申请执行费).

It happens after a local activity (the legal clock's ``compute_deadlines``): a query arriving while the
local activity runs makes Core complete the task with the activity's marker, and the code goes on in the
next task; replay resolves the local activity from its marker inside the first task, so the code runs
one task ahead. Reproduced with a worker that keeps no runs in memory (``OM_TEST_MAX_CACHED_WORKFLOWS=0``,
tests/scenarios/real_estate_disposal: "patch marker encountered for change distribution-counter-objection").
Running ahead also moves ``workflow.now()`` and can still fail a replay ("Missing associated machine for
LocalActivity"): runs started since ``calendar-in-the-run`` ask no local activity at all (the clock counts on
the run's copy of the calendar, workflows/foundation/clock.py); deciding patches up front still guards the
runs recorded before, which keep it.

A run started with this code records ``UP_FRONT`` and every patch it may consult in its first task, where
nothing can move them; later calls return the memoized True. Runs recorded before keep deciding each
patch where they consult it (``UP_FRONT`` is absent from their first task), so their histories replay.
"""

from __future__ import annotations

from temporalio import workflow

UP_FRONT = "patches-up-front"


def decide_up_front(*patch_ids: str) -> None:
    """The first statement of a workflow's ``run``: every patch id the run may consult, decided now."""
    if workflow.patched(UP_FRONT):
        for patch_id in patch_ids:
            workflow.patched(patch_id)


class RunPatches:
    """One run's patch decisions. ``applied`` holds the patches the run's starter already knew as applied (an
    input's patch level, e.g. ``AssetInquiryInput.patch_level``): the run takes them without consulting
    history, so it records no marker for them — each marker is an event, and Core adds an upsert of
    ``TemporalChangeVersion`` beside it (another event and a visibility write on the server). Runs recorded
    before, or started without a level, decide each patch by its marker, as they always did; a patch added
    after a level was fixed is never in it, so runs started under that level still decide it by marker."""

    def __init__(self) -> None:
        self.applied: frozenset[str] = frozenset()

    def patched(self, patch_id: str) -> bool:
        return patch_id in self.applied or workflow.patched(patch_id)

    def known(self, patch_id: str) -> bool:
        """Whether the starter's level holds ``patch_id``, consulting no marker and recording none: for a
        change worth making only where it costs no marker. Every other run keeps the old way."""
        return patch_id in self.applied
