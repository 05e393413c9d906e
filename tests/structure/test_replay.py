"""Recorded histories replay deterministically against today's workflow code (SDK Replayer).

Histories under tests/histories/ were recorded with ``OM_RECORD_HISTORIES=1 make test`` and are
encrypted with the test-only key beside them. A workflow change that breaks replay of an old history
fails here — the signal to version the change (workflow.patched) before it reaches production.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory

from tests.helpers import HISTORY_FILES, replayer

FILES = HISTORY_FILES


def test_histories_are_committed():
    assert len(FILES) >= 3, "record histories with OM_RECORD_HISTORIES=1 and commit them"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
async def test_history_replays_deterministically(path: Path):
    record = json.loads(path.read_text())
    history = WorkflowHistory.from_json(record["workflow_id"], record["history"])
    result = await replayer().replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
