"""Refusal-to-execute referral (拒执移送) against the real stack: evidence granules as agency tasks, the
referral letter, the police's filing decision within 5 working days (yellow and red on the task), the
procuratorate, the applicant's private prosecution when they decline, requests for assistance in
verification, and the granule catalogue as data (拒执解释 2024, DOMAIN.md §9)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.client import Client, WorkflowHandle, WorkflowHistory, WorkflowUpdateFailedError

from config.settings import Settings
from domain.actors import Actor, Role
from domain.legal_time import LegalDuration, TimeUnit
from domain.parties import Party, PartyKind
from domain.refusal import Ground, grounds_problem
from domain.refusal_granules import Phase, catalogue, load_catalogues
from domain.tasks import SlaMark, TaskView
from security.identity import acting_as
from simulators.refusal_agents import REFUSAL_INBOXES
from simulators.task_agents import work_once
from tests.helpers import (
    AUDITOR,
    case_number,
    context,
    decide,
    eventually,
    login,
    record_history,
    refusal_code,
    replayer,
    resident_id,
    start,
    status,
    wait_status,
)
from workers.main import running_worker
from workflows.foundation.messages import COMPLETE_TASK, REJECT_TASK, TASK_VIEW_QUERY
from workflows.foundation.task_models import Completion, Reasoned
from workflows.refusal_referral import build_input
from workflows.refusal_referral.models import (
    CLOSE,
    DEBTOR_PERFORMED,
    NAME,
    NOT_REFER,
    PRIVATE_PROSECUTION,
    REFER,
    REQUEST_VERIFICATION,
    SEEK_SUPERVISION,
    RefusalReferralRequest,
    RefusalReferralResult,
)

WD5 = LegalDuration(amount=5, unit=TimeUnit.WORKING_DAY)
EVIDENCE = {
    "evidence.bank-flows": "bank-icbc",
    "evidence.real-estate": "realestate-registry",
    "evidence.vehicles": "vehicle-registry",
    "evidence.equity": "market-huzhou",
    "evidence.sanctions": "court-huzhou-enforcement",
    "evidence.measures-failed": "court-huzhou-enforcement",
}


def request(**changes: Any) -> RefusalReferralRequest:
    base: dict[str, Any] = {
        "case_number": case_number(),
        "court": "湖州市中级人民法院",
        "person": Party(kind=PartyKind.PERSON, name="沈某某", id_number=resident_id()),
        "owed_fen": 86_000_000,
        "refusal_grounds": [Ground.GRATUITOUS_DISPOSAL, Ground.REPORTING_AFTER_SANCTION],
        "conduct": "判决生效后将名下房产以明显不合理低价转让给亲属, 经司法拘留后仍拒不报告财产",
        "sanctioned": True,
        "maintenance_or_wages": True,
    }
    return RefusalReferralRequest.model_validate({**base, **changes})


def clerk(agency: str) -> Actor:
    return Actor(user_id=f"clerk-{agency}", role=Role.AGENCY, agency=agency)


def task(client: Client, handle: WorkflowHandle[Any, Any], step: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(f"{handle.id}:task:{step}")


async def view(t: WorkflowHandle[Any, Any]) -> TaskView:
    with acting_as(AUDITOR):
        return await t.query(TASK_VIEW_QUERY, result_type=TaskView)


async def complete(client: Client, handle: WorkflowHandle[Any, Any], step: str, agency: str, **result: Any) -> None:
    t = task(client, handle, step)
    await eventually(lambda: view(t))
    with acting_as(clerk(agency)):
        await t.execute_update(COMPLETE_TASK, Completion(result=result))


async def reject(client: Client, handle: WorkflowHandle[Any, Any], step: str, agency: str, reason: str) -> None:
    t = task(client, handle, step)
    await eventually(lambda: view(t))
    with acting_as(clerk(agency)):
        await t.execute_update(REJECT_TASK, Reasoned(reason=reason))


def evidence(found: bool = True, amount_fen: int = 0) -> dict[str, Any]:
    return {"found": found, "summary": "调取记录见附件", "document_refs": ["调证-001"], "amount_fen": amount_fen}


def checklist(st: Any) -> dict[str, dict[str, Any]]:
    return {i["granule"]: i for i in st.summary["checklist"]}


async def gather_evidence(client: Client, handle: WorkflowHandle[Any, Any]) -> None:
    await complete(client, handle, "evidence.bank-flows", "bank-icbc", **evidence(amount_fen=50_000_000))
    await complete(client, handle, "evidence.real-estate", "realestate-registry", **evidence(amount_fen=120_000_000))
    await complete(client, handle, "evidence.vehicles", "vehicle-registry", **evidence(found=False))
    await reject(client, handle, "evidence.equity", "market-huzhou", "被执行人名下无股权登记")
    await complete(client, handle, "evidence.sanctions", "court-huzhou-enforcement", **evidence())
    await complete(client, handle, "evidence.measures-failed", "court-huzhou-enforcement", **evidence())


async def refer(handle: WorkflowHandle[Any, Any]) -> None:
    await wait_status(handle, "awaiting_referral")
    await decide(handle, REFER, letter_ref="(2026)浙05执移12号", statement="有能力执行而拒不执行, 情节严重")


# --- the catalogue and the rules, as data ------------------------------------------------------------


def test_the_default_catalogue_has_14_granules_each_with_its_source_and_deadline() -> None:
    cat = catalogue()
    assert len(cat.granules) == 14
    assert [g.key for g in cat.phase(Phase.EVIDENCE)] == list(EVIDENCE)
    for g in cat.granules:
        assert g.source.instrument and g.source.tag in ("V", "S", "I")
        assert g.department in cat.departments
        if g.source.tag == "V":
            assert g.source.article, f"{g.key}: a verified granule cites its article"
    police = cat.one(Phase.FILING)
    # Huzhou: feedback on a referral within 5 working days (DOMAIN.md §9), a local SLA.
    assert police.due_rule().due == WD5 and police.source.tag == "I"
    assert police.due_rule().red_after == WD5
    assert cat.one(Phase.VERIFICATION).deadline.duration() == WD5


def test_a_huzhou_style_list_loads_without_code_changes_and_a_broken_one_is_refused() -> None:
    raw = json.loads(json.dumps(catalogue().model_dump(mode="json")))
    raw.update(id="huzhou-2022", version="62", title="湖州拒执 62 颗粒 (节选)")
    raw["departments"]["labour"] = {
        "name": "人力资源和社会保障局",
        "name_en": "Labour bureau",
        "agency": "labour-huzhou",
    }
    raw["granules"].append(
        {
            "key": "evidence.wages",
            "phase": "evidence",
            "department": "labour",
            "title": "核实拖欠劳动报酬情况",
            "title_en": "Unpaid wages",
            "needs": "劳动监察记录",
            "deadline": {"amount": 3, "unit": "working_day"},
            "source": {"instrument": "拒执解释 (法释〔2024〕13号)", "article": "第十条", "tag": "V"},
        }
    )
    loaded = load_catalogues(json.dumps({"catalogues": [raw]}))["huzhou-2022"]
    assert len(loaded.phase(Phase.EVIDENCE)) == 7 and loaded.agency_for("labour") == "labour-huzhou"
    assert loaded.agency_for("labour", {"labour": "labour-changxing"}) == "labour-changxing"

    unknown_department = json.loads(json.dumps(raw))
    unknown_department["granules"][-1]["department"] = "nobody"
    with pytest.raises(ValidationError, match="departments the catalogue does not define"):
        load_catalogues(json.dumps({"catalogues": [unknown_department]}))
    no_police = json.loads(json.dumps(raw))
    no_police["granules"] = [g for g in no_police["granules"] if g["phase"] != "filing"]
    with pytest.raises(ValidationError, match="phase filing: 0 granules"):
        load_catalogues(json.dumps({"catalogues": [no_police]}))


def test_grounds_after_a_sanction_need_the_sanction() -> None:
    # Art. 3(4)–(7): "经采取罚款、拘留等强制措施后仍…".
    assert grounds_problem([Ground.REPORTING_AFTER_SANCTION], sanctioned=False)
    assert grounds_problem([Ground.REPORTING_AFTER_SANCTION], sanctioned=True) is None
    assert grounds_problem([Ground.GRATUITOUS_DISPOSAL], sanctioned=False) is None
    assert grounds_problem([], sanctioned=True)
    with pytest.raises(ValidationError, match="after a fine or detention"):
        request(sanctioned=False)
    assert Ground.GRATUITOUS_DISPOSAL.article == "第三条第(1)项" and Ground.VIOLENCE.especially_serious


def test_an_unknown_catalogue_or_department_is_refused_with_the_request(settings: Settings) -> None:
    # Refused by the request model, so the start form shows it next to the field (422), not a 500.
    with pytest.raises(ValidationError, match="departments not in catalogue"):
        request(agencies={"fire-brigade": "x"})
    with pytest.raises(ValidationError, match="no granule catalogue 'huzhou-1999'"):
        request(catalogue="huzhou-1999")
    inp = build_input(request(agencies={"police": "police-changxing"}), context(settings, "refusal-referral-x"))
    assert inp.catalogue.agency_for("police", inp.request.agencies) == "police-changxing"


# --- the procedure on the real stack -----------------------------------------------------------------


@pytest.mark.usefixtures("stack")
async def test_referral_to_prosecution_with_the_police_sla_and_a_verification(client: Client, settings: Settings):
    handle = await start(client, settings, NAME, request())
    st = await wait_status(handle, "collecting_evidence")
    items = checklist(await eventually(lambda: _with_open_tasks(handle, 6)))
    for key, agency in EVIDENCE.items():
        assert items[key]["state"] == "open" and items[key]["agency"] == agency and items[key]["due_at"]
    assert items["police.filing"]["state"] == "not_started" and items["police.filing"]["due_at"] is None
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await decide(handle, REFER, letter_ref="(2026)浙05执移12号", statement="尚未取证")
    assert refusal_code(early.value) == "WRONG_STATE"  # no referral before the evidence is in

    await gather_evidence(client, handle)
    await refer(handle)
    st = await wait_status(handle, "awaiting_police")
    items = checklist(st)
    assert items["evidence.vehicles"]["answer"] == "not_found" and items["evidence.equity"]["state"] == "rejected"
    assert items["referral.letter"]["state"] == "done" and st.summary["letter_ref"] == "(2026)浙05执移12号"

    # The police's filing decision: 5 working days, yellow at 3 and red at 5 (Huzhou), escalated at red.
    police = task(client, handle, "police.filing")
    v = await eventually(lambda: view(police))
    assert v.spec.agency == "police-huzhou" and v.spec.rule.due == WD5
    # The police receive the sealed 移送函 with their task, addressed to them (DOMAIN §18.2).
    letter = v.spec.context["document"]
    assert letter["title"] == "移送公安机关函（拒不执行判决、裁定）" and letter["addressed_to"] == ["police-huzhou"]
    issued = next(e for e in (await status(handle)).timeline if e.action == "document_issued")
    assert issued.detail["document_id"] == letter["document_id"] and issued.detail["number"] == letter["number"]
    assert v.deadline.unit is TimeUnit.WORKING_DAY and "5 working days" in v.deadline.basis
    # The checklist counts from the assignment, the task from its first run a moment later: the same day
    # at real speed; at the tests' acceleration (a legal day per 0.1 s) that moment is legal hours or
    # days, so the task's deadline may be later, never earlier, and by no more than a few days.
    listed = datetime.fromisoformat(checklist(await status(handle))["police.filing"]["due_at"])
    assert timedelta(0) <= v.deadline.due_at - listed <= timedelta(days=7)
    red = await eventually(lambda: _marked(police, SlaMark.RED), timeout=30)
    actions = [h.action for h in red.history]
    assert red.escalated and actions.index("turned_yellow") < actions.index("turned_red")

    # 协助查证: any number once referred, each a task answered within 5 working days.
    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await decide(handle, REQUEST_VERIFICATION, department="fire-brigade", matter="核实转账收款人")
    assert refusal_code(unknown.value) == "UNLAWFUL_DECISION"
    await decide(handle, REQUEST_VERIFICATION, department="bank", matter="核实 2026 年 3 月转出 50 万元的收款人")
    verification = await eventually(lambda: view(task(client, handle, "assist.verification-1")))
    assert verification.spec.agency == "bank-icbc" and verification.spec.rule.due == WD5

    await complete(
        client, handle, "police.filing", "police-huzhou", filed=True, decision_ref="湖公(经)立字〔2026〕88号"
    )
    await wait_status(handle, "investigating")
    await complete(client, handle, "assist.verification-1", "bank-icbc", verified=True, answer="收款人为被执行人之妹")
    await complete(client, handle, "police.investigation", "police-huzhou", **evidence())
    await complete(client, handle, "police.asset-recovery", "police-huzhou", **evidence(amount_fen=120_000_000))
    await wait_status(handle, "awaiting_prosecution")
    prosecution = task(client, handle, "procuratorate.prosecution-review")
    # Art. 11: what is performed before prosecution is the prosecutors' to weigh; the referral goes on.
    await decide(handle, DEBTOR_PERFORMED, reason="被执行人履行部分款项", performed_fen=6_000_000)
    assert (await status(handle)).summary["performed_fen"] == 6_000_000
    review = await eventually(lambda: view(prosecution))
    assert review.spec.agency == "procuratorate-huzhou" and "第十三条" in review.spec.instructions
    with acting_as(clerk("procuratorate-huzhou")), pytest.raises(WorkflowUpdateFailedError) as bare:
        await prosecution.execute_update(
            COMPLETE_TASK, Completion(result={"prosecuted": True, "decision_ref": "湖检刑诉〔2026〕7号"})
        )
    assert refusal_code(bare.value) == "INVALID_RESULT"  # Art. 13: a prosecution proposes the asset disposal
    await complete(
        client,
        handle,
        "procuratorate.prosecution-review",
        "procuratorate-huzhou",
        prosecuted=True,
        decision_ref="湖检刑诉〔2026〕7号",
        asset_proposal="追缴的房产交湖州中院依法处置",
    )

    result = RefusalReferralResult.model_validate(await handle.result())
    assert result.status == "prosecuted" and result.letter is not None and result.performed_fen == 6_000_000
    letter = result.letter
    assert [e.granule for e in letter.evidence] == [
        "evidence.bank-flows",
        "evidence.real-estate",
        "evidence.sanctions",
        "evidence.measures-failed",
    ]
    assert letter.heavier_punishment and not letter.especially_serious
    assert letter.articles == ["第三条第(1)项", "第三条第(4)项"] and letter.person_masked_id.startswith("*")
    final = {i.granule: i for i in result.checklist}
    assert final["assist.verification#1"].state == "completed" and final["assist.verification#1"].answer == "verified"
    assert final["procuratorate.filing-supervision"].state == "skipped"
    assert final["court.private-prosecution"].state == "skipped"
    st = await status(handle)
    rows = {r["key"]: r for r in st.summary["by_department"]}
    assert rows["police"]["department"] == "公安机关" and rows["police"]["completed"] == 3
    assert rows["bank"]["completed"] == 2 and rows["bank"]["open"] == 0
    assert rows["criminal_division"]["skipped"] == 1
    entries = [(e.action, e.actor.user_id) for e in st.timeline]
    assert ("decision", "judge") in entries and ("task_completed", "clerk-police-huzhou") in entries
    assert "沈某某" not in json.dumps(st.summary, ensure_ascii=False)  # the judge's summary masks the person
    await record_history(handle, "refusal-referral-prosecuted")


@pytest.mark.usefixtures("stack")
async def test_police_and_supervision_decline_and_the_applicant_prosecutes_privately(
    client: Client, settings: Settings
):
    handle = await start(client, settings, NAME, request(maintenance_or_wages=False))
    await gather_evidence(client, handle)
    await refer(handle)
    police = task(client, handle, "police.filing")
    await eventually(lambda: view(police))
    with acting_as(clerk("police-huzhou")), pytest.raises(WorkflowUpdateFailedError) as bare:
        await police.execute_update(
            COMPLETE_TASK, Completion(result={"filed": False, "decision_ref": "不立〔2026〕3号"})
        )
    assert refusal_code(bare.value) == "INVALID_RESULT"  # a refusal to file states its grounds
    await complete(
        client, handle, "police.filing", "police-huzhou", filed=False, decision_ref="不立〔2026〕3号", reason="证据不足"
    )
    st = await wait_status(handle, "police_declined")
    assert {d.name for d in st.pending_decisions} == {
        PRIVATE_PROSECUTION,
        CLOSE,
        SEEK_SUPERVISION,
        DEBTOR_PERFORMED,
        REQUEST_VERIFICATION,
    }
    await decide(handle, SEEK_SUPERVISION, reason="申请执行人请求检察院立案监督")
    await wait_status(handle, "awaiting_supervision")
    await complete(
        client,
        handle,
        "procuratorate.filing-supervision",
        "procuratorate-huzhou",
        police_ordered_to_file=False,
        reference="湖检监〔2026〕2号",
        reason="不予立案理由成立",
    )
    await wait_status(handle, "police_declined")
    with pytest.raises(WorkflowUpdateFailedError) as again:
        await decide(handle, SEEK_SUPERVISION, reason="再次申请")
    assert refusal_code(again.value) == "WRONG_STATE"  # supervision is asked once
    with pytest.raises(WorkflowUpdateFailedError):  # 拒执解释 Art. 14(2): only after the complaint was declined
        await decide(handle, PRIVATE_PROSECUTION, complaint_ref="湖中刑自收〔2026〕5号")
    await decide(
        handle,
        PRIVATE_PROSECUTION,
        complaint_ref="湖中刑自收〔2026〕5号",
        declined_by="湖公 不立〔2026〕3号",
        complaint_declined_by="police",
    )
    await wait_status(handle, "awaiting_docket")
    docket = await eventually(lambda: view(task(client, handle, "court.private-prosecution")))
    assert (
        docket.spec.agency == "court-huzhou-criminal"
        and docket.spec.context["complaint_ref"] == "湖中刑自收〔2026〕5号"
    )
    await complete(
        client,
        handle,
        "court.private-prosecution",
        "court-huzhou-criminal",
        docketed=True,
        docket_ref="(2026)浙05刑初9号",
    )
    result = RefusalReferralResult.model_validate(await handle.result())
    assert result.status == "private_prosecution_docketed"
    final = {i.granule: i for i in result.checklist}
    assert (
        final["police.filing"].answer == "not_filed"
        and final["procuratorate.filing-supervision"].answer == "not_ordered"
    )
    assert final["police.investigation"].state == "skipped"
    await record_history(handle, "refusal-referral-private-prosecution")


@pytest.mark.usefixtures("stack")
async def test_performance_in_full_before_the_referral_cancels_the_open_granules(client: Client, settings: Settings):
    """On a worker that keeps no run in memory (as after an eviction), the bank's answer taken in a workflow
    task of its own before the performance is recorded: that worker gets the answer and the decision in one
    activation, a replay in two, and both must cancel the same granules. (It once cancelled the answered
    granule too, and every later task of the run failed: "No command scheduled for event
    SignalExternalWorkflowExecutionInitiated".)"""
    own = settings.model_copy(update={"task_queue": f"referral-cold-{uuid.uuid4().hex[:8]}"})
    req = request()
    async with running_worker(client, own, max_cached_workflows=0):
        handle = await start(client, own, NAME, req, task_queue=own.task_queue)
        await complete(client, handle, "evidence.bank-flows", "bank-icbc", **evidence())
        await eventually(lambda: _answer_taken(handle))
        with pytest.raises(WorkflowUpdateFailedError) as too_much:
            await decide(handle, DEBTOR_PERFORMED, reason="已履行", performed_fen=req.owed_fen + 1, in_full=True)
        assert refusal_code(too_much.value) == "UNLAWFUL_DECISION"
        with pytest.raises(WorkflowUpdateFailedError) as not_all:
            await decide(handle, DEBTOR_PERFORMED, reason="已履行", performed_fen=req.owed_fen - 1, in_full=True)
        assert refusal_code(not_all.value) == "UNLAWFUL_DECISION"
        await decide(handle, DEBTOR_PERFORMED, reason="被执行人全额履行", performed_fen=req.owed_fen, in_full=True)
        history = await eventually(lambda: _ended(handle))
        failed = [e for e in history.events if e.HasField("workflow_task_failed_event_attributes")]
        assert not failed, failed[0].workflow_task_failed_event_attributes.failure.message
        replay = await replayer().replay_workflow(history, raise_on_replay_failure=False)
        assert replay.replay_failure is None, replay.replay_failure
        await record_history(handle, "refusal-referral-performed-in-full-cold")
        result = RefusalReferralResult.model_validate(await handle.result())
        cancelled = await view(task(client, handle, "evidence.vehicles"))
    assert result.status == "performed_in_full" and result.letter is None and result.performed_fen == req.owed_fen
    states = {i.granule: i.state for i in result.checklist}
    assert states["evidence.bank-flows"] == "completed"
    assert [states[k] for k in list(EVIDENCE)[1:]] == ["cancelled"] * 5
    assert states["referral.letter"] == "skipped" and states["police.filing"] == "skipped"
    assert cancelled.history[-1].reason and "performed in full" in cancelled.history[-1].reason


async def _answer_taken(handle: WorkflowHandle[Any, Any]) -> bool:
    """The answered task's end is in history and a workflow task after it has completed."""
    kinds = [e.WhichOneof("attributes") for e in (await handle.fetch_history()).events]
    answered = "child_workflow_execution_completed_event_attributes"
    return answered in kinds and "workflow_task_completed_event_attributes" in kinds[kinds.index(answered) :]


async def _ended(handle: WorkflowHandle[Any, Any]) -> WorkflowHistory | None:
    """The run's history once it has completed or a workflow task of it has failed."""
    history = await handle.fetch_history()
    ends = ("workflow_execution_completed_event_attributes", "workflow_task_failed_event_attributes")
    return history if any(e.WhichOneof("attributes") in ends for e in history.events) else None


@pytest.mark.usefixtures("stack")
async def test_an_answer_that_crosses_the_performance_stands_and_the_case_still_ends(
    client: Client, settings: Settings
):
    """The bank answers while the judge records full performance: whichever Temporal sees first, the
    case ends performed and the bank's task is either completed or cancelled — never a failed case
    (a cancellation sent to a task that has just ended fails, and must not fail the referral)."""

    async def crossing() -> str:
        req = request()
        handle = await start(client, settings, NAME, req)
        await eventually(lambda: view(task(client, handle, "evidence.bank-flows")))
        answered, _ = await asyncio.gather(
            complete(client, handle, "evidence.bank-flows", "bank-icbc", **evidence()),
            decide(handle, DEBTOR_PERFORMED, reason="全额履行", performed_fen=req.owed_fen, in_full=True),
            return_exceptions=True,
        )
        if isinstance(answered, WorkflowUpdateFailedError):
            assert refusal_code(answered) == "WRONG_STATE"  # the cancellation came first: "the task is cancelled"
        else:
            assert answered is None, answered
        result = RefusalReferralResult.model_validate(await handle.result())
        assert result.status == "performed_in_full"
        return {i.granule: i.state for i in result.checklist}["evidence.bank-flows"]

    # Several at once, so the answer lands in the cancellation's window in some of them.
    states = await asyncio.gather(*(crossing() for _ in range(4)))
    assert set(states) <= {"completed", "cancelled"}


@pytest.mark.usefixtures("stack")
async def test_no_referral_without_evidence_on_a_courts_own_catalogue(client: Client, settings: Settings):
    raw = catalogue().model_dump(mode="json")
    raw.update(id="changxing-2026", version="1")
    raw["departments"]["labour"] = {"name": "人社局", "name_en": "Labour bureau", "agency": "labour-changxing"}
    raw["granules"] = [g for g in raw["granules"] if g["phase"] != "evidence"] + [
        {
            "key": "evidence.wages",
            "phase": "evidence",
            "department": "labour",
            "title": "核实拖欠劳动报酬情况",
            "title_en": "Unpaid wages",
            "needs": "劳动监察记录",
            "deadline": {"amount": 3, "unit": "working_day"},
            "source": {"instrument": "拒执解释 (法释〔2024〕13号)", "article": "第十条", "tag": "V"},
        }
    ]
    own = load_catalogues(json.dumps({"catalogues": [raw]}))["changxing-2026"]
    handle = await start(client, settings, NAME, request(), overrides={"catalogue": own})
    wages = await eventually(lambda: view(task(client, handle, "evidence.wages")))
    assert wages.spec.agency == "labour-changxing" and wages.spec.rule.due.amount == 3
    await complete(client, handle, "evidence.wages", "labour-changxing", **evidence(found=False))
    await wait_status(handle, "awaiting_referral")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, REFER, letter_ref="(2026)浙05执移13号", statement="有能力执行而拒不执行")
    assert refusal_code(refused.value) == "UNLAWFUL_DECISION"  # a referral carries its evidence
    with pytest.raises(WorkflowUpdateFailedError) as bare:
        await decide(handle, NOT_REFER, reason=" ")
    assert refusal_code(bare.value) == "REASON_REQUIRED"
    await decide(handle, NOT_REFER, reason="未查实拒执行为")
    result = RefusalReferralResult.model_validate(await handle.result())
    assert result.status == "not_referred" and len(result.checklist) == 8


