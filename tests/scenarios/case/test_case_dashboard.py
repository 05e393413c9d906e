"""The dashboard by case (案件看板): open cases by the term's colour, closed ones by mode, 结案率 and
执行到位率 per court and per judge from the register's sums in fen, each figure drilling down to its cases;
courts are tenants. Cases filed and moved through the real stack (the case workflow projects its row)."""

from __future__ import annotations

from typing import Any

import httpx
from temporalio.client import Client

from domain.case_closing import ClosingMode
from domain.case_dashboard import CaseGroup, board, percent
from tests.helpers import credit_code, eventually, login
from tests.scenarios.case.test_case_api import application, effect
from web.codec import SESSION_COOKIE
from workflows.foundation.case_link import EffectKind, RecoverySource

COURT = "嘉兴市中级人民法院"
JUDGE = "judge-jiaxing"


def test_rates_are_computed_from_the_integer_sums_and_other_courts_are_not_counted() -> None:
    assert percent(1, 3) == 33.33 and percent(2, 3) == 66.67 and percent(0, 5) == 0.0
    assert percent(5, 0) is None and percent(304_400, 304_400) == 100.0
    groups = [
        CaseGroup(
            court="A", judge="j1", term_colour="green", closing_mode=None, cases=2, claimed_fen=300, recovered_fen=100
        ),
        CaseGroup(
            court="A",
            judge="j1",
            term_colour="red",
            closing_mode=ClosingMode.COMPLETED,
            cases=1,
            claimed_fen=100,
            recovered_fen=100,
        ),
        CaseGroup(
            court="A", judge="j2", term_colour="yellow", closing_mode=None, cases=1, claimed_fen=600, recovered_fen=0
        ),
        CaseGroup(
            court="B", judge="j3", term_colour="green", closing_mode=None, cases=9, claimed_fen=9, recovered_fen=9
        ),
    ]
    b = board(groups, ["A"])
    assert [c.court for c in b.courts] == ["A"] and {j.judge for j in b.judges} == {"j1", "j2"}
    a = b.courts[0]
    assert (a.cases, a.open, a.closed, a.claimed_fen, a.recovered_fen) == (4, 3, 1, 1000, 200)
    assert a.colours == {"green": 2, "yellow": 1, "red": 0}  # a closed case's last colour is not counted
    assert a.modes["completed"] == 1 and a.closing_rate == 25.0 and a.recovery_rate == 20.0
    j1 = next(j for j in b.judges if j.judge == "j1")
    assert j1.closing_rate == 33.33 and j1.recovery_rate == 50.0
    assert b.total.model_dump(mode="json")["recovery_rate"] == 20.0  # the rates are in the API's JSON


async def _row(http: httpx.AsyncClient, judge: str | None = None) -> dict[str, Any]:
    r = await http.get("/api/case-dashboard")
    assert r.status_code == 200, r.text
    rows = r.json()["judges" if judge else "courts"]
    found = [x for x in rows if x["court"] == COURT and (judge is None or x["judge"] == judge)]
    return found[0] if found else {"cases": 0, "closed": 0, "claimed_fen": 0, "recovered_fen": 0, "open": 0}


