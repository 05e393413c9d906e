"""Recorded histories replay deterministically against today's workflow code (SDK Replayer).

Histories under tests/histories/ were recorded with ``OM_RECORD_HISTORIES=1 make test`` and are
encrypted with the test-only key beside them. A workflow change that breaks replay of an old history
fails here — the signal to version the change (workflow.patched) before it reaches production.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.common import HeaderCodecBehavior
from temporalio.worker import Interceptor, Replayer

from config.settings import CodecKeys
from security.converter import build_data_converter
from security.identity import ActorKeys, ActorSigner, ActorWorkerInterceptor
from workers.main import sandbox_runner
from workflows.registry import all_workflows

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
ACTOR_KEYS = HISTORIES / "actor-keys.json"
FILES = sorted(HISTORIES.glob("*.json"))
FILES = [f for f in FILES if not f.name.endswith("-keys.json")]


def test_histories_are_committed():
    assert len(FILES) >= 3, "record histories with OM_RECORD_HISTORIES=1 and commit them"


def replayer(
    codec_keys: Path = HISTORIES / "codec-keys.json",
    actor_keys: Path = ACTOR_KEYS,
    before: Sequence[Interceptor] = (),
) -> Replayer:
    """A replayer as the worker is configured (also for tests that replay a history they just made);
    ``before``: interceptors a worker takes from its client (tracing)."""
    keys = CodecKeys.model_validate_json(codec_keys.read_text())
    actors = ActorWorkerInterceptor(ActorSigner(ActorKeys.model_validate_json(actor_keys.read_text())))
    return Replayer(
        workflows=all_workflows(),
        data_converter=build_data_converter(keys),
        # Actors are verified on replay too, against the test-only signing key recorded sessions use.
        interceptors=[*before, actors],
        header_codec_behavior=HeaderCodecBehavior.CODEC,
        workflow_runner=sandbox_runner(),
    )


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
async def test_history_replays_deterministically(path: Path):
    record = json.loads(path.read_text())
    history = WorkflowHistory.from_json(record["workflow_id"], record["history"])
    result = await replayer().replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
