"""The agency-task primitive: claim and completion through validated Updates, the judge's reassign,
extend and cancel, yellow/red/escalation in legal time, deadlines over holidays, and the inbox."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError

from config.settings import Settings
from domain.actors import Actor, Role
from domain.legal_time import CHINA_TZ, LegalClock, LegalDuration, TimeScale, TimeUnit
from domain.tasks import DueRule, TaskSpec, TaskView
from security.identity import acting_as
from tests.helpers import (
    JUDGE,
    eventually,
    login,
    record_history,
    refusal_code,
    settled_history_length,
    start,
)
from tests.scenarios.cross_region_seizure.test_cross_region_seizure import new_request
from workflows.agency_task.workflow import CASE_ENDED, AgencyTask
from workflows.foundation.messages import (
    CANCEL_TASK,
    CLAIM_TASK,
    COMPLETE_TASK,
    EXTEND_TASK,
    REASSIGN_TASK,
    RECOMPUTE_TASK_DEADLINE,
    TASK_VIEW_QUERY,
)
from workflows.foundation.task_models import AgencyTaskInput, Completion, Extension, Reasoned, Reassignment, TaskOutcome

pytestmark = pytest.mark.usefixtures("stack")

POLICE = Actor(user_id="police-hangzhou", role=Role.AGENCY, agency="police-hangzhou")
COURT = Actor(user_id="court-gongshu", role=Role.AGENCY, agency="court-gongshu")
ADMIN = Actor(user_id="admin", role=Role.ADMIN)
GOOD_REPORT = {
    "flagged_in_registry": True,
    "located_at": "杭州市拱墅区某停车场",
    "seized_at": "2026-11-22T10:00:00+08:00",
    "registry_seizure_ref": "JG0001",
}


def spec(agency: str = "police-hangzhou", due: LegalDuration | None = None, **rule: Any) -> TaskSpec:
    return TaskSpec(
        task_type="test.vehicle-seizure",
        agency=agency,
        case_number=f"(2026)浙04执{uuid.uuid4().int % 10_000}号",
        court="嘉兴市中级人民法院",
        title="查控并扣押车辆",
        result_type="vehicle-seizure-report",
        rule=DueRule(due=due or LegalDuration(amount=5, unit=TimeUnit.WORKING_DAY), **rule),
    )


async def start_task(
    client: Client, settings: Settings, task: TaskSpec, acceleration: float = 1.0, legal_start: datetime | None = None
) -> WorkflowHandle[Any, Any]:
    now = datetime.now(UTC)
    clock = LegalClock(epoch=now, scale=TimeScale(acceleration=acceleration), legal_epoch=legal_start)
    with acting_as(JUDGE):
        return await client.start_workflow(
            AgencyTask.run,
            AgencyTaskInput(spec=task, clock=clock),
            id=f"task-test-{uuid.uuid4().hex[:12]}",
            task_queue=settings.task_queue,
        )


async def view(handle: WorkflowHandle[Any, Any]) -> TaskView:
    return await handle.query(TASK_VIEW_QUERY, result_type=TaskView)


async def update(handle: WorkflowHandle[Any, Any], actor: Actor, name: str, arg: Any = None) -> Any:
    with acting_as(actor):
        if arg is None:
            return await handle.execute_update(name)
        return await handle.execute_update(name, arg)


async def refused(handle: WorkflowHandle[Any, Any], actor: Actor, name: str, arg: Any = None) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await update(handle, actor, name, arg)
    return refusal_code(err.value)


async def test_refusals_leave_no_trace_in_history(client: Client, settings: Settings):
    handle = await start_task(client, settings, spec())
    before = await settled_history_length(handle)
    assert await refused(handle, COURT, CLAIM_TASK) == "TASK_NOT_FOUND"  # wrong agency
    assert await refused(handle, JUDGE, CLAIM_TASK) == "ROLE_FORBIDDEN"
    bad = Completion(result={**GOOD_REPORT, "located_at": ""})
    assert await refused(handle, POLICE, COMPLETE_TASK, bad) == "INVALID_RESULT"
    assert len((await handle.fetch_history()).events) == before

    await update(handle, POLICE, CLAIM_TASK)
    assert await refused(handle, POLICE, CLAIM_TASK) == "WRONG_STATE"  # twice
    await update(handle, POLICE, COMPLETE_TASK, Completion(result=GOOD_REPORT))
    outcome: TaskOutcome = await handle.result()
    await record_history(handle, "agency-task-refusals-then-completed")
    assert outcome.state == "completed" and outcome.completed_by == POLICE
    assert outcome.result is not None and outcome.result["registry_seizure_ref"] == "JG0001"


async def test_completion_after_cancellation_is_refused(client: Client, settings: Settings):
    handle = await start_task(client, settings, spec())
    await eventually(lambda: view(handle))
    assert await refused(handle, JUDGE, CANCEL_TASK, {"reason": " "}) != ""  # a blank reason is no reason
    await update(handle, JUDGE, CANCEL_TASK, Reasoned(reason="被执行人已履行"))
    outcome: TaskOutcome = await handle.result()
    assert outcome.state == "cancelled" and outcome.reason == "被执行人已履行"
    with pytest.raises(Exception):  # noqa: B017 — the workflow is closed: Temporal refuses any update
        await update(handle, POLICE, COMPLETE_TASK, Completion(result=GOOD_REPORT))


async def test_reassign_and_extend_record_who_and_why(client: Client, settings: Settings):
    handle = await start_task(client, settings, spec(), legal_start=datetime(2026, 9, 30, 10, tzinfo=CHINA_TZ))
    first = await eventually(lambda: view(handle))
    # 5 working days from 30 Sep 2026 skip the National Day week and end on 13 Oct (a make-up Saturday counts).
    assert first.deadline.due_at.astimezone(CHINA_TZ).date().isoformat() == "2026-10-13"
    await update(
        handle,
        JUDGE,
        EXTEND_TASK,
        Extension(extra=LegalDuration(amount=2, unit=TimeUnit.WORKING_DAY), reason="交警申请延期"),
    )
    extended = await eventually(lambda: _with_action(handle, "extended"))
    assert extended.deadline.due_at.astimezone(CHINA_TZ).date().isoformat() == "2026-10-15"
    same_agency = Reassignment(agency="police-hangzhou", reason="x")
    assert await refused(handle, JUDGE, REASSIGN_TASK, same_agency) == "SAME_AGENCY"
    await update(handle, JUDGE, REASSIGN_TASK, Reassignment(agency="court-gongshu", reason="改由受托法院办理"))
    await eventually(lambda: _with_action(handle, "reassigned"))
    assert await refused(handle, POLICE, CLAIM_TASK) == "TASK_NOT_FOUND"  # no longer theirs
    await update(handle, COURT, COMPLETE_TASK, Completion(result=GOOD_REPORT))
    outcome: TaskOutcome = await handle.result()
    assert outcome.agency == "court-gongshu"
    history = (await view(handle)).history
    entry = next(h for h in history if h.action == "reassigned")
    assert (entry.actor.user_id, entry.reason, entry.detail["previous_agency"]) == (
        "judge",
        "改由受托法院办理",
        "police-hangzhou",
    )


async def _with_action(handle: WorkflowHandle[Any, Any], action: str) -> TaskView | None:
    v = await view(handle)
    return v if any(h.action == action for h in v.history) else None


async def test_yellow_red_and_escalation_fire_in_legal_time(client: Client, settings: Settings):
    # 172,800x: a legal day passes in half a second. Yellow at 7 days, due at 10, red at 14 (end of day,
    # rolled forward off rest days): about 4, 5.5 and 7.5 seconds after assignment.
    task = spec(due=LegalDuration(amount=10, unit=TimeUnit.CALENDAR_DAY))
    handle = await start_task(client, settings, task, acceleration=172_800)
    v = await eventually(lambda: _with_action(handle, "escalated"), timeout=30)
    actions = [h.action for h in v.history]
    assert actions.index("turned_yellow") < actions.index("overdue") < actions.index("turned_red")
    assert actions.index("turned_red") < actions.index("escalated")
    by_action = {h.action: h.at for h in v.history}
    elapsed = (by_action["turned_red"] - by_action["assigned"]).total_seconds()
    assert 6 <= elapsed <= 12, f"red should fire 7-8 real seconds after assignment, not {elapsed}s"
    assert v.mark == "red" and v.escalated and v.overdue
    await update(handle, JUDGE, CANCEL_TASK, Reasoned(reason="测试结束"))


async def test_a_demo_clock_still_leaves_a_person_minutes_to_act(client: Client, settings: Settings):
    """Under the demo's floor no mark comes sooner than ``min_wait_seconds`` of wall time: here 864,000x
    (a legal day in a tenth of a second) with a floor of 4 s, a 1-working-day task stays green and open for
    4 s, then its marks come all at once."""
    task = spec(due=LegalDuration(amount=1, unit=TimeUnit.WORKING_DAY))
    now = datetime.now(UTC)
    clock = LegalClock(epoch=now, scale=TimeScale(acceleration=864_000, min_wait_seconds=4))
    with acting_as(JUDGE):
        handle = await client.start_workflow(
            AgencyTask.run,
            AgencyTaskInput(spec=task, clock=clock),
            id=f"task-test-{uuid.uuid4().hex[:12]}",
            task_queue=settings.task_queue,
        )
    await asyncio.sleep(2)  # without the floor, due, yellow and red would all have passed by now
    v = await view(handle)
    assert v.mark == "green" and not v.overdue, [h.action for h in v.history]
    v = await eventually(lambda: _with_action(handle, "overdue"), timeout=30)
    by_action = {h.action: h.at for h in v.history}
    assert (by_action["overdue"] - by_action["assigned"]).total_seconds() >= 4
    await update(handle, JUDGE, CANCEL_TASK, Reasoned(reason="测试结束"))


async def test_unpublished_year_is_provisional_and_recomputed_when_published(client: Client, settings: Settings):
    # Assigned on 1 Feb 2027: 2027's holiday schedule is not published, so the statutory days alone count:
    # 5 working days skip 除夕 (Fri 5 Feb) and 初三 (Mon 8 Feb) and end on Wed 10 Feb.
    handle = await start_task(client, settings, spec(), legal_start=datetime(2027, 2, 1, 9, tzinfo=CHINA_TZ))
    first = await eventually(lambda: view(handle))
    assert first.deadline.provisional
    assert first.deadline.due_at.astimezone(CHINA_TZ).date().isoformat() == "2027-02-10"
    # The State Council publishes 2027 (fabricated here): Spring Festival runs Feb 5–13, Feb 20 is worked.
    schedule = {
        "year": 2027,
        "published": True,
        "source": "国办发明电〔2026〕test",
        "title": "test",
        "note": "test",
        "holidays": [f"2027-02-{d:02d}" for d in range(5, 14)],
        "makeup_workdays": ["2027-02-20"],
    }
    folder = settings.var_dir / "holiday_schedules"
    folder.mkdir(exist_ok=True)
    (folder / "2027.json").write_text(json.dumps(schedule))
    try:
        await update(handle, ADMIN, RECOMPUTE_TASK_DEADLINE)
        second = await eventually(lambda: _with_action(handle, "deadline_recomputed"))
    finally:
        (folder / "2027.json").unlink()
    assert not second.deadline.provisional
    # With the (fabricated) schedule: 2, 3, 4 Feb, then the break to 13 Feb, then 15 and 16 Feb.
    assert second.deadline.due_at.astimezone(CHINA_TZ).date().isoformat() == "2027-02-16"
    await update(handle, JUDGE, CANCEL_TASK, Reasoned(reason="测试结束"))


async def test_inbox_lists_only_own_tasks_and_refuses_others(client: Client, settings: Settings, web: str):
    handle = await start_task(client, settings, spec())
    police, court, auditor = [await login(web, u) for u in ("police-hangzhou", "court-gongshu", "auditor")]
    async with police, court, auditor:

        async def listed() -> list[dict[str, Any]]:
            r = await police.get("/api/tasks", params={"status": "open"})
            r.raise_for_status()
            return [t for t in r.json() if t["task_id"] == handle.id]

        [row] = await eventually(listed)
        assert row["agency"] == "police-hangzhou" and row["mark"] == "green"
        r = await court.get("/api/tasks", params={"status": "open"})
        assert handle.id not in {t["task_id"] for t in r.json()}
        # Every task route, by another agency: refused (and an unknown id tells nothing more than "none").
        extend = {"extra": {"amount": 1, "unit": "working_day"}, "reason": "x"}
        for method, path, body in [
            ("GET", f"/api/tasks/{handle.id}", None),
            ("POST", f"/api/tasks/{handle.id}/claim", None),
            ("POST", f"/api/tasks/{handle.id}/complete", {"result": GOOD_REPORT}),
            ("POST", f"/api/tasks/{handle.id}/reject", {"reason": "x"}),
            ("POST", f"/api/tasks/{handle.id}/reassign", {"agency": "court-gongshu", "reason": "x"}),
            ("POST", f"/api/tasks/{handle.id}/extend", extend),
            ("POST", f"/api/tasks/{handle.id}/cancel", {"reason": "x"}),
        ]:
            resp = await court.request(method, path, json=body)
            assert resp.status_code == 403, (path, resp.status_code)
        upload = await court.post(f"/api/tasks/{handle.id}/attachments", files={"file": ("a.png", b"x", "image/png")})
        assert upload.status_code == 403
        for guess in ("task-test-doesnotexist", f"{handle.id}x"):
            assert (await court.post(f"/api/tasks/{guess}/claim")).status_code == 404
            assert (await court.get(f"/api/tasks/{guess}")).status_code == 404
        # An auditor reads everything and changes nothing.
        assert (await auditor.get(f"/api/tasks/{handle.id}")).status_code == 200
        for path, body in [
            ("claim", None),
            ("complete", {"result": GOOD_REPORT}),
            ("reject", {"reason": "x"}),
            ("reassign", {"agency": "court-gongshu", "reason": "x"}),
            ("extend", extend),
            ("cancel", {"reason": "x"}),
        ]:
            resp = await auditor.post(f"/api/tasks/{handle.id}/{path}", json=body)
            assert resp.status_code == 403, (path, resp.status_code)

        assert (await police.post(f"/api/tasks/{handle.id}/claim")).status_code == 200
        bad = await police.post(f"/api/tasks/{handle.id}/complete", json={"result": {"flagged_in_registry": "maybe"}})
        assert bad.status_code == 422 and bad.json()["code"] == "INVALID_RESULT"
        ok = await police.post(f"/api/tasks/{handle.id}/complete", json={"result": GOOD_REPORT})
        assert ok.status_code == 200, ok.text
        # Read-your-writes: the page an agency is sent to next already shows the completion, without
        # waiting for the workflow's own projection.
        assert (await police.get(f"/api/tasks/{handle.id}")).json()["task"]["state"] == "completed"
    outcome: TaskOutcome = await handle.result()
    assert outcome.state == "completed"


async def test_a_case_that_ends_closes_its_open_tasks_with_a_reason_the_agency_reads(
    client: Client, settings: Settings, simulator: str, web: str
):
    """Once terminated by the server with its case, a task stayed open in the agency's inbox and on the
    dashboard; now the ended case asks it to close, and the agency reads why."""
    handle = await start(client, settings, "cross-region-seizure", await new_request(simulator))
    task = f"{handle.id}:task:accept"
    async with await login(web, "court-gongshu") as court:

        async def state() -> str | None:
            r = await court.get(f"/api/tasks/{task}")
            return r.json()["task"]["state"] if r.status_code == 200 else None

        assert await eventually(state) == "open"
        await handle.terminate("the case was closed elsewhere")  # the harshest end: no code of the case runs

        async def closed() -> bool:
            return await state() == "cancelled"

        await eventually(closed, timeout=30)
        r = await court.get("/api/tasks", params={"status": "open"})
        assert task not in {t["task_id"] for t in r.json()}
        last = (await court.get(f"/api/tasks/{task}")).json()["task"]["history"][-1]
        assert last["action"] == "cancelled" and last["reason"] == CASE_ENDED
        assert last["actor"]["role"] == "system"