async def test_dashboard_by_case_per_court_and_judge_with_the_cases_behind_each_figure(
    stack: dict[str, str], client: Client
) -> None:
    clerk, supervisor = await login(stack["web"], "clerk-jiaxing"), await login(stack["web"], "supervisor")
    judge = await login(stack["web"], JUDGE)
    before_court, before_judge = await _row(supervisor), await _row(supervisor, JUDGE)

    def body(principal: int) -> dict[str, Any]:
        return application(
            court=COURT,
            judge=JUDGE,
            applicants=[{"kind": "organisation", "name": "嘉兴某公司", "id_number": credit_code()}],
            claim={"principal_fen": principal, "interest_fen": 10_000, "costs_fen": 5_000},
        )

    filed = []
    for principal in (1_000_000, 3_000_000):
        r = await clerk.post("/api/cases", json=body(principal))
        assert r.status_code == 201, r.text
        filed.append(r.json())
    done, open_ = filed
    # The first is paid in full (the case closes itself as 执行完毕); the second is paid ¥10,000.
    # More than the balance: delay interest grows with the (accelerated) legal days; the surplus goes back.
    paid = (await judge.get(f"/api/cases/{done['case_id']}")).json()["ledger"]["balance_fen"] + 100_000
    await effect(
        client,
        done["workflow_id"],
        EffectKind.MONEY_RECOVERED,
        "paid",
        matter="settlement-dash",
        amount_fen=paid,
        source=RecoverySource.VOLUNTARY,
    )
    await effect(
        client, done["workflow_id"], EffectKind.MATTER_ENDED, "end", matter="settlement-dash", status="completed"
    )
    await effect(
        client,
        open_["workflow_id"],
        EffectKind.MONEY_RECOVERED,
        "deducted",
        matter="inquiry-dash",
        amount_fen=1_000_000,
        source=RecoverySource.DEDUCTION,
    )

    async def projected() -> dict[str, dict[str, Any]] | None:
        rows = {r["case_id"]: r for r in (await judge.get("/api/cases", params={"mine": "true"})).json()}
        a, b = rows.get(done["case_id"]), rows.get(open_["case_id"])
        return rows if a and b and a["closing_mode"] == "completed" and b["recovered_fen"] == 1_000_000 else None

    rows = await eventually(projected)
    assert rows[done["case_id"]]["claimed_fen"] == 1_015_000 and rows[open_["case_id"]]["claimed_fen"] == 3_015_000

    after_court, after_judge = await _row(supervisor), await _row(supervisor, JUDGE)
    for before, after in ((before_court, after_court), (before_judge, after_judge)):
        assert after["cases"] - before["cases"] == 2 and after["closed"] - before["closed"] == 1
        assert after["claimed_fen"] - before["claimed_fen"] == 1_015_000 + 3_015_000
        assert after["recovered_fen"] - before["recovered_fen"] == paid + 1_000_000
        assert after["recovery_rate"] == percent(after["recovered_fen"], after["claimed_fen"])
        assert after["closing_rate"] == percent(after["closed"], after["cases"])
    colour = rows[open_["case_id"]]["term_colour"]

    async def drill(http: httpx.AsyncClient, **params: Any) -> set[str]:
        r = await http.get("/api/case-dashboard/cases", params={"limit": 500, **params})
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["total"] >= len(page["cases"])
        return {c["case_id"] for c in page["cases"]}

    ids = {done["case_id"], open_["case_id"]}
    assert ids <= await drill(supervisor, court=COURT, judge=JUDGE)
    assert ids & await drill(supervisor, court=COURT, judge=JUDGE, state="closed") == {done["case_id"]}
    assert ids & await drill(supervisor, court=COURT, mode="completed") == {done["case_id"]}
    assert ids & await drill(supervisor, court=COURT, colour=colour) == {open_["case_id"]}
    r = await supervisor.get("/api/case-dashboard/cases", params={"colour": "purple"})
    assert r.status_code == 422 and r.json()["field"].endswith("colour"), r.text

    # Courts are tenants: the judge of 上城 sees no row of 嘉兴 and none of its cases.
    shangcheng = await login(stack["web"], "judge")
    board_json = (await shangcheng.get("/api/case-dashboard")).json()
    assert all(r["court"] != COURT for r in board_json["courts"] + board_json["judges"])
    assert not ids & await drill(shangcheng, court=COURT)
    assert not ids & await drill(shangcheng)

    # The page: the judge's row with its rates, and its figure drilling down to the cases.
    token = supervisor.headers["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=stack["web"], cookies={SESSION_COOKIE: token}) as ui:
        page = await ui.get("/ui/case-dashboard")
        assert page.status_code == 200 and "结案率" in page.text and "执行到位率" in page.text
        assert f'data-judge="{JUDGE}"' in page.text and f"{after_judge['recovery_rate']:.2f}%" in page.text
        link = f"/ui/case-dashboard/cases?court={COURT}&judge={JUDGE}&state=closed"
        behind = await ui.get(link)
        assert behind.status_code == 200 and done["case_number"] in behind.text
        assert open_["case_number"] not in behind.text and "执行完毕" in behind.text
        assert (await ui.get("/ui/case-dashboard?year=19")).status_code == 422
