"""Matters started from the case page (执行案件): each scenario's form asks only the matter's own fields, the
rest comes from the case; the 失信 listing picks the case's 限制消费令 from the register (nothing typed), a
bad entry is refused in Chinese beside its field, and a case outside the judge's courts has no form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, ViewportSize, expect

from bench import html_form
from tests import browser as browser_kit
from tests.browser import axe_violations
from tests.helpers import login
from tests.scenarios.case.test_case_api import file
from web.codec import SESSION_COOKIE
from web.ui.i18n import has_cjk
from workflows.registry import SCENARIOS

PHONE: ViewportSize = {"width": 390, "height": 844}


def shown_form(html: str) -> dict[str, str]:
    """What a browser would post for the start form as rendered."""
    form = html_form.shown_form(html, lambda a: a.get("data-testid") == "start-form")
    return form[1] if form else {}


async def test_restriction_and_listing_start_from_the_case_page_with_only_their_own_fields(
    stack: dict[str, str],
) -> None:
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed = await file(clerk)
    case_id = filed["case_id"]
    token = judge.headers["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=stack["web"], cookies={SESSION_COOKIE: token}) as ui:
        page = (await ui.get(f"/ui/dockets/{case_id}")).text
        assert "启动事项" in page
        for name, scenario in SCENARIOS.items():
            assert f'/ui/dockets/{case_id}/matters/{name}"' in page, name
            if scenario.own_fields:  # each form asks its own fields only, in Chinese
                r = await ui.get(f"/ui/dockets/{case_id}/matters/{name}")
                assert r.status_code == 200 and scenario.title in r.text, name
                names = set(re.findall(r'name="f\.([a-z_]+)', r.text))
                assert names and names <= set(scenario.own_fields), (name, names - set(scenario.own_fields))

        r = await ui.get(f"/ui/dockets/{case_id}/matters/consumption-restriction")
        assert r.status_code == 200 and filed["case_number"] in r.text
        values = shown_form(r.text)
        asked = {k.split(".")[1] for k in values if k.startswith("f.")}
        own = set(SCENARIOS["consumption-restriction"].own_fields)
        assert asked and asked <= own, asked - own  # neither the debtor, the 案号 nor the court is asked again
        assert "f.debtor" not in r.text and "f.case_number" not in r.text and "f.court" not in r.text

        # Nothing started on a bad entry: the error names the field, in Chinese.
        bad = {**values, "f.order_number": "x" * 500}
        r = await ui.post(f"/ui/dockets/{case_id}/matters/consumption-restriction", data=bad)
        assert r.status_code == 422, r.text
        errors = re.findall(r'<small class="error" role="alert">([^<]*)</small>', r.text)
        assert errors and all(has_cjk(e) for e in errors), errors
        beside = r.text[r.text.index('name="f.order_number"') : r.text.index(errors[0])]
        assert "</div>" not in beside and "100" in errors[0], errors  # beside its field, naming the rule

        r = await ui.post(f"/ui/dockets/{case_id}/matters/consumption-restriction", data=values)
        assert r.status_code == 303, r.text
        assert r.headers["location"] == f"/ui/dockets/{case_id}?done=started"

        r = await ui.get(f"/ui/dockets/{case_id}/matters/dishonest-list")
        values = shown_form(r.text)
        assert "restriction_workflow_id" not in r.text  # picked from the register, never typed
        assert {k.split(".")[1] for k in values if k.startswith("f.")} <= set(SCENARIOS["dishonest-list"].own_fields)
        r = await ui.post(f"/ui/dockets/{case_id}/matters/dishonest-list", data=values)
        assert r.status_code == 303, r.text

        doc = await cases_doc(judge, case_id)
        scenarios = {m["scenario"] for m in doc["matters"]}
        assert {"consumption-restriction", "dishonest-list"} <= scenarios
        text = (await ui.get(f"/ui/dockets/{case_id}?done=started")).text
        assert SCENARIOS["dishonest-list"].title in text and SCENARIOS["consumption-restriction"].title in text

        # No CSRF token: refused, nothing started.
        r = await ui.post(f"/ui/dockets/{case_id}/matters/dishonest-list", data={"csrf": "forged"})
        assert r.status_code in (403, 400)

        other = await login(stack["web"], "judge-jiaxing")
        other_token = other.headers["Authorization"].removeprefix("Bearer ")
        r = await ui.get(f"/ui/dockets/{case_id}/matters/dishonest-list", cookies={SESSION_COOKIE: other_token})
        assert r.status_code == 404


async def cases_doc(judge: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    r = await judge.get(f"/api/cases/{case_id}")
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


async def test_the_case_pages_start_section_and_form_pass_axe_and_fit_a_phone(
    stack: dict[str, str], browser: Browser, shots: Path
) -> None:
    clerk = await login(stack["web"], "clerk")
    case_id = (await file(clerk))["case_id"]
    page = await browser_kit.logged_in(browser, stack["web"], "judge", viewport=PHONE)
    await page.goto(f"/ui/dockets/{case_id}")
    section = page.get_by_test_id("docket-start-matters")
    await expect(section).to_contain_text("启动事项")
    assert await axe_violations(page) == []
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await section.locator("li[data-scenario='consumption-restriction'] a").click()
    form = page.get_by_test_id("start-form")
    await expect(form).to_be_visible()
    assert await axe_violations(page) == []
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await form.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(rf"/ui/dockets/{case_id}\?done=started$"))
    await expect(page.get_by_test_id("docket-matters")).to_contain_text(SCENARIOS["consumption-restriction"].title)
    await page.screenshot(path=str(shots / "screenshot-case-phone.png"), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.screenshot(path=str(shots / "screenshot-case.png"), full_page=True)
    await page.context.close()
