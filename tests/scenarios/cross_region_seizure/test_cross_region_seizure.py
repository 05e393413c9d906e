"""Cross-region seizure (异地扣押): one request, four agencies working through the inbox API, the seizure
registered in the requesting court's name; cancellation when the debtor pays."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from config.settings import Settings
from domain.parties import Party, PartyKind
from simulators.task_agents import work_once
from tests.helpers import (
    case_number,
    decide,
    eventually,
    ledger,
    login,
    record_history,
    resident_id,
    seed_subject,
    start,
    status,
    ui_page,
    wait_status,
)
from web.services.tasks import attachment_store
from workflows.cross_region_seizure.models import (
    DEBTOR_PAID,
    HAND_OVER,
    NAME,
    RETURN,
    VEHICLE_SOLD,
    CrossRegionSeizureRequest,
    CrossRegionSeizureResult,
    Vehicle,
)

pytestmark = pytest.mark.usefixtures("stack")
AGENCIES = ("court-gongshu", "police-hangzhou", "station-gongshu")


async def new_request(simulator: str) -> CrossRegionSeizureRequest:
    owner = Party(kind=PartyKind.PERSON, name="钱某某", id_number=resident_id())
    plate = f"浙A{resident_id()[-6:-1]}"
    await seed_subject(
        simulator,
        owner.model_dump(mode="json"),
        [{"partner_id": "vehicle-registry", "kind": "vehicle", "reference": plate, "description": "小型轿车"}],
    )
    return CrossRegionSeizureRequest(
        case_number=case_number(),
        court="嘉兴市中级人民法院",
        ruling_ref="(2026)浙04执恢12号之一",
        vehicle=Vehicle(plate=plate, vin="LSVAU2180N2123456", owner=owner),
    )


async def agencies_work(web: str) -> list[httpx.AsyncClient]:
    return [await login(web, a) for a in AGENCIES]


async def test_whole_path_through_the_inbox(client, settings: Settings, simulator: str, web: str):
    handle = await start(client, settings, "cross-region-seizure", await new_request(simulator))
    clients = await agencies_work(web)
    try:

        async def drive() -> bool:
            for agency, http in zip(AGENCIES, clients, strict=True):
                await work_once(http, agency)
            return (await status(handle)).status == "awaiting_disposition"

        await eventually(drive, timeout=60, interval=0.2)
    finally:
        for c in clients:
            await c.aclose()
    await decide(handle, HAND_OVER, reason="移交拱墅法院拍卖处置")
    await wait_status(handle, "disposing")  # the vehicle is the disposal's until it is sold or returned
    await decide(handle, VEHICLE_SOLD, reason="拱墅法院网拍成交, 成交裁定已送达")
    result: CrossRegionSeizureResult = await handle.result()
    assert result.status == "sold"
    assert [t.state.value for t in result.tasks] == ["completed"] * 4
    custody = result.tasks[2].result
    assert custody is not None and len(custody["photo_hashes"]) == 2
    photos = attachment_store(settings)
    for digest in custody["photo_hashes"]:
        assert photos.exists(digest)  # stored encrypted, by content hash
    rows = [r for r in await ledger(simulator, "vehicle-registry") if r["idempotency_key"].startswith(handle.id)]
    assert [r["operation"] for r in rows] == ["seize", "release"]  # sold: the seizure is released for the transfer
    await record_history(handle, "cross-region-seizure-sold")


async def test_debtor_pays_meanwhile_cancels_and_releases(client, settings: Settings, simulator: str, web: str):
    request = await new_request(simulator)
    handle = await start(client, settings, "cross-region-seizure", request)
    court = await login(web, "court-gongshu")
    async with court:
        await eventually(lambda: work_once(court, "court-gongshu"), timeout=30)
    await wait_status(handle, "waiting_police")
    await decide(handle, DEBTOR_PAID, reason="被执行人已全额履行")
    result: CrossRegionSeizureResult = await handle.result()
    assert result.status == "cancelled_paid"
    assert [t.state.value for t in result.tasks] == ["completed", "cancelled"]
    ops = [
        r["operation"]
        for r in await ledger(simulator, "vehicle-registry")
        if r["idempotency_key"].startswith(handle.id)
    ]
    assert ops == ["seize", "release"]
    police = await login(web, "police-hangzhou")
    async with police:
        r = await police.get("/api/tasks", params={"case_number": request.case_number})
        states: dict[str, Any] = {t["task_id"]: t["state"] for t in r.json()}
    assert states.get(result.tasks[1].task_id) == "cancelled"


async def test_an_agent_finishes_a_task_it_claimed_without_learning_so(
    client, settings: Settings, simulator: str, web: str
):
    """The simulated agency's claim went through but its answer was lost (a timeout while a worker or
    Temporal restarted: the chaos run): the task sits claimed; the next round completes it instead of
    leaving it claimed for ever."""
    request = await new_request(simulator)
    handle = await start(client, settings, "cross-region-seizure", request)
    court = await login(web, "court-gongshu")
    async with court:

        async def claimed() -> bool:
            r = await court.get("/api/tasks", params={"case_number": request.case_number})
            tasks = [t for t in r.json() if t["state"] == "open"]
            return bool(tasks) and (await court.post(f"/api/tasks/{tasks[0]['task_id']}/claim")).status_code == 200

        await eventually(claimed, timeout=30)
        await work_once(court, "court-gongshu")  # lists the task as claimed: completes it, claims nothing
    await wait_status(handle, "waiting_police", timeout=20)


async def test_vehicle_not_on_the_register_ends_the_request(client, settings: Settings, simulator: str, web: str):
    request = await new_request(simulator)
    unknown = request.model_copy(update={"vehicle": request.vehicle.model_copy(update={"plate": "浙Z00000"})})
    handle = await start(client, settings, "cross-region-seizure", unknown)
    court = await login(web, "court-gongshu")
    async with court:
        await eventually(lambda: work_once(court, "court-gongshu"), timeout=30)
    result: CrossRegionSeizureResult = await handle.result()
    assert result.status == "registry_refused" and result.registry_measure_id is None
    refused = next(e for e in (await status(handle)).timeline if e.action == "registry_seizure_refused")
    assert refused.detail["code"] == "ASSET_NOT_FOUND"
    # The judge reads what failed, who refused it (the registry, not the judge), why and what next.
    html = await ui_page(web, "judge-jiaxing", f"/ui/cases/{handle.id}")
    failure = html.split('data-testid="failures"', 1)[1].split("</section>", 1)[0]
    assert 'data-code="ASSET_NOT_FOUND" data-by="partner"' in failure
    assert "公安交管车辆登记" in failure, failure  # the registry by name
    assert "登记机关查无此财产" in failure and "核对号牌" in failure
    assert "ASSET_NOT_FOUND" not in failure.replace('data-code="ASSET_NOT_FOUND"', "")


async def test_the_receiving_court_must_be_another_court_and_the_police_a_police_force(web: str, simulator: str):
    """委托执行规定 Art. 2: a start naming the traffic police as the receiving court, or an agency nobody
    configured, is refused before anything starts, naming the field."""
    req = (await new_request(simulator)).model_dump(mode="json")
    async with await login(web, "judge-jiaxing") as judge:
        for field, agency, code in (
            ("receiving_court", "police-hangzhou", "AGENCY_OF_ANOTHER_KIND"),
            ("receiving_court", "no-such-agency", "UNKNOWN_AGENCY"),
            ("traffic_police", "court-gongshu", "AGENCY_OF_ANOTHER_KIND"),
        ):
            r = await judge.post(f"/api/scenarios/{NAME}/workflows", json={**req, field: agency})
            assert r.status_code == 422, r.text
            assert (r.json()["code"], r.json()["field"]) == (code, field)
        listed = await judge.get("/api/workflows", params={"case_number": req["case_number"]})
        assert listed.status_code == 200 and listed.json() == []


async def test_one_vehicle_one_disposal_a_second_hand_over_is_refused_naming_the_first(
    client, settings: Settings, simulator: str, web: str
):
    """一物一处置, as for real estate: two courts' cases seized the same car (the second queued); the first
    hands it over to its disposal; the second's hand-over, and a new seizure's start, are refused naming the
    first court and case. The first disposal ends unsold: its claim is released and the second's hand-over
    goes through; once that one sells, the vehicle is never seized for disposal again."""
    first_req = await new_request(simulator)
    second_req = first_req.model_copy(update={"case_number": case_number()})
    first = await start(client, settings, "cross-region-seizure", first_req)
    second = await start(client, settings, "cross-region-seizure", second_req)
    clients = await agencies_work(web)
    try:

        async def drive() -> bool:
            for agency, http in zip(AGENCIES, clients, strict=True):
                await work_once(http, agency)
            return {(await status(h)).status for h in (first, second)} == {"awaiting_disposition"}

        await eventually(drive, timeout=90, interval=0.2)
    finally:
        for c in clients:
            await c.aclose()
    await decide(first, HAND_OVER, reason="移交拱墅法院拍卖处置")
    await wait_status(first, "disposing")

    await decide(second, HAND_OVER, reason="移交处置")

    async def refused() -> Any:
        st = await status(second)
        held = [e for e in st.timeline if e.action == "asset_held_elsewhere"]
        return (st, held[0]) if held and st.status == "awaiting_disposition" else None

    st, held = await eventually(refused, timeout=30)
    assert first_req.case_number in (held.reason or "") and held.detail["code"] == "ASSET_UNDER_DISPOSAL"
    assert held.actor.role == "system"
    assert {d.name for d in st.pending_decisions} >= {HAND_OVER, RETURN}
    third = second_req.model_copy(update={"case_number": case_number()}).model_dump(mode="json")
    async with await login(web, "judge-jiaxing") as judge:
        r = await judge.post(f"/api/scenarios/{NAME}/workflows", json=third)
        assert r.status_code == 409, r.text
        assert (r.json()["code"], r.json()["field"]) == ("ASSET_UNDER_DISPOSAL", "vehicle.plate")
        assert "正在处置" in r.json()["message"] and first_req.case_number in r.json()["message"]

        # The first disposal ends unsold: the seizure is released and the vehicle is free for the queued case.
        await decide(first, RETURN, reason="两次流拍, 申请执行人不接受以物抵债")
        assert (await first.result()).status == "returned"
        assert "vehicle_claim_released" in [e.action for e in (await status(first)).timeline]
        await decide(second, HAND_OVER, reason="移交处置")
        await wait_status(second, "disposing")
        await decide(second, VEHICLE_SOLD, reason="网拍成交")
        assert (await second.result()).status == "sold"
        r = await judge.post(f"/api/scenarios/{NAME}/workflows", json=third)
        assert r.status_code == 409 and "已过户" in r.json()["message"], r.text