@pytest.mark.usefixtures("stack")
async def test_the_sandbox_departments_work_a_referral_to_its_end_through_their_inboxes(
    client: Client, settings: Settings, web: str
):
    req = request(court="杭州市上城区人民法院")  # a demo court: its auditor reads the trail below
    handle = await start(client, settings, NAME, req)
    clients = [await login(web, agency) for agency in REFUSAL_INBOXES]
    try:

        async def work_until(wanted: str) -> None:
            async def drive() -> bool:
                for agency, http in zip(REFUSAL_INBOXES, clients, strict=True):
                    await work_once(http, agency)
                return (await status(handle)).status == wanted

            await eventually(drive, timeout=60, interval=0.2)

        await work_until("awaiting_referral")
        await decide(handle, REFER, letter_ref="(2026)浙05执移14号", statement="有能力执行而拒不执行")
        await wait_status(handle, "awaiting_police")  # the 移送函 issued and sent with the police's task
        await decide(handle, REQUEST_VERIFICATION, department="market", matter="核实股权转让对价是否支付")
        await work_until("prosecuted")
    finally:
        for c in clients:
            await c.aclose()
    result = RefusalReferralResult.model_validate(await handle.result())
    assert result.letter is not None and len(result.letter.evidence) == 6
    done = {i.granule: (i.state, i.agency) for i in result.checklist}
    assert done["assist.verification#1"] == ("completed", "market-huzhou")
    # A Hangzhou court's referral goes to its own district's police, not the catalogue's Huzhou sample.
    assert done["police.filing"] == ("completed", "police-shangcheng")
    assert done["procuratorate.prosecution-review"][1] == "procuratorate-shangcheng"
    assert {state for state, _ in done.values()} == {"completed", "done", "skipped"}
    # The tasks carried the person's name and ID number to the police; the audit trail masks both.
    async with await login(web, "auditor") as auditor:
        r = await auditor.get(f"/api/workflows/{handle.id}/audit")
    assert r.status_code == 200 and '"context":{"granule":"evidence.bank-flows"' in r.text
    assert req.person.name not in r.text and req.person.id_number not in r.text


async def _with_open_tasks(handle: WorkflowHandle[Any, Any], n: int) -> Any:
    st = await status(handle)
    opened = [i for i in st.summary["checklist"] if i["state"] == "open" and i["due_at"]]
    return st if len(opened) == n else None


async def _marked(t: WorkflowHandle[Any, Any], mark: SlaMark) -> TaskView | None:
    v = await view(t)
    return v if v.mark is mark else None
