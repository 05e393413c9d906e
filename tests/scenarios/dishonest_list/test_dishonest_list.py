"""Dishonest-debtor list (失信) and consumption restriction (限消) against the real stack: the national list
is the simulator's HTTP partner, the credit agencies and the assisting units work their notices through
the inbox API, every deadline comes from the legal clock."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError

from config.settings import Settings
from domain.actors import Actor, Role
from domain.consumption_restriction import BoundRole, RestrictedItem, RestrictionTrigger
from domain.dishonest_list import RemovalGround
from domain.parties import Party, PartyKind
from simulators.task_agents import work_once
from tests.helpers import (
    APPROVER,
    case_number,
    credit_code,
    decide,
    eventually,
    login,
    pdf_words,
    president_signs,
    president_signs_on_the_web,
    record_history,
    refusal_code,
    resident_id,
    start,
    status,
    wait_status,
)
from web.accounts import DEMO_STAFF_NAMES
from workflows.consumption_restriction.models import (
    APPROVE_EXEMPTION,
    DISMISS,
    ISSUE,
    LIFT,
    REPORT_VIOLATION,
    SANCTION,
    ConsumptionRestrictionResult,
)
from workflows.consumption_restriction.models import (
    DECLINE as DECLINE_ORDER,
)
from workflows.dishonest_list.models import (
    ACCEPT_CORRECTION,
    DECLINE,
    ENTER,
    RECORD_RECONSIDERATION,
    REFUSE_CORRECTION,
    REGISTER_CORRECTION,
    REGISTER_RECONSIDERATION,
    REMOVE,
    DishonestListRequest,
    DishonestListResult,
)
from workflows.foundation.child_matters import BoundPerson, ConsumptionRestrictionRequest
from workflows.foundation.issuing import PRESIDENT_REFUSE, PRESIDENT_SIGN

pytestmark = pytest.mark.usefixtures("stack")
CREDIT = ("credit-pboc", "market-regulation")
UNITS = (
    "airlines-caac",
    "railway-12306",
    "hotels-zhejiang",
    # 限消规定 Art. 3 (三)(五)(七)(八): real estate, vehicles, private schools, insurance (Art. 6: each told)
    "realestate-registry",
    "vehicle-registry",
    "education-zhejiang",
    "finance-zhejiang",
)
CLERK = Actor(user_id="airlines-caac", role=Role.AGENCY, agency="airlines-caac")


def new_request(**changes: Any) -> DishonestListRequest:
    debtor = Party(kind=PartyKind.PERSON, name="孙某某", id_number=resident_id("19880808"))
    request = DishonestListRequest(
        case_number=case_number(),
        court="杭州市上城区人民法院",
        debtor=debtor,
        title_document="(2025)浙0102民初88号",
        title_issuer="杭州市上城区人民法院",
        obligation="支付货款 350,000 元及利息",
        filed_on=date(2026, 3, 2),
    )
    return request.model_copy(update=changes)


async def refused(handle: WorkflowHandle[Any, Any], decision: str, actor: Actor | None = None, **kw: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as err:
        if actor is None:
            await decide(handle, decision, **kw)
        else:
            await decide(handle, decision, actor=actor, **kw)
    return refusal_code(err.value)


async def public_list(simulator: str, id_number: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        r = await http.get(
            f"{simulator}/partners/dishonest-list/dishonest-entries",
            params={"id_number": id_number},
            headers={"Authorization": "Bearer sandbox-dishonest-list"},
        )
        r.raise_for_status()
        rows: list[dict[str, Any]] = r.json()
        return rows


async def agencies_work(web: str, agencies: tuple[str, ...], done: Any) -> None:
    """The sandbox's inbox agents work their notices until ``done()`` holds."""
    clients = [await login(web, a) for a in agencies]
    try:

        async def drive() -> bool:
            for agency, http in zip(agencies, clients, strict=True):
                await work_once(http, agency)
            return bool(await done())

        await eventually(drive, timeout=60, interval=0.2)
    finally:
        for c in clients:
            await c.aclose()


def enter(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "ground": "evasion",
        "extension_years": 0,
        "decision_number": "(2026)浙0102执88号失信决定书",
        "restriction_order_number": "(2026)浙0102执88号限制消费令",
    }
    return {**payload, **changes}


