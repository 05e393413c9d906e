"""Existing matters join their cases (web/services/attach_cases.py, ``python -m web.admin attach-cases``):
matters started before cases existed — finished or still running — are attached to the case filed under
their 案号, with what they did; a second run changes nothing; a 案号 without a case is listed."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from domain.case_number import normalise_case_number, parse_case_number
from domain.legal_time import CHINA_TZ
from domain.parties import Party, PartyKind
from store.db import Database
from tests.helpers import case_number, decide, eventually, login, resident_id, seed_subject, start, wait_status
from tests.scenarios.case import test_case_api as case_api
from web.services.attach_cases import Filing, attach_cases
from workflows.asset_inquiry.models import APPROVE
from workflows.foundation.child_matters import AssetInquiryRequest

pytestmark = pytest.mark.usefixtures("stack")


async def inquiry(client: Client, settings: Settings, simulator: str, number: str, deposit_fen: int) -> Any:
    """An asset inquiry started the old way: its 案号 typed, no case."""
    debtor = Party(kind=PartyKind.PERSON, name="郑某某", id_number=resident_id())
    deposit = {"partner_id": "bank-icbc", "kind": "deposit", "reference": "6222000033334444"}
    assets = [{**deposit, "available_fen": deposit_fen}] if deposit_fen else []
    await seed_subject(simulator, debtor.model_dump(mode="json"), assets)
    request = AssetInquiryRequest(case_number=number, court=case_api.COURT, debtor=debtor, amount_owed_fen=500_000_00)
    handle = await start(client, settings, "asset-inquiry", request)
    await wait_status(handle, "awaiting_decision")
    return handle


async def test_existing_matters_are_attached_to_the_case_of_their_number_once(
    client: Client, settings: Settings, simulator: str, stack: dict[str, str]
) -> None:
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed = await case_api.file(clerk)
    number, unfiled = filed["case_number"], case_number()
    finished = await inquiry(client, settings, simulator, number, 3_000_00)
    await decide(finished, APPROVE, reason="冻结并扣划")
    result = await finished.result()
    running = await inquiry(client, settings, simulator, number, 0)
    stray = await inquiry(client, settings, simulator, unfiled, 0)
    db = Database(settings.web_database_url)

    async def all_listed() -> Any:
        report = await attach_cases(client, db, dry_run=True, case_numbers=[number, unfiled])
        return report if len(report.attached) == 2 and report.unfiled else None

    dry = await eventually(all_listed)
    assert sorted(dry.attached) == sorted([finished.id, running.id]) and dry.unfiled == {unfiled: [stray.id]}
    before = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
    assert before["matters"] == [] and before["ledger"]["recovered_fen"] == 0  # a dry run changes nothing

    report = await attach_cases(client, db, case_numbers=[number, unfiled])
    assert sorted(report.attached) == sorted([finished.id, running.id])

    async def attached() -> dict[str, Any] | None:
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
        return doc if len(doc["matters"]) == 2 and doc["ledger"]["recovered_fen"] else None

    case = await eventually(attached)
    # The ledger takes the deduction the finished inquiry made, to the fen; each matter in its state.
    assert case["ledger"]["recovered_fen"] == result.deducted_fen == 3_000_00
    assert case["ledger"]["recovered_by_source"] == {"deduction": 3_000_00}
    states = {m["workflow_id"]: m["status"] for m in case["matters"]}
    assert states == {finished.id: "completed", running.id: "running"}

    again = await attach_cases(client, db, case_numbers=[number, unfiled])
    assert again.attached == [] and sorted(again.already) == sorted([finished.id, running.id])
    after = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
    # Nothing taken twice (the rest of the ledger moves with the legal day: delay interest accrues).
    for figure in ("recovered_fen", "recovered_by_source", "paid_out_fen"):
        assert after["ledger"][figure] == case["ledger"][figure]
    assert len(after["matters"]) == 2
    for http in (clerk, judge):
        await http.aclose()


async def test_an_unfiled_number_is_filed_from_its_matters_or_says_what_it_needs(
    client: Client, settings: Settings, simulator: str, stack: dict[str, str]
) -> None:
    """A 案号 with matters but no case: with a filing clerk named, the run says field by field what the
    matters do not tell (an inquiry knows the debtor and the amount, not the applicant or the title) and
    files nothing; with the admin's supplement it files the case under that very number, on the day its
    first matter started, and attaches the matter; the court's sequence moves past the number."""
    judge = await login(stack["web"], "judge")
    number = case_number()
    stray = await inquiry(client, settings, simulator, number, 0)
    db = Database(settings.web_database_url)
    clerk = Actor(user_id="clerk", role=Role.FILING_CLERK, courts=(case_api.COURT,))
    filing = Filing(settings=settings, clerks={case_api.COURT: clerk})

    async def listed() -> Any:
        report = await attach_cases(client, db, case_numbers=[number], filing=filing)
        return report if report.unfiled else None

    report = await eventually(listed)
    assert report.unfiled == {number: [stray.id]} and report.filed == {}
    needs = {n.split(":")[0] for n in report.needs[number]}
    assert needs == {
        "applicants",
        "title.document_number",
        "title.issuer",
        "title.effective_on",
        "title.performance_due_on",
    }

    supplement = {
        "applicants": case_api.application()["applicants"],
        "title": case_api.application()["title"],
    }
    filing.supplements = {number: supplement}
    report = await attach_cases(client, db, case_numbers=[number], filing=filing)
    assert report.unfiled == {} and report.attached == [stray.id] and set(report.filed) == {number}
    case_id = report.filed[number]

    async def attached() -> dict[str, Any] | None:
        doc: dict[str, Any] = (await judge.get(f"/api/cases/{case_id}")).json()
        return doc if doc.get("matters") else None

    case = await eventually(attached)
    assert case["case_number"] == normalise_case_number(number) and case["judge"]
    assert case["ledger"]["principal_fen"] == 500_000_00  # what the inquiry was started for
    assert [d["name"] for d in case["parties"]["debtors"]] == ["郑某某"]  # the inquiry's debtor
    started = (await stray.describe()).start_time.astimezone(CHINA_TZ).date()
    assert case["filed_on"] == started.isoformat()
    # Its notices went out when its matters began: the case docketed from them issues no new ones.
    assert not [e for e in case["timeline"] if e["action"] == "document_issued"]
    assert (await judge.get(f"/api/cases/{case_id}/documents")).json() == []
    # Run again: the case is found under the number as the matter typed it; nothing filed twice.
    again = await attach_cases(client, db, case_numbers=[number], filing=filing)
    assert again.filed == {} and again.already == [stray.id]
    # The court's next case takes a number past it.
    fresh = await case_api.file(await login(stack["web"], "clerk"))
    assert parse_case_number(fresh["case_number"]).sequence > parse_case_number(number).sequence
    await judge.aclose()
