"""The command centre and inside an agency, in a real browser (issue 12 items 4, 6, 7): the dashboard
renders with data (an open task counted by agency and mark, a completed one in the 绩效 index, charts
with tables and CSV); an agency clerk claims a task, comments, sets a follow-up date and releases it."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, expect
from temporalio.client import Client

from config.settings import Settings
from domain.tasks import TaskSpec
from tests.browser import axe_violations, logged_in_at_cases
from tests.helpers import case_number, eventually, login
from tests.scenarios.agency_task.test_agency_tasks import GOOD_REPORT, spec, start_task
from tests.web.test_web_api import inquiry_request
from web.accounts import DEMO_COURT

pytestmark = pytest.mark.usefixtures("stack")

# A chart label whose text does not fit its box (cut by overflow) or runs past the chart's edge.
CLIPPED_LABELS = """() => [...document.querySelectorAll('.chart-label')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().left < 0)
  .map(e => e.textContent)"""
WRAPPED_LABELS = """() => [...document.querySelectorAll('.chart-label')]
  .filter(e => e.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(e).lineHeight)).length"""


def demo_spec() -> TaskSpec:
    return spec("police-hangzhou").model_copy(update={"court": DEMO_COURT})


async def test_dashboard_renders_with_data(browser: Browser, client: Client, settings: Settings, web: str, shots: Path):
    open_task = await start_task(client, settings, demo_spec())
    done_task = await start_task(client, settings, demo_spec())
    async with await login(web, "police-hangzhou") as police, await login(web, "judge") as judge:

        async def projected() -> bool:
            return (await police.get(f"/api/tasks/{done_task.id}")).status_code == 200

        await eventually(projected)
        r = await police.post(f"/api/tasks/{done_task.id}/complete", json={"result": GOOD_REPORT})
        assert r.status_code == 200, r.text
        started = await judge.post("/api/scenarios/asset-inquiry/workflows", json=inquiry_request(case_number()))
        assert started.status_code in (200, 201, 202), started.text
        # A case terminated while it waited for the judge is counted as terminated, never as pending.
        ended = await judge.post("/api/scenarios/asset-inquiry/workflows", json=inquiry_request(case_number()))
        ended_id = ended.json()["workflow_id"]

        async def waiting() -> bool:
            return (await judge.get(f"/api/workflows/{ended_id}")).json().get("status") == "awaiting_decision"

        await eventually(waiting, timeout=30)
        await client.get_workflow_handle(ended_id).terminate("a stale case closed by the administrator")

        async def counted() -> dict[str, Any] | None:
            board = (await judge.get("/api/dashboard")).json()
            police_load = next((a for a in board["agencies"] if a["agency"] == "police-hangzhou"), None)
            perf = next((p for p in board["performance"] if p["agency"] == "police-hangzhou"), None)
            inquiries = [c for c in board["cases"] if c["scenario"] == "asset-inquiry"]
            terminated = [c for c in inquiries if c["status"] == "TERMINATED"]
            return board if police_load and police_load["green"] >= 1 and perf and terminated else None

        board = await eventually(counted)
        assert board["courts"] == [DEMO_COURT]
        perf = next(p for p in board["performance"] if p["agency"] == "police-hangzhou")
        assert perf["completed"] >= 1 and perf["average_working_days"] == 0  # answered the day it came
        rows = list(csv.reader(io.StringIO((await judge.get("/api/dashboard/agencies.csv")).text.lstrip("\ufeff"))))
        assert rows[0] == ["agency", "name", "green", "yellow", "red", "overdue", "total"]
        assert any(r[0] == "police-hangzhou" for r in rows[1:])
        # An agency has no command centre.
        assert (await police.get("/api/dashboard")).status_code == 403

    page = await logged_in_at_cases(browser, web, "supervisor")
    await expect(page).to_have_url(re.compile(r"/ui/queue$"))  # the command centre lands on its queue (待督办)
    await page.goto("/ui/dashboard")
    await expect(page.locator("h1")).to_have_text("执行指挥中心")
    await expect(page.get_by_test_id("chart-agencies")).to_be_visible()
    await expect(page.get_by_test_id("table-agencies").locator("tr[data-agency='police-hangzhou']")).to_be_visible()
    await expect(page.get_by_test_id("chart-performance")).to_be_visible()
    await expect(page.get_by_test_id("table-performance").locator("tr[data-agency='police-hangzhou']")).to_be_visible()
    await expect(page.get_by_test_id("dash-agencies").locator("a[href='/ui/dashboard/agencies.csv']")).to_be_visible()
    await expect(page.get_by_test_id("table-cases")).to_contain_text("网络查控")
    await expect(page.get_by_test_id("table-cases").locator("tr[data-status='TERMINATED']").first).to_be_visible()
    # Every counted row drills down to its cases.
    await page.get_by_test_id("table-cases").locator("tr[data-status='awaiting_decision'] a").first.click()
    await expect(page).to_have_url(re.compile(r"/ui/audit\?scenario=asset-inquiry&status=awaiting_decision"))
    await expect(page.get_by_test_id("audit-results")).to_contain_text("待法官决定")
    await page.go_back()
    # Every chart's labels are the full names, wrapped on their lines, never cut ("…") nor clipped — on a
    # desktop and on a phone, where the page does not scroll sideways.
    for width, shot in ((1280, "screenshot-dashboard.png"), (390, "screenshot-dashboard-phone.png")):
        await page.set_viewport_size({"width": width, "height": 900})
        names = await page.get_by_test_id("table-agencies").locator("tbody tr td:first-child").all_inner_texts()
        assert await page.get_by_test_id("chart-agencies").locator(".chart-label").all_inner_texts() == names
        assert not [n for n in await page.locator(".chart-label").all_inner_texts() if "…" in n]
        clipped = await page.evaluate(CLIPPED_LABELS)
        assert clipped == [], clipped
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 390:  # a name of a dozen characters takes two lines on a phone
            assert await page.evaluate(WRAPPED_LABELS) >= 1
        await page.screenshot(path=str(shots / shot), full_page=True)
    assert await axe_violations(page) == []
    await page.context.close()
    assert open_task.id  # still open: counted green above


async def test_clerk_claims_comments_and_releases(browser: Browser, client: Client, settings: Settings, web: str):
    handle = await start_task(client, settings, demo_spec())
    page = await logged_in_at_cases(browser, web, "police-hangzhou")

    async def listed() -> bool:
        await page.goto(f"/ui/tasks/{handle.id}")
        return await page.get_by_test_id("task-state").count() > 0

    await eventually(listed)
    await expect(page.get_by_test_id("task-assignee")).to_have_text("未签收")
    await page.click("button:has-text('签收')")
    await expect(page.get_by_test_id("task-state")).to_have_text("办理中")
    await expect(page.get_by_test_id("task-assignee")).to_have_text("police-hangzhou")

    comment = page.get_by_test_id("comment-form")
    await comment.locator("textarea[name=text]").fill("已联系车管所, 等待回复")
    await comment.locator("button").click()
    await expect(page.get_by_test_id("task-notes")).to_contain_text("已联系车管所, 等待回复")

    follow = (date.today() + timedelta(days=3)).isoformat()
    form = page.get_by_test_id("follow-up-form")
    await form.locator("input[name=on]").fill(follow)
    await form.locator("input[name=reason]").fill("三日后再询")
    await form.locator("button").click()
    await expect(page.get_by_test_id("task-follow-up")).to_have_text(follow)

    release = page.get_by_test_id("release-form")
    await release.locator("input[name=reason]").fill("承办人休假, 放回")
    await release.locator("button").click()
    await expect(page.get_by_test_id("task-state")).to_have_text("待签收")
    await expect(page.get_by_test_id("task-assignee")).to_have_text("未签收")
    await expect(page.get_by_test_id("task-history")).to_contain_text("放回")
    await page.context.close()

    # The court reads the notes too (who, when, why); the release is in the task's own record.
    async with await login(web, "judge") as judge:
        desk = (await judge.get(f"/api/tasks/{handle.id}/notes")).json()
        assert [n["kind"] for n in desk["notes"]] == ["comment", "follow_up"]
        assert desk["notes"][0]["author"] == "police-hangzhou" and desk["follow_up_on"] == follow
        view = (await judge.get(f"/api/tasks/{handle.id}")).json()["task"]
        released = [h for h in view["history"] if h["action"] == "released"]
        assert released[0]["reason"] == "承办人休假, 放回"
        assert released[0]["detail"]["previous_assignee"] == "police-hangzhou"
        # A judge writes no clerk's notes.
        assert (await judge.post(f"/api/tasks/{handle.id}/comments", json={"text": "x"})).status_code == 403
