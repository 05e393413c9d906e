"""A workflow for tests/platform/test_worker_sandbox.py, in a module of its own so the sandbox imports only this."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="probe_echo")
async def probe_echo(text: str) -> str:
    return text


@workflow.defn(name="SandboxProbe")
class SandboxProbe:
    @workflow.run
    async def run(self, text: str) -> str:
        echoed: str = await workflow.execute_activity(
            probe_echo, text, activity_id="echo-1", start_to_close_timeout=timedelta(seconds=30)
        )
        return echoed