async def test_entry_published_restricted_and_removed_on_full_performance(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    request = new_request()
    handle = await start(client, settings, "dishonest-list", request)
    await wait_status(handle, "awaiting_entry_decision")
    # The applicant's request is decided within 15 days (Art. 5): the date shows with its provisional flag.
    st = await eventually(lambda: _with_summary(handle, "decide_by"), timeout=10)
    assert set(st.summary["decide_by"]) == {"due_at", "provisional"}

    # Refusals leave no history: a clerk may not decide, the grounds must be stated, the law is checked.
    assert await refused(handle, ENTER, actor=CLERK, **enter()) == "ROLE_FORBIDDEN"
    assert await refused(handle, ENTER, reason="", **enter()) == "REASON_REQUIRED"
    assert await refused(handle, ENTER, **enter(ground="able-but-refuses", extension_years=1)) == "UNLAWFUL_DECISION"
    assert await refused(handle, ENTER, **enter(extension_years=4)) == "INVALID_DECISION"

    # Art. 2 para 2: an extension only on one of its conditions.
    assert await refused(handle, ENTER, **enter(extension_years=1)) == "UNLAWFUL_DECISION"
    await decide(
        handle,
        ENTER,
        reason="隐匿财产规避执行, 情节严重",
        **enter(extension_years=1, extension_condition="multiple-acts"),
    )
    # The president signs the 失信决定书 (失信规定 Art. 5; DOMAIN §18.2): the judge may not, and nothing is
    # published or issued before the signature.
    await wait_status(handle, "awaiting_president_signature")
    assert await refused(handle, PRESIDENT_SIGN, reason="") == "ROLE_FORBIDDEN"
    assert await public_list(simulator, request.debtor.id_number) == []
    await president_signs(handle)
    st = await wait_status(handle, "listed")
    async with await login(web, "judge") as api:
        docs = (await api.get(f"/api/workflows/{handle.id}/documents")).json()
    # The decision, and the 限制消费令 issued with it under the same signature (限消规定 Art. 1, 5).
    assert [(d["kind"], d["president"], d["addressed_to"]) for d in docs] == [
        ("决定书（纳入失信被执行人名单）", True, ["debtor"]),
        ("限制消费令", True, ["debtor", "airlines-caac", "railway-12306", "hotels-zhejiang"]),
    ]
    issued = next(e for e in st.timeline if e.action == "document_issued")
    # Signed straight through Temporal, as in a history from before the web carried the signer's name: the
    # document prints the user id.
    assert issued.detail["president"] == "approver" and issued.detail["number"] == docs[0]["number"]
    assert st.summary["ground"] == "evasion" and st.summary["entry_id"].startswith("SX")
    rows = await public_list(simulator, request.debtor.id_number)
    assert [r["entry_id"] for r in rows] == [st.summary["entry_id"]]
    assert "****" in rows[0]["debtor"]["id_number"]  # the public query hides part of the number

    # A listed debtor must be restricted (限消规定 Art. 1): the order is issued with the entry.
    restriction = client.get_workflow_handle(st.summary["restriction"], result_type=ConsumptionRestrictionResult)
    rst = await wait_status(restriction, "restricted")
    assert rst.summary["order_number"] == "(2026)浙0102执88号限制消费令" and rst.summary["dishonest_listed"]
    assert rst.summary["units"] == [
        "airlines",
        "railways",
        "hotels",
        "real-estate-registry",
        "vehicle-registry",
        "education",
        "financial-regulator",
    ]
    # While listed, neither security nor the applicant's consent lifts the order.
    lift: dict[str, Any] = {"ground": "applicant-consent", "document_number": "(2026)浙0102执88号之二"}
    assert await refused(restriction, LIFT, **lift) == "UNLAWFUL_DECISION"

    async def notices_done() -> bool:
        tasks = [e for e in (await status(handle)).timeline if e.action == "task_completed"]
        unit_tasks = [e for e in (await status(restriction)).timeline if e.action == "task_completed"]
        return len(tasks) == 2 and len(unit_tasks) == len(UNITS)

    await agencies_work(web, CREDIT + UNITS, notices_done)

    await decide(
        handle, REMOVE, reason="被执行人已全部履行", ground="full-performance", document_ref="(2026)浙0102执88号之三"
    )

    async def lifted_and_notified() -> bool:
        return (await status(restriction)).status == "lifted" and (await status(handle)).status == "removed"

    await agencies_work(web, CREDIT + UNITS, lifted_and_notified)
    result: DishonestListResult = await handle.result()
    assert result.status == "removed" and result.removal_ground == "full-performance"
    assert result.removed_on_time is True and result.removal_due is not None
    assert isinstance(result.removal_due.provisional, bool)
    assert [n.state.value for n in result.notices] == ["completed"] * 4
    assert await public_list(simulator, request.debtor.id_number) == []

    # Full performance must lift the order (限消规定 Art. 9), with notices to the same units.
    restricted: ConsumptionRestrictionResult = await restriction.result()
    assert restricted.status == "lifted" and restricted.lifted == "full-performance"
    kinds = sorted(n.task_id.split(":task:")[1].split(".")[0] for n in restricted.notices)
    assert kinds == ["lift-notice"] * len(UNITS) + ["order-notice"] * len(UNITS)

    timeline = (await status(handle)).timeline
    decision = next(e for e in timeline if e.action == "decision" and e.detail["decision"] == ENTER)
    assert decision.actor.user_id == "judge" and decision.reason
    assert [e.action for e in timeline if e.action in ("published", "restriction_started", "removed")] == [
        "published",
        "restriction_started",
        "removed",
    ]
    async with await login(web, "judge") as api:
        docs = (await api.get(f"/api/workflows/{handle.id}/documents")).json()
    assert [d["kind"] for d in docs] == ["决定书（纳入失信被执行人名单）", "限制消费令", "决定书（删除失信信息）"]
    await record_history(handle, "dishonest-list-full-performance")
    await record_history(restriction, "consumption-restriction-lifted-by-the-list")


async def _with_action(handle: WorkflowHandle[Any, Any], action: str) -> Any:
    st = await status(handle)
    return st if any(e.action == action for e in st.timeline) else None


async def _with_summary(handle: WorkflowHandle[Any, Any], key: str) -> Any:
    st = await status(handle)
    return st if key in st.summary else None


async def test_the_president_refusing_to_sign_leaves_the_debtor_unlisted(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    request = new_request()
    handle = await start(client, settings, "dishonest-list", request)
    await eventually(lambda: _with_summary(handle, "decide_by"), timeout=10)
    await decide(handle, ENTER, reason="规避执行", **enter())
    await wait_status(handle, "awaiting_president_signature")
    assert await refused(handle, PRESIDENT_REFUSE, actor=APPROVER, reason="") == "REASON_REQUIRED"
    await decide(handle, PRESIDENT_REFUSE, reason="证据不足, 退回承办法官", actor=APPROVER)
    result: DishonestListResult = await handle.result()
    assert result.status == "entry_declined" and result.entry_id is None
    assert await public_list(simulator, request.debtor.id_number) == []
    async with await login(web, "judge") as api:
        assert (await api.get(f"/api/workflows/{handle.id}/documents")).json() == []


async def test_minors_are_never_listed_and_art3_bars_ground_one(client: Client, settings: Settings) -> None:
    minor = Party(kind=PartyKind.PERSON, name="周某", id_number=resident_id("20150601"))
    handle = await start(client, settings, "dishonest-list", new_request(debtor=minor))
    await wait_status(handle, "awaiting_entry_decision")
    assert await refused(handle, ENTER, **enter()) == "UNLAWFUL_DECISION"
    adult = await start(client, settings, "dishonest-list", new_request())
    await wait_status(adult, "awaiting_entry_decision")
    barred = enter(ground="able-but-refuses", bars=["security-given"])
    assert await refused(adult, ENTER, **barred) == "UNLAWFUL_DECISION"
    await decide(handle, DECLINE, reason="被执行人为未成年人 (失信规定 第四条)")
    result: DishonestListResult = await handle.result()
    assert result.status == "entry_declined" and result.entry_id is None
    await decide(adult, DECLINE, reason="已提供充分有效担保")
    assert (await adult.result()).status == "entry_declined"


async def test_applicant_may_not_re_request_within_six_months(client: Client, settings: Settings) -> None:
    earlier: dict[str, Any] = {
        "previously_removed_for": RemovalGround.APPLICANT_REQUEST,
        "previously_removed_on": date.today() - timedelta(days=30),
    }
    handle = await start(client, settings, "dishonest-list", new_request(**earlier))
    await wait_status(handle, "awaiting_entry_decision")
    assert await refused(handle, ENTER, **enter()) == "UNLAWFUL_DECISION"
    # Fifteen legal days pass undecided (Art. 5): the delay is recorded, by the clock; the judge still decides.
    st = await eventually(lambda: _with_action(handle, "entry_decision_overdue"), timeout=30)
    overdue = next(e for e in st.timeline if e.action == "entry_decision_overdue")
    assert overdue.actor.user_id == "system" and overdue.detail["due_at"] == st.summary["decide_by"]["due_at"]
    await decide(handle, DECLINE, reason="六个月内不得再申请纳入")
    assert (await handle.result()).status == "entry_declined"


async def test_wrong_entry_is_revoked_and_the_order_may_then_be_lifted_on_consent(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    request = new_request()
    handle = await start(client, settings, "dishonest-list", request)
    await wait_status(handle, "awaiting_entry_decision")
    await decide(handle, ENTER, reason="违反财产报告制度", **enter(ground="asset-report-breach"))
    await president_signs(handle)
    st = await wait_status(handle, "listed")
    restriction = client.get_workflow_handle(st.summary["restriction"], result_type=ConsumptionRestrictionResult)
    await wait_status(restriction, "restricted")

    await decide(handle, REGISTER_CORRECTION, claim="已按期报告财产, 不应纳入", wrong_entry=True)
    st = await wait_status(handle, "correction_review")
    assert set(st.summary["correction_due"]) == {"due_at", "provisional"}  # 15 days (Art. 12)
    await decide(handle, ACCEPT_CORRECTION, reason="报告财产属实, 纳入错误", revoke=True)
    # Revoked within 3 working days (Art. 9); the notices of the removal then go out.
    st = await eventually(lambda: _with_summary(handle, "removed_on_time"), timeout=30)
    assert st.summary["removal_ground"] == "wrong-entry" and st.summary["removed_on_time"] is True
    assert await public_list(simulator, request.debtor.id_number) == []

    # No longer listed: the applicant's consent may now lift the order (限消规定 Art. 9).
    await eventually(lambda: _not_listed(restriction), timeout=30)
    await decide(
        restriction, LIFT, reason="申请执行人同意解除", ground="applicant-consent", document_number="(2026)之四"
    )

    async def all_done() -> bool:
        return (await status(restriction)).status == "lifted" and (await status(handle)).status == "revoked"

    await agencies_work(web, CREDIT + UNITS, all_done)
    result: DishonestListResult = await handle.result()
    assert result.removal_ground == "wrong-entry" and result.removed_on_time is True
    assert (await restriction.result()).lifted == "applicant-consent"


async def _not_listed(handle: WorkflowHandle[Any, Any]) -> bool:
    return (await status(handle)).summary.get("dishonest_listed") is False


async def test_restriction_order_exemption_breach_and_lifting(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    debtor = Party(kind=PartyKind.PERSON, name="吴某某", id_number=resident_id("19850505"))
    request = ConsumptionRestrictionRequest(case_number=case_number(), court="杭州市上城区人民法院", debtor=debtor)
    handle = await start(client, settings, "consumption-restriction", request)
    await wait_status(handle, "awaiting_order")
    await decide(
        handle, ISSUE, order_number="(2026)浙0102执99号限制消费令", items=["flights-soft-sleepers", "high-speed-trains"]
    )
    await wait_status(handle, "awaiting_president_signature")
    await president_signs_on_the_web(web, handle.id)  # the web carries the president's name with the signature
    st = await wait_status(handle, "restricted")
    assert st.summary["units"] == ["airlines", "railways"]  # hotels enforce none of these bans

    exemption: dict[str, Any] = {
        "item": "travel",
        "purpose": "赴外地就医",
        "valid_from": "2026-12-01",
        "valid_until": "2026-12-05",
    }
    assert await refused(handle, APPROVE_EXEMPTION, **exemption) == "UNLAWFUL_DECISION"  # not banned here
    exemption["item"] = "flights-soft-sleepers"
    await decide(handle, APPROVE_EXEMPTION, reason="就医, 事先批准 (第八条)", **exemption)

    report: dict[str, Any] = {
        "reporter": "申请执行人",
        "item": "high-speed-trains",
        "occurred_on": "2026-11-20",
        "description": "乘坐G字头列车",
    }
    await decide(handle, REPORT_VIOLATION, **report)
    await wait_status(handle, "violation_review")
    assert await refused(handle, SANCTION, reason="违反限消令", measure="fine") == "UNLAWFUL_DECISION"
    await decide(handle, SANCTION, reason="违反限消令", measure="fine", fine_fen=5_000_000)
    await wait_status(handle, "restricted")
    await decide(handle, REPORT_VIOLATION, **{**report, "occurred_on": "2026-11-21"})
    await wait_status(handle, "violation_review")
    # Art. 11 para 2: only a unit told of the order answers for letting the debtor consume (hotels were not).
    against_hotels: dict[str, Any] = {"measure": "fine", "fine_fen": 10_000_000, "against_unit": "hotels-zhejiang"}
    assert await refused(handle, SANCTION, reason="宾馆放行", **against_hotels) == "UNLAWFUL_DECISION"
    await decide(handle, DISMISS, reason="查无实据")
    await wait_status(handle, "restricted")

    await decide(handle, LIFT, reason="提供担保", ground="security", document_number="(2026)浙0102执99号之一")

    async def lifted() -> bool:
        return (await status(handle)).status == "lifted"

    await agencies_work(web, UNITS[:2], lifted)
    result: ConsumptionRestrictionResult = await handle.result()
    assert result.lifted == "security" and [v.decision for v in result.violations] == [SANCTION, DISMISS]
    assert result.violations[0].sanction is not None and result.violations[0].sanction.fine_fen == 5_000_000
    steps = sorted(n.task_id.split(":task:")[1] for n in result.notices)
    assert steps == [
        "exemption-notice.1.airlines",
        "exemption-notice.1.railways",
        "lift-notice.airlines",
        "lift-notice.railways",
        "order-notice.airlines",
        "order-notice.railways",
    ]
    # The order the president signed, then its lifting, both served on the debtor and the two units.
    async with await login(web, "judge") as api:
        docs = (await api.get(f"/api/workflows/{handle.id}/documents")).json()
    assert [(d["kind"], d["president"]) for d in docs] == [("限制消费令", True), ("解除限制消费令", False)]
    assert docs[0]["addressed_to"] == docs[1]["addressed_to"] == ["debtor", "airlines-caac", "railway-12306"]
    pdf = pdf_words(await _pdf(web, docs[0]["document_id"]))
    president = DEMO_STAFF_NAMES["approver"]  # the name the court records, not the user id
    assert f"院长签发：{president}" in pdf and "院长签发：approver" not in pdf
    assert "乘坐飞机、列车软卧、轮船二等以上舱位" in pdf and debtor.name in pdf


async def _pdf(web: str, document_id: str) -> bytes:
    async with await login(web, "judge") as api:
        r = await api.get(f"/api/documents/{document_id}")
        r.raise_for_status()
        return r.content


async def test_a_listed_debtor_may_not_be_spared_the_order(client: Client, settings: Settings) -> None:
    debtor = Party(kind=PartyKind.PERSON, name="郑某某", id_number=resident_id("19920202"))
    request = ConsumptionRestrictionRequest(
        case_number=case_number(),
        court="杭州市上城区人民法院",
        debtor=debtor,
        trigger=RestrictionTrigger.DISHONEST_LISTED,
    )
    handle = await start(client, settings, "consumption-restriction", request)
    await wait_status(handle, "awaiting_order")
    assert await refused(handle, DECLINE_ORDER, reason="无必要") == "UNLAWFUL_DECISION"
    await handle.terminate("test done")


# Legal time for the term test: two years pass in about ten seconds of wall time.
TWO_YEARS_IN_TEN_SECONDS = 2 * 365 * 86_400 / 10


async def test_term_end_deletes_within_three_working_days_provisional_in_an_unpublished_year(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    request = new_request()
    handle = await start(client, settings, "dishonest-list", request, acceleration=TWO_YEARS_IN_TEN_SECONDS)
    await wait_status(handle, "awaiting_entry_decision")
    await decide(handle, ENTER, reason="以暴力妨碍执行", **enter(ground="obstruction"))
    await president_signs(handle)
    st = await wait_status(handle, "listed")
    entered = date.fromisoformat(st.summary["entered_at"][:10])
    term_ends = date.fromisoformat(st.summary["term_ends_at"][:10])
    assert term_ends == entered.replace(year=entered.year + 2)  # two years (Art. 2), in legal time

    # No one decides: the term runs out and the entry leaves the list by itself (Art. 10).
    st = await eventually(lambda: _with_summary(handle, "removed_on_time"), timeout=60)
    # (Whether it was on time is not asserted here: at this acceleration a wall second is 73 legal days.)
    assert st.summary["removal_ground"] == "term-ended"
    due = st.summary["removal_due"]
    # Three working days after the term's end, in a year whose holiday schedule is not yet published:
    # the date is computed from the statutory holidays alone and marked provisional.
    assert date.fromisoformat(due["due_at"][:10]) - term_ends >= timedelta(days=3)
    assert due["provisional"] is (term_ends.year >= 2027)
    assert await public_list(simulator, request.debtor.id_number) == []
    term_ended = next(e for e in st.timeline if e.action == "term_ended")
    assert term_ended.actor.user_id == "system"

    # The order stays: the end of the term is not full performance (限消规定 Art. 9).
    restriction = client.get_workflow_handle(st.summary["restriction"], result_type=ConsumptionRestrictionResult)
    await eventually(lambda: _not_listed(restriction), timeout=30)
    assert (await status(restriction)).status == "restricted"
    await restriction.terminate("test done")
    await handle.terminate("test done")


async def test_the_case_s_running_order_is_told_and_full_performance_lifts_it(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    request = new_request()
    order = ConsumptionRestrictionRequest(
        case_number=request.case_number, court=request.court, debtor=request.debtor, items=[RestrictedItem.TRAVEL]
    )
    restriction = await start(client, settings, "consumption-restriction", order)
    await wait_status(restriction, "awaiting_order")
    await decide(restriction, ISSUE, order_number="(2026)浙0102执77号限制消费令")
    await president_signs(restriction)
    await wait_status(restriction, "restricted")
    lift: dict[str, Any] = {"ground": "security", "document_number": "(2026)浙0102执77号之一"}

    handle = await start(
        client, settings, "dishonest-list", request.model_copy(update={"restriction_workflow_id": restriction.id})
    )
    await wait_status(handle, "awaiting_entry_decision")
    await decide(handle, ENTER, reason="违反限制消费令", **enter(ground="restriction-breach"))
    await president_signs(handle)
    st = await wait_status(handle, "listed")
    assert st.summary["restriction"] == restriction.id
    assert "restriction_signalled" in [e.action for e in st.timeline]
    await eventually(lambda: _listed(restriction), timeout=30)
    assert await refused(restriction, LIFT, **lift) == "UNLAWFUL_DECISION"  # listed: must stay restricted

    await decide(handle, REMOVE, reason="已全部履行", ground="full-performance", document_ref="(2026)浙0102执77号之二")

    async def both_done() -> bool:
        return (await status(handle)).status == "removed" and (await status(restriction)).status == "lifted"

    await agencies_work(web, CREDIT, both_done)  # this order bans travel only: no unit was notified
    result: ConsumptionRestrictionResult = await restriction.result()
    assert result.lifted == "full-performance" and result.notices == []


async def _listed(handle: WorkflowHandle[Any, Any]) -> bool:
    return (await status(handle)).summary.get("dishonest_listed") is True


async def test_an_order_that_does_not_run_is_replaced_by_a_new_one(client: Client, settings: Settings) -> None:
    handle = await start(
        client, settings, "dishonest-list", new_request(restriction_workflow_id="consumption-restriction-missing")
    )
    await wait_status(handle, "awaiting_entry_decision")
    await decide(handle, ENTER, reason="规避执行", **enter())
    await president_signs(handle)
    st = await wait_status(handle, "listed")
    actions = [e.action for e in st.timeline]
    assert "restriction_signal_failed" in actions and "restriction_started" in actions
    assert st.summary["restriction"].endswith(":restriction")
    await client.get_workflow_handle(st.summary["restriction"]).terminate("test done")
    await handle.terminate("test done")


async def test_an_organisation_s_order_binds_its_people_and_the_units_see_them(
    client: Client, settings: Settings, web: str
) -> None:
    company = Party(kind=PartyKind.ORGANISATION, name="杭州某某贸易有限公司", id_number=credit_code())
    bound = [
        BoundPerson(role=BoundRole.LEGAL_REPRESENTATIVE, name="李某某"),
        BoundPerson(role=BoundRole.ACTUAL_CONTROLLER, name="王某某"),
    ]
    request = ConsumptionRestrictionRequest(
        case_number=case_number(),
        court="杭州市上城区人民法院",
        debtor=company,
        items=[RestrictedItem.FLIGHTS_AND_SOFT_SLEEPERS],
        bound_persons=bound,
    )
    handle = await start(client, settings, "consumption-restriction", request)
    await wait_status(handle, "awaiting_order")
    await decide(handle, ISSUE, order_number="(2026)浙0102执66号限制消费令")
    await president_signs(handle)
    await wait_status(handle, "restricted")
    async with await login(web, "airlines-caac") as airline:
        tasks = await eventually(lambda: _open_tasks(airline, request.case_number), timeout=30)
        detail = (await airline.get(f"/api/tasks/{tasks[0]['task_id']}")).json()
    context = detail["task"]["spec"]["context"]
    assert context["name"] == company.name and context["items"] == ["flights-soft-sleepers"]
    assert [p["name"] for p in context["bound_persons"]] == ["李某某", "王某某"]  # Art. 3: they are bound too
    # The airline receives the sealed order with its task and can fetch and check it; another body cannot.
    order = context["document"]
    assert order["title"] == "限制消费令" and "airlines-caac" in order["addressed_to"]
    async with await login(web, "airlines-caac") as airline:
        pdf = await airline.get(f"/api/documents/{order['document_id']}")
    assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == order["sha256"]
    async with await login(web, "hotels-zhejiang") as hotels:  # hotels enforce none of these bans
        assert (await hotels.get(f"/api/documents/{order['document_id']}")).status_code == 404
    with pytest.raises(ValueError):  # only an organisation's order binds other persons
        ConsumptionRestrictionRequest(
            case_number=case_number(), court="杭州市上城区人民法院", debtor=new_request().debtor, bound_persons=bound
        )
    await handle.terminate("test done")


async def _open_tasks(http: httpx.AsyncClient, case: str) -> list[dict[str, Any]]:
    r = await http.get("/api/tasks", params={"case_number": case, "status": "open"})
    r.raise_for_status()
    rows: list[dict[str, Any]] = r.json()
    return rows


async def test_the_list_refusing_a_second_entry_ends_as_an_incident(client: Client, settings: Settings) -> None:
    request = new_request()
    first = await start(client, settings, "dishonest-list", request)
    await wait_status(first, "awaiting_entry_decision")
    await decide(first, ENTER, reason="规避执行", **enter())
    await president_signs(first)
    st = await wait_status(first, "listed")
    second = await start(client, settings, "dishonest-list", request)
    await wait_status(second, "awaiting_entry_decision")
    await decide(second, ENTER, reason="规避执行", **enter())
    await president_signs(second)
    result: DishonestListResult = await second.result()
    assert result.status == "publication_refused" and result.entry_id is None
    incidents = (await status(second)).incidents
    assert [(i.step, i.code) for i in incidents] == [("publish", "ALREADY_LISTED")]
    assert result.restriction_workflow_id is None  # nothing published, nothing restricted by this entry
    await client.get_workflow_handle(st.summary["restriction"]).terminate("test done")
    await first.terminate("test done")


async def test_a_valid_correction_is_carried_out_and_early_removal_keeps_the_order(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    request = new_request()
    handle = await start(client, settings, "dishonest-list", request)
    await wait_status(handle, "awaiting_entry_decision")
    await decide(handle, ENTER, reason="规避执行", **enter())
    await president_signs(handle)
    st = await wait_status(handle, "listed")
    await decide(handle, REGISTER_CORRECTION, claim="已履行 100,000 元, 履行情况记载有误")
    await wait_status(handle, "correction_review")
    correction = {"performance": "已履行 100,000 元"}
    await decide(handle, ACCEPT_CORRECTION, reason="履行情况记载有误, 予以更正", correction=correction)
    st = await wait_status(handle, "listed")
    corrected = next(e for e in st.timeline if e.action == "corrected")
    assert corrected.detail["on_time"] is True  # within 3 working days (Art. 12)
    assert set(st.summary["correction_fix_due"]) == {"due_at", "provisional"}
    rows = await public_list(simulator, request.debtor.id_number)
    assert rows[0]["performance"] == "已履行 100,000 元"

    # The court removes early for a debtor who corrects its conduct (Art. 2); the order is not lifted by it.
    await decide(handle, REMOVE, reason="积极履行", ground="early-by-court", document_ref="(2026)浙0102执88号之五")
    st = await eventually(lambda: _with_summary(handle, "removed_on_time"), timeout=30)
    assert st.summary["removal_ground"] == "early-by-court"
    assert await public_list(simulator, request.debtor.id_number) == []
    restriction = client.get_workflow_handle(st.summary["restriction"], result_type=ConsumptionRestrictionResult)
    await eventually(lambda: _not_listed(restriction), timeout=30)
    assert (await status(restriction)).status == "restricted"
    await restriction.terminate("test done")
    await handle.terminate("test done")


async def test_art_12_a_refused_correction_goes_to_the_higher_court_and_art_8_tells_the_officials_unit(
    client: Client, settings: Settings, simulator: str, web: str
) -> None:
    """Art. 8 para 3: a state functionary's entry is reported to their unit, and so is its removal. Art. 10
    para 2: the two-year entry is not deleted at the applicant's request. Art. 12: a refused correction goes
    to the higher court within 10 days — a task for that court (domain/court_districts.json: 上城 → 杭州中院),
    whose clerk decides it; the entry stays listed meanwhile; the higher court's revocation takes it down."""
    request = new_request(public_status="state-functionary", reported_to="market-regulation")
    handle = await start(client, settings, "dishonest-list", request)
    await wait_status(handle, "awaiting_entry_decision")
    await decide(handle, ENTER, reason="规避执行", **enter())
    await president_signs(handle)
    await wait_status(handle, "listed")

    async def unit_told(kind: str = "unit-notice") -> bool:  # the notices run beside the entry: a moment after
        assigned = [e.detail for e in (await status(handle)).timeline if e.action == "task_assigned"]
        return any(d["task"].endswith(f":task:{kind}.market-regulation") for d in assigned)

    await eventually(unit_told, timeout=30)

    removal: dict[str, Any] = {"ground": "applicant-request", "document_ref": "(2026)浙0102执88号之六"}
    assert await refused(handle, REMOVE, reason="申请执行人申请删除", **removal) == "UNLAWFUL_DECISION"
    not_yet: dict[str, Any] = {"applied_on": "2026-03-02", "higher_court": "杭州市中级人民法院"}
    assert await refused(handle, REGISTER_RECONSIDERATION, **not_yet) == "WRONG_STATE"  # nothing refused yet
    await decide(handle, REGISTER_CORRECTION, claim="不应纳入", wrong_entry=True)
    await wait_status(handle, "correction_review")
    await decide(handle, REFUSE_CORRECTION, reason="纳入并无错误")
    st = await eventually(lambda: _with_summary(handle, "correction_refused_on"), timeout=30)
    refused_on = date.fromisoformat(st.summary["correction_refused_on"])
    late = (refused_on + timedelta(days=11)).isoformat()
    assert await refused(handle, REGISTER_RECONSIDERATION, applied_on=late, higher_court="杭州市中级人民法院") == (
        "UNLAWFUL_DECISION"
    )
    await decide(handle, REGISTER_RECONSIDERATION, applied_on=refused_on.isoformat(), higher_court="杭州市中级人民法院")
    st = await eventually(lambda: _with_summary(handle, "reconsideration_due"), timeout=30)
    assert st.status == "listed" and await public_list(simulator, request.debtor.id_number)  # not stayed
    # The higher court decides on its own task; the executing court's judge has nothing to record.
    assert RECORD_RECONSIDERATION not in {d.name for d in st.pending_decisions}
    async with await login(web, "court-hangzhou-intermediate") as higher:

        async def its_task() -> Any:
            r = await higher.get("/api/tasks", params={"case_number": request.case_number, "status": "open"})
            return [t for t in r.json() if t["result_type"] == "dishonest-reconsideration-decision"]

        [task] = await eventually(its_task, timeout=30)
        assert (await higher.post(f"/api/tasks/{task['task_id']}/claim")).status_code < 400
        decided = {"outcome": "revoked", "decision_ref": "(2026)浙01执复9号"}
        r = await higher.post(f"/api/tasks/{task['task_id']}/complete", json={"result": decided})
        assert r.status_code < 400, r.text
    st = await eventually(lambda: _with_summary(handle, "removed_on_time"), timeout=30)
    assert st.summary["removal_ground"] == "wrong-entry"
    decided_entry = next(e for e in st.timeline if e.action == "reconsideration_decided")
    assert decided_entry.detail["decision_ref"] == "(2026)浙01执复9号"
    assert await public_list(simulator, request.debtor.id_number) == []
    await eventually(lambda: unit_told("unit-removal-notice"), timeout=30)  # Art. 8: the unit hears of it too
    await handle.terminate("test done")


async def test_art_6_each_ban_goes_to_an_agency_of_its_kind_or_the_start_is_refused(web: str) -> None:
    """限消规定 Art. 6 and 失信规定 Art. 8: the notices go to agencies of the kind that enforces them; naming an
    airline as the hotels' unit, or a court as the credit bureau, is refused before anything starts."""
    debtor = {"kind": "person", "name": "张三", "id_number": "330106198503120319"}
    order = {"case_number": case_number(), "court": "杭州市上城区人民法院", "debtor": debtor}
    listing = {
        **order,
        "title_document": "(2025)浙0102民初88号",
        "title_issuer": "杭州市上城区人民法院",
        "obligation": "支付货款",
        "filed_on": "2026-03-02",
    }
    async with await login(web, "judge") as judge:
        for scenario, body, field in (
            ("consumption-restriction", {**order, "hotels": "airlines-caac"}, "hotels"),
            ("dishonest-list", {**listing, "credit_agency": "court-gongshu"}, "credit_agency"),
        ):
            r = await judge.post(f"/api/scenarios/{scenario}/workflows", json=body)
            assert r.status_code == 422, r.text
            assert (r.json()["code"], r.json()["field"]) == ("AGENCY_OF_ANOTHER_KIND", field), r.text
